import type { Db } from '../db';
import type { TrailRecord } from './chain';
import { TRAIL_RECORD_FIELDS, trailFieldValue } from './record';

/**
 * The access trail's table as its writers see it: the columns a record fills and the one
 * statement that appends a batch. Shared by the audit service (its reads and its `POST /trail`)
 * and the gateway, which appends into the audit store itself when that store is a PostgreSQL
 * server (gateway/src/trail.ts). The table and its migrations are the audit service's
 * (subgraphs/audit/migrations); nothing here creates or changes them.
 */

/** The row key of one of `TRAIL_RECORD_FIELDS` (`principal.sub` -> `principalSub`), as the select list names it. */
export const trailRowKey = (field: string): string => field.replace(/\.([a-z])/, (_, letter: string) => letter.toUpperCase());

/**
 * `access_trail`'s columns, in order, each with the row key the select list names it (camelCase)
 * and its value in a stored record. The record's own come from its schema (record.ts), one
 * column per field (`principal.sub` -> `principal_sub`); the audit service's migration 0001
 * declares the same columns, which subgraphs/audit/tests/trail-record.test.ts checks.
 */
export const TRAIL_COLUMNS: ReadonlyArray<{ column: string; key: string; value: (r: TrailRecord) => unknown }> = [
  { column: 'seq', key: 'seq', value: (r) => r.seq },
  { column: 'id', key: 'id', value: (r) => r.id },
  ...TRAIL_RECORD_FIELDS.map((field) => ({
    column: field.replace('.', '_').replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
    key: trailRowKey(field),
    value: (r: TrailRecord) => trailFieldValue(r, field),
  })),
  { column: 'prev_hash', key: 'prevHash', value: (r) => r.prevHash },
  { column: 'hash', key: 'hash', value: (r) => r.hash },
];

/** The column names of `access_trail` that a writer fills, in order (for the migration check). */
export const ACCESS_TRAIL_COLUMNS: readonly string[] = TRAIL_COLUMNS.map(({ column }) => column);

const CASTS: Partial<Record<string, string>> = {
  seq: '::bigint',
  occurred_at: '::timestamptz',
  citizen_ids: '::text[]',
  departments: '::text[]',
  duration_ms: '::integer',
};

/** The chain's last link. */
export interface ChainTip {
  seq: number;
  hash: string;
}

/** The last record's seq and hash, or `null` for an empty trail. */
export async function chainTip(db: Db): Promise<ChainTip | null> {
  const [tip] = await db.query<ChainTip>('SELECT seq, hash FROM access_trail ORDER BY seq DESC LIMIT 1');
  return tip ?? null;
}

/**
 * Appends `records` (already numbered and hashed) and their entries in the citizen index, in
 * one statement.
 */
export async function insertRecords(db: Db, records: readonly TrailRecord[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = records.map((r) => {
    const placeholders = TRAIL_COLUMNS.map(({ column, value }) => `$${params.push(value(r))}${CASTS[column] ?? ''}`);
    return `(${placeholders.join(', ')})`;
  });
  await db.query(
    `WITH written AS (
       INSERT INTO access_trail (${ACCESS_TRAIL_COLUMNS.join(', ')}) VALUES ${tuples.join(',\n')}
       RETURNING seq, citizen_ids
     )
     INSERT INTO access_trail_citizens (citizen_id, seq) SELECT unnest(citizen_ids), seq FROM written`,
    params,
  );
}
