import { z } from 'zod';
import { DEFAULT_UNLOCK_ANSWER_WINDOW_MS } from '../../hardware/bus.js';
import { BOARD_PROTOCOLS } from '../../hardware/protocols/index.js';
import { busBaudRate, checkBoard, checkBus } from './board-rules.js';
import { kioskSchema } from './kiosk-schema.js';

/**
 * The one configuration schema (contracts.md section 2). Every object is strict: an unknown key is an
 * error at every level, so a typo such as `pullIntervalSec` is caught instead of silently ignored.
 * Units are part of the key names; defaults and ranges stand beside each key.
 */

const lockerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" and "-", at most 64 characters');

const nonEmptyPath = z.string().min(1, 'must be a non-empty path');
const tcpPort = z.number().int().min(1).max(65_535);

/** Bus timings shared by every transport; all in milliseconds. */
const busTimings = {
  /**
   * How long to wait for a status reply before counting a miss (12 bytes at 19200 baud take 6.25 ms); also how
   * long the bus keeps quiet after a CU16 unlock for the answer some boards give. 1000 by default on `tcp`.
   */
  replyTimeoutMs: z.number().int().min(10).max(5_000).default(150),
  /**
   * Silence after every transaction before the next frame, so a board still digesting the last frame is not
   * talked over. A peer saw a second board miss every read with no gap and none with 5 ms; 3 ms is 1.6 times
   * the 3.5 character times (1.8 ms at 19200 baud) that Modbus RTU uses as frame silence, and keeps a poll
   * cycle within 1.3 times the wire time (`npm run bench`). Raise it if `diag` shows timeouts on a board.
   */
  interFrameGapMs: z.number().int().min(0).max(1_000).default(3),
  /** Pause between full status-poll cycles over all boards. */
  pollIntervalMs: z.number().int().min(0).max(10_000).default(50),
  /** Extra attempts for a status poll (never for an unlock). */
  statusRetries: z.number().int().min(0).max(5).default(1),
  /** Consecutive missed polls before a board is reported offline. */
  offlineAfterMisses: z.number().int().min(1).max(100).default(3),
  /** Minimum time between two unlock commands to the same compartment. */
  unlockMinIntervalMs: z.number().int().min(100).max(600_000).default(1_000),
  /**
   * How long the bus keeps quiet after an xor-8a or CU48 0x60 unlock for the board's answer (an xor-8a board answers
   * after its pulse, about 1 s on the documented one); an answer ends it early. Must be shorter than
   * unlockConfirmTimeoutMs.
   */
  unlockAnswerWindowMs: z.number().int().min(100).max(5_000).default(DEFAULT_UNLOCK_ANSWER_WINDOW_MS),
  /** How long after an unlock the latch must read released before the unlock counts as failed. */
  unlockConfirmTimeoutMs: z.number().int().min(100).max(30_000).default(1_500),
};

/** First reconnect delay after the adapter or bridge is lost; doubles up to reconnectMaxMs. */
const reconnect = {
  reconnectMinMs: z.number().int().min(10).max(60_000).default(250),
  reconnectMaxMs: z.number().int().min(10).max(600_000).default(10_000),
};

const serialBus = z.strictObject({
  transport: z.literal('serial'),
  path: nonEmptyPath,
  /** The boards' line speed; absent: the speed their family talks at (19200 Kerong, 9600 xor-8a). */
  baudRate: z.number().int().min(1_200).max(115_200).optional(),
  ...reconnect,
  ...busTimings,
});

const tcpBus = z.strictObject({
  transport: z.literal('tcp'),
  host: z.string().min(1),
  port: tcpPort,
  /**
   * The line speed of the bridge's RS-485 side. The socket takes the bytes at once; the bus waits for their wire
   * time at this speed before its inter-frame gap, so the gap is silence on the pair and not only in the socket.
   */
  baudRate: z.number().int().min(1_200).max(115_200).optional(),
  ...reconnect,
  ...busTimings,
  /** A reply crosses the network and the bridge's buffering as well as the pair: public TCP clients wait 1-2 s. */
  replyTimeoutMs: z.number().int().min(10).max(5_000).default(1_000),
  /**
   * Room for one lost status reply and its retry (2 × replyTimeoutMs) before an unlock's outcome counts as
   * unknown, which puts the compartment in fault: with the bridge's reply timeout, serial's 1.5 s would not do.
   */
  unlockConfirmTimeoutMs: z.number().int().min(100).max(30_000).default(3_000),
});

const simulatedBus = z.strictObject({
  transport: z.literal('simulated'),
  /** Reply delay of the simulated boards, as a real board's processing time. */
  boardReplyDelayMs: z.number().int().min(0).max(1_000).default(3),
  /** Simulated doors shut by themselves this long after their latch released (a simulated resident); unset: never. */
  doorsCloseAfterMs: z.number().int().min(10).max(600_000).optional(),
  /** The simulated pair's line speed; absent: the boards' own, as on a real bus (a parsed config carries it). */
  baudRate: z.number().int().min(1_200).max(115_200).optional(),
  ...busTimings,
});

const bus = z.discriminatedUnion('transport', [serialBus, tcpBus, simulatedBus]);

/**
 * How a CU48 0x60 board's twelve data bytes are read where public sources disagree (hardware/protocols/
 * kerong-cu48-60/codec.ts, E1); each key absent: the KerongConsole capture's reading.
 */
const cu4860Layout = z.strictObject({
  latchBytes: z.enum(['D1-D6', 'D7-D12']).optional(),
  sensorBytes: z.enum(['D1-D6', 'D7-D12', 'none']).optional(),
  bitOrder: z.enum(['lsb-first', 'msb-first']).optional(),
  sensorActiveBit: z.literal([0, 1]).optional(),
}).refine((l) => l.latchBytes === undefined || l.sensorBytes !== l.latchBytes, { message: 'the latches and the sensors cannot be the same bytes', path: ['sensorBytes'] });

const board = z.strictObject({
  /**
   * CU48 (either firmware): 0x00-0x09 (0x0A is broadcast). CU16: the high nibble of the address byte, 0-14 (15 is
   * broadcast). xor-8a: 1-31, the DIP switches. Per family in board-rules.ts.
   */
  address: z.number().int().min(0).max(31),
  protocol: z.enum(BOARD_PROTOCOLS),
  locks: z.number().int().min(1).max(48),
  /** The status-bit value that means "latched / door closed"; depends on the switch wiring (NO/NC). */
  latchedBit: z.literal([0, 1]),
  /** xor-8a only: the status bytes of its read-all reply (no length byte says; 3 on the captured 8-channel board). */
  statusBytes: z.number().int().min(2).max(4).optional(),
  /** kerong-cu48-60 only. */
  layout: cu4860Layout.optional(),
});

const compartment = z.strictObject({
  id: z.number().int().min(1).max(9_999),
  board: z.number().int().min(0).max(31),
  /** Counted from 1, as printed on the board. */
  lock: z.number().int().min(1).max(48),
  size: z.enum(['S', 'M', 'L']),
  /** Reachable from a wheelchair (used for authorizations marked `accessible`). */
  low: z.boolean().default(false),
});

const office = z
  .strictObject({
    url: z.url({ protocol: /^https?$/ }),
    tokenFile: nonEmptyPath,
    publicKeyFile: nonEmptyPath,
    codeKeyFile: nonEmptyPath,
    pullIntervalS: z.number().int().min(5).max(3_600).default(30),
    /** A feed whose last verified batch is older than this is reported (diag, selftest, alarm); default 3 × pullIntervalS. */
    maxFeedAgeS: z.number().int().min(10).max(7 * 86_400).optional(),
    /** Events waiting longer than this for a verified acknowledgement are reported; default 3 × pullIntervalS. */
    maxAckAgeS: z.number().int().min(10).max(7 * 86_400).optional(),
    /** PEM file of the CA that signed the office's certificate (pinned instead of the system store). */
    caFile: nonEmptyPath.optional(),
    /** Client certificate and key (PEM) for mutual TLS. */
    clientCertFile: nonEmptyPath.optional(),
    clientKeyFile: nonEmptyPath.optional(),
  })
  .superRefine((o, ctx) => {
    let u: URL;
    try {
      u = new URL(o.url);
    } catch {
      return; // already reported by the url check
    }
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'plain http:// is allowed only for a loopback address; use https://' });
    }
    if ((o.clientCertFile === undefined) !== (o.clientKeyFile === undefined)) {
      const missing = o.clientCertFile === undefined ? 'clientCertFile' : 'clientKeyFile';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'clientCertFile and clientKeyFile go together' });
    }
  });

const admin = z.strictObject({
  socket: nonEmptyPath.default('/run/urzedomat/admin.sock'),
  /** The technicians' group: the socket and its directory are given to it (the daemon must be a member). */
  group: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'a Unix group name').optional(),
});

/** A BCM pin number (0-27 on the 40-pin header); the sysfs offset is found at run time, never configured. */
const pin = z.strictObject({
  pin: z.number().int().min(0).max(27),
  activeLow: z.boolean().default(false),
});

const gpio = z
  .strictObject({
    /** How long an input level must hold before it counts. */
    debounceMs: z.number().int().min(0).max(5_000).default(50),
    inputs: z.strictObject({ tamper: pin.optional(), powerFail: pin.optional() }).default({}),
    outputs: z.strictObject({ statusLight: pin.optional(), buzzer: pin.optional(), nightLight: pin.optional() }).default({}),
  })
  .superRefine((g, ctx) => {
    const seen = new Map<number, string>();
    for (const [group, pins] of [['inputs', g.inputs], ['outputs', g.outputs]] as const) {
      for (const [name, p] of Object.entries(pins)) {
        if (p === undefined) continue;
        const other = seen.get(p.pin);
        if (other !== undefined) ctx.addIssue({ code: 'custom', path: [group, name, 'pin'], message: `pin ${p.pin} is already ${other}` });
        seen.set(p.pin, `${group}.${name}`);
      }
    }
  });

const doors = z.strictObject({
  /** A door open longer than this after a pickup or load raises `door-left-open` and a reminder. */
  leftOpenAfterS: z.number().int().min(10).max(3_600).default(120),
});

const log = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
});

/**
 * Guessing limits (contracts.md section 6). The defaults are the contract; a config may only make
 * them tighter, which the ranges enforce (fewer failures allowed, longer waits).
 */
const limits = z.strictObject({
  phoneFailuresInRow: z.number().int().min(1).max(5).default(5),
  phoneLockoutS: z.number().int().min(900).max(86_400).default(900),
  deviceFailuresInRow: z.number().int().min(1).max(5).default(5),
  deviceDelayS: z.number().int().min(30).max(86_400).default(30),
  deviceDelayMaxS: z.number().int().min(900).max(86_400).default(900),
  deviceFailuresPerDay: z.number().int().min(1).max(100).default(100),
});

/**
 * How long the database keeps what is finished (fractions of a day allowed). The office has every event by then;
 * the audit is archived to files under `archiveDir` (default `<dataDir>/audit-archive`), never dropped.
 */
const retention = z.strictObject({
  closedRecordsDays: z.number().min(1 / 24).max(3_650).default(90),
  auditDays: z.number().min(1 / 24).max(36_500).default(365),
  archiveDir: nonEmptyPath.optional(),
});

/**
 * Metrics for Prometheus without a server on the locker (issue 16): a file for node_exporter's textfile collector,
 * rewritten atomically every `intervalS` (src/service/metrics-textfile.ts). Absent: no file is written.
 */
const metrics = z.strictObject({
  /** Inside node_exporter's `--collector.textfile.directory`, ending in `.prom` (the only files it reads). */
  textfile: nonEmptyPath.regex(/\.prom$/, 'a file name ending in .prom (node_exporter reads only those)'),
  intervalS: z.number().int().min(1).max(3_600).default(30),
});

export const configSchema = z
  .strictObject({
    lockerId,
    dataDir: nonEmptyPath,
    bus,
    boards: z.array(board).min(1),
    compartments: z.array(compartment).min(1),
    office,
    kiosk: kioskSchema.prefault({}),
    admin: admin.default({ socket: '/run/urzedomat/admin.sock' }),
    log: log.default({ level: 'info' }),
    doors: doors.default({ leftOpenAfterS: 120 }),
    /** Absent: no pins wired (and no GPIO touched). */
    gpio: gpio.optional(),
    limits: limits.default(limits.parse({})),
    retention: retention.default(retention.parse({})),
    metrics: metrics.optional(),
  })
  .superRefine(checkLayout)
  .superRefine((c, ctx) => {
    if (!Array.isArray(c.boards)) return;
    c.boards.forEach((b, i) => checkBoard(b, i, ctx));
    checkBus(c.boards, c.bus.baudRate, ctx);
    const answering = c.boards.find((b) => b.protocol === 'xor-8a' || b.protocol === 'kerong-cu48-60');
    if (answering !== undefined && c.bus.unlockConfirmTimeoutMs <= c.bus.unlockAnswerWindowMs + c.bus.replyTimeoutMs) {
      ctx.addIssue({
        code: 'custom', path: ['bus', 'unlockConfirmTimeoutMs'],
        message: `must be more than unlockAnswerWindowMs + replyTimeoutMs (${c.bus.unlockAnswerWindowMs + c.bus.replyTimeoutMs}): the release of a ${answering.protocol} unlock is read only after the board's answer window`,
      });
    }
  })
  .transform((c) => ({ ...c, bus: { ...c.bus, baudRate: busBaudRate(c.boards, c.bus.baudRate) } }));

export type Config = z.output<typeof configSchema>;
export type BoardConfig = z.output<typeof board>;
export type CompartmentConfig = z.output<typeof compartment>;
export type BusConfig = Config['bus'];

/** Cross-key rules: each compartment names an existing board and lock, nothing is used twice. */
function checkLayout(c: { boards: BoardConfig[]; compartments: CompartmentConfig[]; kiosk?: { columns?: number[][] | undefined } }, ctx: z.RefinementCtx): void {
  // zod runs this refinement even when keys inside failed their own checks; those are reported already.
  if (!Array.isArray(c.boards) || !Array.isArray(c.compartments)) return;
  checkColumns(c.compartments, c.kiosk?.columns, ctx);
  const boards = new Map<number, BoardConfig>();
  c.boards.forEach((b, i) => {
    if (boards.has(b.address)) {
      ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: `address ${b.address} is used twice` });
    }
    boards.set(b.address, b);
  });
  const ids = new Set<number>();
  const locks = new Set<string>();
  c.compartments.forEach((k, i) => {
    if (ids.has(k.id)) ctx.addIssue({ code: 'custom', path: ['compartments', i, 'id'], message: `id ${k.id} is used twice` });
    ids.add(k.id);
    const b = boards.get(k.board);
    if (b === undefined) {
      ctx.addIssue({ code: 'custom', path: ['compartments', i, 'board'], message: `no board with address ${k.board}` });
      return;
    }
    if (k.lock > b.locks) {
      ctx.addIssue({ code: 'custom', path: ['compartments', i, 'lock'], message: `board ${k.board} has only ${b.locks} locks` });
    }
    const key = `${k.board}/${k.lock}`;
    if (locks.has(key)) {
      ctx.addIssue({ code: 'custom', path: ['compartments', i, 'lock'], message: `lock ${k.lock} of board ${k.board} is used twice` });
    }
    locks.add(key);
  });
}

/** The kiosk's picture of the cabinet shows every compartment exactly once. */
function checkColumns(compartments: CompartmentConfig[], columns: number[][] | undefined, ctx: z.RefinementCtx): void {
  if (!Array.isArray(columns)) return;
  const known = new Set(compartments.map((k) => k.id));
  const seen = new Set<number>();
  columns.forEach((col, i) => col.forEach((id, j) => {
    if (!known.has(id)) ctx.addIssue({ code: 'custom', path: ['kiosk', 'columns', i, j], message: `no compartment with id ${id}` });
    else if (seen.has(id)) ctx.addIssue({ code: 'custom', path: ['kiosk', 'columns', i, j], message: `compartment ${id} is shown twice` });
    seen.add(id);
  }));
  const missing = [...known].filter((id) => !seen.has(id));
  if (missing.length > 0) ctx.addIssue({ code: 'custom', path: ['kiosk', 'columns'], message: `compartments missing from the picture: ${missing.join(', ')}` });
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
