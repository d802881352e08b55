import { MockBinding, type MockPortBinding } from '@serialport/binding-mock';
import { expect } from 'vitest';
import { ErrorCodes } from '../../src/errors.js';
import type { LockSystem } from '../../hardware/lock-system.js';
import type { EventEmitter } from 'node:events';
import type { Discard } from '../../hardware/protocols/frame-decoder.js';
import { createDecoder, isRequestFrame, PROTOCOL_BAUD, type BoardProtocol, type BusFrame } from '../../hardware/protocols/index.js';
import { CU16 } from '../../hardware/protocols/kerong-cu16/codec.js';
import { CU48 } from '../../hardware/protocols/kerong-cu48/codec.js';
import { CU4860 } from '../../hardware/protocols/kerong-cu48-60/codec.js';
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

/**
 * Every request frame in a recording of what the program wrote to a bus of `family`'s boards, and any frame no code
 * of ours may build (xor-8a open-all, long power: kind 'xor-forbidden'), so a test that lists what was sent sees it.
 *
 * The recording is cut with the decoder of the family's line speed only (19200: every Kerong family; 9600:
 * xor-8a): one bus runs at one speed, and a decoder for both would hunt for the xor start bytes 0x80/0x8A inside
 * Kerong frames (a Kerong checksum can be 0x8A) and for STX 0x02 inside xor frames (an address or a channel can be
 * 2). What the program writes is whole request frames, so a byte the decoder cannot account for means the wrong
 * family was named (or something was written that is no request): that throws rather than being skipped.
 */
export function requestsIn(bytes: Buffer, family: BoardProtocol = 'kerong-cu48'): BusFrame[] {
  const decoder = createDecoder([family]);
  const stray: Buffer[] = [];
  decoder.on('discard', (d: Discard) => stray.push(d.bytes));
  const frames = decoder.feed(bytes);
  if (decoder.pending > 0) stray.push(bytes.subarray(bytes.length - decoder.pending));
  if (stray.length > 0) {
    throw new Error(`bytes written that are no ${family} request (${PROTOCOL_BAUD[family]} baud): ${stray.map((b) => b.toString('hex')).join(', ')}`);
  }
  return frames.filter((f) => isRequestFrame(f) || f.kind === 'xor-forbidden');
}

/**
 * Unlock commands in a recording, as `address/lock` (lock counted from 1), of every family at `family`'s speed. A
 * Kerong "all locks" byte reads as lock 49, an xor-8a forbidden frame as `address/open-all` (or long-power-on/off):
 * neither is ever what a test asked for.
 */
export function unlocksIn(bytes: Buffer, family: BoardProtocol = 'kerong-cu48'): string[] {
  return requestsIn(bytes, family).flatMap((f) => {
    switch (f.kind) {
      case 'cu48-request': return f.command === CU48.cmdUnlock ? [`${f.address}/${f.lockByte + 1}`] : [];
      case 'cu16-request': return f.command === CU16.cmdUnlock ? [`${f.address}/${f.lockIndex + 1}`] : [];
      case 'cu4860-request': return f.command === CU4860.cmdUnlock ? [`${f.address}/${f.lockByte + 1}`] : [];
      case 'xor-request': return f.command === 'unlock' ? [`${f.address}/${f.channel}`] : [];
      case 'xor-forbidden': return [`${f.address}/${f.what}`];
      default: return [];
    }
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

import { until } from './until.js';

export { until };

/** Pulls the USB adapter out: the pending read fails as a real disconnect does, and the stream closes. */
export function unplug(port: MockPortBinding): void {
  const p = port as unknown as { pendingRead: ((e?: Error) => void) | null };
  const read = p.pendingRead;
  if (read === null) throw new Error('no read pending on the mock port');
  p.pendingRead = null;
  read(new Error('device unplugged'));
}

/**
 * Pulls the adapter out with one status request of board `address` in flight and three queued: every one must be
 * rejected with BUS_CLOSED, and once the line is back a request is answered again. Shared by the families' suites.
 */
export async function expectUnplugRejectsAll(
  r: { readonly hw: LockSystem; readonly sim: SimulatedBus; port(): MockPortBinding },
  address: number,
  request: Buffer,
  match: (f: BusFrame) => boolean,
): Promise<void> {
  await r.hw.poller.stop();
  r.sim.board(address).faults.slowReplyMs = 20;
  const pending = Array.from({ length: 4 }, () => r.hw.bus.query(request, match));
  await until(() => r.hw.bus.stats.txFrames > 0 && r.hw.bus.queued === 3, 2_000, 'one in flight, three queued');
  const reopened = nextEvent(r.hw.transport, 'state', (s: { open: boolean }) => s.open);
  unplug(r.port());
  const results = await Promise.allSettled(pending);
  expect(results.map((x) => (x.status === 'rejected' ? (x.reason as { code: string }).code : 'fulfilled'))).toEqual(Array(4).fill(ErrorCodes.BusClosed));
  await reopened;
  r.sim.board(address).faults.slowReplyMs = 0;
  await expect(r.hw.bus.query(request, match)).resolves.toMatchObject({ address });
}
