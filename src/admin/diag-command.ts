import { userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { ErrorCodes, isUrzError } from '../errors.js';
import { adminRequest, adminStream } from './client.js';
import { formatBusLog, formatScan, formatSelftest, formatStatus, formatWatch, type Obj } from './format.js';
import type { AdminAnswer, Technician } from './protocol.js';

/** The technician tool's exit codes (contracts.md §4): 2 the daemon cannot be reached, 3 refused. */
export const DiagExit = { ok: 0, failed: 1, unreachable: 2, refused: 3 } as const;

export interface DiagDeps {
  /** Where the daemon's admin socket is, from `--socket` or the config. */
  socketPath(opts: DiagOptions): string;
  /** Who is asking: a local account, or what the SSH entry established. */
  who(): Technician;
  out(text: string): void;
  err(text: string): void;
  setExit(code: number): void;
  /** Whether `--config` and `--socket` may be given (not over SSH, where the entry fixes them). */
  readonly allowTargets: boolean;
}

export interface DiagOptions {
  config?: string;
  socket?: string;
  json?: boolean;
  reason?: string;
  force?: boolean;
  documentStays?: boolean;
  limit?: string;
}

export function localTechnician(): Technician {
  return { account: userInfo().username, via: 'local' };
}

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
}

/**
 * `urzedomat diag ...`: each subcommand is one request to the daemon's admin socket, printed for a person or,
 * with --json, as one JSON object for scripts.
 */
export function diagCommand(d: DiagDeps): Command {
  const diag = new Command('diag').description("Technician's tool: ask the running daemon over its admin socket. Exit 2 when it cannot be reached, 3 when it refuses.");
  const withCommon = (c: Command): Command => {
    if (d.allowTargets) {
      c.addOption(new Option('-c, --config <file>', 'configuration file (its admin.socket is used); URZEDOMAT_CONFIG may stand in for it'));
      c.option('--socket <path>', 'admin socket of the daemon (instead of the one in the config)');
    }
    return c.option('--json', 'one JSON object on one line, for scripts');
  };

  const ask = async (opts: DiagOptions, cmd: string, args: Record<string, unknown>, human: (r: Obj) => string, exitOf: (r: Obj) => number = () => DiagExit.ok): Promise<void> => {
    let answer: AdminAnswer;
    try {
      answer = await adminRequest(d.socketPath(opts), { cmd, args, who: d.who() }, 60_000) as AdminAnswer;
    } catch (e) {
      d.err(`urzedomat diag: ${oneLine(e)}`);
      return d.setExit(isUrzError(e, ErrorCodes.AdminUnreachable) ? DiagExit.unreachable : DiagExit.failed);
    }
    if (!answer.ok) {
      if (opts.json === true) d.out(JSON.stringify(answer));
      d.err(`urzedomat diag ${cmd}: ${answer.error.message}`);
      return d.setExit(answer.error.code === 'refused' ? DiagExit.refused : answer.error.code === 'stopping' ? DiagExit.unreachable : DiagExit.failed);
    }
    d.out(opts.json === true ? JSON.stringify(answer.result) : human(answer.result as Obj));
    d.setExit(exitOf(answer.result as Obj));
  };
  const compartment = (id: string): Record<string, unknown> => ({ id: Number(id) });

  withCommon(diag.command('status').description('Boards, compartments and latches, sync, clock, lockout, disk, database, version, uptime.'))
    .action((opts: DiagOptions) => ask(opts, 'status', {}, formatStatus));

  withCommon(diag.command('watch').description('Live events until Ctrl-C: latch changes, boards offline and back, discarded frames, alarms.'))
    .action(async (opts: DiagOptions) => {
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await adminStream(d.socketPath(opts), { cmd: 'watch', who: d.who() }, (e) => d.out(opts.json === true ? JSON.stringify(e) : formatWatch(e as Obj)), ac.signal,
          () => d.err(`watching ${d.socketPath(opts)} (Ctrl-C to stop)`));
        d.setExit(DiagExit.ok);
      } catch (e) {
        d.err(`urzedomat diag: ${oneLine(e)}`);
        d.setExit(isUrzError(e, ErrorCodes.AdminUnreachable) ? DiagExit.unreachable : DiagExit.failed);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  const bus = diag.command('bus').description('The RS-485 bus: which addresses answer, recent frames.');
  withCommon(bus.command('scan').description('Ask every address of each configured board type for its status, once each (a few seconds).'))
    .action((opts: DiagOptions) => ask(opts, 'bus-scan', {}, formatScan));
  withCommon(bus.command('log').description('Recent frames in hex, both directions.').option('--limit <n>', 'how many', '50'))
    .action((opts: DiagOptions) => ask(opts, 'bus-log', { limit: Number(opts.limit) }, formatBusLog));

  withCommon(diag.command('open').argument('<id>', 'compartment id').description('Open a free or faulted compartment: audited with your identity and reported to the office.')
    .requiredOption('--reason <text>', 'why (3 to 200 characters; goes to the audit and the office)')
    .option('--force', 'open it even though it holds a document (reported as forced; staff are asked to check the document)')
    .option('--document-stays', 'with --force: the document stays in the compartment and remains collectable'))
    .action((id: string, opts: DiagOptions) => ask(opts, 'open', { ...compartment(id), reason: opts.reason, force: opts.force === true, documentStays: opts.documentStays === true }, (r) => `compartment ${r.opened} is open (latch released)`));

  withCommon(diag.command('disable').argument('<id>', 'compartment id').description('Take a compartment out of use (audited).'))
    .action((id: string, opts: DiagOptions) => ask(opts, 'disable', compartment(id), (r) => `compartment ${r.compartment}: ${r.state}`));
  withCommon(diag.command('enable').argument('<id>', 'compartment id').description('Put a disabled or faulted compartment back in use (audited).'))
    .action((id: string, opts: DiagOptions) => ask(opts, 'enable', compartment(id), (r) => `compartment ${r.compartment}: ${r.state}`));

  const lockout = diag.command('lockout').description('The device-wide guessing lockout.');
  withCommon(lockout.command('reset').description('Lift the device-wide lockout (contracts.md §6; audited).'))
    .action((opts: DiagOptions) => ask(opts, 'lockout-reset', {}, () => 'device lockout lifted'));

  const sync = diag.command('sync').description('The office sync.');
  withCommon(sync.command('now').description('Pull from the office now and wait for the answer.'))
    .action((opts: DiagOptions) => ask(opts, 'sync-now', {}, (r) => `${r.pulled ? 'pulled' : 'pull FAILED (see diag status for the failures)'}; cursor ${r.cursor}, outbox ${r.outboxPending} pending`,
      (r) => (r.pulled ? DiagExit.ok : DiagExit.failed)));

  const audit = diag.command('audit').description('The audit log.');
  withCommon(audit.command('verify').description('Check the audit hash chain, archive files included; exit 1 when it is broken.'))
    .action((opts: DiagOptions) => ask(opts, 'audit-verify', {}, (r) => (r.ok
      ? `audit chain intact: ${r.rows} rows in the database and ${r.archivedRows ?? 0} in ${r.archiveFiles ?? 0} archive files, last ${r.lastSeq}`
      : `AUDIT CHAIN BROKEN: ${r.problem} at row ${r.seq}${r.file === undefined ? '' : ` (archive ${r.file})`}`),
      (r) => (r.ok ? DiagExit.ok : DiagExit.failed)));

  withCommon(diag.command('selftest').description('Read every board, check GPIO inputs, database, disk, clock and sync; a verdict per item.'))
    .action((opts: DiagOptions) => ask(opts, 'selftest', {}, formatSelftest, (r) => (r.verdict === 'fail' ? DiagExit.failed : DiagExit.ok)));

  return diag;
}
