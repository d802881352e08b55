import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { packageRoot } from '../../src/paths.js';
import { databasePath } from '../../src/store/store.js';
import { runCli, startCli, type CliResult } from './cli.js';
import { randomKioskPort, tempDir } from './fixtures.js';
import { fetchJson } from './http-json.js';

/**
 * The real locker daemon (`node bin/urzedomat.js run --config FILE`) as a child process, on simulated boards
 * whose doors shut by themselves, pulling a real office over loopback HTTP with the secrets the office issued
 * for it (contracts.md §2 file formats). Its kiosk listens on 127.0.0.1, its admin socket is in its own
 * temporary directory, and `diag status --json` is what the tests read its state through.
 */
export interface LockerProcess {
  readonly lockerId: string;
  readonly dir: string;
  readonly configFile: string;
  readonly socket: string;
  /** `http://127.0.0.1:PORT` of its kiosk. */
  readonly kioskUrl: string;
  /** Its log lines (one JSON object each), as they arrive. */
  readonly lines: Record<string, unknown>[];
  /** Everything it wrote on standard output so far. */
  stdout(): string;
  /** A POST to its kiosk API (contracts.md §3). */
  kiosk(path: string, body: unknown, token?: string): Promise<{ status: number; body: any }>;
  /** `urzedomat diag status --json --socket ...`, parsed. */
  status(): Promise<Record<string, any>>;
  /** The feed cursor it applied, from `diag status`. */
  cursor(): Promise<number>;
  /** The same, read from its database: cheap enough to poll (a `diag` run is a process start). */
  appliedCursor(): number;
  /** A read-only look at its database (for facts no outside face shows); closed by `stop`. */
  db(): Database.Database;
  /** SIGTERM, and the process's end. */
  stop(): Promise<CliResult>;
}

export interface LockerProcessOptions {
  readonly lockerId: string;
  readonly officeUrl: string;
  /** What `office locker add` gives a locker: its bearer token, K, and the office's feed key (SPKI PEM). */
  readonly secrets: { readonly token: string; readonly codeKey: Buffer; readonly publicKeyPem: string };
  /** The schema's minimum, 5, by default. */
  readonly pullIntervalS?: number;
  /** How long after an unlock a simulated door shuts by itself. */
  readonly doorsCloseAfterMs?: number;
  /** Changes to the config before it is written. */
  readonly mutate?: (raw: Record<string, any>) => void;
}

/** The daemon runs the compiled program: refuse to test a dist/ older than the sources it is built from. */
export function assertLockerBuildFresh(): void {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (p !== join(packageRoot, 'src', 'kiosk', 'page')) walk(p);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const built = join(packageRoot, 'dist', relative(packageRoot, p).replace(/\.ts$/, '.js'));
        if (!existsSync(built) || statSync(built).mtimeMs < statSync(p).mtimeMs) stale.push(relative(packageRoot, p));
      }
    }
  };
  for (const d of ['src', 'hardware', 'state-machines']) walk(join(packageRoot, d));
  if (stale.length > 0) throw new Error(`dist/ is older than ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ' ...' : ''}: run \`npm run build\` (npm test does)`);
}

export async function startLockerProcess(o: LockerProcessOptions): Promise<LockerProcess> {
  assertLockerBuildFresh();
  const t = tempDir('urz-locker-');
  const secretsDir = join(t.dir, 'secrets');
  mkdirSync(secretsDir, { mode: 0o700 });
  // The three files of contracts.md §7.1 / §2, as `office locker add --out DIR` writes them.
  const tokenFile = join(secretsDir, 'office.token');
  const publicKeyFile = join(secretsDir, 'office-ed25519.pub.pem');
  const codeKeyFile = join(secretsDir, 'code.key');
  writeFileSync(tokenFile, o.secrets.token + '\n', { mode: 0o600 });
  writeFileSync(publicKeyFile, o.secrets.publicKeyPem, { mode: 0o644 });
  writeFileSync(codeKeyFile, o.secrets.codeKey.toString('hex') + '\n', { mode: 0o600 });

  const port = randomKioskPort();
  const socket = join(t.dir, 'admin.sock');
  const raw: Record<string, any> = {
    lockerId: o.lockerId,
    dataDir: join(t.dir, 'data'),
    bus: {
      transport: 'simulated',
      doorsCloseAfterMs: o.doorsCloseAfterMs ?? 300,
      pollIntervalMs: 20,
      unlockMinIntervalMs: 200,
      unlockConfirmTimeoutMs: 800,
    },
    boards: [{ address: 0, protocol: 'kerong-cu48', locks: 48, latchedBit: 1 }],
    compartments: [
      ...[1, 2, 3, 4, 5, 6].map((id) => ({ id, board: 0, lock: id, size: 'S', low: id === 1 })),
      { id: 7, board: 0, lock: 7, size: 'M' },
      { id: 8, board: 0, lock: 8, size: 'L' },
    ],
    office: { url: o.officeUrl, tokenFile, publicKeyFile, codeKeyFile, pullIntervalS: o.pullIntervalS ?? 5 },
    kiosk: { host: '127.0.0.1', port },
    admin: { socket },
    log: { level: 'info' },
  };
  o.mutate?.(raw);
  const configFile = join(t.dir, 'urzedomat.json');
  writeFileSync(configFile, JSON.stringify(raw, null, 2));

  const started = await startCli(['run', '--config', configFile], {}, (l) => l.msg === 'ready', 30_000);
  let db: Database.Database | undefined;
  let stopped: Promise<CliResult> | undefined;
  const kioskUrl = `http://127.0.0.1:${port}`;

  const openDb = (): Database.Database => {
    db ??= new Database(databasePath(raw.dataDir as string), { readonly: true, fileMustExist: true });
    return db;
  };
  const status = async (): Promise<Record<string, any>> => {
    let r = await runCli(['diag', 'status', '--json', '--socket', socket]);
    // The tool loads dist/ afresh each run: a `npm run build` by someone else at that moment leaves a module
    // half written ("unexpected error" on import). Once more then; a fault of the tool itself shows again.
    if (r.code === 1 && /^urzedomat: (unexpected error|not built yet)/.test(r.stderr)) {
      await new Promise((res) => setTimeout(res, 3_000));
      r = await runCli(['diag', 'status', '--json', '--socket', socket]);
    }
    if (r.code !== 0) throw new Error(`diag status exit ${r.code}: ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  return {
    lockerId: o.lockerId,
    dir: t.dir,
    configFile,
    socket,
    kioskUrl,
    lines: started.lines,
    stdout: () => started.lines.map((l) => JSON.stringify(l)).join('\n'),
    kiosk: (path, body, token) =>
      fetchJson(kioskUrl + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify(body),
      }),
    status,
    cursor: async () => Number((await status()).sync.cursor),
    appliedCursor: () => (openDb().prepare('SELECT feed_cursor AS c FROM sync_state WHERE id = 1').get() as { c: number }).c,
    db: openDb,
    stop() {
      if (stopped === undefined) {
        db?.close();
        db = undefined;
        started.child.kill('SIGTERM');
        const killer = setTimeout(() => started.child.kill('SIGKILL'), 15_000);
        stopped = started.exited.finally(() => {
          clearTimeout(killer);
          t.cleanup();
        });
      }
      return stopped;
    },
  };
}

/** Polls an asynchronous condition until it holds (returning its value); rejects after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`${what} not reached within ${timeoutMs} ms${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
