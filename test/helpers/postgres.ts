import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real PostgreSQL server of a test's own: a new cluster in a temporary directory, run by the `postgres`
 * account (initdb refuses root) on a free loopback port, removed at `stop()`. Never a server that happens to run
 * on the machine. Needs Debian's `postgresql` package (`.ci/run` installs it) and root, as the other tests that
 * cross a process boundary do.
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // In a directory the postgres account may enter (the caller's may be root's own); pg_ctl always gets `-l`:
    // without a log file the server keeps the output pipe open and pg_ctl's caller never hears back.
    execFile(cmd, args, { timeout: timeoutMs, cwd }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The newest installed server's binaries (/usr/lib/postgresql/<major>/bin). */
export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base).filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(base, majors[0], 'bin');
}

function account(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (line === undefined) return undefined;
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * `durable`: PostgreSQL's own defaults (fsync, synchronous commit), for benchmarks whose figures must hold for a
 * real server; tests leave it off.
 */
export async function startThrowawayPostgres(o: { durable?: boolean } = {}): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const pg = account('postgres');
  if (bin === undefined || pg === undefined) throw new Error('PostgreSQL is not installed: apt-get install postgresql (bash .ci/run does)');
  if (process.getuid?.() !== 0) throw new Error('a throwaway PostgreSQL cluster needs root (to run initdb as the postgres account)');
  const dir = mkdtempSync(join(tmpdir(), 'urz-pg-'));
  chownSync(dir, pg.uid, pg.gid);
  const dataDir = join(dir, 'data');
  const as = (tool: string, args: string[]): Promise<string> => run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args], dir);
  try {
    // No fsync: a test's cluster is thrown away, and durability is PostgreSQL's own, not what a test checks.
    await as('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const port = await freePort();
    await as('pg_ctl', ['-D', dataDir, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${o.durable === true ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'}`, 'start']);
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dataDir,
      async stop() {
        if (stopped) return;
        stopped = true;
        await as('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
