import { createHash } from 'node:crypto';

/**
 * The access trail's record, as the gateway sends it to the audit service (`POST /trail`) and as
 * the chain hashes it. One record per operation that returned citizen data.
 */
export interface TrailRecordInput {
  /** When the operation started, ISO 8601. */
  occurredAt: string;
  principal: { sub: string; role: string; department: string | null };
  purpose: string | null;
  caseId: string | null;
  /** sha256 of the operation's document (the registered id when it is registered). */
  operationId: string;
  operationName: string | null;
  /** Citizens whose data the response carried, sorted, unique. */
  citizenIds: string[];
  /** Services that returned that data (`identity`, `health`, ..., `audit`), sorted, unique. */
  departments: string[];
  /** `complete`: no errors; `partial`: data with errors (denied or unavailable fields). */
  outcome: 'complete' | 'partial';
  durationMs: number;
}

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
