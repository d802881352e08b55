import type { EventEmitter } from 'node:events';

export interface TransportEvents {
  /** Bytes as they arrive, in any chunking. */
  data: [chunk: Buffer];
  /** The byte pipe opened or closed (closed includes "lost, reconnecting"). */
  state: [state: { open: boolean; reason?: string }];
}

/**
 * A byte pipe to the RS-485 bus: a serial adapter, a KR-BU TCP bridge or the simulator. It knows nothing of
 * frames. It reconnects by itself after a loss until `close()`; `state` events say when it is usable.
 */
export interface Transport extends EventEmitter<TransportEvents> {
  readonly description: string;
  readonly isOpen: boolean;
  /** Starts connecting; resolves after the first attempt, open or not (reconnecting goes on). */
  start(): Promise<void>;
  /** Hands the bytes to the line; rejects with TRANSPORT_FAILED when not open. */
  write(bytes: Buffer): Promise<void>;
  /** Closes for good. */
  close(): Promise<void>;
}

/** Time one byte takes on the wire: start bit, 8 data bits, stop bit. */
export function wireMs(bytes: number, baudRate: number): number {
  return (bytes * 10 * 1000) / baudRate;
}
