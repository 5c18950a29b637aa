import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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

/** `extensions.code` of a query that failed because the store could not be reached. */
export const STORE_UNAVAILABLE = 'STORE_UNAVAILABLE';

// Refused, reset or timed-out connections; SQLSTATE class 08 (connection exception); 57P01-57P03
// (the server is shutting down, crashed, or is starting up and cannot take connections yet).
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
// node-postgres says these without a code: the socket closed, or connecting took too long.
const UNAVAILABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** Why `error` means the server could not be reached (a short reason), or `undefined` when it is a query's own error. */
function unavailableReason(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && UNAVAILABLE_ERRNOS.has(code)) return code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08'))) return `SQLSTATE ${code}: ${String(message)}`;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return message;
  return undefined;
}

/**
 * A statement failed because the PostgreSQL server could not be reached (stopped, restarting,
 * unreachable, or the connection was cut). Resolvers let it through: it carries
 * `extensions.code` STORE_UNAVAILABLE (graphql-js copies an original error's `extensions`), so
 * a client sees which store is down and that retrying later is the remedy, never the SQL,
 * host or port. The pool reconnects by itself once the server answers again.
 */
export class StoreUnavailableError extends Error {
  readonly extensions: { code: typeof STORE_UNAVAILABLE; service?: string };
  constructor(
    readonly service: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The ${service ? `${service} service's ` : ''}store is unavailable (${reason}); try again shortly.`, options);
    this.name = 'StoreUnavailableError';
    this.extensions = service ? { code: STORE_UNAVAILABLE, service } : { code: STORE_UNAVAILABLE };
  }
}

/** Rethrows a connection failure as a StoreUnavailableError; any other error unchanged. */
function unavailable(service: string | undefined, error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  const reason = unavailableReason(error);
  return reason ? new StoreUnavailableError(service, reason, { cause: error }) : error;
}

/**
 * A client taken out of the pool has no pool listener for `error`: node-postgres emits one when
 * the server ends the connection (a restart, pg_terminate_backend) while no query is running on
 * it, and an `error` event nobody listens to kills the process. Hold one while it is out, and
 * give a broken client back with its error so that the pool drops it instead of reusing it.
 */
async function withClient<T>(pool: pg.Pool, service: string | undefined, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch((error: unknown) => {
    throw unavailable(service, error);
  });
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (error) {
    if (!(error instanceof StoreUnavailableError) && !unavailableReason(error)) throw error;
    // The connection's own error (the server's FATAL) says more than the "not queryable" of the
    // statement after it.
    const first = broken && unavailableReason(broken) ? broken : (error as Error);
    broken = first;
    throw unavailable(service, first);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

class PostgresDb implements Db {
  readonly kind = 'postgres' as const;
  constructor(
    private readonly client: pg.Pool | pg.PoolClient,
    readonly location: string,
    readonly stats = { statements: 0 },
    /** Named in a StoreUnavailableError's message. */
    private readonly service?: string,
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.stats.statements++;
    try {
      const result = await this.client.query(sql, params as unknown[]);
      return result.rows as Row[];
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }

  async exec(sql: string): Promise<void> {
    this.stats.statements++;
    try {
      await this.client.query(sql);
    } catch (error) {
      throw unavailable(this.service, error);
    }
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    this.stats.statements++;
    const run = async (client: pg.PoolClient) => {
      const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
      await pipeline(Readable.from([csv]), stream);
    };
    if (this.client instanceof pg.Pool) {
      await withClient(this.client, this.service, run);
    } else {
      try {
        await run(this.client);
      } catch (error) {
        throw unavailable(this.service, error);
      }
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!(this.client instanceof pg.Pool)) throw new Error('nested transactions are not supported');
    return withClient(this.client, this.service, async (client) => {
      try {
        await client.query('BEGIN');
        const result = await fn(new PostgresDb(client, this.location, this.stats, this.service));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
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
  | { kind: 'postgres'; url: string; poolSize?: number; /** named when the server cannot be reached */ service?: string };

/**
 * Where a service's store is: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL` with one database
 * per service, else the embedded engine under `DATA_DIR/<service>`.
 */
export function resolveDbTarget(service: string): DbTarget {
  const cfg = config();
  const own = cfg.serviceDatabaseUrl(service);
  if (own) return { kind: 'postgres', url: own, service };
  if (cfg.databaseUrl) {
    return { kind: 'postgres', url: withDatabase(cfg.databaseUrl, serviceDatabaseName(cfg.databaseUrl, service)), service };
  }
  return { kind: 'pglite', dataDir: join(cfg.dataDir, service) };
}

const ROOT = join(__dirname, '..');
let emptyCluster: Promise<Blob | undefined> | undefined;

/**
 * A freshly initialised PGlite cluster, as the tarball of its data directory: a new store
 * starts from it instead of running initdb, which costs 1 to 2 s of CPU (measured: 1.3 s to
 * create against 0.4 s to load, on this project's 2-core machine), seven times for a graph. Made
 * once per PGlite version and kept in node_modules/.cache (written to a temporary name and
 * renamed, so processes starting together never read half a file); `undefined` when it cannot
 * be made or kept, and the store is then initialised the usual way.
 */
function freshCluster(): Promise<Blob | undefined> {
  emptyCluster ??= (async () => {
    try {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
      const file = join(ROOT, 'node_modules', '.cache', 'citizen-graph', `pglite-${version}-initdb.tar`);
      if (!existsSync(file)) {
        const engine = await PGlite.create();
        const dump = await engine.dumpDataDir('none');
        await engine.close();
        mkdirSync(dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.partial`;
        writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
        renameSync(partial, file);
      }
      return new Blob([readFileSync(file)]);
    } catch {
      return undefined;
    }
  })();
  return emptyCluster;
}

/** Opens (and for a server, creates if missing) a store. Call `migrate` next. */
export async function openDb(target: DbTarget): Promise<Db> {
  if (target.kind === 'pglite') {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    // A new store (in memory, or a directory without a cluster yet) starts from the initialised one.
    const isNew = !target.dataDir || !existsSync(join(target.dataDir, 'PG_VERSION'));
    const loadDataDir = isNew ? await freshCluster() : undefined;
    const engine = await PGlite.create(target.dataDir ?? 'memory://', { parsers: PARSERS, ...(loadDataDir ? { loadDataDir } : {}) });
    return new PgliteDb(engine, target.dataDir ?? 'memory');
  }
  await ensureDatabase(target.url);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    // A server that does not answer (unreachable, not refusing) fails a query after this
    // instead of leaving it waiting for a connection for ever.
    connectionTimeoutMillis: 5000,
    types: { getTypeParser: ((oid: number, format?: 'text' | 'binary') => PARSERS[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser },
  });
  // An idle client that loses its server (a restart) must not crash the process; the pool
  // drops it and the next query reconnects. (A client taken out of the pool: see withClient.)
  pool.on('error', () => undefined);
  return new PostgresDb(pool, redact(target.url), undefined, target.service);
}
