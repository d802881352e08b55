import pg from 'pg';
import type { Db, Queryable, QueryResult } from './db.js';

/** int8 as a JS number, as the embedded side gives it (counts and sequence numbers stay far below 2^53). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Deadlock and serialization failure: the whole transaction is safe to run again. */
const retryable = new Set(['40P01', '40001']);

export function openPostgresDb(url: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types });
  // An idle client that loses its connection emits here; the pool replaces it. Without a listener it would crash the process.
  pool.on('error', () => undefined);
  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const out = await fn(wrap(client));
          await client.query('COMMIT');
          return out;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (attempt < 4 && retryable.has((e as { code?: string }).code ?? '')) continue;
          throw e;
        } finally {
          client.release();
        }
      }
    },
    close: () => pool.end(),
  };
}

function wrap(q: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const r = await q.query(sql, params as unknown[]);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await q.query(sql);
    },
  };
}
