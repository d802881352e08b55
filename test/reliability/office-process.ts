/**
 * The office of the power-cut campaign, in its own process so that it outlives every kill of the locker: the
 * signed feed in small pages (so that syncs are many and long) with documents arriving over time, and the event
 * endpoint. The test asks what it has received by writing `inspect <fromSeq>` on stdin; it answers one JSON line.
 * Arguments: config file, office private key (PEM), number of documents.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfigFile } from '../../src/config/load.js';
import { loadSecrets } from '../../src/config/secrets.js';
import { OfficeSimulator } from '../helpers/office-simulator.js';
import { codeOf, phoneOf, staffPin } from './documents.js';

const [configFile, keyFile, count] = process.argv.slice(2) as [string, string, string];
const config = loadConfigFile(configFile);
const secrets = loadSecrets(config.office);
const office = new OfficeSimulator({
  lockerId: config.lockerId, privateKey: createPrivateKey(readFileSync(keyFile)), codeKey: secrets.codeKey, token: secrets.token, pageSize: 15,
});
office.seedCatalogue();
office.addStaff('S-1', 'Test', staffPin);
const documents = Number(count);
let issued = 0;
const issue = (n: number): void => {
  for (; n > 0 && issued < documents; n--, issued++) office.issue({ id: `A-${issued}`, phone: phoneOf(issued), code: codeOf(issued) });
};
issue(30);
// New documents all the time: every life of the locker has a feed to pull.
const arrivals = setInterval(() => (issued < documents ? issue(3) : clearInterval(arrivals)), 150);
// On a port the system picks (the test then points the locker's office.url at it): no collision with other tests.
const url = new URL(config.office.url);
const { port } = await office.listen(0, url.hostname, url.pathname.replace(/\/+$/, ''));
process.stdout.write(`OFFICE READY ${port}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const m = /^inspect (\d+)$/.exec(line);
  if (m === null) return;
  const from = Number(m[1]);
  const received = [...office.received].filter(([seq]) => seq > from);
  process.stdout.write(JSON.stringify({ received, ackedThrough: office.ackedThrough, differingResends: office.differingResends, lastSeq: office.lastSeq }) + '\n');
});
