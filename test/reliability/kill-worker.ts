/**
 * The workload of the kill test, run as a child process (node --import tsx): the daemon's composition root on
 * a config whose bus is a TCP connection to `urzedomat sim-bus` (boards that outlive this process), loading and
 * collecting documents in a loop until it is killed. After each step the database has committed, it prints
 * `ACK loaded <id>` or `ACK collected <id>`: the parent checks that every acknowledged step survives.
 */
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { loadConfigFile } from '../../src/config/load.js';
import { codeMac, phoneMac, pinMac } from '../../src/domain/credentials.js';
import { startDaemon } from '../../src/main.js';

export const documents = 400;
export const phoneOf = (i: number): string => `6001${String(i).padStart(5, '0')}`;
export const codeOf = (i: number): string => String(50_000_000 + i * 7_919);

const config = loadConfigFile(process.argv[2]!);
const daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), clock: systemClock });
const { db, audit } = daemon.store;
const key = Buffer.from(readFileSync(config.office.codeKeyFile, 'utf8').trim(), 'hex');

db.transaction(() => {
  db.prepare("INSERT OR IGNORE INTO staff (id, name, pin_mac, roles, active, feed_seq) VALUES ('S-1', 'Test', ?, '[]', 1, 1)").run(pinMac(key, 'S-1', '2468'));
  const ins = db.prepare(`INSERT OR IGNORE INTO authorization (id, case_ref, document_type, size, phone_mac, code_mac, expires_at, fee_settled, consent, accessible, feed_seq)
    VALUES (?, 'USC.1', 'odpis-skrocony-aktu-urodzenia', 'S', ?, ?, '2099-01-01T00:00:00Z', 1, 1, 0, 1)`);
  for (let i = 0; i < documents; i++) ins.run(`A-${i}`, phoneMac(key, phoneOf(i)), codeMac(key, codeOf(i)));
})();

// What a technician does after a crash left compartments in fault: takes out what is inside and re-enables them.
for (const c of config.compartments) {
  if (daemon.core.compartments.state(c.id) !== 'fault') continue;
  db.transaction(() => {
    db.prepare("UPDATE authorization SET status = 'retrieved', compartment_id = NULL, closed_at = 'technician' WHERE compartment_id = ? AND status = 'loaded'").run(c.id);
    audit.append({ actor: 'technician:kill-test', action: 'compartment.enable', subject: `compartment:${c.id}` });
  })();
  daemon.core.compartments.send(c.id, { type: 'ENABLE' });
}

const settle = async (id: number, state: string): Promise<boolean> => {
  for (let i = 0; i < 300; i++) {
    if (daemon.core.compartments.state(id) === state) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
};

const login = daemon.core.staff.login('S-1', '2468');
if (login.status !== 200) throw new Error('staff login refused');
process.stdout.write('READY\n');
for (;;) {
  const pending = db.prepare("SELECT id FROM authorization WHERE status = 'pending' ORDER BY random() LIMIT 1").get() as { id: string } | undefined;
  if (pending !== undefined) {
    const r = await daemon.core.staff.load(login.body.token, pending.id);
    if (r.status === 200 && (await settle(r.body.compartment, 'occupied'))) process.stdout.write(`ACK loaded ${pending.id}\n`);
  }
  const loaded = db.prepare("SELECT id FROM authorization WHERE status = 'loaded' ORDER BY random() LIMIT 1").get() as { id: string } | undefined;
  if (loaded !== undefined) {
    const i = Number(loaded.id.slice(2));
    const r = await daemon.core.pickup({ phone: phoneOf(i), code: codeOf(i) });
    if (r.status === 200 && (await settle(r.body.compartment, 'free'))) process.stdout.write(`ACK collected ${loaded.id}\n`);
  }
  if (pending === undefined && loaded === undefined) await new Promise((r) => setTimeout(r, 10));
}
