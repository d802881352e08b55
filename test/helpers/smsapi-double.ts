import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export type SmsapiDoubleMode = 'ok' | 'error-500' | 'refuse' | 'hang';

export interface SmsapiDouble {
  readonly url: string;
  /** Messages it accepted (a refused, failed or duplicate request adds nothing). */
  readonly messages: Array<{ to: string; message: string; from: string; idx: string }>;
  /** Every request as received, for the tests of headers and form fields. */
  readonly received: Array<{ authorization: string | undefined; contentType: string | undefined; form: Record<string, string> }>;
  /** Settable at any time; the next request answers accordingly. */
  mode: SmsapiDoubleMode;
  /** Requests received, whatever they were answered. */
  readonly requests: number;
  stop(): Promise<void>;
}

/**
 * A local stand-in for SMSAPI's sms.do: Bearer token, form body, `format=json`, `check_idx=1` honoured
 * with error 53, answers shaped like SMSAPI's (a `list` on success, `{"error","message"}` otherwise).
 */
export async function startSmsapiDouble({ token }: { token: string }): Promise<SmsapiDouble> {
  const seenIdx = new Set<string>();
  let requests = 0;
  let url = '';
  const double: SmsapiDouble = {
    get url() {
      return url;
    },
    messages: [],
    received: [],
    mode: 'ok',
    get requests() {
      return requests;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections(); // a 'hang' request would otherwise keep close() waiting
        server.close(() => resolve());
      }),
  };

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    requests++;
    const form = Object.fromEntries(new URLSearchParams(raw));
    double.received.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
    if (double.mode === 'hang') return; // never answers; the client's timeout must end it
    if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) {
      return json(res, 401, { error: 101, message: 'Authorization failed' });
    }
    if (double.mode === 'error-500') {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>500 Internal Server Error</h1>');
      return;
    }
    // Without format=json SMSAPI answers in its old text format, which a JSON client cannot read.
    if (form.format !== 'json') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ERROR:8');
      return;
    }
    if (double.mode === 'refuse') return json(res, 200, { error: 13, message: 'No correct phone numbers' });
    const { to = '', message = '', from = '', idx = '' } = form;
    if (form.check_idx === '1' && idx !== '' && seenIdx.has(idx)) {
      return json(res, 200, { error: 53, message: 'Not unique idx parameter, message with the same idx has been already sent and &check_idx=1.' });
    }
    if (idx !== '') seenIdx.add(idx);
    double.messages.push({ to, message, from, idx });
    json(res, 200, {
      count: 1,
      list: [
        {
          id: randomBytes(12).toString('hex').toUpperCase(),
          points: 0.16,
          number: `48${to}`,
          date_sent: Math.floor(Date.now() / 1000),
          submitted_number: to,
          status: 'QUEUE',
          error: null,
          idx: idx === '' ? null : idx,
        },
      ],
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}/sms.do`;
  return double;
}
