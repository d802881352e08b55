import { verifyAuditWithArchive } from '../store/audit-archive.js';
import { auditArchiveDir } from '../service/housekeeping.js';
import { scanBus } from './bus-scan.js';
import { technicianActor, type AdminErrorCode, type Technician } from './protocol.js';
import { selftest } from './selftest.js';
import { lockerStatus, type AdminContext } from './status.js';

export class AdminError extends Error {
  constructor(readonly code: AdminErrorCode, message: string) {
    super(message);
  }
}

function compartmentId(c: AdminContext, args: Record<string, unknown>): number {
  const id = Number(args.id);
  if (!Number.isInteger(id) || !c.config.compartments.some((k) => k.id === id)) throw new AdminError('not-found', `no compartment ${String(args.id)}`);
  return id;
}

function reasonOf(args: Record<string, unknown>): string {
  const r = typeof args.reason === 'string' ? args.reason.trim() : '';
  if (r.length < 3 || r.length > 200) throw new AdminError('bad-request', 'give a reason of 3 to 200 characters (--reason "...")');
  return r;
}

/**
 * What a technician may ask of the running daemon. Each command that changes anything writes an audit row
 * with the technician's identity; `open` also goes to the office as `technician.open`.
 */
export class AdminCommands {
  constructor(private readonly c: AdminContext) {}

  async run(cmd: string, args: Record<string, unknown>, who: Technician | undefined): Promise<unknown> {
    const actor = technicianActor(who);
    switch (cmd) {
      case 'status':
        return lockerStatus(this.c);
      case 'bus-log':
        return this.busLog(args);
      case 'bus-scan':
        return this.busScan();
      case 'open':
        return this.open(args, actor);
      case 'disable':
      case 'enable':
        return this.setEnabled(cmd, compartmentId(this.c, args), actor, who);
      case 'lockout-reset':
        this.c.core.credentials.resetDeviceLockout(actor);
        return { reset: true, lockout: this.c.core.credentials.deviceLockout() };
      case 'sync-now':
        return this.syncNow();
      case 'audit-verify':
        return verifyAuditWithArchive(this.c.store.db, auditArchiveDir(this.c.config));
      case 'selftest':
        return selftest(this.c);
      case 'ssh-refused':
        this.c.store.audit.append({ actor, action: 'technician.refused', detail: { command: String(args.command ?? '').slice(0, 200), why: String(args.why ?? '').slice(0, 200), key: who?.key ?? null } });
        return { recorded: true };
      default:
        throw new AdminError('unknown-command', `unknown command "${cmd}"`);
    }
  }

  private busLog(args: Record<string, unknown>): unknown {
    const limit = Math.min(256, Math.max(1, Number(args.limit ?? 50) || 50));
    return { frames: this.c.hardware.bus.log.recent().slice(-limit) };
  }

  /** Which addresses answer a status request, in which family's command set, configured or not (bus-scan.ts). */
  private async busScan(): Promise<unknown> {
    return scanBus(this.c.config, this.c.hardware.bus);
  }

  private async open(args: Record<string, unknown>, actor: string): Promise<unknown> {
    const id = compartmentId(this.c, args);
    const reason = reasonOf(args);
    const state = this.c.core.compartments.state(id);
    if (state === 'open' || state === 'reserved') throw new AdminError('refused', `compartment ${id} is ${state} now`);
    const r = await this.c.core.compartments.open({
      compartmentId: id, purpose: 'technician', actor, reason, forced: args.force === true, documentStays: args.documentStays === true,
    });
    switch (r.result) {
      case 'opened':
        return { opened: id, latchReleased: true };
      case 'holds-document':
        throw new AdminError('refused', `compartment ${id} holds a document (${r.authorizationId}); add --force to open it anyway (audited and reported), and --document-stays if it stays there`);
      case 'busy':
      case 'authorization-busy':
        throw new AdminError('refused', `compartment ${id} cannot be opened in its present state`);
      case 'unavailable':
        throw new AdminError('failed', `compartment ${id} was not opened: its board is offline, the bus is down, or it was unlocked a moment ago`);
      case 'failed':
        throw new AdminError('failed', `compartment ${id}: the latch did not release (${r.kind}); the compartment is now in fault`);
    }
  }

  private setEnabled(cmd: 'disable' | 'enable', id: number, actor: string, who: Technician | undefined): unknown {
    const ok = this.c.core.compartments.send(id, { type: cmd === 'disable' ? 'DISABLE' : 'ENABLE' });
    if (!ok) throw new AdminError('refused', `compartment ${id} cannot be ${cmd}d while it is ${this.c.core.compartments.state(id) ?? 'unknown'}`);
    this.c.store.audit.append({ actor, action: `compartment.${cmd}`, subject: `compartment:${id}`, detail: { key: who?.key ?? null } });
    return { compartment: id, state: this.c.core.compartments.state(id) };
  }

  private async syncNow(): Promise<unknown> {
    const st = this.c.sync.service.status;
    const before = st.pullsDone;
    this.c.sync.service.syncNow();
    const deadline = this.c.clock.monoMs() + 15_000;
    while (st.pullsDone === before && this.c.clock.monoMs() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (st.pullsDone === before) throw new AdminError('failed', 'no pull finished within 15 s');
    if (st.pullRefusals > 0) throw new AdminError('failed', `the office answered, but its batch was refused (${st.lastPullRefusal ?? 'unknown'}): nothing applied`);
    const pulled = st.pullFailures === 0;
    const cursor = (this.c.store.db.prepare('SELECT feed_cursor AS c FROM sync_state WHERE id = 1').get() as { c: number }).c;
    return { pulled, cursor, outboxPending: this.c.store.outbox.depth().pending };
  }

}
