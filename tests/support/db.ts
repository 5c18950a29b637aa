import { randomBytes } from 'node:crypto';
import { dropDatabase, openDb, type Db } from '../../lib/db';

/**
 * The stores a suite runs against: always the embedded engine, and a real PostgreSQL server too
 * when TEST_DATABASE_URL is set (CI sets it). Use with `describe.each(BACKENDS)`.
 */
export type Backend = 'pglite' | 'postgres';
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

const opened: Array<{ db: Db; url?: string }> = [];

/**
 * A new, empty store for `service`: PGlite in memory, or a fresh database on the test server
 * named after the service and a random suffix (dropped by `closeTestDbs`).
 */
export async function openTestDb(backend: Backend, service: string): Promise<Db> {
  if (backend === 'pglite') {
    const db = await openDb({ kind: 'pglite' });
    opened.push({ db });
    return db;
  }
  const base = new URL(process.env.TEST_DATABASE_URL!);
  base.pathname = `/cgtest_${service.replace(/-/g, '_')}_${randomBytes(4).toString('hex')}`;
  const url = base.toString();
  const db = await openDb({ kind: 'postgres', url, poolSize: 4 });
  opened.push({ db, url });
  return db;
}

/** Closes every store opened by this suite and drops the server databases it made. */
export async function closeTestDbs(): Promise<void> {
  for (const { db, url } of opened.splice(0)) {
    await db.close();
    if (url) await dropDatabase(url);
  }
}
