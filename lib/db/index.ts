import { openPglite } from './pglite';
import { openPostgres } from './postgres';
import type { DbTarget } from './target';

/**
 * The one database handle every repository takes first. The same SQL runs on the embedded
 * engine (PGlite) and on a PostgreSQL server; `stats.statements` counts every statement sent,
 * which is how tests prove a request makes one query per table.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives: a directory, `memory`, or the server URL without its password. */
  readonly location: string;
  readonly stats: { statements: number };
  query<Row>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Several statements, no parameters, no rows back (migrations). */
  exec(sql: string): Promise<void>;
  /** Bulk load CSV text (no header) with COPY ... FROM. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export { STORE_UNAVAILABLE, StoreUnavailableError } from './postgres';
export { dropDatabase, ensureDatabase, serviceDatabaseName } from './server';
export { resolveDbTarget, type DbTarget } from './target';

/** Opens (and for a server, creates if missing) a store. Call `migrate` next. */
export function openDb(target: DbTarget): Promise<Db> {
  return target.kind === 'pglite' ? openPglite(target.dataDir) : openPostgres(target);
}
