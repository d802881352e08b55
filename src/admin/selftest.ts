import { verifyAuditWithArchive } from '../store/audit-archive.js';
import { auditArchiveDir } from '../service/housekeeping.js';
import { diskFree, type AdminContext } from './status.js';
import { answersAsNote, OtherCommandSetError } from '../../hardware/boards.js';

export interface Check {
  readonly item: string;
  readonly verdict: 'ok' | 'warn' | 'fail';
  readonly detail: string;
}

const minFreeBytes = 200 * 1024 * 1024;
const boardReadTimeoutMs = 3_000;

/**
 * `diag selftest`: reads every board now, checks the wired inputs, the database, the free disk, the clock
 * and the office link, and gives a verdict per item. Changes nothing.
 */
export async function selftest(c: AdminContext): Promise<{ verdict: 'ok' | 'warn' | 'fail'; checks: Check[] }> {
  const checks: Check[] = [];
  for (const b of c.config.boards) {
    const read = await Promise.race([
      c.hardware.poller.nextStatus(b.address).then((s) => `answered, ${s.latched.filter((l) => !l).length} of ${s.latched.length} latches released`),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), boardReadTimeoutMs)),
    ]).catch((e: unknown) => (e instanceof OtherCommandSetError ? `${answersAsNote(e.heard)}: check its firmware or set its protocol` : `error: ${(e as Error).message}`));
    const ok = read?.startsWith('answered') === true;
    checks.push({ item: `board ${b.address} (${b.protocol})`, verdict: ok ? 'ok' : 'fail', detail: read ?? `no answer within ${boardReadTimeoutMs} ms` });
  }
  const gpio = c.gpio;
  if (gpio === undefined) checks.push({ item: 'gpio', verdict: 'ok', detail: 'no pins configured' });
  else {
    for (const name of gpio.wired().inputs) {
      const active = gpio.isActive(name);
      const alarm = name === 'tamper' || name === 'powerFail';
      checks.push({ item: `input ${name}`, verdict: active === true && alarm ? 'warn' : 'ok', detail: active === undefined ? 'not read yet' : active ? 'active' : 'inactive' });
    }
  }
  const integrity = (c.store.db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  checks.push({ item: 'database', verdict: integrity.length === 1 && integrity[0] === 'ok' ? 'ok' : 'fail', detail: integrity.slice(0, 3).join('; ') });
  const audit = verifyAuditWithArchive(c.store.db, auditArchiveDir(c.config));
  checks.push({ item: 'audit chain', verdict: audit.ok ? 'ok' : 'fail', detail: audit.ok ? `${audit.rows + audit.archivedRows} rows intact (${audit.archivedRows} archived)` : `${audit.problem} at row ${audit.seq}` });
  const disk = diskFree(c.config.dataDir);
  checks.push({ item: 'free disk', verdict: disk.freeBytes >= minFreeBytes ? 'ok' : 'warn', detail: `${Math.round(disk.freeBytes / 1048576)} MiB free of ${Math.round(disk.totalBytes / 1048576)} MiB` });
  checks.push({
    item: 'clock', verdict: c.sync.time.trusted() ? 'ok' : 'warn',
    detail: c.sync.time.trusted() ? `trusted: ${new Date(c.clock.wallMs()).toISOString()}` : 'not confirmed by the office or NTP yet: expiry is judged conservatively',
  });
  const st = c.sync.service.status;
  const fresh = c.sync.service.freshness();
  // Reported, never failed: the locker works offline by design (contracts.md §5.3).
  checks.push({
    item: 'office feed', verdict: fresh.feedStale ? 'warn' : 'ok',
    detail: fresh.feedStale ? `${fresh.problems[0]}${st.lastPullRefusal !== undefined ? `; last batch refused: ${st.lastPullRefusal}` : ''}`
      : `last verified batch ${fresh.feedAgeS ?? '?'} s ago`,
  });
  checks.push({
    item: 'office acknowledgement', verdict: fresh.ackStale ? 'warn' : 'ok',
    detail: fresh.ackStale ? `${fresh.problems.at(-1)}${st.lastAckRefusal !== undefined ? `; last acknowledgement refused: ${st.lastAckRefusal}` : ''}`
      : fresh.ackAgeS === null ? 'no event has needed one yet' : `last verified acknowledgement ${fresh.ackAgeS} s ago`,
  });
  const verdict = checks.some((x) => x.verdict === 'fail') ? 'fail' : checks.some((x) => x.verdict === 'warn') ? 'warn' : 'ok';
  return { verdict, checks };
}
