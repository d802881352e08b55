import { fstatSync } from 'node:fs';
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** syslog severities, so journald files each line under the right priority. */
const syslogSeverity: Record<string, number> = { fatal: 2, error: 3, warn: 4, info: 6, debug: 7, trace: 7 };

/**
 * Keys that must never reach a log line even if a caller passes them by mistake:
 * codes, phone numbers, PINs, tokens and keys (contracts.md 5.1).
 */
export const redactedKeys = ['code', 'phone', 'pin', 'qr', 'token', 'codeKey', 'key', 'secret', 'password', 'authorization'];

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where the JSON lines go; standard output by default. */
  destination?: DestinationStream;
  /** Prefix each line with `<N>` (the journald/syslog priority); on by default when stdout is the journal. */
  journald?: boolean;
}

/**
 * One JSON object a line on stdout, with `level` as a word and `severity` as the syslog number. Under
 * systemd (JOURNAL_STREAM set) each line also starts with `<N>`, which journald turns into the entry's
 * priority and strips, so the stored message is still pure JSON.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const journald = opts.journald ?? stdoutIsJournal();
  const base = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const destination = journald ? withPriorityPrefix(base) : base;
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label, severity: syslogSeverity[label] ?? 6 }),
      },
      redact: {
        paths: [...redactedKeys, ...redactedKeys.map((k) => `*.${k}`)],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

/**
 * systemd sets JOURNAL_STREAM to the device and inode of the stream it connected; it is the journal only
 * if our stdout is still that stream (not redirected by a wrapper or a test).
 */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (m === null) return false;
  try {
    const st = fstatSync(1);
    return String(st.dev) === m[1] && String(st.ino) === m[2];
  } catch {
    return false;
  }
}

function withPriorityPrefix(inner: DestinationStream): DestinationStream {
  return {
    write(line: string): void {
      const m = /"severity":(\d)/.exec(line);
      inner.write(`<${m?.[1] ?? '6'}>${line}`);
    },
  };
}
