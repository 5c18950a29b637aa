/**
 * Bulk loading, which only the seed does: rows as CSV text for COPY (`Db.copyCsv`), and tables
 * prepared so that the load is not slowed by checks made row by row.
 */
import type { Db } from '../lib/db';

/** Quotes one CSV field for COPY ... WITH (FORMAT csv); `null`/`undefined` become SQL NULL. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) || text === '' ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Prepares tables for a bulk load the way PostgreSQL's manual advises ("Populating a
 * Database"): drops their foreign keys and secondary indexes, which would otherwise be checked
 * and updated row by row, and returns a function that re-creates them in one pass each (a
 * foreign key is then validated with one join, an index built with one sort). Primary keys and
 * unique constraints stay, so duplicates are still refused during the load. The restore also
 * ANALYZEs the tables, so that the planner knows what was loaded.
 */
export async function suspendConstraints(db: Db, tables: readonly string[]): Promise<() => Promise<void>> {
  const foreignKeys = await db.query<{ tableName: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS "tableName", conname AS name, pg_get_constraintdef(oid) AS definition
       FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY($1::regclass[])`,
    [tables],
  );
  const indexes = await db.query<{ name: string; definition: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition
       FROM pg_index WHERE indrelid = ANY($1::regclass[]) AND NOT indisprimary AND NOT indisunique`,
    [tables],
  );
  for (const fk of foreignKeys) await db.exec(`ALTER TABLE ${fk.tableName} DROP CONSTRAINT ${fk.name}`);
  for (const index of indexes) await db.exec(`DROP INDEX ${index.name}`);
  return async () => {
    for (const index of indexes) await db.exec(index.definition);
    for (const fk of foreignKeys) await db.exec(`ALTER TABLE ${fk.tableName} ADD CONSTRAINT ${fk.name} ${fk.definition}`);
    // Fresh statistics: without them (autovacuum off or not yet run) the planner guessed wrong
    // at a million citizens, with parallel scans for one citizen's page (bench/results/*explain*).
    await db.exec(`ANALYZE ${tables.join(', ')}`);
  };
}
