import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import type { EventEmitter } from 'node:events';
import { createDecoder, type BusFrame } from '../../hardware/protocols/index.js';
import type { SimulatedBus } from '../../hardware/sim/sim-bus.js';

type Binding = typeof MockBinding;

/**
 * A `@serialport/binding-mock` port with simulated boards at the far end of the line: what the program
 * writes reaches the boards as bytes, and their replies come back as bytes (`port.emitData`).
 * No module is mocked: the production serial transport runs on the mock binding, as serialport intends.
 */
export function boardsBehindMockPort(path: string, simBus: SimulatedBus, o: { echo?: boolean; replyDelayMs?: number } = {}): { binding: Binding; ports: MockPortBinding[] } {
  MockBinding.createPort(path, { echo: o.echo ?? false, record: true });
  const ports: MockPortBinding[] = [];
  const binding: Binding = {
    ...MockBinding,
    async open(options) {
      const port = await MockBinding.open(options);
      const write = port.write.bind(port);
      port.write = async (buffer: Buffer): Promise<void> => {
        await write(buffer);
        simBus.receive(Buffer.from(buffer), (reply) => {
          setTimeout(() => {
            if (port.isOpen) port.emitData(reply.bytes);
          }, (o.replyDelayMs ?? 1) + reply.extraDelayMs);
        });
      };
      ports.push(port);
      return port;
    },
  };
  return { binding, ports };
}

/** Every request frame in a recording of what the program wrote. */
export function requestsIn(bytes: Buffer): BusFrame[] {
  return createDecoder(['kerong-cu48', 'kerong-cu16']).feed(bytes).filter((f) => f.kind === 'cu48-request' || f.kind === 'cu16-request');
}

/** Unlock commands in a recording, as `address/lock` (lock counted from 1). */
export function unlocksIn(bytes: Buffer): string[] {
  return requestsIn(bytes).flatMap((f) => {
    if (f.kind === 'cu48-request' && f.command === 0x51) return [`${f.address}/${f.lockByte + 1}`];
    if (f.kind === 'cu16-request' && f.command === 0x31) return [`${f.address}/${f.lockIndex + 1}`];
    return [];
  });
}

/** Resolves with the first event that satisfies `pred`; rejects after `timeoutMs` so a test never hangs. */
export function nextEvent<T>(emitter: EventEmitter, event: string, pred: (v: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (v: T): void => {
      if (!pred(v)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(v);
    };
    emitter.on(event, on);
  });
}

export { until } from './until.js';

/** Pulls the USB adapter out: the pending read fails as a real disconnect does, and the stream closes. */
export function unplug(port: MockPortBinding): void {
  const p = port as unknown as { pendingRead: ((e?: Error) => void) | null };
  const read = p.pendingRead;
  if (read === null) throw new Error('no read pending on the mock port');
  p.pendingRead = null;
  read(new Error('device unplugged'));
}
