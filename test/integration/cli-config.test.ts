import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { contractExampleConfig, runnableConfig, tempDir } from '../helpers/fixtures.js';

let t: ReturnType<typeof tempDir>;
beforeAll(() => {
  t = tempDir();
});
afterAll(() => t.cleanup());

function writeConfig(name: string, c: unknown): string {
  const f = join(t.dir, name);
  writeFileSync(f, typeof c === 'string' ? c : JSON.stringify(c, null, 2));
  return f;
}

function mutated(f: (c: Record<string, any>) => void): Record<string, any> {
  const c = contractExampleConfig();
  f(c);
  return c;
}

/** Exit 1 within seconds, one line on stderr naming the key, nothing started. */
async function expectRefused(args: string[], key: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await runCli(args, env);
  expect(r.code).toBe(1);
  expect(r.ms).toBeLessThan(10_000);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(key);
  expect(r.stdout).not.toContain('"msg":"ready"');
}

describe('urzedomat run with a bad config', () => {
  it('an unknown key: exit 1 naming it', async () => {
    const f = writeConfig('unknown.json', mutated((c) => { c.office.pullIntervalSec = 30; }));
    await expectRefused(['run', '--config', f], 'office.pullIntervalSec: unknown key');
  });

  it('a missing required key: exit 1 naming it', async () => {
    const f = writeConfig('missing.json', mutated((c) => { delete c.lockerId; }));
    await expectRefused(['run', '--config', f], 'lockerId: required');
  });

  it('a wrong type: exit 1 naming the key', async () => {
    const f = writeConfig('type.json', mutated((c) => { c.boards[0].locks = '48'; }));
    await expectRefused(['run', '--config', f], 'boards[0].locks: expected number, got string');
  });

  it('an out-of-range value: exit 1 naming the key', async () => {
    const f = writeConfig('range.json', mutated((c) => { c.kiosk.port = 99999; }));
    await expectRefused(['run', '--config', f], 'kiosk.port: must be at most 65535');
  });

  it('URZEDOMAT_CONFIG stands in for --config', async () => {
    const f = writeConfig('env.json', mutated((c) => { c.bus.baud = 9600; }));
    await expectRefused(['run'], 'bus.baud: unknown key', { URZEDOMAT_CONFIG: f });
  });

  it('a file that is not JSON, or absent, is one line too', async () => {
    await expectRefused(['run', '--config', writeConfig('broken.json', '{ "lockerId": ')], 'not valid JSON');
    await expectRefused(['run', '--config', join(t.dir, 'absent.json')], 'cannot read config');
  });

  it('a bad secret file stops the start naming its key, and never prints the secret', async () => {
    const c = runnableConfig(join(t.dir, 'secret'));
    writeFileSync(c.office.codeKeyFile, 'deadbeef-not-a-key\n');
    const f = writeConfig('secret.json', c);
    await expectRefused(['run', '--config', f], 'office.codeKeyFile');
    const r = await runCli(['run', '--config', f]);
    expect(r.stderr + r.stdout).not.toContain('deadbeef-not-a-key');
  });

  it('a step late in the start that fails (the admin socket cannot be made) ends the process with one line, not a hang', async () => {
    const c = runnableConfig(join(t.dir, 'late'));
    // A directory under a plain file cannot be created (ENOTDIR): the kiosk and the boards are already running.
    writeFileSync(join(t.dir, 'not-a-dir'), 'x');
    c.admin = { socket: join(t.dir, 'not-a-dir', 'run', 'admin.sock') };
    const r = await runCli(['run', '--config', writeConfig('late.json', c)], {}, 15_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^urzedomat: start failed: .*ENOTDIR/)]);
  });
});
