/** Plain-text renderings of the admin answers, for a technician reading a terminal. */

// The daemon's JSON answers, read field by field for display; a wrong field shows as "undefined", never throws.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

const pad = (s: unknown, n: number): string => String(s).padEnd(n);

function ago(s: number | null): string {
  if (s === null) return 'never';
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

export function formatStatus(s: Obj): string {
  const lines = [
    `locker ${s.lockerId}  version ${s.version}  up ${s.uptimeS} s  mode ${s.mode}`,
    `bus ${s.bus.transport} ${s.bus.open ? 'open' : 'DOWN'}: tx ${s.bus.txFrames} rx ${s.bus.rxFrames} timeouts ${s.bus.timeouts} retries ${s.bus.retries} discarded bytes ${s.bus.discardedBytes}`,
    'boards:',
    ...(s.boards as Obj[]).map((b) => `  ${pad(b.address, 3)} ${pad(b.protocol, 12)} ${b.online ? 'online ' : b.answersAs ? `answers as ${b.answersAs}` : 'OFFLINE'}  polls ok ${b.pollsOk} failed ${b.pollsFailed}${b.lastError ? `  last error: ${b.lastError}` : ''}`),
    'compartments:',
    ...(s.compartments as Obj[]).map((c) => `  ${pad(c.id, 4)} board ${c.board} lock ${pad(c.lock, 3)} ${pad(c.size, 2)} ${pad(c.state, 9)} latch ${c.latched === null ? '?' : c.latched ? 'latched' : 'released'}${c.fault ? `  fault: ${c.fault}` : ''}`),
    `sync: cursor ${s.sync.cursor}, outbox ${s.sync.outboxPending} pending, last verified batch ${ago(s.sync.lastVerifiedPullAgoS)}, last verified acknowledgement ${ago(s.sync.lastVerifiedAckAgoS)} (failures: pull ${s.sync.pullFailures}, refused batches ${s.sync.pullRefusals}, push ${s.sync.pushFailures})`,
    ...((s.sync.problems ?? []) as string[]).map((p) => `  OFFICE: ${p}`),
    `clock: ${s.clock.trusted ? 'trusted' : 'NOT TRUSTED yet'} ${s.clock.wall}`,
    `lockout: ${s.lockout.locked ? `LOCKED (${s.lockout.scope}, ${s.lockout.retryAfterS} s left)` : 'none'}; failures in a row ${s.lockout.failuresInRow}, in 24 h ${s.lockout.failuresToday}`,
    `disk: ${Math.round(s.disk.freeBytes / 1048576)} MiB free of ${Math.round(s.disk.totalBytes / 1048576)} MiB; database ${Math.round(s.database.bytes / 1024)} KiB`,
  ];
  return lines.join('\n');
}

export function formatScan(r: Obj): string {
  const lines = (r.addresses as Obj[]).map((a) =>
    `address ${pad(a.address, 3)} speaks ${pad((a.speaks as string[]).join(', ') || '-', 16)} configured ${pad(a.configuredAs ?? '-', 16)}${a.problem ? `  <- ${a.problem}` : ''}`);
  return [`bus at ${r.baudRate} baud; ${(r.boards as Obj[]).length} probes`, ...(lines.length > 0 ? lines : ['no board answered and none is configured'])].join('\n');
}

export function formatBusLog(r: Obj): string {
  return (r.frames as Obj[]).map((f) => `${new Date(Number(f.at)).toISOString()} ${pad(f.dir, 7)} ${f.hex}${f.note ? `  (${f.note})` : ''}`).join('\n') || '(no frames yet)';
}

export function formatSelftest(r: Obj): string {
  return [...(r.checks as Obj[]).map((c) => `${pad(c.verdict.toUpperCase(), 5)} ${pad(c.item, 22)} ${c.detail}`), `verdict: ${String(r.verdict).toUpperCase()}`].join('\n');
}

export function formatWatch(e: Obj): string {
  const { event, at, ...rest } = e;
  return `${at} ${event} ${Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}`;
}
