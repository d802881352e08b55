import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmsapiGateway } from '../../../office/sms/smsapi-gateway.js';
import { eventually, startLockerProcess, type LockerProcess } from '../../helpers/locker-process.js';
import { registration, startTestOffice, type TestOffice } from '../../helpers/office-rig.js';
import { startSmsapiDouble, type SmsapiDouble } from '../../helpers/smsapi-double.js';

/**
 * The two programs together, nothing stubbed between them: a real office service (embedded database) whose
 * texts go to a local SMSAPI-style gateway, and the real locker daemon as a child process on simulated boards,
 * pulling the office's signed feed and pushing its events over loopback HTTP. Documents are registered through
 * the integration API (contracts.md §7.3), loaded and collected at the kiosk API (§3) with the code taken from
 * the resident's text message, and the office's view of each document is checked after every step.
 *
 * One office and one locker serve every test of the file; each test uses documents (and phone numbers) of its own.
 */

const lockerId = 'e2e-focha-1';
const smsToken = 'sms-token-e2e-7Qx2';
const pullIntervalS = 5;
/** A pull comes within pullIntervalS (after a failed one, within 4 x); room for a slow, shared machine. */
const pullWaitMs = pullIntervalS * 1000 + 15_000;
const eventWaitMs = 15_000;

/** Who loads and retrieves in every test. */
const staff = { id: 'S-1', pin: '4821' };
/** Who is deactivated in the last test. */
const member = { id: 'S-2', pin: '5930' };

let double: SmsapiDouble;
let t: TestOffice;
let locker: LockerProcess;

/** Every secret the tests handed out, for the check that neither program logged one. */
const secrets = { codes: [] as string[], phones: [] as string[], pins: [] as string[] };

beforeAll(async () => {
  double = await startSmsapiDouble({ token: smsToken });
  t = await startTestOffice({ backend: 'embedded', gateway: createSmsapiGateway({ url: double.url, token: smsToken, from: 'UM Czest', timeoutMs: 5_000 }) });
  const issued = await t.addLocker(lockerId);
  locker = await startLockerProcess({
    lockerId,
    officeUrl: t.url,
    secrets: { token: issued.token, codeKey: issued.codeKey, publicKeyPem: t.office.ctx.signing.publicKeyPem },
    pullIntervalS,
    doorsCloseAfterMs: 300,
  });
  // Staff are known at the lockers registered before them (office/staff.ts): added once the locker exists.
  await addStaff(staff.id, staff.pin);
  await addStaff(member.id, member.pin, 'Jan Kowalski');
}, 120_000);

afterAll(async () => {
  const stopped = await locker?.stop();
  await t?.close();
  await double?.stop();
  // A clean stop on SIGTERM, after everything the tests did.
  if (stopped !== undefined) expect({ code: stopped.code, stderr: stopped.stderr }).toEqual({ code: 0, stderr: '' });
}, 60_000);

// ---- steps, each through an outside face ----

/** The office's feed head for the locker: the seq of the last change it has for it. */
async function feedHead(): Promise<number> {
  const r = await t.api('GET', `/api/v1/lockers/${lockerId}`);
  expect(r.status).toBe(200);
  return r.body.feedHead as number;
}

/**
 * Waits until the running locker applied every change the office has for it now; returns that feed head.
 * Polled in the locker's database (cheap); `diag status` confirms it where a test says so.
 */
async function lockerPulled(): Promise<number> {
  const head = await feedHead();
  await eventually(async () => locker.appliedCursor() >= head, pullWaitMs, `locker cursor at feed head ${head}`, 100);
  return head;
}

async function document(id: string): Promise<Record<string, any>> {
  const r = await t.api('GET', `/api/v1/documents/${id}`);
  expect(r.status).toBe(200);
  return r.body as Record<string, any>;
}

/** Waits until the office says the document has `status` (the locker's event arrived). */
function documentBecomes(id: string, status: string): Promise<Record<string, any>> {
  return eventually(async () => {
    const d = await document(id);
    return d.status === status ? d : undefined;
  }, eventWaitMs, `document ${id} ${status} at the office`, 100);
}

/** The reason of the `document.retrieved` event the office received for a document (no API shows it). */
async function retrievedReason(id: string): Promise<unknown> {
  const r = await t.office.ctx.db.query<{ body: string }>("SELECT body FROM locker_event WHERE locker_id = $1 AND type = 'document.retrieved' ORDER BY seq", [lockerId]);
  const events = r.rows.map((x) => JSON.parse(x.body) as { data: { authorizationId: string; reason: unknown } }).filter((e) => e.data.authorizationId === id);
  expect(events).toHaveLength(1);
  return events[0]!.data.reason;
}

/** The `n`-th text message (from 1) the gateway accepted for `phone`; its only run of 8+ digits is the code. */
async function textFor(phone: string, n = 1): Promise<{ message: string; code: string }> {
  const m = await eventually(async () => double.messages.filter((x) => x.to === phone)[n - 1], 10_000, `text message ${n} to ${phone}`, 50);
  expect(m.from).toBe('UM Czest');
  const runs = m.message.match(/\d{8,}/g) ?? [];
  expect(runs, m.message).toHaveLength(1);
  const code = runs[0]!;
  expect(code).toMatch(/^\d{8}$/);
  secrets.codes.push(code);
  return { message: m.message, code };
}

/** Registers a document for `phone` through the API; returns its id and the code from the resident's text. */
async function register(phone: string, caseRef: string): Promise<{ id: string; code: string }> {
  secrets.phones.push(phone);
  const r = await t.api('POST', '/api/v1/documents', registration(lockerId, { phone, caseRef }));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({ id: expect.any(String), status: 'pending', expiresAt: expect.any(String) });
  const { code } = await textFor(phone);
  return { id: r.body.id as string, code };
}

async function addStaff(id: string, pin: string, name = 'Anna Nowak'): Promise<void> {
  secrets.pins.push(pin);
  const r = await t.api('POST', '/api/v1/staff', { id, name, pin });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body).toMatchObject({ id, active: true, lockers: 1 });
}

async function staffLogin(staffId: string, pin: string): Promise<string> {
  const r = await locker.kiosk('/api/staff/session', { staffId, pin });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body.token).toEqual(expect.any(String));
  return r.body.token as string;
}

/** Staff load the (already pulled) document; the simulated door shuts; the office hears `document.loaded`. */
async function loadAtKiosk(token: string, id: string): Promise<number> {
  const r = await locker.kiosk('/api/staff/load', { authorizationId: id }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toEqual({ result: 'opened', compartment: expect.any(Number) });
  const compartment = r.body.compartment as number;
  const d = await documentBecomes(id, 'loaded');
  expect(d).toMatchObject({ id, lockerId, status: 'loaded', compartment });
  return compartment;
}

describe('office and locker, end to end (real office service, real daemon process)', () => {
  it('a registered document is texted, pulled, loaded by staff and collected with the code; the office sees each step', async () => {
    const health0 = await t.api('GET', `/api/v1/lockers/${lockerId}`);
    expect(health0.body).toMatchObject({ id: lockerId, cursor: expect.any(Number), eventsThrough: 0 });

    const phone = '600100201';
    const { id, code } = await register(phone, 'USC.5362.101.2026');
    expect(await document(id)).toMatchObject({ id, status: 'pending', lockerId });
    expect((await document(id)).compartment).toBeUndefined();

    // The text reached the gateway with the bearer token, as a form, in JSON mode.
    const req = double.received.find((x) => x.form.to === phone)!;
    expect(req.authorization).toBe(`Bearer ${smsToken}`);
    expect(req.form).toMatchObject({ format: 'json', from: 'UM Czest' });

    // The catalogue, the staff and the document reach the locker (a pull at start, then every pullIntervalS).
    const head = await lockerPulled();
    // The technician's view (contracts.md §4) agrees: cursor at the head, every batch verified.
    const st = await locker.status();
    expect(st).toMatchObject({ lockerId, boards: [{ address: 0, online: true }], sync: { pullRefusals: 0, pullFailures: 0 } });
    expect(st.sync.cursor).toBeGreaterThanOrEqual(head);

    const token = await staffLogin(staff.id, staff.pin);
    const compartment = await loadAtKiosk(token, id);
    // The locker holds it as occupied once the door shut by itself.
    const loadedSt = await locker.status();
    expect(loadedSt.compartments.find((c: { id: number }) => c.id === compartment)).toMatchObject({ state: 'occupied', latched: true });

    const pickup = await locker.kiosk('/api/pickup', { phone, code });
    expect(pickup).toEqual({ status: 200, body: { result: 'opened', compartment } });

    const d = await documentBecomes(id, 'collected');
    expect(d).toMatchObject({ id, lockerId, status: 'collected', compartment, receiptId: expect.any(String), collectedAt: expect.any(String) });
    expect((d.receiptId as string).length).toBeGreaterThan(0);
    expect(Number.isNaN(Date.parse(d.collectedAt as string))).toBe(false);
    expect(Math.abs(Date.parse(d.collectedAt as string) - Date.now())).toBeLessThan(60_000);

    // The office knows how the locker is doing: its pulls and the events it took (loaded, collected).
    await t.office.pulls.flush();
    const health = await t.api('GET', `/api/v1/lockers/${lockerId}`);
    expect(health.status).toBe(200);
    expect(health.body.lastPullAt).toEqual(expect.any(String));
    expect(health.body.eventsThrough).toBeGreaterThanOrEqual(2);
    expect(health.body.cursor).toBeGreaterThan(0);
    // Each pull also says how many events wait in the locker's outbox (shown on the panel's lockers page).
    const waiting = await t.office.ctx.db.query<{ events_waiting: number | null }>('SELECT events_waiting FROM locker WHERE id = $1', [lockerId]);
    expect(waiting.rows[0]!.events_waiting).toEqual(expect.any(Number));

    // The compartment is free again once the door shut behind the resident.
    await eventually(async () => {
      const s = await locker.status();
      return s.compartments.find((c: { id: number }) => c.id === compartment)?.state === 'free';
    }, 10_000, `compartment ${compartment} free`, 250);
  }, 120_000);

  it('revocation reaches the running locker: the code is refused, staff take the document back, the office says retrieved', async () => {
    const phone = '600100202';
    const { id, code } = await register(phone, 'USC.5362.102.2026');
    await lockerPulled();
    const token = await staffLogin(staff.id, staff.pin);
    const compartment = await loadAtKiosk(token, id);

    const revoked = await t.api('POST', `/api/v1/documents/${id}/revoke`, { reason: 'withdrawn' });
    expect(revoked).toEqual({ status: 200, body: { status: 'revoked' } });
    expect((await document(id)).status).toBe('revoked');
    await lockerPulled();

    // The right code: refused, and (docs/DESIGN-DECISIONS.md, "refusals with a reason only after a right code") told why.
    expect(await locker.kiosk('/api/pickup', { phone, code })).toEqual({ status: 403, body: { result: 'rejected', reason: 'revoked' } });

    // On the staff's list to take back, marked revoked.
    const lists = await locker.kiosk('/api/staff/lists', {}, token);
    expect(lists.status).toBe(200);
    expect(lists.body.toRetrieve).toEqual(expect.arrayContaining([expect.objectContaining({ authorizationId: id, compartment, revoked: true })]));

    const back = await locker.kiosk('/api/staff/retrieve', { authorizationId: id }, token);
    expect(back).toEqual({ status: 200, body: { result: 'opened', compartment } });
    const d = await documentBecomes(id, 'retrieved');
    expect(d).toMatchObject({ id, status: 'retrieved', compartment });
    expect(d.receiptId).toBeUndefined();
    expect(await retrievedReason(id)).toBe('revoked');
  }, 120_000);

  it('a new code: after the next pull the old code is refused and the one from the second text opens', async () => {
    const phone = '600100203';
    const { id, code: oldCode } = await register(phone, 'USC.5362.103.2026');
    await lockerPulled();
    const token = await staffLogin(staff.id, staff.pin);
    const compartment = await loadAtKiosk(token, id);

    const renewed = await t.api('POST', `/api/v1/documents/${id}/new-code`);
    expect(renewed).toEqual({ status: 200, body: { status: 'loaded' } });
    const second = await textFor(phone, 2);
    expect(second.code).not.toBe(oldCode);
    await lockerPulled();

    expect(await locker.kiosk('/api/pickup', { phone, code: oldCode })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await locker.kiosk('/api/pickup', { phone, code: second.code })).toEqual({ status: 200, body: { result: 'opened', compartment } });
    expect(await documentBecomes(id, 'collected')).toMatchObject({ id, status: 'collected', compartment, receiptId: expect.any(String), collectedAt: expect.any(String) });
  }, 120_000);

  it('expiry: past a deadline set through the API the code is refused; the sweep expires it and revokes it at the locker', async () => {
    const phone = '600100204';
    const { id, code } = await register(phone, 'USC.5362.104.2026');
    await lockerPulled();
    const token = await staffLogin(staff.id, staff.pin);
    const compartment = await loadAtKiosk(token, id);

    // Far enough ahead for the locker to pull the new deadline first, so the refusal is the locker's own judgement.
    const deadlineMs = Math.ceil((Date.now() + pullIntervalS * 1000 + 3_000) / 1000) * 1000;
    const expiresAt = new Date(deadlineMs).toISOString();
    const set = await t.api('POST', `/api/v1/documents/${id}/deadline`, { expiresAt });
    expect(set).toEqual({ status: 200, body: { status: 'loaded' } });
    expect((await document(id)).expiresAt).toBe(expiresAt);
    await lockerPulled();
    const pulledBeforeDeadline = Date.now() < deadlineMs;
    const row = locker.db().prepare('SELECT expires_at, status, revoked_reason FROM authorization WHERE id = ?').get(id) as { expires_at: string; status: string; revoked_reason: string | null };
    expect(Date.parse(row.expires_at)).toBe(deadlineMs);
    expect(row).toMatchObject({ status: 'loaded', revoked_reason: null });

    // Wait past the deadline (a condition on the clock, not an assertion on a sleep).
    await eventually(async () => Date.now() > deadlineMs + 200, deadlineMs - Date.now() + 5_000, 'the deadline passed', 100);
    expect(await locker.kiosk('/api/pickup', { phone, code })).toEqual({ status: 403, body: { result: 'rejected', reason: 'expired' } });
    // Refused by the locker's clock alone: the office has not swept yet (unless its own minute timer did).
    expect(['loaded', 'expired']).toContain((await document(id)).status);

    await t.office.sweep();
    expect(await document(id)).toMatchObject({ id, status: 'expired', compartment });

    // The office fed the locker a revocation with reason `expired`, and the locker applied it.
    const fed = await t.office.ctx.db.query<{ seq: number; body: string }>('SELECT seq, body FROM locker_change WHERE locker_id = $1 ORDER BY seq', [lockerId]);
    const revoke = fed.rows.map((r) => ({ seq: Number(r.seq), change: JSON.parse(r.body) as Record<string, unknown> })).find((r) => r.change.type === 'authorization.revoke' && r.change.id === id);
    expect(revoke?.change).toEqual({ seq: revoke?.seq, type: 'authorization.revoke', id, reason: 'expired' });
    await lockerPulled();
    expect(await locker.cursor()).toBeGreaterThanOrEqual(revoke!.seq); // diag status
    expect(locker.db().prepare('SELECT status, revoked_reason FROM authorization WHERE id = ?').get(id)).toEqual({ status: 'loaded', revoked_reason: 'expired' });
    // Now refused as revoked too (a locker whose clock cannot be trusted would stop releasing it from here on).
    expect(await locker.kiosk('/api/pickup', { phone, code })).toEqual({ status: 403, body: { result: 'rejected', reason: 'revoked' } });

    // It waits on the staff's list to be taken back.
    const lists = await locker.kiosk('/api/staff/lists', {}, token);
    expect(lists.body.toRetrieve).toEqual(expect.arrayContaining([expect.objectContaining({ authorizationId: id, compartment })]));
    const back = await locker.kiosk('/api/staff/retrieve', { authorizationId: id }, token);
    expect(back).toEqual({ status: 200, body: { result: 'opened', compartment } });
    expect(await documentBecomes(id, 'retrieved')).toMatchObject({ id, status: 'retrieved', compartment });
    // The office expired it by revoking it with reason `expired`: the locker reports the retrieval as expired.
    expect(await retrievedReason(id)).toBe('expired');
    // Asserted last so that a slow pull does not hide the checks above; without it the refusal proves less.
    expect(pulledBeforeDeadline, 'the locker pulled the new deadline only after it had passed (machine too slow?)').toBe(true);
  }, 120_000);

  it('staff deactivation: after the next pull that member cannot log in, and an open session ends', async () => {
    // Added before the first test (beforeAll), so long known at the locker.
    await lockerPulled();
    const token = await staffLogin(member.id, member.pin);
    expect((await locker.kiosk('/api/staff/lists', {}, token)).status).toBe(200);

    const off = await t.api('DELETE', `/api/v1/staff/${member.id}`);
    expect(off).toEqual({ status: 200, body: { id: member.id, active: false } });
    await lockerPulled();

    expect(await locker.kiosk('/api/staff/session', { staffId: member.id, pin: member.pin })).toEqual({ status: 403, body: { result: 'rejected' } });
    expect(await locker.kiosk('/api/staff/lists', {}, token)).toEqual({ status: 401, body: { result: 'session-expired' } });
    expect(await locker.kiosk('/api/staff/load', { authorizationId: 'any' }, token)).toEqual({ status: 401, body: { result: 'session-expired' } });
    // Only that member: the other still logs in.
    await staffLogin(staff.id, staff.pin);
  }, 120_000);

  it('neither program logged a code, a phone number or a PIN', async () => {
    const daemonLog = locker.stdout();
    const officeLog = t.logLines.join('');
    expect(daemonLog.length).toBeGreaterThan(0);
    expect(officeLog.length).toBeGreaterThan(0);
    // A 4-digit PIN may well occur inside a time or a count: looked for as a whole JSON string.
    for (const s of [...secrets.codes, ...secrets.phones, ...secrets.pins.map((p) => `"${p}"`)]) {
      expect(daemonLog, `daemon log holds ${s}`).not.toContain(s);
      expect(officeLog, `office log holds ${s}`).not.toContain(s);
    }
  });
});
