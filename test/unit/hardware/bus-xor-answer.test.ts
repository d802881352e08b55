import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Bus, Priority } from '../../../hardware/bus.js';
import { createBoard } from '../../../hardware/boards.js';
import { createDecoder, type BusFrame } from '../../../hardware/protocols/index.js';
import { XOR_8A, encodeXorReadAll, encodeXorStatusReply, encodeXorUnlock, encodeXorUnlockAnswer, xorEchoWindowMs } from '../../../hardware/protocols/xor-8a/codec.js';
import type { Transport, TransportEvents } from '../../../hardware/transport/transport.js';
import { ManualClock } from '../../helpers/manual-clock.js';

/**
 * The bus's rule for an xor-8a unlock (xor-8a/codec.ts, "echo or answer"): an answer with STATE 11 is byte for
 * byte the request, so the first copy heard within the echo window is the adapter's echo and any later copy is the
 * board's answer. A line the test drives byte by byte, on a manual clock, so each case is exact.
 */
class ScriptedLine extends EventEmitter<TransportEvents> implements Transport {
  readonly description = 'scripted line';
  readonly isOpen = true;
  readonly written: { hex: string; at: number }[] = [];
  constructor(private readonly clock: ManualClock) {
    super();
  }
  async start(): Promise<void> {}
  async write(bytes: Buffer): Promise<void> {
    this.written.push({ hex: bytes.toString('hex'), at: this.clock.monoMs() });
  }
  async close(): Promise<void> {}
  hear(bytes: Buffer): void {
    this.emit('data', bytes);
  }
}

const answerWindowMs = 1_200;
const echoWindow = xorEchoWindowMs(XOR_8A.baudRate); // 6 ms of wire time + 100 ms

function rig(): { clock: ManualClock; line: ScriptedLine; bus: Bus; run(ms: number): Promise<void> } {
  const clock = new ManualClock();
  const line = new ScriptedLine(clock);
  const bus = new Bus(line, createDecoder(['xor-8a']), { replyTimeoutMs: 50, interFrameGapMs: 3, statusRetries: 0, baudRate: XOR_8A.baudRate, unlockAnswerWindowMs: answerWindowMs }, clock, pino({ level: 'silent' }));
  const flush = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    clock, line, bus,
    async run(ms) {
      for (let t = 0; t < ms; t += 1) {
        clock.advance(1);
        await flush();
      }
    },
  };
}

const board = { address: 2, protocol: 'xor-8a' as const, locks: 8, latchedBit: 0 as const };
const request = encodeXorUnlock(2, 3, 8); // 8A 02 03 11 98

describe('xor-8a unlock: echo or answer, by timing', () => {
  it('the first copy within the echo window is the echo; a later copy is the STATE 11 answer, which ends the quiet at once', async () => {
    const r = rig();
    const frames: BusFrame[] = [];
    r.bus.on('frame', (f) => frames.push(f));
    const unlock = createBoard(r.bus, board).unlock(3);
    const poll = r.bus.query(encodeXorReadAll(2), (f) => f.kind === 'xor-status', { priority: Priority.Status });
    await r.run(2);
    expect(r.line.written.map((w) => w.hex)).toEqual([request.toString('hex')]);
    await unlock; // resolves once written
    r.line.hear(request); // the adapter's echo, 2 ms after the write
    await r.run(500);
    expect(r.bus.stats).toMatchObject({ echoes: 1, unlockReplies: 0 });
    expect(r.line.written).toHaveLength(1); // still quiet: the answer has not come
    r.line.hear(request); // the board, after its pulse: STATE 11
    await r.run(10);
    expect(r.bus.stats).toMatchObject({ echoes: 1, unlockReplies: 1, unsolicited: 0 });
    expect(r.line.written.map((w) => w.hex)).toEqual([request.toString('hex'), encodeXorReadAll(2).toString('hex')]);
    expect(r.line.written[1]!.at).toBeLessThan(520); // not at the end of the 1200 ms window
    r.line.hear(encodeXorStatusReply(2, [1, 1, 0]));
    await r.run(5);
    await expect(poll).resolves.toMatchObject({ kind: 'xor-status', address: 2 });
    expect(frames.map((f) => f.kind)).toEqual(['xor-request', 'xor-request', 'xor-status']);
  });

  it('without an echo, a copy of the request after the echo window is the answer', async () => {
    const r = rig();
    void createBoard(r.bus, board).unlock(3);
    await r.run(echoWindow + 20);
    r.line.hear(request);
    await r.run(5);
    expect(r.bus.stats).toMatchObject({ echoes: 0, unlockReplies: 1 });
  });

  it('a copy inside the echo window with no echo before it is taken for the echo, not the answer (the board answers only after its pulse)', async () => {
    const r = rig();
    void createBoard(r.bus, board).unlock(3);
    await r.run(echoWindow - 10);
    r.line.hear(request);
    await r.run(5);
    expect(r.bus.stats).toMatchObject({ echoes: 1, unlockReplies: 0 });
  });

  it('a STATE 00 answer differs from the request and is the answer whenever it comes in the window', async () => {
    const r = rig();
    void createBoard(r.bus, board).unlock(3);
    await r.run(3);
    r.line.hear(encodeXorUnlockAnswer(2, 3, XOR_8A.stateLow));
    await r.run(5);
    expect(r.bus.stats).toMatchObject({ echoes: 0, unlockReplies: 1 });
  });

  it('another channel\'s or board\'s copy is neither echo nor answer, and the bus stays quiet for the whole window when nothing answers', async () => {
    const r = rig();
    void createBoard(r.bus, board).unlock(3);
    const poll = r.bus.query(encodeXorReadAll(2), () => false, { priority: Priority.Status }).catch(() => 'timed out');
    await r.run(300);
    r.line.hear(encodeXorUnlock(2, 4, 8));
    r.line.hear(encodeXorUnlockAnswer(5, 3, XOR_8A.stateLow));
    await r.run(300);
    expect(r.bus.stats).toMatchObject({ echoes: 0, unlockReplies: 0 });
    expect(r.bus.stats.unsolicited).toBe(2);
    expect(r.line.written).toHaveLength(1);
    await r.run(answerWindowMs);
    expect(r.line.written).toHaveLength(2); // the poll went out once the window closed
    expect(r.line.written[1]!.at).toBeGreaterThanOrEqual(answerWindowMs);
    await r.run(100);
    await expect(poll).resolves.toBe('timed out');
  });

  it('a torn echo cannot join the answer: what is left of it is dropped when the echo window ends', async () => {
    const r = rig();
    // Board 1 channel 16: `8A 01 10 11 8A`, whose BCC is 8A, so the torn echo `8A 01 10 11` and the answer's first
    // byte would make a well-formed frame, and the answer's other four bytes would be lost.
    const wide = { ...board, address: 1, locks: 16 };
    const req = encodeXorUnlock(1, 16, 16);
    expect(req.toString('hex')).toBe('8a0110118a');
    const discards: { hex: string; reason: string }[] = [];
    r.bus.on('discard', (d) => discards.push({ hex: d.bytes.toString('hex'), reason: d.reason }));
    const frames: string[] = [];
    r.bus.on('frame', (f) => frames.push(f.raw.toString('hex')));
    void createBoard(r.bus, wide).unlock(16);
    await r.run(2);
    r.line.hear(req.subarray(0, 4)); // the echo's last byte is lost
    await r.run(echoWindow + 10);
    expect(discards).toEqual([{ hex: '8a011011', reason: 'reset' }]);
    r.line.hear(req); // the board's STATE 11 answer
    await r.run(5);
    expect(frames).toEqual(['8a0110118a']);
    expect(r.bus.stats).toMatchObject({ unlockReplies: 1, discardedBytes: 4 });
  });
});
