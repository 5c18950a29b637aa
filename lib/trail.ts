/**
 * The access trail's record, as the gateway sends it to the audit service (`POST /trail`): one
 * record per operation that returned citizen data. The audit service chains and hashes it
 * (subgraphs/audit/src/chain.ts).
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
