import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { simulationConfig } from '../../src/config/simulation.js';
import { ErrorCodes } from '../../src/errors.js';
import { configError } from '../helpers/config-error.js';
import { contractExampleConfig, tempDir } from '../helpers/fixtures.js';

function mutate(f: (c: Record<string, any>) => void): Record<string, any> {
  const c = contractExampleConfig();
  f(c);
  return c;
}

describe('config schema', () => {
  it('accepts the example of contracts.md section 2 and fills defaults', () => {
    const c = parseConfig(contractExampleConfig(), '/etc/urzedomat');
    expect(c.lockerId).toBe('czestochowa-focha-1');
    expect(c.bus.transport).toBe('serial');
    if (c.bus.transport === 'serial') expect(c.bus.baudRate).toBe(19200);
    expect(c.bus.replyTimeoutMs).toBeGreaterThan(0);
    expect(c.compartments[0]).toMatchObject({ id: 1, board: 0, lock: 1, size: 'S', low: false });
    expect(c.limits).toEqual({
      phoneFailuresInRow: 5, phoneLockoutS: 900, deviceFailuresInRow: 5,
      deviceDelayS: 30, deviceDelayMaxS: 900, deviceFailuresPerDay: 100,
    });
    expect(c.log.level).toBe('info');
  });

  it('defaults kiosk to loopback and admin to the documented socket', () => {
    const c = parseConfig(mutate((c) => { delete c.kiosk; delete c.admin; }), '/x');
    expect(c.kiosk).toMatchObject({ host: '127.0.0.1', port: 8080, residentIdleS: 90 });
    expect(c.admin.socket).toBe('/run/urzedomat/admin.sock');
  });

  it('defaults the kiosk screens to the seed office: its hours, quiet nights, no input timeout under 60 s', () => {
    const c = parseConfig(mutate((c) => { c.kiosk = { serviceHours: { sat: ['09:00-12:00'] }, sound: { enabled: false } }; }), '/x');
    expect(c.kiosk.serviceHours).toEqual({
      mon: ['08:00-15:00'], tue: ['07:30-17:00'], wed: ['08:00-15:00'], thu: ['08:00-15:00'], fri: ['08:00-15:00'], sat: ['09:00-12:00'], sun: [],
    });
    expect(c.kiosk.sound).toEqual({ enabled: false, quietFrom: '22:00', quietTo: '07:00' });
    expect(c.kiosk.eServicesUrl).toMatch(/^https:\/\//);
    expect(c.kiosk.columns).toBeUndefined();
  });

  it.each([
    ['hours not HH:MM-HH:MM', (c: any) => { c.kiosk.serviceHours = { mon: ['8-15'] }; }, 'kiosk.serviceHours.mon[0]: opening hours as HH:MM-HH:MM'],
    ['hours closing before opening', (c: any) => { c.kiosk.serviceHours = { tue: ['17:00-07:30'] }; }, 'kiosk.serviceHours.tue[0]: the opening time must come before'],
    ['a day that is not one', (c: any) => { c.kiosk.serviceHours = { mo: [] }; }, 'kiosk.serviceHours.mo: unknown key'],
    ['an input timeout under 60 s', (c: any) => { c.kiosk.residentIdleS = 30; }, 'kiosk.residentIdleS: must be at least 60'],
    ['a plain-http e-services page', (c: any) => { c.kiosk.eServicesUrl = 'http://example.org/'; }, 'kiosk.eServicesUrl: an https:// address'],
    ['a quiet hour that is no time', (c: any) => { c.kiosk.sound = { quietFrom: '25:00' }; }, 'kiosk.sound.quietFrom: a time as HH:MM'],
    ['a picture with an unknown compartment', (c: any) => { c.kiosk.columns = [[1, 9]]; }, 'kiosk.columns[0][1]: no compartment with id 9'],
    ['a picture showing one twice', (c: any) => { c.kiosk.columns = [[1], [1]]; }, 'kiosk.columns[1][0]: compartment 1 is shown twice'],
    ['a picture missing one', (c: any) => { c.compartments.push({ id: 2, board: 0, lock: 2, size: 'S' }); c.kiosk.columns = [[1]]; }, 'kiosk.columns: compartments missing from the picture: 2'],
  ])('names a bad kiosk setting: %s', (_what, f, expected) => {
    expect(configError(mutate(f))).toContain(expected);
  });

  it('a tcp bus (a KR-BU bridge) waits 1000 ms for a reply by default and knows its RS-485 side\'s baud rate; serial keeps 150 ms', () => {
    const tcp = parseConfig(mutate((c) => { c.bus = { transport: 'tcp', host: '10.0.0.5', port: 4001 }; }), '/x');
    expect(tcp.bus).toMatchObject({ transport: 'tcp', replyTimeoutMs: 1_000, unlockConfirmTimeoutMs: 3_000, baudRate: 19_200 });
    const slow = parseConfig(mutate((c) => { c.bus = { transport: 'tcp', host: '10.0.0.5', port: 4001, baudRate: 19_200, replyTimeoutMs: 2_000 }; }), '/x');
    expect(slow.bus).toMatchObject({ baudRate: 19_200, replyTimeoutMs: 2_000 });
    // The Kerong boards talk at 19200: a bridge set to another speed would hear nothing, so the config says so.
    expect(configError(mutate((c) => { c.bus = { transport: 'tcp', host: '10.0.0.5', port: 4001, baudRate: 9_600 }; }))).toContain('bus.baudRate: kerong-cu48 boards talk at 19200 baud, not 9600: leave baudRate out or set 19200');
    expect(parseConfig(contractExampleConfig(), '/x').bus.replyTimeoutMs).toBe(150);
    expect(configError(mutate((c) => { c.bus = { transport: 'tcp', host: '10.0.0.5', port: 4001, baudRate: 300 }; }))).toContain('bus.baudRate: must be at least 1200');
  });

  it('accepts the tcp and simulated transports', () => {
    const tcp = parseConfig(mutate((c) => { c.bus = { transport: 'tcp', host: '10.0.0.5', port: 4001 }; }), '/x');
    expect(tcp.bus.transport).toBe('tcp');
    const sim = parseConfig(mutate((c) => { c.bus = { transport: 'simulated' }; }), '/x');
    expect(sim.bus.transport).toBe('simulated');
  });

  it('resolves relative file paths against the config file directory', () => {
    const c = parseConfig(mutate((c) => { c.dataDir = 'data'; c.office.codeKeyFile = 'keys/code.key'; }), '/etc/urzedomat');
    expect(c.dataDir).toBe('/etc/urzedomat/data');
    expect(c.office.codeKeyFile).toBe('/etc/urzedomat/keys/code.key');
  });

  it.each([
    ['top level', (c: any) => { c.extra = 1; }, 'extra: unknown key'],
    ['office', (c: any) => { c.office.pullIntervalSec = 30; }, 'office.pullIntervalSec: unknown key'],
    ['a board', (c: any) => { c.boards[0].polarity = 1; }, 'boards[0].polarity: unknown key'],
    ['a compartment', (c: any) => { c.compartments[0].colour = 'red'; }, 'compartments[0].colour: unknown key'],
    ['the bus', (c: any) => { c.bus.parity = 'none'; }, 'bus.parity: unknown key'],
    ['kiosk', (c: any) => { c.kiosk.tls = true; }, 'kiosk.tls: unknown key'],
    ['admin', (c: any) => { c.admin.mode = '0660'; }, 'admin.mode: unknown key'],
  ])('refuses an unknown key in %s, naming it', (_where, f, expected) => {
    expect(configError(mutate(f))).toContain(expected);
  });

  it.each([
    ['lockerId', (c: any) => { delete c.lockerId; }, 'lockerId: required'],
    ['dataDir', (c: any) => { delete c.dataDir; }, 'dataDir: required'],
    ['office.codeKeyFile', (c: any) => { delete c.office.codeKeyFile; }, 'office.codeKeyFile: required'],
    ['bus.path', (c: any) => { delete c.bus.path; }, 'bus.path: required'],
    ['bus.transport', (c: any) => { delete c.bus.transport; }, 'bus.transport: required'],
    ['boards[0].latchedBit', (c: any) => { delete c.boards[0].latchedBit; }, 'boards[0].latchedBit: required'],
  ])('names a missing required key: %s', (_key, f, expected) => {
    expect(configError(mutate(f))).toContain(expected);
  });

  it.each([
    ['a string for a number', (c: any) => { c.office.pullIntervalS = '30'; }, 'office.pullIntervalS: expected number, got string'],
    ['a number for a string', (c: any) => { c.lockerId = 7; }, 'lockerId: expected string, got number'],
    ['an object for an array', (c: any) => { c.boards = {}; }, 'boards: expected array, got object'],
    ['a wrong enum', (c: any) => { c.compartments[0].size = 'XL'; }, 'compartments[0].size: must be one of "S", "M", "L"'],
    ['a wrong transport', (c: any) => { c.bus.transport = 'usb'; }, 'bus.transport: must be one of'],
    ['a wrong latchedBit', (c: any) => { c.boards[0].latchedBit = 2; }, 'boards[0].latchedBit'],
    ['a malformed url', (c: any) => { c.office.url = 'not a url'; }, 'office.url'],
  ])('names a key of the wrong type: %s', (_what, f, expected) => {
    expect(configError(mutate(f))).toContain(expected);
  });

  it.each([
    ['pullIntervalS too small', (c: any) => { c.office.pullIntervalS = 1; }, 'office.pullIntervalS: must be at least 5'],
    ['kiosk port too big', (c: any) => { c.kiosk.port = 70000; }, 'kiosk.port: must be at most 65535'],
    ['a lock beyond 48', (c: any) => { c.compartments[0].lock = 49; }, 'compartments[0].lock: must be at most 48'],
    ['a fractional address', (c: any) => { c.boards[0].address = 0.5; }, 'boards[0].address: must be a whole number'],
    ['a CU48 address above 9', (c: any) => { c.boards[0].address = 10; c.compartments[0].board = 10; }, 'boards[0].address: kerong-cu48 addresses are 0-9'],
    ['a CU16 with 48 locks', (c: any) => { c.boards[0].protocol = 'kerong-cu16'; }, 'boards[0].locks: kerong-cu16 has at most 16 locks'],
    [
      'a CU16 at address 15, its broadcast address',
      (c: any) => { c.boards[0] = { address: 15, protocol: 'kerong-cu16', locks: 16, latchedBit: 1 }; c.compartments[0].board = 15; },
      'boards[0].address: 15 is the CU16 broadcast address: an unlock there opens that lock on every CU16 board',
    ],
    ['no compartments', (c: any) => { c.compartments = []; }, 'compartments: must be at least 1 entries'],
  ])('names an out-of-range value: %s', (_what, f, expected) => {
    expect(configError(mutate(f))).toContain(expected);
  });

  it('allows guessing limits only tighter than the contract', () => {
    const tighter = parseConfig(mutate((c) => { c.limits = { phoneFailuresInRow: 3, phoneLockoutS: 1800 }; }), '/x');
    expect(tighter.limits.phoneFailuresInRow).toBe(3);
    expect(tighter.limits.deviceFailuresPerDay).toBe(100);
    expect(configError(mutate((c) => { c.limits = { phoneFailuresInRow: 6 }; }))).toContain('limits.phoneFailuresInRow: must be at most 5');
    expect(configError(mutate((c) => { c.limits = { phoneLockoutS: 60 }; }))).toContain('limits.phoneLockoutS: must be at least 900');
    expect(configError(mutate((c) => { c.limits = { deviceFailuresPerDay: 1000 }; }))).toContain('limits.deviceFailuresPerDay: must be at most 100');
  });

  it('refuses plain http except to a loopback address', () => {
    expect(configError(mutate((c) => { c.office.url = 'http://office.example/urzedomat'; }))).toContain('office.url: plain http:// is allowed only for a loopback address');
    for (const url of ['http://127.0.0.1:9000/urzedomat', 'http://localhost:9000', 'http://[::1]:9000/x']) {
      expect(parseConfig(mutate((c) => { c.office.url = url; }), '/x').office.url).toBe(url);
    }
    expect(configError(mutate((c) => { c.office.url = 'ftp://office.example/'; }))).toContain('office.url');
  });

  it('wants a client certificate and its key together', () => {
    expect(configError(mutate((c) => { c.office.clientCertFile = '/etc/c.pem'; }))).toContain('office.clientKeyFile: clientCertFile and clientKeyFile go together');
  });

  it('checks that compartments name existing boards and locks, each once', () => {
    expect(configError(mutate((c) => { c.compartments[0].board = 3; }))).toContain('compartments[0].board: no board with address 3');
    expect(configError(mutate((c) => { c.boards[0].locks = 12; c.compartments[0].lock = 13; }))).toContain('compartments[0].lock: board 0 has only 12 locks');
    expect(configError(mutate((c) => { c.compartments.push({ id: 2, board: 0, lock: 1, size: 'M' }); }))).toContain('compartments[1].lock: lock 1 of board 0 is used twice');
    expect(configError(mutate((c) => { c.compartments.push({ id: 1, board: 0, lock: 2, size: 'M' }); }))).toContain('compartments[1].id: id 1 is used twice');
    expect(configError(mutate((c) => { c.boards.push({ ...c.boards[0] }); }))).toContain('boards[1].address: address 0 is used twice');
  });

  it('accepts GPIO pins by BCM number and names a pin used twice', () => {
    const c = parseConfig(mutate((c) => { c.gpio = { inputs: { tamper: { pin: 17, activeLow: true } }, outputs: { buzzer: { pin: 18 } } }; }), '/x');
    expect(c.gpio).toEqual({ debounceMs: 50, inputs: { tamper: { pin: 17, activeLow: true } }, outputs: { buzzer: { pin: 18, activeLow: false } } });
    expect(configError(mutate((c) => { c.gpio = { inputs: { tamper: { pin: 17 } }, outputs: { buzzer: { pin: 17 } } }; }))).toContain('gpio.outputs.buzzer.pin: pin 17 is already inputs.tamper');
    expect(configError(mutate((c) => { c.gpio = { inputs: { tamper: { pin: 529 } } }; }))).toContain('gpio.inputs.tamper.pin: must be at most 27');
    expect(configError(mutate((c) => { c.gpio = { inputs: { doorbell: { pin: 5 } } }; }))).toContain('gpio.inputs.doorbell: unknown key');
  });

  it('lists every problem on one line', () => {
    const msg = configError(mutate((c) => { c.extra = 1; delete c.lockerId; c.kiosk.port = 0; }));
    expect(msg).toContain('extra: unknown key');
    expect(msg).toContain('lockerId: required');
    expect(msg).toContain('kiosk.port: must be at least 1');
  });
});

describe('config file', () => {
  it('loads a valid file', () => {
    const t = tempDir();
    try {
      const f = join(t.dir, 'urzedomat.json');
      writeFileSync(f, JSON.stringify(contractExampleConfig()));
      expect(loadConfigFile(f).lockerId).toBe('czestochowa-focha-1');
    } finally {
      t.cleanup();
    }
  });

  it('reports a missing file and malformed JSON with their own codes', () => {
    const t = tempDir();
    try {
      expect(() => loadConfigFile(join(t.dir, 'absent.json'))).toThrow(expect.objectContaining({ code: ErrorCodes.ConfigUnreadable }));
      const f = join(t.dir, 'broken.json');
      writeFileSync(f, '{"lockerId": ');
      expect(() => loadConfigFile(f)).toThrow(expect.objectContaining({ code: ErrorCodes.ConfigNotJson }));
    } finally {
      t.cleanup();
    }
  });
});

describe('built-in simulation config', () => {
  it('passes the same schema and keeps everything on loopback and inside its data directory', () => {
    const c = simulationConfig({ URZEDOMAT_SIM_DIR: '/tmp/urz-sim-check' });
    expect(c.bus.transport).toBe('simulated');
    expect(c.kiosk.host).toBe('127.0.0.1');
    expect(new URL(c.office.url).hostname).toBe('127.0.0.1');
    expect(c.dataDir).toBe('/tmp/urz-sim-check');
    expect(c.admin.socket.startsWith('/tmp/urz-sim-check/')).toBe(true);
    expect(new Set(c.boards.map((b) => b.protocol))).toEqual(new Set(['kerong-cu48', 'kerong-cu16']));
  });
});
