/**
 * Office service benchmark (issue 15): one office node (the built program, its own process) on a local
 * PostgreSQL server with its durable defaults, driven over loopback HTTP by this process. Goals on this 2-core
 * machine: ≥ 1,000 feed pulls/s (empty and 10-change batches) with p99 ≤ 50 ms, ≥ 5,000 events/s taken in,
 * ≥ 500 documents registered/s. Each figure is printed beside its bare limit measured in the same run: an
 * Ed25519 signature (every pull and every acknowledgement signs one) and a bare single-row INSERT through a pool
 * of 8 (every registration and every push writes rows). The load generator shares the two cores with the office
 * and PostgreSQL, so the figures are a floor.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { parseOfficeConfig } from '../../office/config.js';
import { addApiToken } from '../../office/api-tokens.js';
import { addLocker } from '../../office/lockers.js';
import { createOfficeLogger } from '../../office/log.js';
import { openOffice } from '../../office/service.js';
import { packageRoot } from '../../src/paths.js';
import { eventMacHeader, eventsKey, eventsMac } from '../../src/wire/event-mac.js';
import { startThrowawayPostgres } from '../helpers/postgres.js';
import { f1, quantile } from './stats.js';

const lockerCount = 50;
const durationMs = Number(process.env.URZEDOMAT_BENCH_OFFICE_MS ?? 5_000);
const concurrency = 16;

const agent = new Agent({ keepAlive: true, maxSockets: concurrency * 2 });

function http(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `one(worker)` in `concurrency` loops for the duration; returns the count, the latencies and the rate. */
async function load(one: (worker: number, i: number) => Promise<number>): Promise<{ perS: number; p50: number; p99: number; n: number }> {
  const lat: number[] = [];
  let n = 0;
  const end = performance.now() + durationMs;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const s = performance.now();
        const done = await one(w, i); // not `n += await ...`: that reads n before the await and loses the other workers' counts
        n += done;
        lat.push(performance.now() - s);
      }
    }),
  );
  const s = (performance.now() - t0) / 1000;
  if (process.env.URZEDOMAT_BENCH_DEBUG) console.log(`    n=${n} elapsed=${f1(s)} s max=${f1(Math.max(...lat))} ms`);
  return { perS: n / s, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), n };
}

function bareSignPerS(): number {
  const { privateKey } = generateKeyPairSync('ed25519');
  const payload = Buffer.alloc(400, 7);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1000) {
    sign(null, payload, privateKey);
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

async function bareInsertPerS(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  await pool.query('CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)');
  let n = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (performance.now() - t0 < 2000) {
      await pool.query('INSERT INTO bench_bare (body) VALUES ($1)', ['x'.repeat(300)]);
      n++;
    }
  }));
  const perS = n / ((performance.now() - t0) / 1000);
  await pool.query('DROP TABLE bench_bare');
  await pool.end();
  return perS;
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en');

export async function officeBenchmark(): Promise<void> {
  const cluster = await startThrowawayPostgres({ durable: true });
  const dir = mkdtempSync(join(tmpdir(), 'urz-office-bench-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE office_bench');
    await admin.end();
    const dbUrl = cluster.url.replace(/\/postgres$/, '/office_bench');
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const raw = {
      dataDir: 'data', database: { url: dbUrl, poolSize: 16 }, http: { host: '127.0.0.1', port }, signingKeyFile: 'feed.pem',
      sms: { provider: 'file', path: 'sms.jsonl' },
    };
    writeFileSync(join(dir, 'office.json'), JSON.stringify(raw));
    const config = parseOfficeConfig(raw, dir);
    const ctx = await openOffice(config, createOfficeLogger({ level: 'warn' }));
    const lockers: { id: string; token: string; kev: Buffer }[] = [];
    for (let i = 0; i < lockerCount; i++) {
      const id = `bench-${i}`;
      const s = await addLocker(ctx.db, ctx.vault, id, `Bench ${i}`);
      lockers.push({ id, token: s.token, kev: eventsKey(s.codeKey) });
    }
    const apiToken = await addApiToken(ctx.db, 'bench');
    await ctx.db.close();

    const signPerS = bareSignPerS();
    const insertPerS = await bareInsertPerS(dbUrl);

    child = spawn(process.execPath, [join(packageRoot, 'bin', 'urzedomat.js'), 'office', '--config', join(dir, 'office.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      const ok = await http(`${base}/api/v1/lockers/bench-0`, 'GET', { authorization: `Bearer ${apiToken}` }).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (i > 300) throw new Error('the office did not start');
      await new Promise((r) => setTimeout(r, 100));
    }

    // Each locker's log: its catalogue (7 changes) now; 10-change batches are read from after = head - 10.
    const register = await load(async (w, i) => {
      const lockerId = lockers[(w * 7 + i) % lockerCount]!.id;
      const r = await http(`${base}/api/v1/documents`, 'POST', { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' }, JSON.stringify({
        lockerId, caseRef: `B.${w}.${i}`, documentType: 'odpis-skrocony-aktu-urodzenia', phone: '600100200', size: 'S', accessible: false, consent: true, feeSettled: true,
      }));
      if (r.status !== 201) throw new Error(`registration answered ${r.status}: ${r.text}`);
      return 1;
    });
    const heads = new Map<string, number>();
    const headsClient = new pg.Client({ connectionString: dbUrl });
    await headsClient.connect();
    for (const r of (await headsClient.query<{ locker_id: string; last: string }>('SELECT locker_id, last FROM locker_log_head')).rows) heads.set(r.locker_id, Number(r.last));
    await headsClient.end();

    const pull = (changes: number) => async (w: number, i: number): Promise<number> => {
      const l = lockers[(w * 13 + i) % lockerCount]!;
      const after = Math.max(0, heads.get(l.id)! - changes);
      const r = await http(`${base}/v1/lockers/${l.id}/feed?after=${after}`, 'GET', { authorization: `Bearer ${l.token}` });
      if (r.status !== 200) throw new Error(`pull answered ${r.status}`);
      return 1;
    };
    const pullEmpty = await load(pull(0));
    const pull10 = await load(pull(10));

    const batch = 50;
    const nextSeq = new Map<string, number>(lockers.map((l) => [l.id, 1]));
    const events = await load(async (w) => {
      // Each worker owns its lockers, so a locker's pushes stay in order as a real locker's do.
      const mine = lockers.filter((_, k) => k % concurrency === w);
      const l = mine[Math.floor(Math.random() * mine.length)]!;
      const from = nextSeq.get(l.id)!;
      const body = JSON.stringify({
        events: Array.from({ length: batch }, (_, k) => ({ seq: from + k, type: k % 10 === 0 ? 'alarm' : 'compartment.fault', at: new Date().toISOString(), data: k % 10 === 0 ? { kind: 'door-left-open', compartment: 3 } : { compartment: 3, kind: 'not-latched' } })),
      });
      const r = await http(`${base}/v1/lockers/${l.id}/events`, 'POST', { authorization: `Bearer ${l.token}`, 'content-type': 'application/json', [eventMacHeader]: eventsMac(l.kev, body) }, body);
      if (r.status !== 200) throw new Error(`push answered ${r.status}: ${r.text}`);
      nextSeq.set(l.id, from + batch);
      return batch;
    });

    const line = (what: string, r: { perS: number; p50: number; p99: number }, goal: string, limitName: string, limit: number, unit = 'request'): void =>
      console.log(`  ${what.padEnd(28)} ${fmt(r.perS).padStart(7)}/s  p50 ${f1(r.p50)} ms  p99 ${f1(r.p99)} ms per ${unit}   goal ${goal}   ${limitName} ${fmt(limit)}/s, ratio ${(r.perS / limit).toFixed(2)}`);
    console.log(`\noffice service (one node, PostgreSQL with fsync; ${lockerCount} lockers, ${concurrency} concurrent clients, ${durationMs / 1000} s each):`);
    line('feed pulls, empty batch', pullEmpty, '>= 1,000/s, p99 <= 50 ms', 'Ed25519 sign', signPerS);
    line('feed pulls, 10-change batch', pull10, '>= 1,000/s, p99 <= 50 ms', 'Ed25519 sign', signPerS);
    line('events taken in', events, '>= 5,000/s', 'bare INSERT', insertPerS, `push of ${batch}`);
    line('documents registered', register, '>= 500/s', 'bare INSERT', insertPerS);
    const verdict = pullEmpty.perS >= 1000 && pull10.perS >= 1000 && pullEmpty.p99 <= 50 && pull10.p99 <= 50 && events.perS >= 5000 && register.perS >= 500;
    console.log(`  ${verdict ? 'all goals met' : 'GOAL MISSED'}`);
  } finally {
    child?.kill('SIGTERM');
    agent.destroy();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('office.bench.ts')) await officeBenchmark();
