import { hardDenyReason, type DocumentType, type HardDenyReason } from '../src/wire/policy.js';
import { appendChanges } from './change-log.js';
import type { Db, Queryable } from './db/db.js';

/**
 * The catalogue of document types (contracts.md §5.2 `documentType.upsert`): what each type is called, whether
 * the catalogue lets lockers release it, and on what legal basis. Every lockers' log starts with the whole
 * catalogue (office/lockers.ts addLocker); every change here is appended to every locker's log in the same
 * transaction as the catalogue row. The hard deny list (src/wire/policy.ts) is above the catalogue: a type it
 * refuses may be catalogued, but only as not releasable.
 */

/** Lowercase letters and digits in words joined by single dashes: "odpis-skrocony-aktu-urodzenia". */
export const documentTypeCodePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const limits = { code: 100, name: 200, legalBasis: 1000 } as const;

export interface CatalogueEntry extends DocumentType {
  readonly updatedAt: Date;
  /** Why the hard deny list keeps this type at the counter, whatever `lockerRelease` says. */
  readonly denied: HardDenyReason | undefined;
}

export type CatalogueField = 'code' | 'namePl' | 'nameEn' | 'legalBasis' | 'lockerRelease';

export type CatalogueProblem =
  | { readonly field: CatalogueField; readonly problem: 'required' | 'too-long' | 'code-invalid' | 'control-characters' }
  | { readonly field: 'lockerRelease'; readonly problem: 'hard-denied'; readonly reason: HardDenyReason };

export type SaveOutcome =
  | { readonly ok: true; readonly changed: boolean; readonly lockers: number }
  | { readonly ok: false; readonly error: 'invalid'; readonly problems: readonly CatalogueProblem[] }
  | { readonly ok: false; readonly error: 'exists' | 'not-found' };

interface Row {
  code: string;
  name_pl: string;
  name_en: string;
  locker_release: boolean;
  legal_basis: string;
  updated_at: Date;
}

const columns = 'code, name_pl, name_en, locker_release, legal_basis, updated_at';

function entry(r: Row): CatalogueEntry {
  const t: DocumentType = { code: r.code, namePl: r.name_pl, nameEn: r.name_en, lockerRelease: r.locker_release, legalBasis: r.legal_basis };
  return { ...t, updatedAt: r.updated_at, denied: hardDenyReason(t) };
}

export async function listCatalogue(db: Queryable): Promise<CatalogueEntry[]> {
  return (await db.query<Row>(`SELECT ${columns} FROM document_type ORDER BY name_pl, code`)).rows.map(entry);
}

export async function findDocumentType(db: Queryable, code: string): Promise<CatalogueEntry | undefined> {
  const row = (await db.query<Row>(`SELECT ${columns} FROM document_type WHERE code = $1`, [code])).rows[0];
  return row && entry(row);
}

/** Documents of a type still on their way (registered, or in a compartment): what a change of its release touches. */
export async function openDocumentsOfType(db: Queryable, code: string): Promise<{ pending: number; loaded: number }> {
  const r = await db.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM document WHERE document_type = $1 AND status IN ('pending', 'loaded') GROUP BY status",
    [code],
  );
  const n = (s: string): number => Number(r.rows.find((x) => x.status === s)?.n ?? 0);
  return { pending: n('pending'), loaded: n('loaded') };
}

const controls = /\p{Cc}/u;

/** Everything wrong with an entry, each with its field; empty when it may be saved. */
export function checkDocumentType(t: DocumentType): CatalogueProblem[] {
  const problems: CatalogueProblem[] = [];
  if (t.code === '') problems.push({ field: 'code', problem: 'required' });
  else if (t.code.length > limits.code) problems.push({ field: 'code', problem: 'too-long' });
  else if (!documentTypeCodePattern.test(t.code)) problems.push({ field: 'code', problem: 'code-invalid' });
  for (const field of ['namePl', 'nameEn'] as const) {
    const v = t[field];
    if (v === '') problems.push({ field, problem: 'required' });
    else if (v.length > limits.name) problems.push({ field, problem: 'too-long' });
    else if (controls.test(v)) problems.push({ field, problem: 'control-characters' });
  }
  if (t.legalBasis.length > limits.legalBasis) problems.push({ field: 'legalBasis', problem: 'too-long' });
  else if (controls.test(t.legalBasis.replace(/[\r\n\t]/g, ''))) problems.push({ field: 'legalBasis', problem: 'control-characters' });
  // The deny list cannot be lifted: a type it refuses is catalogued only as kept at the counter.
  if (t.lockerRelease) {
    const reason = hardDenyReason(t);
    if (reason !== undefined) problems.push({ field: 'lockerRelease', problem: 'hard-denied', reason });
  }
  return problems;
}

/**
 * Adds (`create`: the code must be new) or changes (`update`: the code is the key and never changes) an entry,
 * and appends its `documentType.upsert` to every locker's log in the same transaction. An update that changes
 * nothing appends nothing.
 *
 * The transaction first takes `locker_log_head` in SHARE ROW EXCLUSIVE mode, which waits for every open feed
 * writer and holds new ones (and `office locker add`, which inserts a head) until it commits. Without it a locker
 * being added at the same moment could copy the catalogue as it was before this change while this change, not
 * yet seeing that locker, skipped its log: the locker would keep releasing a type the office has just withdrawn.
 * Catalogue changes are rare and short, and pulls only read, so the pause costs nothing that matters.
 */
export async function saveDocumentType(db: Db, t: DocumentType, mode: 'create' | 'update'): Promise<SaveOutcome> {
  const problems = checkDocumentType(t);
  if (problems.length > 0) return { ok: false, error: 'invalid', problems };
  return db.transaction(async (tx): Promise<SaveOutcome> => {
    await tx.query('LOCK TABLE locker_log_head IN SHARE ROW EXCLUSIVE MODE');
    if (mode === 'create') {
      const r = await tx.query(
        `INSERT INTO document_type (code, name_pl, name_en, locker_release, legal_basis) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING RETURNING code`,
        [t.code, t.namePl, t.nameEn, t.lockerRelease, t.legalBasis],
      );
      if (r.rowCount === 0) return { ok: false, error: 'exists' };
    } else {
      const old = (await tx.query<Row>(`SELECT ${columns} FROM document_type WHERE code = $1 FOR UPDATE`, [t.code])).rows[0];
      if (old === undefined) return { ok: false, error: 'not-found' };
      if (old.name_pl === t.namePl && old.name_en === t.nameEn && old.locker_release === t.lockerRelease && old.legal_basis === t.legalBasis) {
        return { ok: true, changed: false, lockers: 0 };
      }
      await tx.query('UPDATE document_type SET name_pl = $2, name_en = $3, locker_release = $4, legal_basis = $5, updated_at = now() WHERE code = $1', [
        t.code, t.namePl, t.nameEn, t.lockerRelease, t.legalBasis,
      ]);
    }
    const lockers = (await tx.query<{ id: string }>('SELECT id FROM locker ORDER BY id')).rows.map((r) => r.id);
    const documentType = { code: t.code, namePl: t.namePl, nameEn: t.nameEn, lockerRelease: t.lockerRelease, legalBasis: t.legalBasis };
    await appendChanges(tx, lockers.map((lockerId) => ({ lockerId, change: { type: 'documentType.upsert', documentType } })));
    return { ok: true, changed: true, lockers: lockers.length };
  });
}
