/** Live state from the daemon (server-sent events): the locker's mode, compartments, this screen's pickup. */

export interface PickupProgress {
  state: string;
  compartment?: number;
  reason?: string;
  retryAfterS?: number;
  receipt?: { id: string; svg: string };
}

export interface LiveHandlers {
  mode(mode: string): void;
  compartment(c: { id: number; event: string; state: string }): void;
  compartments(all: { id: number; state: string }[]): void;
  pickup(p: PickupProgress): void;
  connection(up: boolean): void;
}

/** EventSource reconnects by itself (the server asks for 1 s); each reconnect replays the current state. */
export function connectLive(session: string, on: LiveHandlers): EventSource {
  const es = new EventSource(`/api/events?session=${encodeURIComponent(session)}`);
  const json = <T>(e: Event): T => JSON.parse((e as MessageEvent<string>).data) as T;
  es.addEventListener('mode', (e) => on.mode(json<{ mode: string }>(e).mode));
  es.addEventListener('compartment', (e) => on.compartment(json(e)));
  es.addEventListener('compartments', (e) => on.compartments(json(e)));
  es.addEventListener('pickup', (e) => on.pickup(json(e)));
  es.addEventListener('open', () => on.connection(true));
  es.addEventListener('error', () => on.connection(false));
  return es;
}
