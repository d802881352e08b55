import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Writable } from 'node:stream';
import { parseOfficeConfig, type OfficeConfig } from '../../office/config.js';
import { addApiToken } from '../../office/api-tokens.js';
import { addLocker, type NewLockerSecrets } from '../../office/lockers.js';
import { createOfficeLogger } from '../../office/log.js';
import { startOffice, type RunningOffice } from '../../office/service.js';
import type { SmsGateway } from '../../office/sms/gateway.js';
import type { Queryable } from '../../office/db/db.js';
import { openEnvelope } from '../../src/wire/envelope.js';
import { payloadSchema, type FeedChange } from '../../src/wire/feed-schema.js';
import { fetchJson } from './http-json.js';
import { startThrowawayPostgres, type ThrowawayPostgres } from './postgres.js';

/**
 * A real office service for a test: on the embedded database in a temporary directory, or on its own fresh
 * database of a throwaway PostgreSQL cluster; listening on a free loopback port; its log lines kept in memory
 * (tests check that no code or phone number reaches them); an API token ready.
 */
export type Backend = 'embedded' | 'postgres';

export interface TestOffice {
  readonly office: RunningOffice;
  readonly config: OfficeConfig;
  readonly dir: string;
  readonly url: string;
  readonly apiToken: string;
  readonly logLines: string[];
  /** Where the file gateway writes, when no other gateway was given. */
  readonly smsFile: string;
  addLocker(id: string, name?: string): Promise<NewLockerSecrets>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

let cluster: Promise<ThrowawayPostgres> | undefined;
let databases = 0;

/** One cluster per test file (started at first use), one fresh database per office. */
export async function freshPostgresUrl(): Promise<string> {
  cluster ??= startThrowawayPostgres();
  const c = await cluster;
  const name = `office_${process.pid}_${++databases}`;
  const admin = new pg.Client({ connectionString: c.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return c.url.replace(/\/postgres$/, `/${name}`);
}

export async function stopPostgresCluster(): Promise<void> {
  const c = cluster;
  cluster = undefined;
  if (c !== undefined) await (await c).stop();
}

export interface TestOfficeOptions {
  readonly backend: Backend;
  readonly gateway?: SmsGateway;
  readonly now?: () => Date;
  /** Same database and keys as another office: a second node. */
  readonly shareWith?: TestOffice;
  readonly config?: Record<string, unknown>;
}

export async function startTestOffice(o: TestOfficeOptions): Promise<TestOffice> {
  const dir = mkdtempSync(join(tmpdir(), 'urz-office-'));
  const share = o.shareWith;
  const database = o.backend === 'postgres' ? { url: share?.config.database?.url ?? (await freshPostgresUrl()) } : undefined;
  const raw = {
    dataDir: join(dir, 'data'),
    ...(database ? { database } : {}),
    http: { host: '127.0.0.1', port: 0 },
    signingKeyFile: share?.config.signingKeyFile ?? join(dir, 'keys', 'feed.pem'),
    vaultKeyFile: share?.config.vaultKeyFile ?? join(dir, 'keys', 'vault.key'),
    sms: { provider: 'file', path: join(dir, 'sms.jsonl') },
    ...o.config,
  };
  writeFileSync(join(dir, 'office.json'), JSON.stringify(raw, null, 2));
  const config = parseOfficeConfig(raw, dir);
  const logLines: string[] = [];
  const log = createOfficeLogger({ level: 'debug', destination: new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }) });
  // The minute's deadline sweep stays out of the way: tests sweep when they mean to (office.sweep()), and one
  // running beside theirs would take half the due documents (SKIP LOCKED) and make their counts flaky.
  const office = await startOffice(config, log, { ...(o.now ? { now: o.now } : {}), ...(o.gateway ? { gateway: o.gateway } : {}), sweepEveryMs: 3_600_000 });
  const apiToken = await addApiToken(office.ctx.db, 'tests');
  const api = (method: string, path: string, body?: unknown, token = apiToken): Promise<{ status: number; body: any }> =>
    fetchJson(office.url + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return {
    office,
    config,
    dir,
    url: office.url,
    apiToken,
    logLines,
    smsFile: join(dir, 'sms.jsonl'),
    addLocker: (id, name = `Urzad Stanu Cywilnego, ${id}`) => addLocker(office.ctx.db, office.ctx.vault, id, name),
    api,
    async close() {
      await office.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A document registration body that the office accepts; override what a test varies. */
export function registration(lockerId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    lockerId, caseRef: 'USC.5362.1.2026', documentType: 'odpis-skrocony-aktu-urodzenia', phone: '600100200', size: 'S',
    accessible: false, consent: true, feeSettled: true, ...over,
  };
}

/**
 * A locker's feed from `after` to its end, pulled over HTTP with the locker's own token as a locker would, every
 * batch's signature verified and its chaining checked.
 */
export async function pullFeed(t: TestOffice, lockerId: string, token: string, after = 0): Promise<{ changes: FeedChange[]; last: number }> {
  const publicKey = createPublicKey(t.office.ctx.signing.publicKeyPem);
  const changes: FeedChange[] = [];
  let cursor = after;
  for (let page = 0; page < 100; page++) {
    const res = await fetch(`${t.url}/v1/lockers/${lockerId}/feed?after=${cursor}`, { headers: { authorization: `Bearer ${token}` } });
    if (res.status !== 200) throw new Error(`feed of ${lockerId} answered ${res.status}`);
    const opened = openEnvelope(await res.text(), publicKey);
    if (!opened.ok) throw new Error(`feed of ${lockerId} does not verify: ${opened.reason}`);
    const p = payloadSchema.parse(opened.payload);
    if (p.lockerId !== lockerId || p.after !== cursor) throw new Error(`feed of ${lockerId}: batch for ${p.lockerId} after ${p.after}, asked after ${cursor}`);
    changes.push(...p.changes);
    cursor = p.last;
    if (!p.more) return { changes, last: cursor };
  }
  throw new Error('feed never ended');
}

/**
 * Every row of every table, as text, after checking the tables a test means to look at exist (so a renamed table
 * cannot make a "no secret anywhere" check pass on nothing).
 */
export async function dumpDatabase(db: Queryable, mustHave: readonly string[]): Promise<string> {
  const tables = (
    await db.query<{ s: string; n: string }>(
      "SELECT table_schema AS s, table_name AS n FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
  ).rows;
  const names = new Set(tables.map((x) => x.n));
  const missing = mustHave.filter((n) => !names.has(n));
  if (missing.length > 0) throw new Error(`the database has no table ${missing.join(', ')}`);
  const parts: string[] = [];
  for (const { s, n } of tables) parts.push(`${s}.${n}: ${JSON.stringify((await db.query(`SELECT * FROM "${s}"."${n}"`)).rows)}`);
  return parts.join('\n');
}
