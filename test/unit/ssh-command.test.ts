import { describe, expect, it } from 'vitest';
import { checkSshCommand, splitWords } from '../../src/admin/ssh-command.js';

/** What the technicians' SSH account lets through: one diag command, never anything a shell would do. */
describe('SSH forced-command check', () => {
  it.each([
    ['diag status --json', ['diag', 'status', '--json']],
    ['urzedomat diag status', ['diag', 'status']],
    ['diag open 7 --reason "drzwiczki zacięte"', ['diag', 'open', '7', '--reason', 'drzwiczki zacięte']],
    ["diag open 7 --reason 'after repair' --force", ['diag', 'open', '7', '--reason', 'after repair', '--force']],
    ['diag bus scan', ['diag', 'bus', 'scan']],
    ['diag bus log --limit 20', ['diag', 'bus', 'log', '--limit', '20']],
    ['diag lockout reset', ['diag', 'lockout', 'reset']],
    ['diag audit verify', ['diag', 'audit', 'verify']],
    ['diag', ['diag', '--help']],
  ])('allows %s', (raw, argv) => {
    expect(checkSshCommand(raw)).toEqual({ ok: true, argv });
  });

  it.each([
    [undefined, 'no command given'],
    ['', 'no command given'],
    ['bash', '"bash" is not allowed'],
    ['sh -c id', '"sh" is not allowed'],
    ['scp -t /tmp', '"scp" is not allowed'],
    ['/usr/lib/openssh/sftp-server', 'is not allowed'],
    ['internal-sftp', 'is not allowed'],
    ['diag status; rm -rf /', 'shell syntax (";")'],
    ['diag status && id', 'shell syntax ("&")'],
    ['diag status | nc 127.0.0.1 9', 'shell syntax ("|")'],
    ['diag status $(id)', 'shell syntax ("$")'],
    ['diag status `id`', 'shell syntax ("`")'],
    ['diag open 1 --reason "$(id)"', 'substitutions and escapes'],
    ['diag status\nid', 'control characters'],
    ['diag status > /tmp/x', 'shell syntax (">")'],
    ['diag status --socket /tmp/other.sock', 'option --socket is not allowed'],
    ['diag status --config=/tmp/evil.json', 'option --config is not allowed'],
    ['diag status -c /tmp/evil.json', 'option -c is not allowed'],
    ['LD_PRELOAD=/tmp/x.so diag status', 'is not allowed'],
    ['env diag status', '"env" is not allowed'],
    ['diag run', '"diag run" is not a diag command'],
    ['diag bus flood', '"diag bus" takes one of: scan, log'],
    ['diag open 1 --reason "unterminated', 'unterminated quote'],
    ['diag ' + 'x'.repeat(2000), 'command too long'],
  ])('refuses %j', (raw, why) => {
    const v = checkSshCommand(raw);
    expect(v.ok).toBe(false);
    expect(v.ok ? '' : v.why).toContain(why);
  });

  it('splits quoted words without interpreting them', () => {
    expect(splitWords(`a "b c" 'd "e"' f`)).toEqual(['a', 'b c', 'd "e"', 'f']);
    expect(splitWords('a ""')).toEqual(['a', '']);
  });
});
