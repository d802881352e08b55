import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { codeMac, phoneMac, pinMac } from '../../src/wire/credentials.js';
import { startDaemon, type Daemon } from '../../src/main.js';
import { verifyAudit } from '../../src/store/audit.js';
import { runnableConfig, tempDir } from '../helpers/fixtures.js';
import { until } from '../helpers/hardware.js';
import { outboxEvents } from '../helpers/core-rig.js';

/**
 * The daemon as built by its composition root, on simulated boards: a staff load and a resident's pickup end to
 * end, and afterwards neither the database files nor the log contain the phone number, the code or the PIN.
 */
describe('daemon core, end to end', () => {
  let t: ReturnType<typeof tempDir>;
  let daemon: Daemon;
  const logLines: string[] = [];
  const phone = '600123456';
  const code = '73915528';
  const pin = '8642';

  beforeAll(async () => {
    t = tempDir();
    const raw = runnableConfig(t.dir);
    raw.bus = { transport: 'simulated', pollIntervalMs: 5, unlockMinIntervalMs: 100, unlockConfirmTimeoutMs: 300 };
    const config = parseConfig(raw, t.dir);
    const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
    daemon = await startDaemon(config, { logger, clock: systemClock });
    const key = Buffer.from(readFileSync(config.office.codeKeyFile, 'utf8').trim(), 'hex');
    // What the office feed will deliver (issue 5): MACs only.
    daemon.store.db.prepare("INSERT INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Anna Nowak', ?, '[\"loader\"]', 1, 1)").run(pinMac(key, 'S-1', pin));
    daemon.store.db.prepare(`INSERT INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
      VALUES ('A-1', 'USC.5361.7.2026', 'odpis-zupelny-aktu-malzenstwa', 'S', ?, ?, '2099-01-01T00:00:00Z', 1, 1, 0, 1)`).run(phoneMac(key, phone), codeMac(key, code));
  });
  afterAll(async () => {
    await daemon.stop('test over');
    t.cleanup();
  });

  it('staff load, the resident collects, events and audit in order, nothing secret written anywhere', async () => {
    expect(daemon.core.mode()).toBe('inService');
    const login = daemon.core.staff.login('S-1', pin);
    if (login.status !== 200) throw new Error('login refused');
    const loaded = await daemon.core.staff.load(login.body.token, 'A-1');
    expect(loaded).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    daemon.simBus!.board(0).closeDoor(1);
    await until(() => daemon.core.compartments.state(1) === 'occupied', 3_000, 'occupied');
    // A resident comes later than the per-lock minimum between two unlocks (100 ms here).
    await new Promise((r) => setTimeout(r, 150));

    expect(await daemon.core.pickup({ phone: `+48 ${phone}`, code })).toEqual({ status: 200, body: { result: 'opened', compartment: 1 } });
    daemon.simBus!.board(0).closeDoor(1);
    await until(() => daemon.core.compartments.state(1) === 'free', 3_000, 'free');

    // The periodic locker.status report may have been queued too, depending on timing: the documents' events are what this checks.
    expect(outboxEvents(daemon.store).map((e) => e.type).filter((t) => t !== 'locker.status')).toEqual(['document.loaded', 'document.collected']);
    expect(daemon.simBus!.board(0).unlocks).toEqual([1, 1]);
    expect(verifyAudit(daemon.store.db).ok).toBe(true);

    daemon.store.db.pragma('wal_checkpoint(TRUNCATE)');
    const dataDir = daemon.config.dataDir;
    const files = readdirSync(dataDir).filter((f) => f.startsWith('urzedomat.db'));
    const everything = [...files.map((f) => readFileSync(join(dataDir, f)).toString('latin1')), logLines.join('')].join('\n');
    for (const secret of [phone, code, pin]) expect(everything).not.toContain(secret);
  });
});
