/**
 * The one seam between the office's message jobs and whoever delivers text messages. The job worker
 * (written elsewhere) marks a job sent on `accepted` or `duplicate`, retries `failed` with backoff and
 * gives up on `refused`; so each gateway's whole job is to sort an answer into those four.
 */

export interface SmsMessage {
  /** 9 digits, Polish national number. */
  readonly to: string;
  readonly message: string;
  /** Unique per message: lets the gateway refuse a resend after a crash. */
  readonly idx: string;
}

/**
 * `error` strings go into logs, so they never contain the message text (it holds a pickup code) nor the
 * phone number (personal data): gateways build them from fixed words and numeric codes only.
 */
export type SendResult =
  | { readonly kind: 'accepted'; readonly gatewayId: string | undefined }
  /** The gateway says it already accepted this idx: treat as sent earlier. */
  | { readonly kind: 'duplicate' }
  /** Permanent refusal (invalid number, no funds...): do not retry. */
  | { readonly kind: 'refused'; readonly error: string }
  /** Network error, timeout, 5xx, unreadable answer: retry later. */
  | { readonly kind: 'failed'; readonly error: string };

export interface SmsGateway {
  send(m: SmsMessage): Promise<SendResult>;
  readonly name: string;
}
