import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncLayout } from '../../src/store/layout.js';
import { openStore, type Store } from '../../src/store/store.js';
import { verifyAudit } from '../../src/store/audit.js';
import { systemClock } from '../../src/clock.js';
import { ErrorCodes } from '../../src/errors.js';
import type { CompartmentConfig } from '../../src/config/schema.js';
import { tempDir } from '../helpers/fixtures.js';

let t: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  t = tempDir();
  store = openStore(t.dir, systemClock);
});
afterEach(() => {
  store.close();
  t.cleanup();
});

const k = (id: number, board: number, lock: number, size: 'S' | 'M' | 'L' = 'S'): CompartmentConfig => ({ id, board, lock, size, low: false });
const sync = (c: CompartmentConfig[]) => syncLayout(store.db, c, store.audit, systemClock);
const table = () => store.db.prepare('SELECT id, board, lock, size, state, in_config FROM compartment ORDER BY id').all();

describe('compartment layout from the config', () => {
  it('adds new compartments as free, and a second run with the same config changes nothing', () => {
    expect(sync([k(1, 0, 1), k(2, 0, 2, 'M')])).toEqual({ added: [1, 2], changed: [], removed: [] });
    expect(sync([k(1, 0, 1), k(2, 0, 2, 'M')])).toEqual({ added: [], changed: [], removed: [] });
    expect(table()).toEqual([
      { id: 1, board: 0, lock: 1, size: 'S', state: 'free', in_config: 1 },
      { id: 2, board: 0, lock: 2, size: 'M', state: 'free', in_config: 1 },
    ]);
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'layout.sync'").get()).toEqual({ n: 1 });
  });

  it('rewires free compartments, even two that swap locks', () => {
    sync([k(1, 0, 1), k(2, 0, 2)]);
    expect(sync([k(1, 0, 2), k(2, 0, 1)]).changed).toEqual([1, 2]);
    expect(table()).toMatchObject([{ id: 1, lock: 2 }, { id: 2, lock: 1 }]);
    expect(verifyAudit(store.db).ok).toBe(true);
  });

  it('disables a compartment removed from the config and brings it back when it returns', () => {
    sync([k(1, 0, 1), k(2, 0, 2)]);
    expect(sync([k(1, 0, 1)]).removed).toEqual([2]);
    expect(table()).toMatchObject([{ id: 1, state: 'free' }, { id: 2, state: 'disabled', in_config: 0 }]);
    expect(sync([k(1, 0, 1), k(2, 0, 2)]).changed).toEqual([2]);
    expect(table()).toMatchObject([{ id: 1 }, { id: 2, in_config: 1 }]);
  });

  it('refuses to move or drop a compartment that holds a document, changing nothing', () => {
    sync([k(1, 0, 1), k(2, 0, 2)]);
    store.db.exec("UPDATE compartment SET state = 'occupied' WHERE id = 2");
    const before = table();
    expect(() => sync([k(1, 0, 1), k(2, 0, 3)])).toThrow(expect.objectContaining({ code: ErrorCodes.LayoutConflict }));
    expect(() => sync([k(1, 0, 1)])).toThrow(expect.objectContaining({ code: ErrorCodes.LayoutConflict }));
    expect(table()).toEqual(before);
    // A size correction of an occupied compartment is allowed: nothing moves.
    expect(sync([k(1, 0, 1), k(2, 0, 2, 'L')]).changed).toEqual([2]);
  });
});
