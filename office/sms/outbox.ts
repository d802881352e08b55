import type { Db } from '../db/db.js';
import type { HistoryWhat } from '../document-history.js';
import type { Logger } from '../log.js';
import type { Vault } from '../vault.js';
import type { SmsGateway } from './gateway.js';
import { smsPurpose, type SmsKind } from './jobs.js';

export interface SmsOutboxOptions {
  readonly db: Db;
  readonly vault: Vault;
  readonly gateway: SmsGateway;
  readonly log: Logger;
  /** Prefix of each message's idx: unique per office installation. */
  readonly idxPrefix: string;
  /** How long a claimed job is left to its sender before another worker may take it (after a crash). */
  readonly claimS?: number;
  /** Attempts before a job is given up (its text wiped): 32, with the backoff below about a day (23.4 h). */
  readonly maxAttempts?: number;
  readonly backoffMs?: (attempt: number) => number;
}

/** 10 s, 20 s, 40 s ... capped at one hour. */
export const defaultBackoff = (attempt: number): number => Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempt - 1));

interface Claimed {
  id: number;
  document_id: string;
  kind: SmsKind;
  payload_sealed: string | null;
  attempts: number;
}

/**
 * Sends the queued text messages (sms_job) after the transactions that queued them committed.
 *
 * A job is claimed in a short transaction (`FOR UPDATE SKIP LOCKED`, so two office nodes never take the same
 * one), sent with no transaction open (the embedded database would stall meanwhile), then marked. The gateway
 * gets idx = prefix + job id with check_idx, so a resend of a job it already accepted is answered as a
 * duplicate, not delivered twice. What a crash does:
 * - before the gateway took the message: the claim runs out after `claimS` and the job is sent again;
 * - after it took it, before the job was marked: sent again with the same idx, the gateway answers duplicate,
 *   and the job is marked sent. The resident gets one message. (The file gateway of the demo has no idx and
 *   would write the line again.)
 * The message, which holds the code, stays sealed in the row until the gateway took it, and is then wiped.
 */
export class SmsOutbox {
  private running = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly claimS: number;
  private readonly maxAttempts: number;
  private readonly backoff: (attempt: number) => number;

  constructor(private readonly o: SmsOutboxOptions) {
    this.claimS = o.claimS ?? 120;
    this.maxAttempts = o.maxAttempts ?? 32;
    this.backoff = o.backoffMs ?? defaultBackoff;
  }

  start(pollMs = 1000): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const sent = await this.runOnce().catch((e: unknown) => {
          this.o.log.error({ err: String(e) }, 'sms outbox: pass failed');
          return 0;
        });
        if (sent === 0 && this.running) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, pollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        }
      }
    })();
  }

  /** A job was queued: send it now rather than at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One pass: claims the due jobs and sends each. Returns how many were handled. */
  async runOnce(limit = 20): Promise<number> {
    const claimed = (
      await this.o.db.transaction((tx) =>
        tx.query<Claimed>(
          `UPDATE sms_job SET state = 'sending', attempts = attempts + 1, claimed_until = now() + make_interval(secs => $1)
            WHERE id IN (SELECT id FROM sms_job
                          WHERE (state = 'waiting' AND next_at <= now()) OR (state = 'sending' AND claimed_until < now())
                          ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING id, document_id, kind, payload_sealed, attempts`,
          [this.claimS, limit],
        ),
      )
    ).rows;
    // One job that throws (a text that no longer opens, a database error on its mark) must not hold up the
    // others claimed with it: they would be claimed again with it, behind it, at every expiry of the claim.
    // It stays claimed until its claim runs out, as after a crash; the pass reports the first such error.
    let failure: { error: unknown } | undefined;
    for (const job of claimed) {
      try {
        await this.send(job);
      } catch (e) {
        failure ??= { error: e };
        if (job.attempts >= this.maxAttempts) {
          // A job that throws at every attempt would otherwise be claimed again forever.
          await this.mark(job.id, "state = 'given-up', payload_sealed = NULL, last_error = 'failed at every attempt'", [], false, { what: 'sms-given-up' }).catch(() => undefined);
          this.o.log.error({ smsJob: job.id, err: String(e), attempts: job.attempts }, 'sms outbox: job given up');
        } else {
          this.o.log.error({ smsJob: job.id, err: String(e) }, 'sms outbox: job not handled; retried when its claim runs out');
        }
      }
    }
    if (failure !== undefined) throw failure.error;
    return claimed.length;
  }

  private async send(job: Claimed): Promise<void> {
    const log = this.o.log.child({ smsJob: job.id, document: job.document_id, kind: job.kind });
    if (job.payload_sealed === null) {
      await this.mark(job.id, "state = 'given-up', last_error = 'no text'", [], false, { what: 'sms-given-up' });
      return;
    }
    const { to, message } = JSON.parse(this.o.vault.open(job.payload_sealed, smsPurpose(job.document_id, job.kind))) as { to: string; message: string };
    const result = await this.o.gateway.send({ to, message, idx: `${this.o.idxPrefix}-${job.id}` });
    switch (result.kind) {
      case 'accepted':
      case 'duplicate':
        await this.mark(job.id, "state = 'sent', sent_at = now(), payload_sealed = NULL, gateway_id = COALESCE($2, gateway_id), last_error = NULL", [result.kind === 'accepted' ? (result.gatewayId ?? null) : null], true, { what: 'sms-sent' });
        log.info({ gateway: this.o.gateway.name, outcome: result.kind }, 'text message handed to the gateway');
        return;
      case 'refused':
        await this.mark(job.id, "state = 'refused', payload_sealed = NULL, last_error = $2", [result.error], false, { what: 'sms-refused', error: result.error });
        log.warn({ gateway: this.o.gateway.name, error: result.error }, 'text message refused by the gateway: the office must reach the resident another way');
        return;
      case 'failed':
        if (job.attempts >= this.maxAttempts) {
          await this.mark(job.id, "state = 'given-up', payload_sealed = NULL, last_error = $2", [result.error], false, { what: 'sms-given-up', error: result.error });
          log.error({ gateway: this.o.gateway.name, error: result.error, attempts: job.attempts }, 'text message given up');
        } else {
          const delayMs = this.backoff(job.attempts);
          await this.mark(job.id, "state = 'waiting', claimed_until = NULL, next_at = now() + make_interval(secs => $2), last_error = $3", [delayMs / 1000, result.error]);
          log.warn({ gateway: this.o.gateway.name, error: result.error, attempts: job.attempts, retryInMs: delayMs }, 'text message not sent: will retry');
        }
        return;
    }
  }

  /**
   * Records the outcome. Only `sent` is recorded whatever happened meanwhile (the message did go out); any other
   * outcome only while the job is still `sending`: a job cancelled during the attempt (its code replaced or the
   * document revoked or expired) must not be put back in the queue by a failure and sent late.
   * An outcome the clerks see (sent, refused, given up) goes in the document's history (document-history.ts) in
   * the same statement, and only when the job was marked: kind and the gateway's error, never the text.
   */
  private async mark(id: number, set: string, params: unknown[] = [], whatever = false, history?: { what: HistoryWhat; error?: string }): Promise<void> {
    const update = `UPDATE sms_job SET ${set} WHERE id = $1${whatever ? '' : " AND state = 'sending'"}`;
    if (history === undefined) {
      await this.o.db.query(update, [id, ...params]);
      return;
    }
    const n = params.length + 2;
    await this.o.db.query(
      `WITH j AS (${update} RETURNING document_id, kind)
       INSERT INTO document_history (document_id, what, detail)
       SELECT document_id, $${n}, jsonb_build_object('kind', kind) || $${n + 1}::jsonb FROM j`,
      [id, ...params, history.what, JSON.stringify(history.error === undefined ? {} : { error: history.error.slice(0, 200) })],
    );
  }
}
