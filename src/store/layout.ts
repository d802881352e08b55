import { isoWall, type Clock } from '../clock.js';
import type { CompartmentConfig } from '../config/schema.js';
import { ErrorCodes, UrzError } from '../errors.js';
import type { AuditLog } from './audit.js';
import type { Db } from './open.js';

interface Row {
  id: number;
  board: number;
  lock: number;
  size: string;
  low: number;
  state: string;
  in_config: number;
}

export interface LayoutChanges {
  added: number[];
  changed: number[];
  removed: number[];
}

/** States in which a compartment may be rewired or removed: nothing inside, no door open. */
const rewirable = new Set(['free', 'fault', 'disabled']);

/**
 * Brings the compartment table in line with the config (the wiring is the config's; the state is the
 * database's). Refuses, changing nothing, when the change would lose track of a document: rewiring or
 * removing a compartment that holds one or is open. A removed compartment stays as `disabled`.
 */
export function syncLayout(db: Db, wanted: readonly CompartmentConfig[], audit: AuditLog, clock: Clock): LayoutChanges {
  return db.transaction((): LayoutChanges => {
    const now = isoWall(clock);
    const rows = new Map((db.prepare('SELECT id, board, lock, size, low, state, in_config FROM compartment').all() as Row[]).map((r) => [r.id, r]));
    const changes: LayoutChanges = { added: [], changed: [], removed: [] };
    const wantedIds = new Set(wanted.map((c) => c.id));

    for (const c of wanted) {
      const r = rows.get(c.id);
      if (r === undefined) changes.added.push(c.id);
      else if (r.board !== c.board || r.lock !== c.lock || r.size !== c.size || r.low !== Number(c.low) || r.in_config === 0) {
        if (!rewirable.has(r.state) && (r.board !== c.board || r.lock !== c.lock)) {
          throw new UrzError(ErrorCodes.LayoutConflict, `compartments: compartment ${c.id} is ${r.state}; it cannot move to board ${c.board} lock ${c.lock} until it is emptied`);
        }
        changes.changed.push(c.id);
      }
    }
    for (const r of rows.values()) {
      if (!wantedIds.has(r.id) && r.in_config === 1) {
        if (!rewirable.has(r.state)) {
          throw new UrzError(ErrorCodes.LayoutConflict, `compartments: compartment ${r.id} is ${r.state} and missing from the config; empty it before removing it`);
        }
        changes.removed.push(r.id);
      }
    }

    // Park moved rows on board -1-id first, so swapping two compartments' locks never trips UNIQUE(board, lock).
    const park = db.prepare('UPDATE compartment SET board = -1 - id WHERE id = ?');
    for (const id of [...changes.changed, ...changes.removed]) park.run(id);
    const set = db.prepare('UPDATE compartment SET board = ?, lock = ?, size = ?, low = ?, in_config = 1, updated_at = ? WHERE id = ?');
    const add = db.prepare('INSERT INTO compartment (id, board, lock, size, low, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    const remove = db.prepare("UPDATE compartment SET in_config = 0, state = 'disabled', updated_at = ? WHERE id = ?");
    const byId = new Map(wanted.map((c) => [c.id, c]));
    for (const id of changes.removed) remove.run(now, id);
    for (const id of changes.changed) {
      const c = byId.get(id)!;
      set.run(c.board, c.lock, c.size, Number(c.low), now, id);
    }
    for (const id of changes.added) {
      const c = byId.get(id)!;
      add.run(c.id, c.board, c.lock, c.size, Number(c.low), now);
    }
    if (changes.added.length + changes.changed.length + changes.removed.length > 0) {
      audit.append({ actor: 'system', action: 'layout.sync', detail: { ...changes } });
    }
    return changes;
  })();
}
