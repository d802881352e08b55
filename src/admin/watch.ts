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
  const onLatch = (l: { address: number; lock: number; latched: boolean }): void => send({ event: 'latch', at: at(), board: l.address, lock: l.lock, latched: l.latched });
  const onOnline = (b: { address: number }): void => send({ event: 'board-online', at: at(), board: b.address });
  const onOffline = (b: { address: number; misses: number; reason: string }): void => send({ event: 'board-offline', at: at(), board: b.address, misses: b.misses, reason: b.reason });
  const onDiscard = (d: { bytes: Buffer; reason: string }): void => send({ event: 'frame-discarded', at: at(), reason: d.reason, hex: d.bytes.toString('hex') });
  const onChange = (ch: { id: number; type: string; publicState: string; kind?: string }): void =>
    send({ event: 'compartment', at: at(), compartment: ch.id, change: ch.type, state: ch.publicState, ...(ch.kind === undefined ? {} : { kind: ch.kind }) });
  const onMode = (mode: string): void => send({ event: 'mode', at: at(), mode });
  poller.on('latch', onLatch);
  poller.on('board-online', onOnline);
  poller.on('board-offline', onOffline);
  bus.on('discard', onDiscard);
  c.core.compartments.changes.on('change', onChange);
  c.core.modeChanges.on('mode', onMode);

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
    poller.off('latch', onLatch);
    poller.off('board-online', onOnline);
    poller.off('board-offline', onOffline);
    bus.off('discard', onDiscard);
    c.core.compartments.changes.off('change', onChange);
    c.core.modeChanges.off('mode', onMode);
  };
}
