import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SendResult, SmsGateway, SmsMessage } from './gateway.js';

export interface FileGatewayOptions {
  readonly path: string;
  readonly now?: () => Date;
}

/**
 * contracts.md §7.2 `"provider": "file"`: each message becomes one JSON line `{"to","message","at"}`
 * (the demo and tests read them back). The file holds pickup codes, so it is created 0600 in a 0700
 * directory; an existing file keeps the mode it has.
 *
 * No dedup by idx: a crash after the append and before the job is marked sent repeats one line on the
 * retry. Acceptable for a demo/test sink; a real gateway gets check_idx instead (smsapi-gateway.ts).
 */
export function createFileGateway(options: FileGatewayOptions): SmsGateway {
  const now = options.now ?? (() => new Date());
  return {
    name: 'file',
    async send(m: SmsMessage): Promise<SendResult> {
      const line = JSON.stringify({ to: m.to, message: m.message, at: now().toISOString() }) + '\n';
      try {
        await mkdir(dirname(options.path), { recursive: true, mode: 0o700 });
        // One append of the whole line (O_APPEND): a reader tailing the file never sees half of one.
        await appendFile(options.path, line, { encoding: 'utf8', mode: 0o600 });
      } catch (e) {
        // A full disk or a wrong permission is worth a retry, as a network error is for smsapi.
        const code = (e as NodeJS.ErrnoException).code ?? 'unknown';
        return { kind: 'failed', error: `cannot append to the message file (${code})` };
      }
      return { kind: 'accepted', gatewayId: undefined };
    },
  };
}
