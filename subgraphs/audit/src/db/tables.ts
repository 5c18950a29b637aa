/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */
import type { Department, Role } from '../../../../lib/auth/principal';
import type { TrailRecordInput } from '../../../../lib/trail';
import type { TrailRecord } from '../chain';

/** A citizen as the audit service sees one: just the id (it keeps no copy of the registry). */
export type { CitizenRef } from '../../../../lib/auth/access';

/** One row of `access_trail`: one operation that returned citizen data. */
export interface AccessRecordRow {
  seq: number;
  id: string;
  occurredAt: Date;
  principalSub: string;
  principalRole: Role;
  principalDepartment: Department | null;
  purpose: string | null;
  caseId: string | null;
  operationId: string;
  operationName: string | null;
  citizenIds: string[];
  /** The services whose data the response carried (`identity`, `health`, ..., `audit`), as parsed when written. */
  departments: TrailRecordInput['departments'];
  outcome: 'complete' | 'partial';
  durationMs: number;
  prevHash: string;
  hash: string;
}

/** The record as the chain hashes it (../chain.ts), from its stored row. */
export function trailRecordOf(row: AccessRecordRow): TrailRecord {
  return {
    seq: row.seq,
    id: row.id,
    occurredAt: row.occurredAt.toISOString(),
    principal: { sub: row.principalSub, role: row.principalRole, department: row.principalDepartment },
    purpose: row.purpose,
    caseId: row.caseId,
    operationId: row.operationId,
    operationName: row.operationName,
    citizenIds: row.citizenIds,
    departments: row.departments,
    outcome: row.outcome,
    durationMs: row.durationMs,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

/** The chain's last link: what the next record's `prev_hash` and `seq` follow. */
export interface ChainTip {
  seq: number;
  hash: string;
}

/** What `Query.accessTrail` may filter by (all optional, combined with AND). */
export interface TrailFilter {
  citizenId?: string | null;
  accessorId?: string | null;
  department?: Department | null;
  from?: Date | null;
  to?: Date | null;
}

/** One row of `trail_checkpoints`: a signed checkpoint of the chain's head (src/checkpoint.ts). */
export interface CheckpointRow {
  seq: number;
  hash: string;
  /** When the service signed it. */
  at: Date;
  kid: string;
  jws: string;
}
