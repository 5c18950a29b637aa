import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { config, envPrefix } from './config';

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

// Values come back as the graph shows them: dates as `YYYY-MM-DD` strings (never shifted by a
// time zone), numerics as exact decimal strings, bigints as numbers (counts), timestamps as Date.
const OID = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;
const identity = (value: string) => value;
const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.INT8]: (value: string) => Number(value),
  [OID.DATE]: identity,
  [OID.NUMERIC]: identity,
};

function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}

class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly pg: Pick<PGlite, 'query' | 'exec'> & Partial<Pick<PGlite, 'transaction' | 'close'>>,
    readonly location: string,
    readonly stats = { statements: 0 },
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.stats.statements++;
    const result = await this.pg.query<Row>(sql, params as unknown[]);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    this.stats.statements++;
    await this.pg.exec(sql);
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    this.stats.statements++;
    await this.pg.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) });
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.pg.transaction) throw new Error('nested transactions are not supported');
    return this.pg.transaction((tx) => fn(new PgliteDb(tx, this.location, this.stats)));
  }

  async close(): Promise<void> {
    await this.pg.close?.();
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    readonly location: string,
    readonly stats = { statements: 0 },
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.stats.statements++;
    const result = await this.client.query(sql, params as unknown[]);
    return result.rows as Row[];
  }

  async exec(sql: string): Promise<void> {
    this.stats.statements++;
    await this.client.query(sql);
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    this.stats.statements++;
    const run = async (client: pg.PoolClient) => {
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from([csv]), stream);
    };
    if (this.client instanceof pg.Pool) {
      const client = await this.client.connect();
      try {
        await run(client);
      } finally {
        client.release();
      }
    } else {
      await run(this.client);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!(this.client instanceof pg.Pool)) throw new Error('nested transactions are not supported');
    const client = await this.client.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(new PostgresDb(client, this.location, this.stats));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.client instanceof pg.Pool) await this.client.end();
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** The database a service uses on a shared server: `<base database>_<service>`, e.g. `citizens_tax`. */
export function serviceDatabaseName(baseUrl: string, service: string): string {
  const base = decodeURIComponent(new URL(baseUrl).pathname.replace(/^\//, '')) || 'citizen_graph';
  return `${base}_${envPrefix(service).toLowerCase()}`;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Creates the database named in `url` on its server if it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]{1,63}$/.test(database)) {
    throw new Error(`database name must be 1-63 letters, digits, "_" or "-"; received ${JSON.stringify(database)}`);
  }
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${database}"`).catch((error: { code?: string }) => {
        // Another replica created it between our check and our CREATE: that is what we wanted.
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await admin.end();
  }
}

/** Drops a database (tests clean up the server databases they made). */
export async function dropDatabase(url: string): Promise<void> {
  const database = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  const admin = new pg.Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

export type DbTarget =
  | { kind: 'pglite'; dataDir?: string } // no dataDir: in memory
  | { kind: 'postgres'; url: string; poolSize?: number };

/**
 * Where a service's store is: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL` with one database
 * per service, else the embedded engine under `DATA_DIR/<service>`.
 */
export function resolveDbTarget(service: string): DbTarget {
  const cfg = config();
  const own = cfg.serviceDatabaseUrl(service);
  if (own) return { kind: 'postgres', url: own };
  if (cfg.databaseUrl) {
    return { kind: 'postgres', url: withDatabase(cfg.databaseUrl, serviceDatabaseName(cfg.databaseUrl, service)) };
  }
  return { kind: 'pglite', dataDir: join(cfg.dataDir, service) };
}

/** Opens (and for a server, creates if missing) a store. Call `migrate` next. */
export async function openDb(target: DbTarget): Promise<Db> {
  if (target.kind === 'pglite') {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const engine = await PGlite.create(target.dataDir ?? 'memory://', { parsers: PARSERS });
    return new PgliteDb(engine, target.dataDir ?? 'memory');
  }
  await ensureDatabase(target.url);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser },
  });
  // An idle client that loses its server (a restart) must not crash the process; the pool
  // replaces it and the next query reconnects.
  pool.on('error', () => undefined);
  return new PostgresDb(pool, redact(target.url));
}
