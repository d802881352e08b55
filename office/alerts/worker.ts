import type { OfficeConfig } from '../config.js';
import type { Db } from '../db/db.js';
import type { Logger } from '../log.js';
import { alertMessage } from './message.js';
import type { Mailer } from './mailer.js';

type AlertsConfig = NonNullable<OfficeConfig['alerts']>;

export interface AlarmMailerDeps {
  readonly db: Db;
  readonly config: AlertsConfig;
  readonly mailer: Mailer;
  readonly log: Logger;
  readonly now: () => Date;
  /** How often to look for alarms not yet e-mailed. */
  readonly everyMs?: number;
}

/** A node holds a (locker, kind) this long while it sends; a crash meanwhile lets another node send after it. */
const claimMs = 2 * 60_000;
/** After an SMTP failure: 30 s, doubling, at most 15 min. */
const backoffMs = (failures: number): number => Math.min(15 * 60_000, 30_000 * 2 ** Math.min(failures, 10));

/**
 * Alarms by e-mail (issue 16): finds `locker_alarm` rows not yet mailed and sends one e-mail per locker and alarm
 * kind to the technicians (To) and the office (Cc), at most one per `throttleMinutes`. Alarms of a (locker, kind)
 * that arrive while its window is closed wait, and are folded into the next e-mail when the window opens (so
 * every alarm is told of, none later than one window after it came); those a clerk dealt with before then need
 * none and are marked so. Nothing is sent with a transaction open: a (locker, kind) is claimed in one statement
 * (`alarm_mail_slot`), mailed, then marked; a crash between sending and marking sends it again once the claim
 * runs out (two minutes), which is the only way an e-mail goes twice.
 */
export class AlarmMailer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private readonly to: readonly string[];
  private readonly cc: readonly string[];

  constructor(private readonly d: AlarmMailerDeps) {
    const { technicians, office } = d.config;
    this.to = technicians.length > 0 ? technicians : office;
    this.cc = technicians.length > 0 ? office : [];
  }

  get recipients(): number {
    return this.to.length + this.cc.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.d.everyMs ?? 5_000);
    this.timer.unref();
    void this.runOnce();
  }

  /** One round; rounds never overlap within a process. Resolves with the number of e-mails sent. */
  runOnce(): Promise<number> {
    this.running = this.running.then(
      () => this.round().catch((e: unknown) => {
        this.d.log.error({ err: String(e) }, 'alarm e-mail round failed');
        return 0;
      }),
    );
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.running;
    this.d.mailer.close();
  }

  private async round(): Promise<number> {
    if (this.recipients === 0) return 0;
    const { db } = this.d;
    const groups = await db.query<{ locker_id: string; kind: string }>(
      'SELECT locker_id, kind, min(at) AS first FROM locker_alarm WHERE mailed_at IS NULL GROUP BY locker_id, kind ORDER BY first LIMIT 200',
    );
    let sent = 0;
    for (const g of groups.rows) if (await this.mailGroup(g.locker_id, g.kind)) sent += 1;
    return sent;
  }

  /** Claims the (locker, kind) if its window is open and nobody holds it, then mails what waits. */
  private async mailGroup(lockerId: string, kind: string): Promise<boolean> {
    const { db, config, log } = this.d;
    const now = this.d.now();
    const claimed = await db.query<{ failures: number }>(
      `INSERT INTO alarm_mail_slot (locker_id, kind, claimed_until) VALUES ($1, $2, $3)
       ON CONFLICT (locker_id, kind) DO UPDATE SET claimed_until = EXCLUDED.claimed_until
        WHERE (alarm_mail_slot.claimed_until IS NULL OR alarm_mail_slot.claimed_until <= $4)
          AND (alarm_mail_slot.last_sent_at IS NULL OR alarm_mail_slot.last_sent_at <= $5)
       RETURNING failures`,
      [lockerId, kind, new Date(now.getTime() + claimMs), now, new Date(now.getTime() - config.throttleMinutes * 60_000)],
    );
    const slot = claimed.rows[0];
    if (slot === undefined) return false; // within the window, or another node is on it
    const release = (): Promise<unknown> => db.query('UPDATE alarm_mail_slot SET claimed_until = NULL WHERE locker_id = $1 AND kind = $2', [lockerId, kind]);
    const waiting = await db.query<{ id: number; at: Date; compartment: number | null; resolved_at: Date | null; name: string }>(
      `SELECT a.id, a.at, a.compartment, a.resolved_at, l.name FROM locker_alarm a JOIN locker l ON l.id = a.locker_id
        WHERE a.locker_id = $1 AND a.kind = $2 AND a.mailed_at IS NULL ORDER BY a.at, a.id`,
      [lockerId, kind],
    );
    const dealtWith = waiting.rows.filter((a) => a.resolved_at !== null).map((a) => Number(a.id));
    const open = waiting.rows.filter((a) => a.resolved_at === null);
    if (dealtWith.length > 0) await db.query('UPDATE locker_alarm SET mailed_at = $2 WHERE id = ANY($1::bigint[]) AND mailed_at IS NULL', [dealtWith, now]);
    const name = waiting.rows[0]?.name;
    if (open.length === 0 || name === undefined) {
      await release();
      return false;
    }
    const message = alertMessage({ id: lockerId, name }, kind, open.map((a) => ({ at: a.at, compartment: a.compartment })), config.throttleMinutes);
    let messageId: string | undefined;
    try {
      ({ messageId } = await this.d.mailer.send({ from: config.from, to: this.to, cc: this.cc, subject: message.subject, text: message.text }));
    } catch (e) {
      const wait = backoffMs(Number(slot.failures));
      await db.query('UPDATE alarm_mail_slot SET claimed_until = $3, failures = failures + 1 WHERE locker_id = $1 AND kind = $2', [lockerId, kind, new Date(now.getTime() + wait)]);
      log.warn({ lockerId, kind, alarms: open.length, err: e instanceof Error ? e.message : String(e), retryInS: wait / 1000 }, 'alarm e-mail not sent; trying again later');
      return false;
    }
    const sentAt = this.d.now();
    const ids = open.map((a) => Number(a.id));
    await db.transaction(async (tx) => {
      const mail = await tx.query<{ id: number }>('INSERT INTO alarm_mail (locker_id, kind, sent_at, alarms, message_id) VALUES ($1, $2, $3, $4, $5) RETURNING id', [
        lockerId, kind, sentAt, ids.length, messageId ?? null,
      ]);
      await tx.query('UPDATE locker_alarm SET mailed_at = $2, mail_id = $3 WHERE id = ANY($1::bigint[])', [ids, sentAt, mail.rows[0]!.id]);
      await tx.query('UPDATE alarm_mail_slot SET last_sent_at = $3, claimed_until = NULL, failures = 0 WHERE locker_id = $1 AND kind = $2', [lockerId, kind, sentAt]);
    });
    log.info({ lockerId, kind, alarms: ids.length, recipients: this.recipients }, 'alarm e-mailed');
    return true;
  }
}
