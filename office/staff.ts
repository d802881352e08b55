import { randomBytes } from 'node:crypto';
import { pinMac } from '../src/wire/credentials.js';
import { appendChanges } from './change-log.js';
import type { OfficeContext } from './context.js';
import type { Queryable } from './db/db.js';
import { OfficeError } from './errors.js';

/** What a member of staff may be at the locker (src/domain/staff-roles.ts); the locker ignores anything else. */
export const staffRoles = ['loader', 'retriever', 'supervisor'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** The same rules as `POST /api/v1/staff` (office/http/api-schemas.ts). */
export const staffIdPattern = /^[A-Za-z0-9._-]{1,64}$/;
export const pinPattern = /^\d{4,8}$/;

export interface StaffInput {
  readonly id: string;
  readonly name: string;
  readonly pin: string;
  readonly roles: readonly string[];
}

export interface StaffMember {
  readonly id: string;
  readonly name: string;
  readonly roles: string[];
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type StaffWrite = { readonly ok: true; readonly created: boolean; readonly lockers: number } | { readonly ok: false; readonly error: 'exists' | 'not-found' };

/**
 * `POST /api/v1/staff`: the member's row (without the PIN) and, for every locker, a `staff.upsert` carrying
 * that locker's pinMac (contracts.md §5.1). The PIN lives only in this function. Posting an existing id sets a
 * new PIN and reactivates the member.
 */
export async function upsertStaff(ctx: OfficeContext, s: StaffInput): Promise<{ created: boolean; lockers: number }> {
  const r = await writeStaff(ctx, s, 'upsert');
  if (!r.ok) throw new Error(`staff ${s.id}: ${r.error}`); // an upsert neither exists nor misses
  return { created: r.created, lockers: r.lockers };
}

/** The panel's "add": like upsertStaff, but an id that is taken is refused (`exists`) and nothing changes. */
export function addStaff(ctx: OfficeContext, s: StaffInput): Promise<StaffWrite> {
  return writeStaff(ctx, s, 'new');
}

/**
 * The panel's "new PIN": an existing member (`not-found` otherwise) gets a new PIN and these roles, keeps the
 * stored name and is active again. Roles change only with a PIN: every `staff.upsert` must carry a pinMac, and
 * the PIN is nowhere to be taken from.
 */
export function setStaffPin(ctx: OfficeContext, s: Omit<StaffInput, 'name'>): Promise<StaffWrite> {
  return writeStaff(ctx, { ...s, name: '' }, 'existing');
}

async function writeStaff(ctx: OfficeContext, s: StaffInput, mode: 'upsert' | 'new' | 'existing'): Promise<StaffWrite> {
  // Callers check first and answer in their own words; this is the last line, so that no caller can feed a
  // PIN the locker would take for something else.
  if (!pinPattern.test(s.pin)) throw new OfficeError('bad-input', 'a PIN is 4 to 8 digits');
  const ids = await ctx.lockers.allIds();
  const macs = new Map<string, string>();
  for (const lockerId of ids) {
    const keys = await ctx.lockers.keys(lockerId);
    if (keys !== undefined) macs.set(lockerId, pinMac(keys.codeKey, s.id, s.pin));
  }
  const roles = JSON.stringify(s.roles);
  return ctx.db.transaction(async (tx): Promise<StaffWrite> => {
    const r =
      mode === 'upsert'
        ? await tx.query<{ created: boolean; name: string }>(
            `INSERT INTO staff (id, name, roles, active) VALUES ($1, $2, $3::jsonb, true)
             ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, active = true, updated_at = now()
             RETURNING (xmax = 0) AS created, name`,
            [s.id, s.name, roles],
          )
        : mode === 'new'
          ? await tx.query<{ created: boolean; name: string }>(
              `INSERT INTO staff (id, name, roles, active) VALUES ($1, $2, $3::jsonb, true) ON CONFLICT (id) DO NOTHING RETURNING true AS created, name`,
              [s.id, s.name, roles],
            )
          : await tx.query<{ created: boolean; name: string }>(
              `UPDATE staff SET roles = $2::jsonb, active = true, updated_at = now() WHERE id = $1 RETURNING false AS created, name`,
              [s.id, roles],
            );
    const row = r.rows[0];
    if (row === undefined) return { ok: false, error: mode === 'new' ? 'exists' : 'not-found' };
    await appendChanges(
      tx,
      [...macs].map(([lockerId, mac]) => ({ lockerId, change: { type: 'staff.upsert', staff: { id: s.id, name: row.name, pinMac: mac, roles: [...s.roles], active: true } } })),
    );
    return { ok: true, created: row.created === true, lockers: macs.size };
  });
}

/**
 * `DELETE /api/v1/staff/{id}`: deactivated at every locker from its next pull. The upsert also carries a
 * random pinMac, so the old PIN matches nothing even at a locker that missed the `active` flag. False for an
 * unknown id; otherwise how many lockers were told.
 */
export async function deactivateStaff(ctx: OfficeContext, id: string): Promise<false | { lockers: number }> {
  return ctx.db.transaction(async (tx) => {
    const r = await tx.query<{ name: string; roles: string[] }>('UPDATE staff SET active = false, updated_at = now() WHERE id = $1 RETURNING name, roles', [id]);
    const row = r.rows[0];
    if (row === undefined) return false;
    const ids = await ctx.lockers.allIds(tx);
    await appendChanges(
      tx,
      ids.map((lockerId) => ({ lockerId, change: { type: 'staff.upsert', staff: { id, name: row.name, pinMac: randomBytes(32).toString('hex'), roles: row.roles, active: false } } })),
    );
    return { lockers: ids.length };
  });
}

/** Every member, active ones first, for the panel. */
export async function listStaff(db: Queryable): Promise<StaffMember[]> {
  const r = await db.query<{ id: string; name: string; roles: unknown; active: boolean; created_at: Date; updated_at: Date }>(
    'SELECT id, name, roles, active, created_at, updated_at FROM staff ORDER BY active DESC, name, id',
  );
  return r.rows.map(toMember);
}

export async function findStaff(db: Queryable, id: string): Promise<StaffMember | undefined> {
  const r = await db.query<{ id: string; name: string; roles: unknown; active: boolean; created_at: Date; updated_at: Date }>(
    'SELECT id, name, roles, active, created_at, updated_at FROM staff WHERE id = $1',
    [id],
  );
  const row = r.rows[0];
  return row && toMember(row);
}

function toMember(r: { id: string; name: string; roles: unknown; active: boolean; created_at: Date; updated_at: Date }): StaffMember {
  const roles = typeof r.roles === 'string' ? (JSON.parse(r.roles) as unknown) : r.roles;
  return {
    id: r.id, name: r.name, roles: Array.isArray(roles) ? roles.filter((x): x is string => typeof x === 'string') : [], active: r.active,
    createdAt: r.created_at, updatedAt: r.updated_at,
  };
}
