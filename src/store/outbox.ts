import { isoWall, type Clock } from '../clock.js';
import type { Db } from './open.js';

export interface OutboxEvent {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  /** The exact JSON object sent to the office; a resend sends these same bytes. */
  readonly body: string;
}

/**
 * Events for the office (contracts.md 5.3). The sequence is gap-free and never reused: the database's
 * triggers refuse anything else, and a rolled-back transaction takes its event with it.
 */
export class Outbox {
  private readonly head;
  private readonly insert;
  private readonly pendingStmt;
  private readonly appendTx;
  private readonly ackStmt;

  constructor(private readonly db: Db, private readonly clock: Clock) {
    this.head = db.prepare('SELECT outbox_last_seq AS last, outbox_acked_through AS acked FROM sync_state WHERE id = 1');
    this.insert = db.prepare('INSERT INTO outbox (seq, type, at, body) VALUES (?, ?, ?, ?)');
    this.pendingStmt = db.prepare(
      'SELECT seq, type, at, body FROM outbox WHERE seq > (SELECT outbox_acked_through FROM sync_state WHERE id = 1) ORDER BY seq LIMIT ?');
    this.ackStmt = db.prepare(
      'UPDATE sync_state SET outbox_acked_through = MAX(outbox_acked_through, MIN(?, outbox_last_seq)) WHERE id = 1');
    this.appendTx = db.transaction((type: string, data: Record<string, unknown>): number => {
      const { last } = this.head.get() as { last: number };
      const seq = last + 1;
      const at = isoWall(this.clock);
      this.insert.run(seq, type, at, JSON.stringify({ seq, type, at, data }));
      return seq;
    });
  }

  /** Queues an event; joins the caller's transaction when there is one. Returns its seq. */
  append(type: string, data: Record<string, unknown>): number {
    return this.appendTx(type, data);
  }

  /** The oldest unacknowledged events, in seq order. */
  pending(limit = 100): OutboxEvent[] {
    return this.pendingStmt.all(limit) as OutboxEvent[];
  }

  /** Records the office's `ackedThrough`; never moves backwards nor past the last event. */
  ack(through: number): void {
    this.ackStmt.run(through);
  }

  depth(): { lastSeq: number; ackedThrough: number; pending: number } {
    const { last, acked } = this.head.get() as { last: number; acked: number };
    return { lastSeq: last, ackedThrough: acked, pending: last - acked };
  }
}
