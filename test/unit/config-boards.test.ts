import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile } from '../../src/config/load.js';
import { packageRoot } from '../../src/paths.js';
import { parseConfig } from '../../src/config/load.js';
import { configError } from '../helpers/config-error.js';
import { contractExampleConfig } from '../helpers/fixtures.js';

type Board = Record<string, unknown>;

/** The contract's example config with these boards and one compartment on the first. */
function withBoards(boards: Board[], bus?: Record<string, unknown>): Record<string, any> {
  const c = contractExampleConfig();
  c.boards = boards;
  c.compartments = [{ id: 1, board: boards[0]!.address, lock: 1, size: 'S' }];
  c.bus = bus ?? { transport: 'serial', path: '/dev/ttyUSB0' }; // the example's baudRate is a Kerong board's
  return c;
}

const xor = (address: number, locks = 24, extra: Board = {}): Board => ({ address, protocol: 'xor-8a', locks, latchedBit: 1, ...extra });
const cu4860 = (address: number, extra: Board = {}): Board => ({ address, protocol: 'kerong-cu48-60', locks: 48, latchedBit: 1, ...extra });
const cu48 = (address: number): Board => ({ address, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 });

describe('config: the board families of issue 17', () => {
  it('an xor-8a bus talks at 9600 unless told otherwise, on every transport', () => {
    for (const bus of [{ transport: 'serial', path: '/dev/ttyUSB0' }, { transport: 'tcp', host: '10.0.0.5', port: 4001 }, { transport: 'simulated' }]) {
      const c = parseConfig(withBoards([xor(1), xor(31, 8)], bus), '/x');
      expect(c.bus.baudRate).toBe(9_600);
      expect(c.boards[0]).toMatchObject({ protocol: 'xor-8a', address: 1, locks: 24 });
    }
    expect(parseConfig(withBoards([cu4860(0), cu48(1)]), '/x').bus.baudRate).toBe(19_200);
    expect(parseConfig(withBoards([cu48(0)], { transport: 'simulated' }), '/x').bus.baudRate).toBe(19_200);
    expect(parseConfig(contractExampleConfig(), '/x').bus.baudRate).toBe(19_200);
    // A parsed config parses again to the same thing (the demo and tests build configs from parsed ones).
    const parsed = parseConfig(withBoards([xor(1)], { transport: 'simulated' }), '/x');
    expect(parseConfig(parsed, '/x')).toEqual(parsed);
  });

  it('refuses a bus that mixes families needing different baud rates, naming both', () => {
    const msg = configError(withBoards([cu48(0), xor(1)]));
    expect(msg).toContain('boards: these boards talk at different baud rates (kerong-cu48 at 19200; xor-8a at 9600)');
    expect(msg).toContain('cannot share it');
    // Families at the same speed share a bus.
    expect(() => parseConfig(withBoards([cu48(0), cu4860(1), { address: 2, protocol: 'kerong-cu16', locks: 16, latchedBit: 0 }]), '/x')).not.toThrow();
  });

  it('refuses a baud rate its boards do not talk at', () => {
    expect(configError(withBoards([xor(1)], { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 19_200 })))
      .toContain('bus.baudRate: xor-8a boards talk at 9600 baud, not 19200: leave baudRate out or set 9600');
    expect(parseConfig(withBoards([xor(1)], { transport: 'serial', path: '/dev/ttyUSB0', baudRate: 9_600 }), '/x').bus.baudRate).toBe(9_600);
  });

  it('xor-8a: addresses 1-31, 8/16/24 locks, the status bytes must hold every lock and be the same on one bus', () => {
    expect(configError(withBoards([xor(0)]))).toContain('boards[0].address: xor-8a addresses are 1-31');
    expect(configError(withBoards([xor(32)]))).toContain('boards[0].address');
    expect(configError(withBoards([xor(1, 12)]))).toContain('boards[0].locks: an xor-8a board has 8, 16 or 24 locks');
    expect(configError(withBoards([xor(1, 24, { statusBytes: 2 })]))).toContain('boards[0].statusBytes: 24 locks do not fit in 2 status bytes');
    expect(configError(withBoards([xor(1, 8, { statusBytes: 5 })]))).toContain('boards[0].statusBytes');
    expect(parseConfig(withBoards([xor(1, 16, { statusBytes: 2 })]), '/x').boards[0]!.statusBytes).toBe(2);
    expect(configError(withBoards([xor(1, 8, { statusBytes: 4 }), xor(2, 8)]))).toContain('the xor-8a boards on one bus must all answer with the same number of status bytes (found 4 and 3)');
  });

  it('kerong-cu48-60: addresses 0-9 (0x0A never), up to 48 locks, a layout where the sources disagree', () => {
    expect(configError(withBoards([cu4860(10)]))).toContain('boards[0].address: kerong-cu48-60 addresses are 0-9');
    expect(configError(withBoards([{ ...cu4860(0), locks: 49 }]))).toContain('boards[0].locks');
    const c = parseConfig(withBoards([cu4860(0, { layout: { latchBytes: 'D7-D12', sensorBytes: 'D1-D6', bitOrder: 'msb-first', sensorActiveBit: 0 } })]), '/x');
    expect(c.boards[0]!.layout).toEqual({ latchBytes: 'D7-D12', sensorBytes: 'D1-D6', bitOrder: 'msb-first', sensorActiveBit: 0 });
    expect(configError(withBoards([cu4860(0, { layout: { latchBytes: 'D1-D6', sensorBytes: 'D1-D6' } })]))).toContain('boards[0].layout.sensorBytes: the latches and the sensors cannot be the same bytes');
    expect(configError(withBoards([cu4860(0, { layout: { latchBits: 'D1-D6' } })]))).toContain('boards[0].layout');
    expect(configError(withBoards([cu4860(0, { layout: { bitOrder: 'backwards' } })]))).toContain('boards[0].layout.bitOrder');
  });

  it('a key of one family on another is refused, naming it', () => {
    expect(configError(withBoards([{ ...cu48(0), statusBytes: 3 }]))).toContain('boards[0].statusBytes: only xor-8a boards take statusBytes');
    expect(configError(withBoards([{ ...xor(1), layout: {} }]))).toContain('boards[0].layout: only kerong-cu48-60 boards take a layout');
    expect(configError(withBoards([{ ...cu48(0), protocol: 'kerong-cu99' }]))).toContain('boards[0].protocol');
  });

  it('an xor-8a or CU48 0x60 bus must wait for the unlock answer before it gives up on the release', () => {
    const bus = { transport: 'serial', path: '/dev/ttyUSB0', unlockAnswerWindowMs: 1_400 };
    expect(configError(withBoards([xor(1)], bus))).toContain('bus.unlockConfirmTimeoutMs: must be more than unlockAnswerWindowMs + replyTimeoutMs (1550)');
    expect(parseConfig(withBoards([xor(1)], { ...bus, unlockConfirmTimeoutMs: 2_000 }), '/x').bus.unlockAnswerWindowMs).toBe(1_400);
    // The defaults hold together, and the rule is not applied to Kerong buses, which have no such window.
    expect(parseConfig(withBoards([xor(1)]), '/x').bus).toMatchObject({ unlockAnswerWindowMs: 1_200, unlockConfirmTimeoutMs: 1_500 });
    expect(() => parseConfig(withBoards([cu48(0)], bus), '/x')).not.toThrow();
    expect(configError(withBoards([cu4860(0)], bus))).toContain('bus.unlockConfirmTimeoutMs: must be more than unlockAnswerWindowMs + replyTimeoutMs (1550): the release of a kerong-cu48-60 unlock');
  });

  it('every example config in deploy/ is accepted, one per family', () => {
    const files = readdirSync(join(packageRoot, 'deploy')).filter((f) => /^config\..*example\.json$/.test(f));
    const protocols = files.flatMap((f) => loadConfigFile(join(packageRoot, 'deploy', f)).boards.map((b) => b.protocol));
    expect(new Set(protocols)).toEqual(new Set(['kerong-cu48', 'kerong-cu48-60', 'kerong-cu16', 'xor-8a']));
    expect(loadConfigFile(join(packageRoot, 'deploy', 'config.xor-8a.example.json')).bus.baudRate).toBe(9_600);
  });

  it('a compartment may name an xor-8a board up to address 31', () => {
    const c = withBoards([xor(31, 8)]);
    c.compartments = [{ id: 1, board: 31, lock: 8, size: 'S' }];
    expect(parseConfig(c, '/x').compartments[0]).toMatchObject({ board: 31, lock: 8 });
    c.compartments = [{ id: 1, board: 31, lock: 9, size: 'S' }];
    expect(configError(c)).toContain('compartments[0].lock: board 31 has only 8 locks');
  });
});
