import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import pg from 'pg';
import { startThrowawayPostgres, type ThrowawayPostgres } from '../../helpers/postgres.js';

/**
 * The office service (contracts.md §7) runs on PostgreSQL in production; its tests that mean something only on a
 * real server (many writers, two office nodes) start a cluster of their own with this helper. This checks the
 * helper: a real server on loopback that takes the statements the office needs, and nothing left behind.
 */
describe('a throwaway PostgreSQL cluster for tests', () => {
  let server: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('starts on a free loopback port, speaks the SQL the office needs, and leaves nothing behind when stopped', async () => {
    server = await startThrowawayPostgres();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const v = await client.query<{ v: string }>('SELECT version() AS v');
      expect(v.rows[0]!.v).toMatch(/^PostgreSQL \d+/);
      await client.query('CREATE TABLE log_head (locker_id text PRIMARY KEY, last bigint NOT NULL)');
      await client.query("INSERT INTO log_head VALUES ('l-1', 0) ON CONFLICT (locker_id) DO NOTHING");
      await client.query('BEGIN');
      const next = await client.query<{ last: string }>("UPDATE log_head SET last = last + 1 WHERE locker_id = 'l-1' RETURNING last");
      await client.query('SELECT pg_advisory_xact_lock(42)');
      await client.query('COMMIT');
      expect(next.rows[0]!.last).toBe('1');
    } finally {
      await client.end();
    }
    const { port, dataDir } = server;
    await server.stop();
    expect(existsSync(dataDir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); resolve(false); });
      s.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  }, 120_000);
});
