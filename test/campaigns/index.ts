/**
 * `npm run campaigns`: the reliability campaigns in their short mode (as CI runs them through
 * test/campaigns/campaigns.test.ts); `npm run campaigns -- --long` at full size, printing the figures that go
 * into docs/RELIABILITY.md. `--only 2` runs one campaign, `--family xor-8a` the bus-fault one for one family.
 */
import { credentialTiming } from '../bench/credentials.bench.js';
import { auditTampering } from './audit-tampering.js';
import { busFaultFamilies, busFaults } from './bus-faults.js';
import type { BoardProtocol } from '../../hardware/protocols/index.js';
import { clockScenario, scenarios } from './clock.js';
import { feedAttack } from './feed-attack.js';
import { soak, soakVerdict } from './soak.js';
import { contractLimits, keypadAttack } from './keypad-attack.js';

const long = process.argv.includes('--long');
/** `--only 7` (or `--only 2,7`) runs just those campaigns. */
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') && onlyArg !== undefined ? new Set(onlyArg.split(',').map(Number)) : undefined;
const want = (n: number): boolean => only === undefined || only.has(n);
/** `--family xor-8a` (or `--family kerong-cu48,xor-8a`): the bus-fault campaign for just those board families. */
const familyArg = process.argv[process.argv.indexOf('--family') + 1];
const families = process.argv.includes('--family') && familyArg !== undefined ? familyArg.split(',').map((f): BoardProtocol => {
  const family = busFaultFamilies.find((x) => x === f);
  if (family === undefined) throw new Error(`--family: ${f} is none of ${busFaultFamilies.join(', ')}`);
  return family;
}) : undefined;
const out = (s: string): void => void process.stdout.write(s + '\n');
out(`# Reliability campaigns (${long ? 'long' : 'short'} mode, ${new Date().toISOString()})`);

// Timing first, on a quiet machine: the other campaigns leave the disk busy writing back for a while.
if (want(3)) {
  out('\n## 3. Keypad attack: right and wrong answers take the same time');
  const timing = credentialTiming(long ? 10_000 : 1_000);
  if (timing.medianDiffMs >= 1 || timing.p99DiffMs >= 1) process.exitCode = 1;
}

if (want(2)) {
  out('\n## 2. Bus faults (10% of replies dropped, 5% corrupted, 5% delayed past the timeout, the board cut off now and then), once per board family');
  out('| family | baud | documents | collected | pickup attempts that ended in a reported fault | left in a faulted compartment | loads refused (unavailable) | stuck half-way | unlocks nobody asked for | unlocks beyond one retry | doors released that were not commanded | forbidden frames at the boards | unlocks on the wire / intents | cable cuts (board declared offline) | real time |');
  out('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const refused: string[] = [];
  for (const family of families ?? busFaultFamilies) {
    const b = await busFaults({ family, pickups: long ? 1_000 : 30 });
    out(`| ${b.family} | ${b.baud} | ${b.pickups} | ${b.collected} | ${b.reportedFaults} | ${b.stranded} | ${b.notLoaded} | ${b.stuck} | ${b.unaskedUnlocks} | ${b.overRetried} | ${b.wrongDoors} | ${b.forbiddenFrames} | ${b.wireUnlocks} / ${b.intents} | ${b.offlineSpells} (${b.offlineEvents}) | ${b.seconds.toFixed(0)} s |`);
    for (const [answer, n] of Object.entries(b.loadAnswers)) refused.push(`${b.family}: ${n} x ${answer}`);
    if (b.stuck > 0 || b.unaskedUnlocks > 0 || b.overRetried > 0 || b.wrongDoors > 0 || b.forbiddenFrames > 0 || b.busForbiddenFrames > 0) process.exitCode = 1;
  }
  if (refused.length > 0) out(`\nLoads refused: ${refused.join('; ')}.`);
}

if (want(3)) {
  out('\n## 3. Keypad attack');
  out('| attacker | guesses | simulated time | opened | failures checked | answered locked-out | most checked in 24 h (limit 100) | longest run under 30 s apart (limit 5) | brute-force alarm after the 5th |');
  out('|---|---|---|---|---|---|---|---|---|');
  for (const [who, o] of [
    ['bot, one guess a second', { guesses: long ? 10_000 : 2_000, codes: 200, paceMs: 1_000, patient: false }],
    ['patient, waits as told', { guesses: long ? 10_000 : 400, codes: 200, paceMs: 1_000, patient: true }],
    ['bot typing a code it knows after every 4 guesses', { guesses: long ? 10_000 : 2_000, codes: 200, paceMs: 1_000, patient: false, knownCodeEvery: 4 }],
  ] as const) {
    const r = keypadAttack(o);
    out(`| ${who} | ${r.guesses} | ${r.simulatedHours.toFixed(1)} h | ${r.opens} | ${r.checked} | ${r.lockedOutAnswers} | ${r.maxCheckedPer24h} | ${r.longestQuickRun} | ${r.alarmAfterS ?? 'none'} s |`);
    if (r.opens > 0 || r.maxCheckedPer24h > contractLimits.deviceFailuresPerDay || r.longestQuickRun > contractLimits.deviceFailuresInRow) process.exitCode = 1;
  }
}

if (want(4)) {
  out('\n## 4. Feed attack');
  const f = feedAttack({ forgeries: long ? 1_000 : 220, genuineBatches: long ? 20 : 10 });
  out(`${f.forged} forged or mangled batches, then ${f.replayed} replays of genuine batches after a restart: ${f.applied} applied; authorization table ${f.tableUnchanged ? 'byte-identical' : 'CHANGED'}; cursor ${f.cursor}.`);
  out(`Kinds: ${Object.entries(f.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}.`);
  if (f.applied > 0 || !f.tableUnchanged) process.exitCode = 1;
}

if (want(5)) {
  out('\n## 5. Audit tampering');
  const a = auditTampering({ trials: long ? 1_000 : 200, rows: long ? 1_000 : 120 });
  out(`${a.trials} tamperings of a ${a.rows}-row log: ${a.detected} detected.`);
  out('| kind | tried | detected |');
  out('|---|---|---|');
  for (const [k, v] of Object.entries(a.byKind)) out(`| ${k} | ${v.tried} | ${v.detected} |`);
  if (a.detected !== a.trials) process.exitCode = 1;
}

if (want(6)) {
  out('\n## 6. Clock');
  out('| wall clock | document expired yesterday (office time) | document valid 2 more days | lockout left before / after the jump | lifted after 15 min | outbox in sequence | audit chain |');
  out('|---|---|---|---|---|---|---|');
  for (const [name, wallMs] of scenarios) {
    const r = clockScenario(name, wallMs);
    out(`| ${name} | ${r.expiredDocument} | ${r.validDocument} | ${r.lockoutBefore} s / ${r.lockoutAfterJump} s | ${r.liftedAfter15Min ? 'yes' : 'NO'} | ${r.seqsInOrder ? 'yes' : 'NO'} | ${r.auditIntact ? 'intact' : 'BROKEN'} |`);
    if (r.expiredDocument !== '403 expired' || r.lockoutAfterJump !== r.lockoutBefore || !r.seqsInOrder || !r.auditIntact) process.exitCode = 1;
  }
}

if (want(7)) {
  out('\n## 7. Soak (24 simulated hours; closed records kept 2 h, audit archived after 4 h)');
  const s = await soak(long ? { operations: 100_000 } : { operations: 2_000, auditRowsPerFile: 500 });
  out(`${s.operations} loads and pickups (${s.collected} documents collected) in ${s.realSeconds.toFixed(0)} s of real time.`);
  out('| simulated hour | operations | authorizations | audit rows in the database | outbox rows | database file | WAL file | resident memory |');
  out('|---|---|---|---|---|---|---|---|');
  for (const x of s.samples.filter((x) => x.hour % 3 === 0 || x.hour === 1)) {
    out(`| ${x.hour} | ${x.operations} | ${x.authorizations} | ${x.auditRows} | ${x.outboxRows} | ${x.dbMiB.toFixed(2)} MiB | ${x.walMiB.toFixed(2)} MiB | ${x.rssMiB.toFixed(1)} MiB |`);
  }
  const v = soakVerdict(s);
  out(`Resident memory after warm-up (a tenth of the operations) ${s.warmRssMiB.toFixed(1)} MiB, at the end ${s.endRssMiB.toFixed(1)} MiB: growth ${v.rssGrowthMiB.toFixed(1)} MiB (limit 10).`);
  out(`Database file over the last 12 hours: ${v.dbGrowthLastHalf >= 0 ? '+' : ''}${(100 * v.dbGrowthLastHalf).toFixed(1)}%; largest WAL ${s.maxWalMiB.toFixed(2)} MiB.`);
  out(`Audit: ${s.auditTotal} rows written, ${s.archivedRows} in ${s.archiveFiles} archive files, chain ${s.auditIntact ? 'intact from the first archived row to the head' : 'BROKEN'}.`);
  if (!v.ok || (long && v.rssGrowthMiB >= 10)) process.exitCode = 1;
}
