import { randomBytes } from 'node:crypto';
import { pinMac } from '../src/wire/credentials.js';
import { appendChanges } from './change-log.js';
import type { OfficeContext } from './context.js';

export interface StaffInput {
  readonly id: string;
  readonly name: string;
  readonly pin: string;
  readonly roles: readonly string[];
}

/**
 * `POST /api/v1/staff`: the member's row (without the PIN) and, for every locker, a `staff.upsert` carrying
 * that locker's pinMac (contracts.md §5.1). The PIN lives only in this function. Posting an existing id sets a
 * new PIN and reactivates the member.
 */
export async function upsertStaff(ctx: OfficeContext, s: StaffInput): Promise<{ created: boolean; lockers: number }> {
  const ids = await ctx.lockers.allIds();
  const macs = new Map<string, string>();
  for (const lockerId of ids) {
    const keys = await ctx.lockers.keys(lockerId);
    if (keys !== undefined) macs.set(lockerId, pinMac(keys.codeKey, s.id, s.pin));
  }
  return ctx.db.transaction(async (tx) => {
    const r = await tx.query<{ created: boolean }>(
      `INSERT INTO staff (id, name, roles, active) VALUES ($1, $2, $3::jsonb, true)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, roles = EXCLUDED.roles, active = true, updated_at = now()
       RETURNING (xmax = 0) AS created`,
      [s.id, s.name, JSON.stringify(s.roles)],
    );
    await appendChanges(
      tx,
      [...macs].map(([lockerId, mac]) => ({ lockerId, change: { type: 'staff.upsert', staff: { id: s.id, name: s.name, pinMac: mac, roles: [...s.roles], active: true } } })),
    );
    return { created: r.rows[0]?.created === true, lockers: macs.size };
  });
}

/**
 * `DELETE /api/v1/staff/{id}`: deactivated at every locker from its next pull. The upsert also carries a
 * random pinMac, so the old PIN matches nothing even at a locker that missed the `active` flag.
 */
export async function deactivateStaff(ctx: OfficeContext, id: string): Promise<boolean> {
  const ids = await ctx.lockers.allIds();
  return ctx.db.transaction(async (tx) => {
    const r = await tx.query<{ name: string; roles: string[] }>('UPDATE staff SET active = false, updated_at = now() WHERE id = $1 RETURNING name, roles', [id]);
    const row = r.rows[0];
    if (row === undefined) return false;
    await appendChanges(
      tx,
      ids.map((lockerId) => ({ lockerId, change: { type: 'staff.upsert', staff: { id, name: row.name, pinMac: randomBytes(32).toString('hex'), roles: row.roles, active: false } } })),
    );
    return true;
  });
}
