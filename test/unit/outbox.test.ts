import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';
import { systemClock } from '../../src/clock.js';
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

describe('outbox', () => {
  it('numbers events 1, 2, 3... and stores the exact JSON that will be sent', () => {
    expect(store.outbox.append('document.loaded', { authorizationId: 'A-1', compartment: 7, staffId: 'S-1' })).toBe(1);
    expect(store.outbox.append('alarm', { kind: 'tamper' })).toBe(2);
    const [first] = store.outbox.pending();
    expect(JSON.parse(first!.body)).toEqual({
      seq: 1, type: 'document.loaded', at: first!.at, data: { authorizationId: 'A-1', compartment: 7, staffId: 'S-1' },
    });
    expect(store.outbox.pending().map((e) => e.seq)).toEqual([1, 2]);
  });

  it('a rolled-back transaction takes its event with it and leaves no gap', () => {
    store.outbox.append('alarm', { kind: 'a' });
    expect(() => store.db.transaction(() => {
      store.outbox.append('alarm', { kind: 'b' });
      throw new Error('abort');
    })()).toThrow('abort');
    expect(store.outbox.append('alarm', { kind: 'c' })).toBe(2);
    expect(store.outbox.pending().map((e) => JSON.parse(e.body).data.kind)).toEqual(['a', 'c']);
  });

  it('the database refuses a gap, a reused seq, an edit, and deleting an unacknowledged event', () => {
    store.outbox.append('alarm', { kind: 'a' });
    const ins = store.db.prepare("INSERT INTO outbox (seq, type, at, body) VALUES (?, 'alarm', 'now', '{}')");
    expect(() => ins.run(3)).toThrow(/exactly one more/);
    expect(() => ins.run(1)).toThrow();
    expect(() => store.db.prepare("UPDATE outbox SET body = '{}' WHERE seq = 1").run()).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM outbox WHERE seq = 1').run()).toThrow(/unacknowledged/);
  });

  it('acknowledgement only moves forward, never past the last event, and acked events may be pruned', () => {
    for (let i = 0; i < 5; i++) store.outbox.append('alarm', { i });
    store.outbox.ack(3);
    expect(store.outbox.depth()).toEqual({ lastSeq: 5, ackedThrough: 3, pending: 2 });
    store.outbox.ack(1);
    expect(store.outbox.depth().ackedThrough).toBe(3);
    store.outbox.ack(99);
    expect(store.outbox.depth()).toEqual({ lastSeq: 5, ackedThrough: 5, pending: 0 });
    store.db.prepare('DELETE FROM outbox WHERE seq <= 5').run();
    // The sequence continues after pruning; it is never reused.
    expect(store.outbox.append('alarm', { i: 6 })).toBe(6);
  });
});
