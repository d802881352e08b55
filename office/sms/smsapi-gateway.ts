import type { SendResult, SmsGateway, SmsMessage } from './gateway.js';

export interface SmsapiGatewayOptions {
  readonly url: string;
  readonly token: string;
  readonly from: string;
  /** The whole exchange, answer body included; past it the send counts as failed and is retried. */
  readonly timeoutMs?: number;
}

/*
 * SMSAPI error codes (JSON body `{"error": <number>, "message": <text>}`, the shape the official
 * smsapi/smsapi-javascript-client reads in src/errors/MessageError/index.ts). The table of codes is
 * SMSAPI's "Kody błędów / Error codes" section of https://www.smsapi.pl/docs; its text could not be read
 * from here directly, so the codes below come from copies of that table found in public code (several
 * independent ones agree):
 *   53  "Not unique idx parameter, message with the same idx has been already sent and &check_idx=1."
 *   8   "Error in request (Please report)"
 *   201 "System internal error (please report)"        999 the same text
 *   202 "Too many simultaneous request, the message won't be sent"
 *   203 "Too many requests. Please try again later."
 *   52  "Too many attempts of sending messages to one number (maximum 10 attempts within 60s)"
 *   101 "Invalid authorization info"   102 "Invalid username or password"   105 "Wrong IP address (for IP filter turned on)"
 *   103 "Insufficient credits on Your account"   13 "Lack of valid phone numbers (invalid or blacklisted numbers)"
 * SMSAPI does not itself label codes "temporary"; the ones below are read as such from their wording
 * (server fault, load, per-minute limit). Retrying them is safe because every request carries
 * check_idx=1: if the first attempt did reach SMSAPI, the retry answers 53 instead of sending twice.
 * How long SMSAPI remembers an idx is not stated in the copies found; the worker retries within hours.
 */
const DUPLICATE_IDX = 53;
const TEMPORARY = new Set([8, 52, 201, 202, 203, 999]);
/*
 * A token or IP-filter fault is the office's configuration, not the resident's message: refusing would
 * drop every code sent until someone notices, and DESIGN.md §6 wants neither two codes nor none. So
 * these retry (with the worker's backoff) and say "authorization" for the operator to see. Every other
 * code, known or unknown, is a refusal: retrying an unknown refusal forever helps nobody.
 */
const AUTHORIZATION = new Set([101, 102, 105]);

const DEFAULT_TIMEOUT_MS = 10_000;

export function createSmsapiGateway(options: SmsapiGatewayOptions): SmsGateway {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: 'smsapi',
    async send(m: SmsMessage): Promise<SendResult> {
      // SMSAPI would take other shapes and guess a country; the office only ever has Polish numbers.
      if (!/^\d{9}$/.test(m.to)) return { kind: 'refused', error: 'recipient is not a 9-digit number' };
      const body = new URLSearchParams({
        to: m.to,
        message: m.message,
        from: options.from,
        format: 'json',
        encoding: 'utf-8',
        idx: m.idx,
        check_idx: '1',
      });
      let status: number;
      let text: string;
      try {
        const res = await fetch(options.url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.token}`,
            'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
            accept: 'application/json',
          },
          body,
          // A redirect would carry the form (code, phone) somewhere not configured.
          redirect: 'error',
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        // Only the error's name: its message may quote the URL, and fetch causes are not ours to log.
        const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
        return { kind: 'failed', error: timedOut ? `no answer within ${timeoutMs} ms` : 'network error' };
      }
      return classify(status, text);
    },
  };
}

/** The gateway's answer sorted into the four outcomes; exported for the tests of odd answers. */
export function classify(status: number, text: string): SendResult {
  if (status >= 500) return { kind: 'failed', error: `HTTP ${status}` };
  if (status === 401 || status === 403) return { kind: 'failed', error: `authorization refused (HTTP ${status})` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'failed', error: `unreadable answer (HTTP ${status})` };
  }
  if (typeof json !== 'object' || json === null) return { kind: 'failed', error: `unreadable answer (HTTP ${status})` };
  const body = json as Record<string, unknown>;
  if (body.error !== undefined && body.error !== null) return fromErrorCode(body.error);
  if (status === 200 && Array.isArray(body.list) && body.list.length > 0) {
    const first: unknown = body.list[0];
    const id = typeof first === 'object' && first !== null ? (first as Record<string, unknown>).id : undefined;
    return { kind: 'accepted', gatewayId: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined };
  }
  return { kind: 'failed', error: `unreadable answer (HTTP ${status})` };
}

function fromErrorCode(raw: unknown): SendResult {
  const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : undefined;
  // The gateway's own `message` text is never copied: nothing guarantees it leaves out the number.
  if (code === undefined) return { kind: 'refused', error: 'smsapi error (no numeric code)' };
  if (code === DUPLICATE_IDX) return { kind: 'duplicate' };
  if (TEMPORARY.has(code)) return { kind: 'failed', error: `smsapi temporary error ${code}` };
  if (AUTHORIZATION.has(code)) return { kind: 'failed', error: `smsapi authorization error ${code}` };
  return { kind: 'refused', error: `smsapi error ${code}` };
}
