import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../office/password.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { payloadSchema } from '../../../src/wire/feed-schema.js';
import { cliPath, runCli, startCli, type CliResult } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/fixtures.js';

/**
 * `urzedomat office ...` (contracts.md §7.1, §7.2) as an installer runs it: the built program as a child
 * process, a config with relative paths in its own directory (the commands run from another directory), the
 * embedded database. Registering a locker and its secret files, API tokens, clerks, the service itself with the
 * data directory's lock and SIGTERM, and one-line reports of bad configs.
 */

/** Runs `urzedomat ARGS` (the checkout's, or the program at `cli`) to completion in `cwd`, `input` on its standard input (none when undefined). */
function run(args: string[], o: { cwd: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cli?: string }): Promise<CliResult> {
  return runCli(args, o.env, o.timeoutMs ?? 60_000, o);
}

/** A report of one line: text, then exactly one line break. */
function oneLine(s: string): string {
  expect(s, `one line: ${JSON.stringify(s)}`).toMatch(/^[^\n]+\n$/);
  return s.trimEnd();
}

const mode = (f: string): number => statSync(f).mode & 0o777;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

describe('urzedomat office (the CLI)', () => {
  let root: string;
  let cleanup: () => void;
  /** Where the config file lives; its relative paths are taken from here. */
  let etc: string;
  /** Where the commands are run from: nothing may land here. */
  let elsewhere: string;
  let config: string;
  let apiToken = '';

  beforeAll(() => {
    ({ dir: root, cleanup } = tempDir('urz-office-cli-'));
    etc = join(root, 'etc');
    elsewhere = join(root, 'elsewhere');
    mkdirSync(etc);
    mkdirSync(elsewhere);
    config = join(etc, 'office.json');
    writeFileSync(
      config,
      JSON.stringify({
        dataDir: 'data',
        http: { host: '127.0.0.1', port: 0 },
        signingKeyFile: 'keys/feed-ed25519.key.pem',
        sms: { provider: 'file', path: 'sms.jsonl' },
      }),
    );
    if (!existsSync(cliPath) || !existsSync(join(cliPath, '..', '..', 'dist', 'office', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build`');
  });
  afterAll(() => cleanup?.());

  const office = (args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}) => run(['office', ...args], { cwd: elsewhere, ...o });

  it('locker add registers a locker and writes its secrets; the signing key is created 0600 PKCS#8; a taken id is refused', async () => {
    const out = join(root, 'secrets-l1');
    const r = await office(['locker', 'add', 'focha-1', '--name', 'Focha 19', '--out', out, '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/focha-1/);

    // The secrets of contracts.md §2, in the formats the locker reads.
    expect(mode(out)).toBe(0o700);
    expect(mode(join(out, 'office.token'))).toBe(0o600);
    expect(readFileSync(join(out, 'office.token'), 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(mode(join(out, 'code.key'))).toBe(0o600);
    expect(readFileSync(join(out, 'code.key'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const pubPem = readFileSync(join(out, 'office-ed25519.pub.pem'), 'utf8');
    expect(pubPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/);
    const pub = createPublicKey(pubPem);
    expect(pub.asymmetricKeyType).toBe('ed25519');

    // The feed key, where the config says relative to its own directory: Ed25519 PKCS#8 PEM, 0600.
    const keyFile = join(etc, 'keys', 'feed-ed25519.key.pem');
    expect(mode(keyFile)).toBe(0o600);
    const keyPem = readFileSync(keyFile, 'utf8');
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const key = createPrivateKey(keyPem);
    expect(key.asymmetricKeyType).toBe('ed25519');
    expect(createPublicKey(key).export({ type: 'spki', format: 'pem' })).toBe(pubPem);
    // The database was made under the config's directory, not the working one.
    expect(existsSync(join(etc, 'data'))).toBe(true);
    expect(readdirSync(elsewhere)).toEqual([]);

    // The same id again: exit 1, one line, and no secrets written.
    const again = join(root, 'secrets-again');
    const dup = await office(['locker', 'add', 'focha-1', '--name', 'Focha 19 bis', '--out', again, '--config', config]);
    expect(dup.code).toBe(1);
    expect(oneLine(dup.stderr)).toMatch(/focha-1.*exists/);
    expect(dup.stdout).toBe('');
    expect(existsSync(again)).toBe(false);
  }, 120_000);

  it('locker add makes the secret files 0600 even where an earlier run left them readable', async () => {
    const out = join(root, 'secrets-l2');
    mkdirSync(out, { mode: 0o755 });
    writeFileSync(join(out, 'office.token'), 'old\n', { mode: 0o644 });
    writeFileSync(join(out, 'code.key'), 'old\n', { mode: 0o644 });
    chmodSync(join(out, 'office.token'), 0o644);
    chmodSync(join(out, 'code.key'), 0o644);
    const r = await office(['locker', 'add', 'focha-2', '--name', 'Focha 21', '--out', out, '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mode(out)).toBe(0o700);
    expect(readFileSync(join(out, 'office.token'), 'utf8')).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(mode(join(out, 'office.token'))).toBe(0o600);
    expect(mode(join(out, 'code.key'))).toBe(0o600);
  }, 60_000);

  it('token add prints the token alone on its line', async () => {
    const r = await office(['token', 'add', 'city-documents', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    apiToken = r.stdout.trim();
    // Another token is another value.
    const second = await office(['token', 'add', 'archive', '--config', config]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(second.stdout.trim()).not.toBe(apiToken);
  }, 60_000);

  it('clerk add reads the password from standard input and stores it only as scrypt; a short one is refused', async () => {
    const password = 'Kopernik-Torun-1473';
    const r = await office(['clerk', 'add', 'anna.nowak', '--name', 'Anna Nowak', '--config', config], { input: `${password}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/anna\.nowak/);

    // Nothing under the data directory (tables, WAL) holds the password; a scrypt hash that verifies it does.
    const files = filesUnder(join(etc, 'data')).map((f) => readFileSync(f));
    expect(files.length).toBeGreaterThan(0);
    expect(files.some((b) => b.includes(password))).toBe(false);
    const hashes = new Set(files.flatMap((b) => b.toString('latin1').match(/scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]{20,}\$[A-Za-z0-9+/=]{40,}/g) ?? []));
    expect(hashes.size).toBeGreaterThan(0);
    const verifying = [];
    for (const h of hashes) if (await verifyPassword(password, h)) verifying.push(h);
    expect(verifying).toHaveLength(1);
    expect(verifying[0]).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('Kopernik-Torun-1474', verifying[0]!)).toBe(false);

    const short = await office(['clerk', 'add', 'jan.kowalski', '--name', 'Jan Kowalski', '--config', config], { input: 'short1\n' });
    expect(short.code).toBe(1);
    expect(oneLine(short.stderr)).toMatch(/password/);
    expect(short.stdout).toBe('');
  }, 60_000);

  it('the service listens; tokens and secret files work against it; another command is refused while it runs; SIGTERM stops it with 0', async () => {
    expect(apiToken).not.toBe('');
    const svc = await startCli(['office', '--config', config], {}, (l) => l['msg'] === 'office service listening', 60_000);
    let exited: CliResult | undefined;
    try {
      const listening = svc.lines.find((l) => l['msg'] === 'office service listening')!;
      const url = String(listening['url']);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(listening['database']).toBe('embedded');

      // The token printed by `token add` is accepted by the integration API, and only it.
      const locker = await fetch(`${url}/api/v1/lockers/focha-1`, { headers: { authorization: `Bearer ${apiToken}` } });
      expect(locker.status).toBe(200);
      expect(await locker.json()).toMatchObject({ id: 'focha-1', name: 'Focha 19' });
      const wrong = await fetch(`${url}/api/v1/lockers/focha-1`, { headers: { authorization: `Bearer ${'x'.repeat(43)}` } });
      expect(wrong.status).toBe(401);

      // The locker's office.token is accepted by its feed, whose batch the written public key verifies.
      const out = join(root, 'secrets-l1');
      const token = readFileSync(join(out, 'office.token'), 'utf8').trim();
      const feed = await fetch(`${url}/v1/lockers/focha-1/feed?after=0`, { headers: { authorization: `Bearer ${token}` } });
      expect(feed.status).toBe(200);
      const opened = openEnvelope(await feed.text(), createPublicKey(readFileSync(join(out, 'office-ed25519.pub.pem'), 'utf8')));
      if (!opened.ok) throw new Error(`feed batch does not verify: ${opened.reason}`);
      const batch = payloadSchema.parse(opened.payload);
      expect(batch.lockerId).toBe('focha-1');
      expect(batch.changes.length).toBeGreaterThan(0);
      // Another locker's token does not open this locker's feed.
      const other = readFileSync(join(root, 'secrets-l2', 'office.token'), 'utf8').trim();
      expect((await fetch(`${url}/v1/lockers/focha-1/feed?after=0`, { headers: { authorization: `Bearer ${other}` } })).status).toBe(401);

      // The embedded database is the service's while it runs.
      const busy = await office(['token', 'add', 'late', '--config', config]);
      expect(busy.code).toBe(1);
      expect(oneLine(busy.stderr)).toMatch(/in use/);
      expect(busy.stdout).toBe('');

      svc.child.kill('SIGTERM');
      exited = await svc.exited;
      expect(exited.signal).toBeNull();
      expect(exited.code).toBe(0);
    } finally {
      if (exited === undefined) svc.child.kill('SIGKILL');
    }
    // Its lock went with it: the next command works.
    const after = await office(['token', 'add', 'after-stop', '--config', config]);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
  }, 120_000);

  describe('bad configs: exit 1 with one line on stderr naming the key', () => {
    const valid = () => ({ dataDir: 'data-bad', signingKeyFile: 'keys/bad.pem', sms: { provider: 'file', path: 'sms.jsonl' } });
    const cases: Array<[string, (c: Record<string, any>) => unknown, RegExp]> = [
      ['an unknown key at the top level', (c) => ({ ...c, colour: 'blue' }), /colour: unknown key/],
      ['an unknown key in http', (c) => ({ ...c, http: { port: 9000, foo: 1 } }), /http\.foo: unknown key/],
      ['a wrong sms.provider', (c) => ({ ...c, sms: { provider: 'twilio', path: 'sms.jsonl' } }), /sms\.provider: /],
      ['no signingKeyFile', ({ signingKeyFile: _k, ...c }) => c, /signingKeyFile: required/],
      ['http.port as a string', (c) => ({ ...c, http: { port: '9000' } }), /http\.port: expected number, got string/],
    ];
    it.each(cases)('%s', async (_name, make, key) => {
      const dir = join(root, `bad-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dir);
      const file = join(dir, 'office.json');
      writeFileSync(file, JSON.stringify(make(valid())));
      const r = await office(['--config', file]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(key);
      expect(r.stdout).toBe('');
      // Nothing was made of a config that was refused.
      expect(readdirSync(dir)).toEqual(['office.json']);
    }, 30_000);

    it('a file that is not JSON (over several lines)', async () => {
      const file = join(root, 'not-json.json');
      writeFileSync(file, '{\n  "dataDir": "data",\n  signingKeyFile: keys/feed.pem\n}\n');
      const r = await office(['--config', file]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/not-json\.json.*not valid JSON/);
    }, 30_000);

    it('a file that cannot be read', async () => {
      const missing = await office(['--config', join(root, 'no-such.json')]);
      expect(missing.code).toBe(1);
      expect(oneLine(missing.stderr)).toMatch(/cannot read office config .*no-such\.json/);
      const directory = await office(['token', 'add', 'x', '--config', root]);
      expect(directory.code).toBe(1);
      expect(oneLine(directory.stderr)).toMatch(/cannot read office config/);
    }, 30_000);

    it('URZEDOMAT_CONFIG stands in for --config', async () => {
      const file = join(root, 'env-bad.json');
      writeFileSync(file, JSON.stringify({ ...valid(), http: { host: '127.0.0.1', port: 9000, tls: true } }));
      const r = await office(['token', 'add', 'x'], { env: { URZEDOMAT_CONFIG: file } });
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/env-bad\.json.*http\.tls: unknown key/);
    }, 30_000);

    it('an empty URZEDOMAT_CONFIG and no --config: no configuration was given (not the working directory read as one)', async () => {
      for (const args of [[], ['token', 'add', 'x']]) {
        const r = await office(args, { env: { URZEDOMAT_CONFIG: '' } });
        expect(r.code, `office ${args.join(' ')}`).toBe(1);
        const line = oneLine(r.stderr);
        expect(line).toMatch(/no configuration/);
        expect(line).not.toMatch(/EISDIR/);
        expect(r.stdout).toBe('');
      }
      expect(readdirSync(elsewhere)).toEqual([]);
    }, 30_000);
  });

  it("in a copy of the program without its node_modules, office names the missing package and says to run `npm install`", async () => {
    const checkout = join(cliPath, '..', '..');
    const copy = join(root, 'no-node-modules');
    mkdirSync(copy);
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(checkout, part), join(copy, part), { recursive: true });
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    const r = await run(['office', '--config', 'x.json'], { cwd: copy, cli: join(copy, 'bin', 'urzedomat.js') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const line = oneLine(r.stderr);
    const m = /^urzedomat office: (\S+) is not installed: run `npm install`/.exec(line);
    expect(m, line).not.toBeNull();
    // The package named is one the office needs, from package.json.
    const pkg = JSON.parse(readFileSync(join(checkout, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies: Record<string, string> };
    expect(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })).toContain(m![1]);
  }, 30_000);
});
