import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * One JSON object a line on standard output, like the locker's. Whatever a caller passes by mistake under
 * these keys never reaches a line: codes, phone numbers, PINs, tokens, passwords, keys and messages (which
 * hold codes).
 */
const redact = ['code', 'phone', 'pin', 'token', 'password', 'message', 'key', 'authorization', 'req.headers.authorization', 'req.headers["x-urzedomat-mac"]'];

export function createOfficeLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid, program: 'office' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redact, censor: '[redacted]' },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
