/**
 * What a technician may run over SSH, decided from the raw command line sshd hands over
 * (SSH_ORIGINAL_COMMAND). Nothing here ever reaches a shell: the words are split by these rules alone, and
 * anything that looks like shell syntax, an option that redirects the tool, or a command outside
 * `urzedomat diag ...` is refused.
 */

export type SshVerdict = { readonly ok: true; readonly argv: string[] } | { readonly ok: false; readonly why: string };

const maxLength = 1_000;
/** Characters with a meaning to a shell; refused outside quotes so nobody is misled into thinking they work. */
const shellMeta = new Set([...';|&$`<>(){}[]*?~!#\\']);

/** Subcommands (and their second words) a technician may run. */
const allowed: Record<string, readonly string[] | null> = {
  status: null, watch: null, open: null, disable: null, enable: null, selftest: null,
  bus: ['scan', 'log'], lockout: ['reset'], sync: ['now'], audit: ['verify'],
};
const allowedOptions = new Set(['--json', '--reason', '--force', '--document-stays', '--limit', '--help', '-h']);

/** Splits like a shell would for plain words and quotes, and refuses everything else a shell would do. */
export function splitWords(line: string): string[] | string {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (const ch of line) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '$' || ch === '`' || ch === '\\') return 'substitutions and escapes are not accepted';
      else word = (word ?? '') + ch;
      continue;
    }
    if (ch === ' ' || ch === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      word ??= '';
    } else if (shellMeta.has(ch)) {
      return `shell syntax ("${ch}") is not accepted: this account runs one diag command, nothing else`;
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote !== undefined) return 'unterminated quote';
  if (word !== undefined) words.push(word);
  return words;
}

export function checkSshCommand(raw: string | undefined): SshVerdict {
  if (raw === undefined || raw.trim() === '') return { ok: false, why: 'no command given: this account runs only "diag <command>" (no shell)' };
  if (raw.length > maxLength) return { ok: false, why: 'command too long' };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, why: 'control characters (such as a newline) are not accepted' };
  const words = splitWords(raw);
  if (typeof words === 'string') return { ok: false, why: words };
  const argv = words[0] === 'urzedomat' ? words.slice(1) : words;
  if (argv[0] !== 'diag') return { ok: false, why: `"${argv[0] ?? ''}" is not allowed: this account runs only "diag <command>"` };
  const sub = argv[1];
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') return { ok: true, argv: ['diag', '--help'] };
  if (!(sub in allowed)) return { ok: false, why: `"diag ${sub}" is not a diag command` };
  const second = allowed[sub];
  if (second !== null && second !== undefined && !second.includes(argv[2] ?? '') && argv[2] !== '--help') {
    return { ok: false, why: `"diag ${sub}" takes one of: ${second.join(', ')}` };
  }
  for (const w of argv.slice(2)) {
    if (!w.startsWith('-')) continue;
    const name = w.split('=')[0]!;
    if (!allowedOptions.has(name)) return { ok: false, why: `option ${name} is not allowed over SSH` };
  }
  return { ok: true, argv };
}
