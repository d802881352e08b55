import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/**
 * The real office service (contracts.md §7) for `npm start`, driven the way a city would drive it: its own
 * process started with `urzedomat office`, the locker provisioned with `office locker add`, an API token from
 * `office token add`, documents registered and a member of staff added through the integration API, and the
 * text messages read from the file gateway. The locker's program imports none of the office's code.
 */
export interface DemoDocument {
  readonly id: string;
  readonly phone: string;
  readonly caseRef: string;
  /** Filled in from the resident's text message, as a resident would read it. */
  code: string;
  qr: string;
  message: string;
}

export interface DemoOffice {
  readonly url: string;
  readonly apiToken: string;
  /** The demo clerk's login for the panel. */
  readonly clerk: { readonly login: string; readonly password: string };
  readonly staff: { readonly id: string; readonly pin: string };
  /** Live: new text messages (a new code, a document registered by hand) update it. */
  readonly documents: DemoDocument[];
  readonly logFile: string;
  readonly smsFile: string;
  close(): Promise<void>;
}

export interface DemoOfficeOptions {
  readonly dir: string;
  readonly port: number;
  readonly lockerId: string;
  readonly lockerName: string;
  /** Where `office locker add` writes the locker's three secret files. */
  readonly secretsDir: string;
  readonly documents: number;
  /** Each text message as it is "sent". */
  readonly onMessage: (m: { to: string; message: string }) => void;
}

const cli = join(packageRoot, 'bin', 'urzedomat.js');

function run(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [cli, ...args], { timeout: 120_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`urzedomat ${args.slice(0, 3).join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    );
    child.stdin?.end(input ?? '');
  });
}

const documentTypes = ['odpis-skrocony-aktu-urodzenia', 'odpis-zupelny-aktu-malzenstwa', 'zaswiadczenie-o-stanie-cywilnym', 'odpis-skrocony-aktu-zgonu'];

export async function startDemoOffice(o: DemoOfficeOptions): Promise<DemoOffice> {
  // A fresh office each start, like the locker: the demo keeps nothing between runs.
  rmSync(o.dir, { recursive: true, force: true });
  rmSync(o.secretsDir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const configFile = join(o.dir, 'office.json');
  const smsFile = join(o.dir, 'sms.jsonl');
  writeFileSync(
    configFile,
    JSON.stringify({ dataDir: 'data', http: { host: '127.0.0.1', port: o.port }, signingKeyFile: 'keys/feed-ed25519.key.pem', sms: { provider: 'file', path: 'sms.jsonl' }, pickup: { holdDays: 7 } }, null, 2),
  );
  await run(['office', 'locker', 'add', o.lockerId, '--name', o.lockerName, '--out', o.secretsDir, '--config', configFile]);
  const apiToken = (await run(['office', 'token', 'add', 'demo', '--config', configFile])).trim();
  // A clerk for the panel, as the office's administrator would add one (the password on standard input).
  const clerk = { login: 'urzednik', password: `demo-${randomBytes(6).toString('base64url')}` };
  await run(['office', 'clerk', 'add', clerk.login, '--name', 'Urzędnik Demo', '--admin', '--config', configFile], clerk.password + '\n');
  const logFile = join(o.dir, 'office.log');
  const logFd = openSync(logFile, 'a', 0o600);
  const child: ChildProcess = spawn(process.execPath, [cli, 'office', '--config', configFile], { stdio: ['ignore', logFd, logFd, 'ipc'] });
  // The channel carries no messages: its closing is how the office learns that the demo is gone, even killed (office/cli.ts).
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${o.port}`;
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitReady(() => api('GET', `/api/v1/lockers/${o.lockerId}`).then((r) => r.status === 200), child, logFile);
    const staff = { id: 'S-1', pin: String(randomInt(1000, 10_000)) };
    const s = await api('POST', '/api/v1/staff', { id: staff.id, name: 'Anna Nowak', pin: staff.pin, roles: ['loader'] });
    if (s.status !== 201) throw new Error(`the office refused the demo's member of staff: ${JSON.stringify(s.body)}`);
    const documents: DemoDocument[] = [];
    for (let i = 0; i < o.documents; i++) {
      const phone = `6${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
      const caseRef = `USC.5362.${i + 1}.2026`;
      const r = await api('POST', '/api/v1/documents', {
        lockerId: o.lockerId, caseRef, documentType: documentTypes[i % documentTypes.length], phone, size: i % 5 === 4 ? 'M' : 'S',
        accessible: i === 2, consent: true, feeSettled: true,
      });
      if (r.status !== 201) throw new Error(`the office refused a demo document: ${JSON.stringify(r.body)}`);
      documents.push({ id: String(r.body.id), phone, caseRef, code: '', qr: '', message: '' });
    }
    const watcher = watchMessages(smsFile, (m) => {
      const code = /\d{8,}/.exec(m.message)?.[0] ?? '';
      for (const d of documents.filter((x) => x.phone === m.to)) Object.assign(d, { code, qr: `URZ1;${o.lockerId};${d.phone};${code}`, message: m.message });
      o.onMessage(m);
    });
    return {
      url, apiToken, clerk, staff, documents, logFile, smsFile,
      async close() {
        clearInterval(watcher);
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function waitReady(ready: () => Promise<boolean>, child: ChildProcess, logFile: string): Promise<void> {
  const end = Date.now() + 90_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`the office service stopped at start (exit ${child.exitCode}); see ${logFile}`);
    if (await ready().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the office service did not answer within 90 s; see ${logFile}`);
}

/** Follows the file gateway's JSON lines (contracts.md §7.2). */
function watchMessages(file: string, on: (m: { to: string; message: string }) => void): NodeJS.Timeout {
  let offset = 0;
  const t = setInterval(() => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    if (end <= offset) return;
    for (const line of text.slice(offset, end).split('\n')) {
      if (line.trim() === '') continue;
      try {
        const m = JSON.parse(line) as { to: string; message: string };
        on(m);
      } catch {
        /* a torn line cannot happen with appendFile; a hand edit is ignored */
      }
    }
    offset = end;
  }, 250);
  t.unref();
  return t;
}
