import type { AdminContext } from './status.js';

export type WatchEvent = Record<string, unknown> & { readonly event: string; readonly at: string };

/**
 * `diag watch`: live events for a technician, each as one line: latch changes, boards going offline and back,
 * bytes the decoder threw away, compartment changes, the locker's mode, and alarms once they are committed to
 * the outbox. Returns the function that stops it.
 */
export function watchEvents(c: AdminContext, send: (e: WatchEvent) => void): () => void {
  const at = (): string => new Date(c.clock.wallMs()).toISOString();
  const { poller, bus } = c.hardware;
  // Each source once: subscribed here, and the same list unsubscribes when the technician leaves.
  type Source = { on(e: string, f: (x: never) => void): unknown; off(e: string, f: (x: never) => void): unknown };
  const subscriptions: [Source, string, (x: never) => void][] = [
    [poller, 'latch', (l: { address: number; lock: number; latched: boolean }) => send({ event: 'latch', at: at(), board: l.address, lock: l.lock, latched: l.latched })],
    [poller, 'board-online', (b: { address: number }) => send({ event: 'board-online', at: at(), board: b.address })],
    [poller, 'board-offline', (b: { address: number; misses: number; reason: string }) => send({ event: 'board-offline', at: at(), board: b.address, misses: b.misses, reason: b.reason })],
    [bus, 'discard', (d: { bytes: Buffer; reason: string }) => send({ event: 'frame-discarded', at: at(), reason: d.reason, hex: d.bytes.toString('hex') })],
    [c.core.compartments.changes, 'change', (ch: { id: number; type: string; publicState: string; kind?: string }) =>
      send({ event: 'compartment', at: at(), compartment: ch.id, change: ch.type, state: ch.publicState, ...(ch.kind === undefined ? {} : { kind: ch.kind }) })],
    [c.core.modeChanges, 'mode', (mode: string) => send({ event: 'mode', at: at(), mode })],
  ];
  for (const [source, event, f] of subscriptions) source.on(event, f);

  // Alarms are read back from the outbox after they are committed, never announced before.
  const alarms = c.store.db.prepare("SELECT seq, body FROM outbox WHERE seq > ? AND type = 'alarm' ORDER BY seq");
  let lastSeq = c.store.outbox.depth().lastSeq;
  const timer = setInterval(() => {
    if (!c.store.db.open) return;
    for (const r of alarms.all(lastSeq) as { seq: number; body: string }[]) {
      lastSeq = r.seq;
      const body = JSON.parse(r.body) as { data?: Record<string, unknown> } & Record<string, unknown>;
      send({ event: 'alarm', at: at(), seq: r.seq, ...(body.data ?? body) });
    }
  }, 250);

  return () => {
    clearInterval(timer);
    for (const [source, event, f] of subscriptions) source.off(event, f);
  };
}
