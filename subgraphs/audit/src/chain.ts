import { createHash } from 'node:crypto';
import type { TrailRecordInput } from '../../../lib/trail';

/**
 * The access trail's hash chain, which only the audit service computes (its writer links each
 * record, `npm run audit -- verify` recomputes the links). The record the gateway sends is
 * lib/trail.ts's `TrailRecordInput`, shared by both sides.
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
 * The canonical text of a record: a JSON array of its fields in a fixed order, so the hash does
 * not depend on key order, driver or database. Everything but `hash` itself is covered.
 */
export function canonicalRecord(r: Omit<TrailRecord, 'hash' | 'prevHash'>): string {
  return JSON.stringify([
    r.seq,
    r.id,
    new Date(r.occurredAt).toISOString(),
    r.principal.sub,
    r.principal.role,
    r.principal.department,
    r.purpose,
    r.caseId,
    r.operationId,
    r.operationName,
    r.citizenIds,
    r.departments,
    r.outcome,
    r.durationMs,
  ]);
}

/** `hash = sha256(prev_hash || canonical row)`, hex. */
export function chainHash(prevHash: string, record: Omit<TrailRecord, 'hash' | 'prevHash'>): string {
  return createHash('sha256').update(prevHash).update(canonicalRecord(record)).digest('hex');
}
