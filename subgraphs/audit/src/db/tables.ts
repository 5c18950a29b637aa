/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */
import { TRAIL_RECORD_FIELDS, trailRowKey, type TrailRecord, type TrailRecordInput } from '../../../../lib/trail';
import type { Department } from '../../../../lib/auth/principal';
import type { TrailCheckpointsRow } from './generated/tables';

/** A citizen as the audit service sees one: just the id (it keeps no copy of the registry). */
export type { CitizenRef } from '../../../../lib/auth/access';

/**
 * A record's fields one level deep, as `access_trail` has one column per field: a nested object's
 * fields take its name as a prefix (`principal.sub` -> `principalSub`); arrays stay whole.
 */
type FlatFields<T> = {
  [K in keyof T & string as T[K] extends readonly unknown[] ? K : T[K] extends object ? never : K]: T[K];
} & UnionToIntersection<
  { [K in keyof T & string]: T[K] extends readonly unknown[] ? never : T[K] extends object ? { [I in keyof T[K] & string as `${K}${Capitalize<I>}`]: T[K][I] } : never }[keyof T & string]
>;
type UnionToIntersection<U> = (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void ? I : never;

/**
 * One row of `access_trail`: one operation that returned citizen data. Its fields are the trail
 * record's (lib/trail/record.ts, flattened as the columns are), with the instant as the driver returns a
 * `timestamptz`, and the chain's place and hashes.
 */
export type AccessRecordRow = Omit<FlatFields<TrailRecordInput>, 'occurredAt'> & {
  seq: number;
  id: string;
  occurredAt: Date;
  prevHash: string;
  hash: string;
};

const FIELD_PATHS = TRAIL_RECORD_FIELDS.map((field) => ({ key: trailRowKey(field), path: field.split('.') }));

/** The record as the chain hashes it (lib/trail/chain.ts), from its stored row: each field of the schema from its column. */
export function trailRecordOf(row: AccessRecordRow): TrailRecord {
  const record: Record<string, unknown> = { seq: row.seq, id: row.id, prevHash: row.prevHash, hash: row.hash };
  for (const { key, path } of FIELD_PATHS) {
    const value = key === 'occurredAt' ? row.occurredAt.toISOString() : (row as unknown as Record<string, unknown>)[key];
    if (path.length === 1) record[path[0]] = value;
    else ((record[path[0]] ??= {}) as Record<string, unknown>)[path[1]] = value;
  }
  return record as unknown as TrailRecord;
}

/** What `Query.accessTrail` may filter by (all optional, combined with AND). */
export interface TrailFilter {
  citizenId?: string | null;
  accessorId?: string | null;
  department?: Department | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * One row of `trail_checkpoints`: a signed checkpoint of the chain's head (src/checkpoint.ts),
 * signed at `signedAt`; as the migrations define it (generated/tables.ts).
 */
export type CheckpointRow = TrailCheckpointsRow;

/** An application as the gateway passes it to the trail: its id and its applicant (from the desk). */
export interface ApplicationRef {
  id: string;
  applicantId: string;
}
