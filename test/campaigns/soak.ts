/**
 * Campaign 7, soak: a day of a very busy locker compressed. Documents arrive by the feed, staff load them and
 * residents collect them through the locker's core on simulated boards, many at once, while a manual clock runs
 * through 24 hours. The housekeeping of the daemon (retention on a trusted clock, WAL checkpoints) runs every
 * simulated 5 minutes and the office acknowledges every event. Measures resident memory after a warm-up and at
 * the end, and the database's rows and size hour by hour: both must level off.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import type { CompartmentConfig } from '../../src/config/schema.js';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import { housekeeping } from '../../src/service/housekeeping.js';
import { verifyAuditWithArchive } from '../../src/store/audit-archive.js';
import { databasePath } from '../../src/store/store.js';
import { FeedApplier } from '../../src/sync/feed-apply.js';
import type { FeedChange } from '../../src/wire/feed-schema.js';
import { simulatedBusFor } from '../../hardware/sim/simulated-boards.js';
import { rigBoards, startCore } from '../helpers/core-rig.js';
import { runnableConfig } from '../helpers/fixtures.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { testKey } from '../helpers/store-fixtures.js';

export interface SoakOptions {
  /** Pickups plus loads: half of them documents loaded, half collected. */
  readonly operations: number;
  readonly simulatedHours?: number;
  /** Kept short so that a day shows the database levelling off. */
  readonly closedRecordsDays?: number;
  readonly auditDays?: number;
  /** Rows per audit archive file (production: 5,000); a short run uses smaller files to archive several. */
  readonly auditRowsPerFile?: number;
}

export interface SoakSample {
  readonly hour: number;
  readonly operations: number;
  readonly authorizations: number;
  readonly auditRows: number;
  readonly outboxRows: number;
  readonly dbMiB: number;
  readonly walMiB: number;
  readonly rssMiB: number;
}

export interface SoakReport {
  readonly operations: number;
  readonly collected: number;
  readonly realSeconds: number;
  readonly samples: SoakSample[];
  /** Started, nothing done yet. */
  readonly idleRssMiB: number;
  /** After the first tenth of the operations (code compiled, caches and pools at size). */
  readonly warmRssMiB: number;
  readonly endRssMiB: number;
  readonly archiveFiles: number;
  readonly archivedRows: number;
  readonly auditIntact: boolean;
  readonly auditTotal: number;
  readonly maxWalMiB: number;
}

const mib = (bytes: number): number => bytes / 1_048_576;
const fileBytes = (path: string): number => (existsSync(path) ? statSync(path).size : 0);
/** Garbage not yet collected is not a leak: collect first when the runner allows it (node --expose-gc). */
function rss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return mib(process.memoryUsage().rss);
}

export async function soak(o: SoakOptions): Promise<SoakReport> {
  const hours = o.simulatedHours ?? 24;
  const documents = Math.floor(o.operations / 2);
  const dir = mkdtempSync(join(tmpdir(), 'urz-soak-'));
  const clock = new ManualClock(Date.parse('2026-11-25T00:00:00Z'));
  const stepMs = (hours * 3_600_000) / (2 * documents);
  // A full CU48 of compartments; doors shut 15 ms after their latch releases (a quick resident).
  const layout: CompartmentConfig[] = Array.from({ length: 48 }, (_, i) => ({ id: i + 1, board: 0, lock: i + 1, size: 'S', low: false }));
  const sim = simulatedBusFor(rigBoards, systemClock, 1, 60);
  // The per-lock pause between unlocks at the lowest the config allows: a day squeezed into minutes.
  const unlockGapMs = 110;
  const rig = await startCore(dir, sim, clock, { unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 1_000, doorOpenLimitMs: 3_600_000 }, layout);
  const config = parseConfig({ ...runnableConfig(dir), retention: { closedRecordsDays: o.closedRecordsDays ?? 2 / 24, auditDays: o.auditDays ?? 4 / 24 } }, dir);
  const tidy = housekeeping({
    config, store: rig.store, clock, trustedNowMs: () => clock.wallMs(), logger: pino({ level: 'silent' }), auditRowsPerFile: o.auditRowsPerFile,
    idle: () => rig.compartments.states().every((c) => c.state !== 'open' && c.state !== 'reserved'),
  });
  const { db } = rig.store;
  const applier = new FeedApplier({ db, outbox: rig.store.outbox, audit: rig.store.audit, clock });
  const count = (t: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  const dbFile = databasePath(dir);
  const samples: SoakSample[] = [];
  let operations = 0, collected = 0, fed = 0, cursor = 0, nextDoc = 0, warmRssMiB = NaN, maxWalMiB = 0;
  let nextTidyMs = clock.wallMs() + 300_000;
  let nextSampleMs = clock.wallMs() + 3_600_000;
  const idleRssMiB = rss();
  const t0 = performance.now();

  // Holds are squeezed like the day: a deleted id is remembered until its expiry is past the retention period,
  // so a 7-day hold would make those memories grow through the whole simulated day.
  const holdMs = 3 * 3_600_000;
  const phoneOf = (i: number): string => `6${String(10_000_000 + i).padStart(8, '0')}`;
  const codeOf = (i: number): string => String(20_000_000 + i * 13);
  /** The office's feed, 20 documents a batch, each applied just before its documents are needed. */
  const feedThrough = (i: number): void => {
    while (fed <= i) {
      const changes: FeedChange[] = [];
      for (let k = fed; k < Math.min(documents, fed + 20); k++) {
        changes.push({
          seq: cursor + changes.length + 1, type: 'authorization.upsert', authorization: {
            id: `A-${k}`, caseRef: `USC.5361.${k}.2026`, documentType: 'odpis-skrocony-aktu-urodzenia', size: 'S', phoneMac: phoneMac(testKey, phoneOf(k)),
            codeMac: codeMac(testKey, codeOf(k)), expiresAt: new Date(clock.wallMs() + holdMs).toISOString(), feeSettled: true, consent: true, accessible: false,
          },
        });
      }
      const serverTime = new Date(clock.wallMs()).toISOString();
      applier.apply({ lockerId: config.lockerId, after: cursor, last: cursor + changes.length, more: false, serverTime, expiresAt: serverTime, changes });
      cursor += changes.length;
      fed += changes.length;
    }
  };
  /** One operation done: simulated time moves on; housekeeping and sampling fall due by it. */
  const tick = (): void => {
    operations += 1;
    clock.advance(stepMs);
    if (operations === Math.floor(o.operations / 10)) warmRssMiB = rss();
    while (clock.wallMs() >= nextTidyMs) {
      rig.store.outbox.ack(rig.store.outbox.depth().lastSeq); // the office is reachable and acknowledges
      tidy();
      maxWalMiB = Math.max(maxWalMiB, mib(fileBytes(dbFile + '-wal')));
      nextTidyMs += 300_000;
    }
    while (clock.wallMs() >= nextSampleMs) {
      samples.push({
        hour: Math.round((nextSampleMs - Date.parse('2026-11-25T00:00:00Z')) / 3_600_000), operations,
        authorizations: count('authorization'), auditRows: count('audit_log'), outboxRows: count('outbox'),
        dbMiB: mib(fileBytes(dbFile)), walMiB: mib(fileBytes(dbFile + '-wal')), rssMiB: rss(),
      });
      nextSampleMs += 3_600_000;
    }
  };
  const login = (): string => {
    const r = rig.staff.login('S-1', '1234');
    if (r.status !== 200) throw new Error(`staff login refused: ${JSON.stringify(r.body)}`);
    return r.body.token;
  };
  /** Documents behind a shut door, oldest first, with when their compartment may be unlocked again. */
  const waiting: { doc: number; compartment: number; readyAt: number }[] = [];
  /** Doors that were opened and are still to shut: compartment -> what follows. */
  const doors = new Map<number, { doc: number; after: 'loaded' | 'collected'; unlockedAt: number }>();

  /**
   * One touch screen: one answer at a time, as at the real locker, but the next person does not wait for the
   * last one's door to shut. Collects the oldest document whose compartment may be unlocked again, else loads
   * the next one.
   */
  async function screen(): Promise<void> {
    let spins = 0;
    while (collected < documents) {
      for (const [c, d] of doors) {
        const st = rig.compartments.state(c);
        if (d.after === 'loaded' && st === 'occupied') waiting.push({ doc: d.doc, compartment: c, readyAt: d.unlockedAt + unlockGapMs });
        else if (d.after === 'collected' && st === 'free') collected += 1;
        else continue;
        doors.delete(c);
        tick();
      }
      const head = waiting[0];
      if (head !== undefined && performance.now() >= head.readyAt) {
        waiting.shift();
        const p = await rig.pickup.pickup({ phone: phoneOf(head.doc), code: codeOf(head.doc) });
        if (p.status !== 200) throw new Error(`pickup of A-${head.doc} answered ${p.status} ${JSON.stringify(p.body)}`);
        doors.set(head.compartment, { doc: head.doc, after: 'collected', unlockedAt: performance.now() });
        spins = 0;
        continue;
      }
      if (nextDoc < documents) {
        feedThrough(nextDoc);
        // A clerk's session per document: the rig's staff sessions time out after half a second of simulated idling.
        const token = login();
        const r = await rig.staff.load(token, `A-${nextDoc}`);
        rig.staff.logout(token);
        if (r.status === 200) {
          doors.set(r.body.compartment, { doc: nextDoc, after: 'loaded', unlockedAt: performance.now() });
          nextDoc += 1;
          spins = 0;
          continue;
        }
        if (r.status !== 409) throw new Error(`load of A-${nextDoc} answered ${r.status} ${JSON.stringify(r.body)}`);
      }
      if (++spins > 20_000) throw new Error(`no progress: ${doors.size} doors open, ${waiting.length} waiting, states ${JSON.stringify(rig.compartments.states().filter((x) => x.state !== 'free' && x.state !== 'occupied'))}`);
      await new Promise((res) => setTimeout(res, 1)); // a door to shut or a compartment to become usable
    }
  }

  try {
    db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna', ?, '[\"loader\"]', 1, 1)").run(pinMac(testKey, 'S-1', '1234'));
    await screen();
    const realSeconds = (performance.now() - t0) / 1000;
    const endRssMiB = rss();
    const verdict = verifyAuditWithArchive(db, join(dir, 'data', 'audit-archive'));
    const head = db.prepare('SELECT last_seq FROM audit_head').get() as { last_seq: number };
    return {
      operations, collected, realSeconds, samples, idleRssMiB, warmRssMiB, endRssMiB, maxWalMiB,
      archiveFiles: verdict.ok ? verdict.archiveFiles : 0, archivedRows: verdict.ok ? verdict.archivedRows : 0,
      auditIntact: verdict.ok && verdict.archivedRows + verdict.rows === head.last_seq, auditTotal: head.last_seq,
    };
  } finally {
    await rig.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What must hold after a soak, in either mode (resident memory is judged in the long mode only, see the runner). */
export function soakVerdict(r: SoakReport): { ok: boolean; rssGrowthMiB: number; dbGrowthLastHalf: number; problems: string[] } {
  const half = r.samples.find((x) => x.hour === 12);
  const last = r.samples.at(-1);
  const problems: string[] = [];
  if (r.collected * 2 !== r.operations) problems.push(`${r.operations / 2 - r.collected} documents not collected`);
  if (!r.auditIntact) problems.push('audit chain broken or rows missing');
  if (r.archiveFiles < 1) problems.push('no audit archived');
  const dbGrowthLastHalf = half !== undefined && last !== undefined ? last.dbMiB / half.dbMiB - 1 : NaN;
  // Levelled off: the last 12 hours added under a tenth to the file, and the table holds about the retention window.
  if (!(dbGrowthLastHalf < 0.1)) problems.push(`database grew ${(100 * dbGrowthLastHalf).toFixed(0)}% in the last 12 hours`);
  if (last !== undefined && half !== undefined && last.authorizations > 1.5 * half.authorizations) problems.push('authorization rows still growing');
  return { ok: problems.length === 0, rssGrowthMiB: r.endRssMiB - r.warmRssMiB, dbGrowthLastHalf, problems };
}
