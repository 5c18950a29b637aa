import { createHash } from 'node:crypto';
import { TRAIL_RECORD_FIELDS, trailFieldValue, type TrailRecordInput } from './record';

/**
 * The access trail's hash chain: the writer (writer.ts; in the audit service behind `POST /trail`,
 * or in the gateway appending into the audit store) links each record, `npm run audit -- verify`
 * recomputes the links. The record is record.ts's `TrailRecordInput`.
 */

/** A stored record: its place in the chain and its hashes. */
export interface TrailRecord extends TrailRecordInput {
  seq: number;
  id: string;
  prevHash: string;
  hash: string;
}

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The canonical text of a record: a JSON array of `seq`, `id`, then the record's fields in the
 * schema's order (record.ts `TRAIL_RECORD_FIELDS`, `principal` flattened into sub, role,
 * department), so the hash does not depend on key order, driver or database. Everything but
 * `hash` itself is covered. Changing that order or a field's normal form changes every hash:
 * subgraphs/audit/tests/trail-record.test.ts holds a record hashed before the schema existed.
 */
export function canonicalRecord(r: Omit<TrailRecord, 'hash' | 'prevHash'>): string {
  return JSON.stringify([
    r.seq,
    r.id,
    // The instant in UTC with milliseconds, however the record or the driver spelt it.
    ...TRAIL_RECORD_FIELDS.map((field) => (field === 'occurredAt' ? new Date(r.occurredAt).toISOString() : trailFieldValue(r, field))),
  ]);
}

/** `hash = sha256(prev_hash || canonical row)`, hex. */
export function chainHash(prevHash: string, record: Omit<TrailRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update(canonicalRecord(record)).digest('hex');
}
