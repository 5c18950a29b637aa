import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from './index';
import { ensureDatabase, redact } from './server';
import { copyStatement, PARSERS } from './values';

/** A PostgreSQL server (production and CI): a pool per store, and what a lost server looks like. */

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

/** Opens a pool on a PostgreSQL server, creating the service's database if it is missing. */
export async function openPostgres(target: { url: string; poolSize?: number; service?: string }): Promise<Db> {
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
