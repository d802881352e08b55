/**
 * The workload of the power-cut campaign, run as a child process (node --import tsx): the daemon's composition
 * root on a config whose bus is a TCP connection to `urzedomat sim-bus` and whose office is the office process
 * (both outlive this process). Documents and the staff member arrive by the feed; the worker loads and collects
 * them and asks for a sync now and then, until it is killed. It says where it is on stdout (synchronous for a
 * pipe): `PHASE start|sync|load|pickup|idle`, `READY`, and after each step the database has committed,
 * `ACK loaded <id>` or `ACK collected <id>`: the parent checks that every acknowledged step survives.
 */
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { loadConfigFile } from '../../src/config/load.js';
import { startDaemon } from '../../src/main.js';
import { codeOf, phoneOf, staffPin } from './documents.js';

const say = (s: string): void => void process.stdout.write(s + '\n');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

say('PHASE start');
const config = loadConfigFile(process.argv[2]!);
const daemon = await startDaemon(config, { logger: pino({ level: 'silent' }), clock: systemClock, env: {} });
const { db, audit } = daemon.store;

// What a technician does after a crash left compartments in fault: takes out what is inside and re-enables them.
for (const c of config.compartments) {
  if (daemon.core.compartments.state(c.id) !== 'fault') continue;
  db.transaction(() => {
    db.prepare("UPDATE authorization SET status = 'retrieved', compartment_id = NULL, closed_at = ? WHERE compartment_id = ? AND status = 'loaded'").run(new Date().toISOString(), c.id);
    audit.append({ actor: 'technician:kill-test', action: 'compartment.enable', subject: `compartment:${c.id}` });
  })();
  daemon.core.compartments.send(c.id, { type: 'ENABLE' });
}

const settle = async (id: number, state: string): Promise<boolean> => {
  for (let i = 0; i < 300; i++) {
    if (daemon.core.compartments.state(id) === state) return true;
    await sleep(5);
  }
  return false;
};

/** A pull now rather than at the interval, and the push loop's next round: waits for the answer (at most 1 s). */
async function sync(): Promise<void> {
  say('PHASE sync');
  const before = daemon.sync.service.status.lastPullOkWall;
  daemon.sync.service.syncNow();
  for (let i = 0; i < 200 && daemon.sync.service.status.lastPullOkWall === before; i++) await sleep(5);
}

say('READY');
let token: string | undefined;
for (let round = 0; ; round++) {
  if (round % 3 === 0) await sync();
  if (token === undefined) {
    const login = daemon.core.staff.login('S-1', staffPin);
    if (login.status === 200) token = login.body.token;
  }
  const pending = db.prepare("SELECT id FROM authorization WHERE status = 'pending' ORDER BY random() LIMIT 1").get() as { id: string } | undefined;
  if (pending !== undefined && token !== undefined) {
    say(`PHASE load ${pending.id}`);
    const r = await daemon.core.staff.load(token, pending.id);
    if (r.status === 401) token = undefined;
    if (r.status === 200 && (await settle(r.body.compartment, 'occupied'))) say(`ACK loaded ${pending.id}`);
  }
  const loaded = db.prepare("SELECT id FROM authorization WHERE status = 'loaded' ORDER BY random() LIMIT 1").get() as { id: string } | undefined;
  if (loaded !== undefined) {
    const i = Number(loaded.id.slice(2));
    say(`PHASE pickup ${loaded.id}`);
    const r = await daemon.core.pickup({ phone: phoneOf(i), code: codeOf(i) });
    if (r.status === 200 && (await settle(r.body.compartment, 'free'))) say(`ACK collected ${loaded.id}`);
  }
  if (pending === undefined && loaded === undefined) {
    say('PHASE idle');
    await sleep(10);
  }
}
