/**
 * What the office's repositories need of a database: parameterised queries, a script of statements and a
 * transaction. Two implementations behind it (embedded.ts, postgres.ts) run the same SQL, kept to what
 * PostgreSQL 15 understands (docs/OFFICE-RESEARCH.md §1: the embedded engine is PostgreSQL 18).
 *
 * Conventions both sides honour: `bigint` comes back as a JS number; `timestamptz` as a Date; jsonb
 * parameters are passed as JSON text (JSON.stringify), never as JS objects or arrays.
 */
export interface QueryResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'embedded' | 'postgres';
  /**
   * Runs `fn` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it throws.
   * On the embedded database every other query waits while a transaction is open, so `fn` must never await
   * anything but the database (no network).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
