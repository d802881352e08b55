import { randomInt, randomUUID } from 'node:crypto';
import { codeMac, normalizePhone, phoneMac } from '../src/wire/credentials.js';
import { typeMayUseLocker, type DocumentType } from '../src/wire/policy.js';
import { appendChanges, type NewChange } from './change-log.js';
import type { OfficeContext } from './context.js';
import type { Queryable } from './db/db.js';
import { recordHistory } from './document-history.js';
import { codeMessage, newCodeMessage } from './sms/message.js';
import { cancelWaitingSms, queueSms, sealSms } from './sms/jobs.js';

export type DocumentStatus = 'pending' | 'loaded' | 'collected' | 'expired' | 'retrieved' | 'revoked' | 'rejected';

export interface Registration {
  readonly lockerId: string;
  readonly caseRef: string;
  readonly documentType: string;
  readonly phone: string;
  readonly size: 'S' | 'M' | 'L';
  readonly accessible: boolean;
  readonly consent: boolean;
  readonly feeSettled: boolean;
  /** How the resident gave consent, and when (the panel records them; the integration API does not ask). */
  readonly consentHow?: ConsentHow | undefined;
  readonly consentAt?: Date | undefined;
  /** The fee is settled because the resident is exempt from it, not because it was paid. */
  readonly feeExempt?: boolean | undefined;
  /** A deadline the clerk chose; without it, now + `pickup.holdDays`. */
  readonly expiresAt?: Date | undefined;
}

export type ConsentHow = 'counter' | 'epuap' | 'phone';

/** The actor of a change that came through the integration API without saying more. */
export const apiActor = 'api';

export interface CodeOptions {
  /**
   * Handed the code just drawn and the resident's number, in memory, once the registration (or new code) has
   * committed: the panel prints them on the resident's paper notice. Nothing here keeps them.
   */
  readonly withCode?: ((code: string, phone: string) => void) | undefined;
}

export type RegisterRefusal = 'document-type-not-allowed' | 'no-consent' | 'unknown-locker' | 'invalid-phone' | 'invalid-deadline';

export type RegisterOutcome =
  | { readonly ok: true; readonly id: string; readonly status: 'pending'; readonly expiresAt: string }
  | { readonly ok: false; readonly error: RegisterRefusal };

interface DocumentRow {
  id: string;
  locker_id: string;
  case_ref: string;
  document_type: string;
  size: 'S' | 'M' | 'L';
  accessible: boolean;
  consent: boolean;
  fee_settled: boolean;
  phone_sealed: string | null;
  phone_mac: string;
  code_mac: string;
  status: DocumentStatus;
  expires_at: Date;
  compartment: number | null;
  collected_at: Date | null;
  receipt_id: string | null;
}

/** An 8-digit code from the cryptographic source (contracts.md §7.3); leading zeros are part of it. */
export function drawCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

export const phonePurpose = (documentId: string): string => `phone:${documentId}`;

interface TypeRow {
  code: string;
  name_pl: string;
  name_en: string;
  locker_release: boolean;
  legal_basis: string;
}

async function documentType(q: Queryable, code: string): Promise<DocumentType | undefined> {
  const r = await q.query<TypeRow>('SELECT code, name_pl, name_en, locker_release, legal_basis FROM document_type WHERE code = $1', [code]);
  const t = r.rows[0];
  return t && { code: t.code, namePl: t.name_pl, nameEn: t.name_en, lockerRelease: t.locker_release, legalBasis: t.legal_basis };
}

function authorizationChange(d: DocumentRow): NewChange {
  return {
    type: 'authorization.upsert',
    authorization: {
      id: d.id, caseRef: d.case_ref, documentType: d.document_type, size: d.size, phoneMac: d.phone_mac, codeMac: d.code_mac,
      expiresAt: d.expires_at.toISOString(), feeSettled: d.fee_settled, consent: d.consent, accessible: d.accessible,
    },
  };
}

/**
 * `POST /api/v1/documents`: the same policy as the locker (src/wire/policy.ts): a type the catalogue or the
 * hard deny list keeps at the counter, or no consent, is refused with nothing stored, sent or fed.
 */
export async function registerDocument(ctx: OfficeContext, reg: Registration, registeredBy: string, o: CodeOptions = {}): Promise<RegisterOutcome> {
  const keys = await ctx.lockers.keys(reg.lockerId);
  if (keys === undefined) return { ok: false, error: 'unknown-locker' };
  const name = keys.name;
  const type = await documentType(ctx.db, reg.documentType);
  if (!typeMayUseLocker(type) || type === undefined) return { ok: false, error: 'document-type-not-allowed' };
  if (!reg.consent) return { ok: false, error: 'no-consent' };
  const phone = normalizePhone(reg.phone);
  if (phone === undefined) return { ok: false, error: 'invalid-phone' };

  const now = ctx.now();
  const expiresAt =
    reg.expiresAt === undefined
      ? new Date(Math.floor(now.getTime() / 1000) * 1000 + ctx.config.pickup.holdDays * 86_400_000)
      : new Date(Math.floor(reg.expiresAt.getTime() / 1000) * 1000);
  if (Number.isNaN(expiresAt.getTime()) || expiresAt <= now) return { ok: false, error: 'invalid-deadline' };

  const id = randomUUID();
  const code = drawCode();
  const row: DocumentRow = {
    id, locker_id: reg.lockerId, case_ref: reg.caseRef, document_type: type.code, size: reg.size, accessible: reg.accessible,
    consent: reg.consent, fee_settled: reg.feeSettled, phone_sealed: ctx.vault.seal(phone, phonePurpose(id)),
    phone_mac: phoneMac(keys.codeKey, phone), code_mac: codeMac(keys.codeKey, code), status: 'pending', expires_at: expiresAt,
    compartment: null, collected_at: null, receipt_id: null,
  };
  const message = codeMessage({ code, documentName: type.namePl, lockerName: name, expiresAt });
  const registered = {
    lockerId: reg.lockerId, consentHow: reg.consentHow ?? null, feeExempt: reg.feeExempt === true, expiresAt: expiresAt.toISOString(),
  };
  // One statement, so one round trip and one commit: the document, its text message, its two history rows
  // (document-history.ts: registered, text queued) and its change in the locker's log. The head row's lock is
  // held to the end of the statement, which is its commit (change-log.ts).
  await ctx.db.query(
    `WITH d AS (INSERT INTO document (id, locker_id, case_ref, document_type, size, accessible, consent, fee_settled, phone_sealed, phone_mac, code_mac, expires_at, registered_by, consent_how, consent_at, fee_exempt)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $16, $17, $18) RETURNING id),
          s AS (INSERT INTO sms_job (document_id, kind, payload_sealed) SELECT id, 'code', $14 FROM d),
          h AS (INSERT INTO document_history (document_id, at, what, actor, detail)
                SELECT d.id, $19, v.what, v.actor, v.detail::jsonb FROM d,
                       (VALUES (1, 'registered', $13::text, $20::text), (2, 'sms-queued', NULL, '{"kind":"code"}')) AS v(n, what, actor, detail)
                 ORDER BY v.n),
          head AS (UPDATE locker_log_head SET last = last + 1 WHERE locker_id = $2 RETURNING last)
     INSERT INTO locker_change (locker_id, seq, body) SELECT $2, last, '{"seq":' || last || ',' || $15 FROM head`,
    [
      id, row.locker_id, row.case_ref, row.document_type, row.size, row.accessible, row.consent, row.fee_settled, row.phone_sealed, row.phone_mac, row.code_mac, expiresAt, registeredBy,
      sealSms(ctx.vault, id, 'code', phone, message), JSON.stringify(authorizationChange(row)).slice(1),
      reg.consentHow ?? null, reg.consentAt ?? null, reg.feeExempt === true, now, JSON.stringify(registered),
    ],
  );
  o.withCode?.(code, phone);
  return { ok: true, id, status: 'pending', expiresAt: expiresAt.toISOString() };
}

export interface DocumentView {
  readonly id: string;
  readonly status: DocumentStatus;
  readonly lockerId: string;
  readonly expiresAt: string;
  readonly compartment?: number;
  readonly collectedAt?: string;
  readonly receiptId?: string;
}

async function load(q: Queryable, id: string, forUpdate = false): Promise<DocumentRow | undefined> {
  const r = await q.query<DocumentRow>(`SELECT * FROM document WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0];
}

export async function readDocument(ctx: OfficeContext, id: string): Promise<DocumentView | undefined> {
  const d = await load(ctx.db, id);
  if (d === undefined) return undefined;
  return {
    id: d.id, status: d.status, lockerId: d.locker_id, expiresAt: d.expires_at.toISOString(),
    ...(d.compartment !== null && d.status !== 'pending' ? { compartment: d.compartment } : {}),
    ...(d.collected_at !== null ? { collectedAt: d.collected_at.toISOString() } : {}),
    ...(d.receipt_id !== null ? { receiptId: d.receipt_id } : {}),
  };
}

export type ChangeOutcome =
  | { readonly ok: true; readonly status: DocumentStatus }
  | { readonly ok: false; readonly error: 'not-found' | 'not-allowed-in-status'; readonly status?: DocumentStatus };

/** Statuses in which the document is still on its way to the resident. */
const open: ReadonlySet<DocumentStatus> = new Set(['pending', 'loaded']);

/** `POST /api/v1/documents/{id}/revoke`: the locker refuses the code from its next pull; a loaded document goes on the staff's list. */
export async function revokeDocument(ctx: OfficeContext, id: string, reason: string, actor: string = apiActor): Promise<ChangeOutcome> {
  return ctx.db.transaction(async (tx) => {
    const d = await load(tx, id, true);
    if (d === undefined) return { ok: false, error: 'not-found' };
    if (d.status === 'revoked') return { ok: true, status: 'revoked' };
    if (!open.has(d.status) && d.status !== 'expired') return { ok: false, error: 'not-allowed-in-status', status: d.status };
    await tx.query("UPDATE document SET status = 'revoked', revoked_at = now(), revoked_reason = $2, phone_sealed = NULL, updated_at = now() WHERE id = $1", [id, reason]);
    await cancelWaitingSms(tx, id, ['code', 'new-code', 'reminder']);
    await recordHistory(tx, id, 'revoked', actor, { reason }, ctx.now());
    await appendChanges(tx, [{ lockerId: d.locker_id, change: { type: 'authorization.revoke', id, reason } }]);
    return { ok: true, status: 'revoked' };
  });
}

/** `POST /api/v1/documents/{id}/new-code`: a new code by text message; the old one stops at the locker's next pull. */
export async function issueNewCode(ctx: OfficeContext, id: string, actor: string = apiActor, o: CodeOptions = {}): Promise<ChangeOutcome> {
  let drawn: { code: string; phone: string } | undefined;
  const outcome = await ctx.db.transaction(async (tx): Promise<ChangeOutcome> => {
    const d = await load(tx, id, true);
    if (d === undefined) return { ok: false, error: 'not-found' };
    if (!open.has(d.status) || d.phone_sealed === null) return { ok: false, error: 'not-allowed-in-status', status: d.status };
    const keys = await ctx.lockers.keys(d.locker_id);
    const type = await documentType(tx, d.document_type);
    const name = keys?.name;
    if (keys === undefined || type === undefined || name === undefined) throw new Error(`document ${id} refers to a missing locker or type`);
    const code = drawCode();
    const phone = ctx.vault.open(d.phone_sealed, phonePurpose(id));
    const updated: DocumentRow = { ...d, code_mac: codeMac(keys.codeKey, code) };
    await tx.query('UPDATE document SET code_mac = $2, updated_at = now() WHERE id = $1', [id, updated.code_mac]);
    await cancelWaitingSms(tx, id, ['code', 'new-code']);
    await queueSms(tx, ctx.vault, id, 'new-code', phone, newCodeMessage({ code, documentName: type.namePl, lockerName: name, expiresAt: d.expires_at }));
    const now = ctx.now();
    await recordHistory(tx, id, 'new-code', actor, {}, now);
    await recordHistory(tx, id, 'sms-queued', null, { kind: 'new-code' }, now);
    await appendChanges(tx, [{ lockerId: d.locker_id, change: authorizationChange(updated) }]);
    drawn = { code, phone };
    return { ok: true, status: d.status };
  });
  // Only once committed: a notice printed for a code that was rolled back would not open anything.
  if (drawn !== undefined) o.withCode?.(drawn.code, drawn.phone);
  return outcome;
}

/** A new deadline (not in contracts.md §7.3; the panel's "extend the deadline"): fed to the locker at once. */
export async function setDeadline(ctx: OfficeContext, id: string, expiresAt: Date, actor: string = apiActor): Promise<ChangeOutcome> {
  return ctx.db.transaction(async (tx) => {
    const d = await load(tx, id, true);
    if (d === undefined) return { ok: false, error: 'not-found' };
    if (!open.has(d.status)) return { ok: false, error: 'not-allowed-in-status', status: d.status };
    const updated: DocumentRow = { ...d, expires_at: expiresAt };
    await tx.query('UPDATE document SET expires_at = $2, reminder_queued = false, updated_at = now() WHERE id = $1', [id, expiresAt]);
    await recordHistory(tx, id, 'deadline-changed', actor, { from: d.expires_at.toISOString(), to: expiresAt.toISOString() }, ctx.now());
    await appendChanges(tx, [{ lockerId: d.locker_id, change: authorizationChange(updated) }]);
    return { ok: true, status: d.status };
  });
}
