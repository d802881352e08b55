import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDocument, type Registration } from '../../../office/documents.js';
import { takeEvents } from '../../../office/events.js';
import type { NewLockerSecrets } from '../../../office/lockers.js';
import type { SendResult, SmsGateway, SmsMessage } from '../../../office/sms/gateway.js';
import { SmsOutbox } from '../../../office/sms/outbox.js';
import { createSmsapiGateway } from '../../../office/sms/smsapi-gateway.js';
import { codeMac } from '../../../src/wire/credentials.js';
import { openEnvelope } from '../../../src/wire/envelope.js';
import { payloadSchema } from '../../../src/wire/feed-schema.js';
import { registration, startTestOffice, stopPostgresCluster, type TestOffice } from '../../helpers/office-rig.js';
import { startSmsapiDouble, type SmsapiDouble } from '../../helpers/smsapi-double.js';

/**
 * The text-message job worker (office/sms/outbox.ts) against an SMSAPI-style gateway double, on both database
 * backends: one message per registration after commit, retries with backoff, a crash between the gateway's
 * acceptance and the job's mark (resent under the same idx, answered duplicate, delivered once), refusals,
 * two workers on one queue, a new code cancelling a waiting one, nothing secret in the logs, and the deadline
 * sweep's reminders and expiries (office/deadlines.ts) under a controllable clock.
 */

const smsToken = 'sms-outbox-test-token-4711';

interface JobRow {
  id: number;
  kind: 'code' | 'new-code' | 'reminder';
  state: string;
  attempts: number;
  payload_sealed: string | null;
  last_error: string | null;
  gateway_id: string | null;
  sent_at: Date | null;
}

/** Polls an asynchronous condition until it holds; fails after `timeoutMs`. */
async function eventually(cond: () => Promise<boolean> | boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const codeIn = (text: string): string => {
  const runs = text.match(/\d{8,}/g) ?? [];
  expect(runs, `exactly one 8-digit run in: ${text}`).toHaveLength(1);
  return runs[0]!;
};

describe.each(['embedded', 'postgres'] as const)('SMS outbox on the %s database', (backend) => {
  let t: TestOffice;
  let double: SmsapiDouble;
  /** The office's clock runs this far ahead of real time (the deadline tests move it). */
  let offsetMs = 0;
  const lockers = new Map<string, NewLockerSecrets>();
  const phonesUsed = new Set<string>();
  let phoneSeq = 0;

  beforeAll(async () => {
    double = await startSmsapiDouble({ token: smsToken });
    t = await startTestOffice({
      backend,
      gateway: createSmsapiGateway({ url: double.url, token: smsToken, from: 'UM Czest', timeoutMs: 5_000 }),
      now: () => new Date(Date.now() + offsetMs),
    });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    await double?.stop();
    if (backend === 'postgres') await stopPostgresCluster();
  }, 60_000);

  const ctx = () => t.office.ctx;
  const gateway = (): SmsGateway => createSmsapiGateway({ url: double.url, token: smsToken, from: 'UM Czest', timeoutMs: 5_000 });
  const idxOf = (jobId: number): string => `${t.config.keyId}-${jobId}`;
  /** A worker of the test's own over the office's database and vault (the service's own is stopped first). */
  const worker = (o: { gateway?: SmsGateway; backoffMs?: (attempt: number) => number; claimS?: number; maxAttempts?: number } = {}): SmsOutbox =>
    new SmsOutbox({
      db: ctx().db, vault: ctx().vault, gateway: o.gateway ?? gateway(), log: ctx().log, idxPrefix: t.config.keyId,
      ...(o.backoffMs ? { backoffMs: o.backoffMs } : {}), ...(o.claimS ? { claimS: o.claimS } : {}), ...(o.maxAttempts ? { maxAttempts: o.maxAttempts } : {}),
    });
  /** As if the claim on a job (a crashed worker's) had run out: another pass may take it now. */
  const expireClaim = (jobId: number) => ctx().db.query("UPDATE sms_job SET claimed_until = now() - interval '1 second' WHERE id = $1", [jobId]);

  async function locker(id: string): Promise<NewLockerSecrets> {
    const hit = lockers.get(id);
    if (hit) return hit;
    const s = await t.addLocker(id);
    lockers.set(id, s);
    return s;
  }

  function nextPhone(): string {
    const p = `6011${String(++phoneSeq).padStart(5, '0')}`;
    phonesUsed.add(p);
    return p;
  }

  /** Registers through the API (which nudges the worker); returns the document id and its phone number. */
  async function register(lockerId: string, over: Record<string, unknown> = {}): Promise<{ id: string; phone: string; expiresAt: string }> {
    await locker(lockerId);
    const phone = nextPhone();
    const r = await t.api('POST', '/api/v1/documents', registration(lockerId, { phone, ...over }));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return { id: r.body.id as string, phone, expiresAt: r.body.expiresAt as string };
  }

  async function jobs(documentId: string): Promise<JobRow[]> {
    return (
      await ctx().db.query<JobRow>(
        'SELECT id, kind, state, attempts, payload_sealed, last_error, gateway_id, sent_at FROM sms_job WHERE document_id = $1 ORDER BY id',
        [documentId],
      )
    ).rows.map((j) => ({ ...j, id: Number(j.id) }));
  }

  async function job(documentId: string, kind: JobRow['kind']): Promise<JobRow> {
    const js = (await jobs(documentId)).filter((j) => j.kind === kind);
    expect(js, `${kind} jobs of ${documentId}`).toHaveLength(1);
    return js[0]!;
  }

  const accepted = (idx: string) => double.messages.filter((m) => m.idx === idx);
  const requestsFor = (idx: string) => double.received.filter((r) => r.form.idx === idx);

  async function documentRow(id: string): Promise<Record<string, unknown>> {
    return (await ctx().db.query<Record<string, unknown>>('SELECT * FROM document WHERE id = $1', [id])).rows[0]!;
  }

  async function pushEvents(lockerId: string, events: Array<{ seq: number; type: string; data: Record<string, unknown> }>): Promise<void> {
    const at = ctx().now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await takeEvents(ctx(), lockerId, events.map((e) => ({ ...e, at })));
    expect(r.stored).toBe(events.length);
  }

  it('a registration sends exactly one message after commit, with idx and check_idx=1, and the code leaves the database', async () => {
    const keys = await locker('sms-one');
    const { id, phone } = await register('sms-one');
    await eventually(async () => (await job(id, 'code')).state === 'sent', 15_000, 'code message sent');
    const j = await job(id, 'code');
    expect(j.payload_sealed).toBeNull();
    expect(j.attempts).toBe(1);
    expect(j.sent_at).not.toBeNull();
    expect(j.last_error).toBeNull();

    const idx = idxOf(j.id);
    expect(requestsFor(idx)).toHaveLength(1);
    const [req] = requestsFor(idx);
    expect(req!.form).toMatchObject({ to: phone, idx, check_idx: '1', format: 'json', from: 'UM Czest' });
    expect(req!.authorization).toBe(`Bearer ${smsToken}`);
    const msgs = accepted(idx);
    expect(msgs).toHaveLength(1);
    expect(double.messages.filter((m) => m.to === phone)).toHaveLength(1);
    // The gateway's id of the accepted message is kept (the double answers a 24-hex id).
    expect(j.gateway_id).toMatch(/^[0-9A-F]{24}$/);

    // The code sent is the one the locker will check (its MAC is in the document and the feed).
    const code = codeIn(msgs[0]!.message);
    const doc = await documentRow(id);
    expect(doc['code_mac']).toBe(codeMac(keys.codeKey, code));
    // Nothing in the job's or the document's row holds the code or the phone number in plain text.
    const rows = (
      await ctx().db.query<{ t: string }>(
        `SELECT row_to_json(j)::text AS t FROM sms_job j WHERE document_id = $1
         UNION ALL SELECT row_to_json(d)::text FROM document d WHERE id = $1`,
        [id],
      )
    ).rows.map((r) => r.t);
    expect(rows).toHaveLength(2);
    for (const text of rows) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(phone);
    }
  });

  it('a gateway answering 500 is retried with backoff, and sent once it recovers, exactly once', async () => {
    await t.office.sms.stop();
    const backoffCalls: number[] = [];
    const requestTimes: number[] = [];
    const timed: SmsGateway = {
      name: 'timed',
      send: async (m) => {
        requestTimes.push(Date.now());
        return gateway().send(m);
      },
    };
    const w = worker({
      gateway: timed,
      backoffMs: (attempt) => {
        backoffCalls.push(attempt);
        return 300;
      },
    });
    try {
      double.mode = 'error-500';
      const { id } = await register('sms-retry');
      const j0 = await job(id, 'code');
      const idx = idxOf(j0.id);
      w.start(20);
      await eventually(() => requestsFor(idx).length >= 3, 15_000, 'three failed attempts');
      const failing = await job(id, 'code');
      expect(['waiting', 'sending']).toContain(failing.state);
      expect(failing.last_error).toBe('HTTP 500');
      expect(failing.payload_sealed).not.toBeNull(); // still needed for the retry
      expect(accepted(idx)).toEqual([]);

      double.mode = 'ok';
      await eventually(async () => (await job(id, 'code')).state === 'sent', 15_000, 'sent after recovery');
      const j = await job(id, 'code');
      const requests = requestsFor(idx).length;
      expect(requests).toBeGreaterThanOrEqual(4);
      expect(j.attempts).toBe(requests);
      expect(j.payload_sealed).toBeNull();
      expect(j.last_error).toBeNull();
      expect(accepted(idx)).toHaveLength(1);
      // The backoff was asked once per failure, with the attempt number, and honoured between attempts.
      expect(backoffCalls).toEqual(Array.from({ length: requests - 1 }, (_, i) => i + 1));
      expect(requestTimes).toHaveLength(requests);
      for (let i = 1; i < requestTimes.length; i++) expect(requestTimes[i]! - requestTimes[i - 1]!).toBeGreaterThanOrEqual(250);
      // Nothing is left to send.
      expect(await w.runOnce()).toBe(0);
      expect(requestsFor(idx)).toHaveLength(requests);
    } finally {
      double.mode = 'ok';
      await w.stop();
      t.office.sms.start();
    }
  });

  it('a crash after the gateway accepted, before the job was marked: resent under the same idx, answered duplicate, delivered once', async () => {
    await t.office.sms.stop();
    try {
      // Worker A hands the message to the gateway and "dies" before it marks the job.
      const crashing: SmsGateway = {
        name: 'crashing',
        send: async (m) => {
          const r = await gateway().send(m);
          expect(r.kind).toBe('accepted');
          throw new Error('process killed after the gateway accepted');
        },
      };
      const a = worker({ gateway: crashing, claimS: 3 });
      const { id, phone } = await register('sms-crash');
      const j0 = await job(id, 'code');
      const idx = idxOf(j0.id);
      await expect(a.runOnce()).rejects.toThrow(/process killed/);
      expect(accepted(idx)).toHaveLength(1);
      const claimed = await job(id, 'code');
      expect(claimed.state).toBe('sending');
      expect(claimed.payload_sealed).not.toBeNull();

      // Worker B leaves the job alone while A's claim holds, then takes it over.
      const results: SendResult[] = [];
      const seen: SmsMessage[] = [];
      const recording: SmsGateway = {
        name: 'recording',
        send: async (m) => {
          seen.push(m);
          const r = await gateway().send(m);
          results.push(r);
          return r;
        },
      };
      const b = worker({ gateway: recording });
      expect(await b.runOnce()).toBe(0);
      await eventually(async () => (await b.runOnce()) > 0, 15_000, 'claim ran out and B took the job');

      expect(seen.map((m) => m.idx)).toEqual([idx]);
      expect(results).toEqual([{ kind: 'duplicate' }]);
      const j = await job(id, 'code');
      expect(j.state).toBe('sent');
      expect(j.attempts).toBe(2);
      expect(j.payload_sealed).toBeNull();
      expect(requestsFor(idx)).toHaveLength(2);
      expect(accepted(idx)).toHaveLength(1);
      expect(double.messages.filter((m) => m.to === phone)).toHaveLength(1);
    } finally {
      t.office.sms.start();
    }
  });

  it('a resend answered duplicate keeps the gateway id recorded earlier', async () => {
    await t.office.sms.stop();
    try {
      // The gateway accepts the message; the worker "dies" before it marks the job.
      let firstId: string | undefined;
      const crashing: SmsGateway = {
        name: 'crashing',
        send: async (m) => {
          const r = await gateway().send(m);
          if (r.kind !== 'accepted') throw new Error(`expected accepted, got ${r.kind}`);
          firstId = r.gatewayId;
          throw new Error('process killed after the gateway accepted');
        },
      };
      const { id, phone } = await register('sms-dup-id');
      const idx = idxOf((await job(id, 'code')).id);
      await expect(worker({ gateway: crashing }).runOnce()).rejects.toThrow(/process killed/);
      expect(firstId).toMatch(/^[0-9A-F]{24}$/);
      // The row holds the id of the first attempt (as if it had been recorded), and the claim has run out.
      const j0 = await job(id, 'code');
      expect(j0.state).toBe('sending');
      await ctx().db.query('UPDATE sms_job SET gateway_id = $2 WHERE id = $1', [j0.id, firstId]);
      await expireClaim(j0.id);

      const results: SendResult[] = [];
      const recording: SmsGateway = {
        name: 'recording',
        send: async (m) => {
          const r = await gateway().send(m);
          results.push(r);
          return r;
        },
      };
      expect(await worker({ gateway: recording }).runOnce()).toBe(1);
      expect(results).toEqual([{ kind: 'duplicate' }]);
      const j = await job(id, 'code');
      expect(j.state).toBe('sent');
      expect(j.attempts).toBe(2);
      expect(j.payload_sealed).toBeNull();
      // The duplicate answer carries no id: the one recorded stays.
      expect(j.gateway_id).toBe(firstId);
      expect(requestsFor(idx)).toHaveLength(2);
      expect(accepted(idx)).toHaveLength(1);
      expect(double.messages.filter((m) => m.to === phone)).toHaveLength(1);
    } finally {
      t.office.sms.start();
    }
  });

  it('a crash before the gateway took the message: the claim runs out and another worker sends it once', async () => {
    await t.office.sms.stop();
    try {
      const dying: SmsGateway = {
        name: 'dying',
        send: async () => {
          throw new Error('process killed before the request left');
        },
      };
      const a = worker({ gateway: dying, claimS: 1 });
      const { id, phone } = await register('sms-crash-early');
      const idx = idxOf((await job(id, 'code')).id);
      await expect(a.runOnce()).rejects.toThrow(/process killed/);
      expect(requestsFor(idx)).toHaveLength(0);
      const b = worker();
      await eventually(async () => (await b.runOnce()) > 0, 15_000, 'claim ran out and B took the job');
      const j = await job(id, 'code');
      expect(j.state).toBe('sent');
      expect(j.attempts).toBe(2);
      expect(requestsFor(idx)).toHaveLength(1);
      expect(accepted(idx)).toHaveLength(1);
      expect(double.messages.filter((m) => m.to === phone)).toHaveLength(1);
    } finally {
      t.office.sms.start();
    }
  });

  it('a job that cannot be handled does not hold up the others claimed in the same pass', async () => {
    await t.office.sms.stop();
    let poisonId = 0;
    try {
      const first = await register('sms-poison');
      const second = await register('sms-poison');
      const third = await register('sms-poison');
      // The first job's text no longer opens (sealed for another row): sending it throws.
      poisonId = (await job(first.id, 'code')).id;
      await ctx().db.query('UPDATE sms_job SET payload_sealed = $2 WHERE id = $1', [poisonId, ctx().vault.seal('{}', 'another row')]);
      const w = worker();
      await expect(w.runOnce()).rejects.toThrow();
      for (const d of [second, third]) {
        const j = await job(d.id, 'code');
        expect(j.state, `job of ${d.id}`).toBe('sent');
        expect(accepted(idxOf(j.id))).toHaveLength(1);
      }
      expect((await job(first.id, 'code')).state).toBe('sending'); // left to its claim, as after a crash
      expect(t.logLines.join('')).toContain('sms outbox: job not handled');
    } finally {
      await ctx().db.query("UPDATE sms_job SET state = 'cancelled', payload_sealed = NULL WHERE id = $1", [poisonId]);
      t.office.sms.start();
    }
  });

  it('a job whose sending throws at every attempt is given up at maxAttempts: text wiped, never claimed again', async () => {
    await t.office.sms.stop();
    let jobId = 0;
    try {
      let calls = 0;
      const throwing: SmsGateway = {
        name: 'throwing',
        send: async () => {
          calls++;
          throw new Error('gateway client crashed');
        },
      };
      const w = worker({ gateway: throwing, maxAttempts: 3 });
      const { id } = await register('sms-give-up');
      jobId = (await job(id, 'code')).id;
      for (let attempt = 1; attempt <= 3; attempt++) {
        await expect(w.runOnce()).rejects.toThrow(/gateway client crashed/);
        const j = await job(id, 'code');
        expect(j.attempts).toBe(attempt);
        if (attempt < 3) {
          expect(j.state).toBe('sending'); // left to its claim, retried when it runs out
          expect(j.payload_sealed).not.toBeNull();
          await expireClaim(jobId);
        }
      }
      const j = await job(id, 'code');
      expect(j.state).toBe('given-up');
      expect(j.payload_sealed).toBeNull();
      expect(j.last_error).toBe('failed at every attempt');
      expect(j.sent_at).toBeNull();
      // Its claim running out does not bring it back.
      await expireClaim(jobId);
      expect(await w.runOnce()).toBe(0);
      expect(calls).toBe(3);
      expect(t.logLines.join('')).toContain('sms outbox: job given up');
    } finally {
      await ctx().db.query("UPDATE sms_job SET state = 'cancelled', payload_sealed = NULL WHERE id = $1 AND state IN ('waiting', 'sending')", [jobId]);
      t.office.sms.start();
    }
  });

  it('a refusal is final: state refused, text wiped, never retried', async () => {
    double.mode = 'refuse';
    let idx = '';
    try {
      const { id } = await register('sms-refuse');
      idx = idxOf((await job(id, 'code')).id);
      await eventually(async () => (await job(id, 'code')).state !== 'waiting' && (await job(id, 'code')).state !== 'sending', 15_000, 'job handled');
      const j = await job(id, 'code');
      expect(j.state).toBe('refused');
      expect(j.payload_sealed).toBeNull();
      expect(j.attempts).toBe(1);
      expect(j.last_error).toBe('smsapi error 13');
      expect(j.sent_at).toBeNull();
    } finally {
      double.mode = 'ok';
    }
    // The gateway would take it now, but nothing sends it again.
    expect(await worker().runOnce()).toBe(0);
    expect(requestsFor(idx)).toHaveLength(1);
    expect(accepted(idx)).toEqual([]);
  });

  it('two workers racing on 20 queued jobs send every one exactly once', async () => {
    await t.office.sms.stop();
    try {
      await locker('sms-race');
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const phone = nextPhone();
        const out = await registerDocument(ctx(), registration('sms-race', { phone, caseRef: `RACE-${i}` }) as unknown as Registration, 'test');
        if (!out.ok) throw new Error(out.error);
        ids.push(out.id);
      }
      const jobIds = (await ctx().db.query<{ id: number }>("SELECT id FROM sms_job WHERE document_id = ANY($1::text[]) AND state = 'waiting'", [ids])).rows.map((r) => Number(r.id));
      expect(jobIds).toHaveLength(20);

      const sentBy = new Map<string, string[]>();
      const slow = (name: string): SmsGateway => ({
        name,
        send: async (m) => {
          sentBy.set(m.idx, [...(sentBy.get(m.idx) ?? []), name]);
          await new Promise((r) => setTimeout(r, 5)); // a gateway round trip, so the workers overlap
          return gateway().send(m);
        },
      });
      const a = worker({ gateway: slow('A') });
      const b = worker({ gateway: slow('B') });
      const drain = async (w: SmsOutbox): Promise<number> => {
        let n = 0;
        for (let k = await w.runOnce(2); k > 0; k = await w.runOnce(2)) n += k;
        return n;
      };
      const [na, nb] = await Promise.all([drain(a), drain(b)]);
      expect(na + nb).toBe(20);
      expect(na).toBeGreaterThan(0);
      expect(nb).toBeGreaterThan(0);

      for (const jobId of jobIds) {
        const idx = idxOf(jobId);
        expect(sentBy.get(idx), `job ${jobId}`).toHaveLength(1);
        expect(requestsFor(idx), `requests for job ${jobId}`).toHaveLength(1);
        expect(accepted(idx)).toHaveLength(1);
      }
      const states = (await ctx().db.query<{ state: string; attempts: number; n: number }>(
        'SELECT state, attempts, count(*)::int AS n FROM sms_job WHERE id = ANY($1::bigint[]) GROUP BY state, attempts',
        [jobIds],
      )).rows;
      expect(states).toEqual([{ state: 'sent', attempts: 1, n: 20 }]);
    } finally {
      t.office.sms.start();
    }
  });

  it('a new code cancels the still-waiting code message: only the new-code text arrives', async () => {
    await t.office.sms.stop();
    let id = '';
    let phone = '';
    const keys = await locker('sms-newcode');
    try {
      ({ id, phone } = await register('sms-newcode'));
      const r = await t.api('POST', `/api/v1/documents/${id}/new-code`);
      expect(r.status).toBe(200);
      const old = await job(id, 'code');
      expect(old.state).toBe('cancelled');
      expect(old.payload_sealed).toBeNull();
      expect((await job(id, 'new-code')).state).toBe('waiting');
    } finally {
      t.office.sms.start();
    }
    await eventually(async () => (await job(id, 'new-code')).state === 'sent', 15_000, 'new-code message sent');
    const all = await jobs(id);
    expect(all.map((j) => [j.kind, j.state])).toEqual([
      ['code', 'cancelled'],
      ['new-code', 'sent'],
    ]);
    expect(requestsFor(idxOf(all[0]!.id))).toEqual([]);
    const msgs = double.messages.filter((m) => m.to === phone);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.idx).toBe(idxOf(all[1]!.id));
    // The code in it is the one the locker will now accept.
    expect((await documentRow(id))['code_mac']).toBe(codeMac(keys.codeKey, codeIn(msgs[0]!.message)));
  });

  it('a code whose sending attempt failed while a new code was issued is not sent late', async () => {
    await t.office.sms.stop();
    let id = '';
    let phone = '';
    let oldIdx = '';
    try {
      let called = false;
      let release: () => void = () => undefined;
      const released = new Promise<void>((r) => (release = r));
      // The gateway takes its time and then fails, as a 503 after a slow answer would.
      const slowFailing: SmsGateway = {
        name: 'slow-failing',
        send: async () => {
          called = true;
          await released;
          return { kind: 'failed', error: 'HTTP 503' };
        },
      };
      ({ id, phone } = await register('sms-inflight'));
      oldIdx = idxOf((await job(id, 'code')).id);
      const w = worker({ gateway: slowFailing, backoffMs: () => 0 });
      const pass = w.runOnce();
      await eventually(() => called, 10_000, 'the code message in flight');
      const r = await t.api('POST', `/api/v1/documents/${id}/new-code`);
      expect(r.status).toBe(200);
      release();
      expect(await pass).toBe(1);
      // The failed attempt must not put the replaced code back in the queue.
      const old = await job(id, 'code');
      expect(old.state).toBe('cancelled');
      expect(old.payload_sealed).toBeNull();
    } finally {
      t.office.sms.start();
    }
    await eventually(async () => (await job(id, 'new-code')).state === 'sent', 15_000, 'new-code message sent');
    expect(await worker().runOnce()).toBe(0);
    expect(requestsFor(oldIdx)).toEqual([]);
    const msgs = double.messages.filter((m) => m.to === phone);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.idx).toBe(idxOf((await job(id, 'new-code')).id));
  });

  it('a code being sent when its document is collected or retrieved is cancelled, and the failed attempt does not put it back', async () => {
    await t.office.sms.stop();
    const lockerId = 'sms-taken';
    let collected = { id: '', phone: '' };
    let retrieved = { id: '', phone: '' };
    try {
      let calls = 0;
      let release: () => void = () => undefined;
      const released = new Promise<void>((r) => (release = r));
      // The gateway hangs, then fails: both codes are claimed ('sending') meanwhile.
      const slowFailing: SmsGateway = {
        name: 'slow-failing',
        send: async () => {
          calls++;
          await released;
          return { kind: 'failed', error: 'HTTP 503' };
        },
      };
      collected = await register(lockerId);
      retrieved = await register(lockerId);
      const w = worker({ gateway: slowFailing, backoffMs: () => 0 });
      const pass = w.runOnce();
      await eventually(() => calls > 0, 10_000, 'a code message in flight');
      for (const d of [collected, retrieved]) expect((await job(d.id, 'code')).state, `code job of ${d.id}`).toBe('sending');
      await pushEvents(lockerId, [
        { seq: 1, type: 'document.loaded', data: { authorizationId: collected.id, compartment: 1, staffId: 'S-1' } },
        { seq: 2, type: 'document.loaded', data: { authorizationId: retrieved.id, compartment: 2, staffId: 'S-1' } },
        { seq: 3, type: 'document.collected', data: { authorizationId: collected.id, compartment: 1, receiptId: 'R-1' } },
        { seq: 4, type: 'document.retrieved', data: { authorizationId: retrieved.id, compartment: 2, staffId: 'S-1', reason: 'not collected in time' } },
      ]);
      for (const d of [collected, retrieved]) {
        const j = await job(d.id, 'code');
        expect(j.state, `code job of ${d.id}`).toBe('cancelled');
        expect(j.payload_sealed).toBeNull();
      }
      release();
      expect(await pass).toBe(2);
      expect(calls).toBe(2);
      // The failed attempts leave them cancelled, not waiting for a retry.
      for (const d of [collected, retrieved]) {
        const j = await job(d.id, 'code');
        expect(j.state, `code job of ${d.id}`).toBe('cancelled');
        expect(j.payload_sealed).toBeNull();
        expect(j.attempts).toBe(1);
      }
    } finally {
      t.office.sms.start();
    }
    expect(await worker().runOnce()).toBe(0);
    for (const d of [collected, retrieved]) {
      expect(requestsFor(idxOf((await job(d.id, 'code')).id))).toEqual([]);
      expect(double.messages.filter((m) => m.to === d.phone)).toEqual([]);
    }
    expect((await t.api('GET', `/api/v1/documents/${collected.id}`)).body.status).toBe('collected');
    expect((await t.api('GET', `/api/v1/documents/${retrieved.id}`)).body.status).toBe('retrieved');
  });

  it('deadlines: a loaded document due within a day gets one reminder without a code, and not a second', async () => {
    offsetMs = 0;
    const lockerId = 'dl-remind';
    const loaded = await register(lockerId);
    const pending = await register(lockerId);
    await eventually(async () => (await job(loaded.id, 'code')).state === 'sent' && (await job(pending.id, 'code')).state === 'sent', 15_000, 'codes sent');
    await pushEvents(lockerId, [{ seq: 1, type: 'document.loaded', data: { authorizationId: loaded.id, compartment: 3, staffId: 'S-1' } }]);
    expect((await t.api('GET', `/api/v1/documents/${loaded.id}`)).body).toMatchObject({ status: 'loaded', compartment: 3 });

    // More than a day before the deadline: nothing.
    offsetMs = Date.parse(loaded.expiresAt) - 2 * 86_400_000 - Date.now();
    await t.office.sweep();
    expect((await jobs(loaded.id)).map((j) => j.kind)).toEqual(['code']);

    // Twelve hours before it: one reminder for the loaded one; a pending one is not in the locker yet.
    offsetMs = Date.parse(loaded.expiresAt) - 12 * 3_600_000 - Date.now();
    expect(await t.office.sweep()).toEqual({ expired: 0, reminded: 1 });
    const reminder = await job(loaded.id, 'reminder');
    expect((await jobs(pending.id)).map((j) => j.kind)).toEqual(['code']);
    await eventually(async () => (await job(loaded.id, 'reminder')).state === 'sent', 15_000, 'reminder sent');
    const msgs = accepted(idxOf(reminder.id));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.to).toBe(loaded.phone);
    expect(msgs[0]!.message).not.toMatch(/\d{8,}/);

    // The next sweeps, later still, queue nothing more.
    await t.office.sweep();
    offsetMs += 3_600_000;
    expect(await t.office.sweep()).toMatchObject({ reminded: 0 });
    expect((await jobs(loaded.id)).filter((j) => j.kind === 'reminder')).toHaveLength(1);
    expect(double.messages.filter((m) => m.to === loaded.phone)).toHaveLength(2); // the code, the reminder
    expect(await t.office.sms.runOnce()).toBe(0);
  });

  it('deadlines: past the deadline pending and loaded documents expire and the locker is told; a collected one stays collected', async () => {
    offsetMs = 0;
    const lockerId = 'dl-expire';
    const secrets = await locker(lockerId);
    const pending = await register(lockerId);
    const loaded = await register(lockerId);
    const collected = await register(lockerId);
    await pushEvents(lockerId, [
      { seq: 1, type: 'document.loaded', data: { authorizationId: loaded.id, compartment: 1, staffId: 'S-1' } },
      { seq: 2, type: 'document.loaded', data: { authorizationId: collected.id, compartment: 2, staffId: 'S-1' } },
      { seq: 3, type: 'document.collected', data: { authorizationId: collected.id, compartment: 2, receiptId: 'R-1' } },
    ]);
    const last = Math.max(...[pending, loaded, collected].map((d) => Date.parse(d.expiresAt)));

    // Just before the deadline nothing expires.
    offsetMs = Date.parse(pending.expiresAt) - 60_000 - Date.now();
    await t.office.sweep();
    expect((await t.api('GET', `/api/v1/documents/${pending.id}`)).body.status).toBe('pending');

    // Every open document is past its deadline now (those of the tests before too).
    offsetMs = last + 1_000 - Date.now();
    const open = async () => Number((await ctx().db.query<{ n: number }>("SELECT count(*)::int AS n FROM document WHERE status IN ('pending', 'loaded')")).rows[0]!.n);
    const due = await open();
    expect(due).toBeGreaterThanOrEqual(2);
    expect(await t.office.sweep()).toEqual({ expired: due, reminded: 0 });
    expect(await open()).toBe(0);
    expect(await t.office.sweep()).toEqual({ expired: 0, reminded: 0 }); // a second sweep changes nothing more
    const status = async (id: string) => (await t.api('GET', `/api/v1/documents/${id}`)).body.status as string;
    expect(await status(pending.id)).toBe('expired');
    expect(await status(loaded.id)).toBe('expired');
    expect(await status(collected.id)).toBe('collected');

    // The locker's own pull carries one revocation with reason "expired" for each expired one, none for the collected one.
    const res = await fetch(`${t.url}/v1/lockers/${lockerId}/feed?after=0`, { headers: { authorization: `Bearer ${secrets.token}` } });
    expect(res.status).toBe(200);
    const opened = openEnvelope(await res.text(), createPublicKey(ctx().signing.publicKeyPem));
    if (!opened.ok) throw new Error(opened.reason);
    const payload = payloadSchema.parse(opened.payload);
    const revokes = payload.changes.filter((c) => c.type === 'authorization.revoke');
    expect(revokes.map((c) => ({ id: (c as { id: string }).id, reason: (c as { reason: string }).reason })).sort((x, y) => x.id.localeCompare(y.id))).toEqual(
      [pending.id, loaded.id].sort().map((id) => ({ id, reason: 'expired' })),
    );
    offsetMs = 0;
  });

  it('deadlines: an expired document, pending or loaded, no longer holds the phone number', async () => {
    offsetMs = 0;
    const lockerId = 'dl-phone';
    const pending = await register(lockerId);
    const loaded = await register(lockerId);
    await pushEvents(lockerId, [{ seq: 1, type: 'document.loaded', data: { authorizationId: loaded.id, compartment: 1, staffId: 'S-1' } }]);
    for (const d of [pending, loaded]) expect((await documentRow(d.id))['phone_sealed'], `phone of ${d.id} before expiry`).not.toBeNull();
    try {
      offsetMs = Math.max(Date.parse(pending.expiresAt), Date.parse(loaded.expiresAt)) + 1_000 - Date.now();
      expect(await t.office.sweep()).toMatchObject({ expired: 2 });
      for (const d of [pending, loaded]) {
        const row = await documentRow(d.id);
        expect(row['status'], `status of ${d.id}`).toBe('expired');
        expect(row['phone_sealed'], `phone of ${d.id} after expiry`).toBeNull();
      }
    } finally {
      offsetMs = 0;
    }
  });

  it('log lines never hold a code or a phone number', async () => {
    offsetMs = 0;
    const lines = t.logLines.join('');
    // Not vacuous: the worker did log what it handed over, refused and retried.
    expect(lines).toContain('text message handed to the gateway');
    expect(lines).toContain('text message refused by the gateway');
    expect(lines).toContain('will retry');
    const codes = double.messages.flatMap((m) => m.message.match(/\d{8,}/g) ?? []);
    expect(codes.length).toBeGreaterThan(20);
    for (const code of codes) expect(lines).not.toContain(code);
    expect(phonesUsed.size).toBeGreaterThan(20);
    for (const phone of phonesUsed) expect(lines).not.toContain(phone);
  });
});
