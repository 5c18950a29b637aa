import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db';

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

/**
 * Applies the ordered SQL files of `dir` (`0001_name.sql`, `0002_name.sql`, ...) that this
 * store has not seen, each in its own transaction, and records them in `schema_migrations`.
 * Returns the versions applied now. Files that do not match the naming rule are an error, so a
 * misnamed migration is never silently skipped.
 */
export async function migrate(db: Db, dir: string): Promise<string[]> {
  const files = readdirSync(dir).filter((file) => file.endsWith('.sql')).sort();
  for (const file of files) {
    if (!MIGRATION_FILE.test(file)) {
      throw new Error(`migration ${join(dir, file)} must be named NNNN_lower_snake.sql`);
    }
  }
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied = new Set(
    (await db.query<{ version: string }>('SELECT version FROM schema_migrations')).map((row) => row.version),
  );
  const done: string[] = [];
  for (const file of files) {
    const version = file.replace(/\.sql$/, '');
    if (applied.has(version)) continue;
    const sql = readFileSync(join(dir, file), 'utf8');
    await db.transaction(async (tx) => {
      // Replicas starting together on one server: the first takes the lock, the others wait
      // and then find the version applied.
      if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(72810531)');
      const again = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [version]);
      if (again.length > 0) return;
      await tx.exec(sql);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
      done.push(version);
    });
  }
  return done;
}
