import type { Principal } from '../../../lib/auth/principal';
import { forbidden } from '../../../lib/auth/access';

/**
 * Who reads the access trail (DESIGN.md, "Access trail"): a citizen reads their own access
 * log; an auditor reads any log and the whole trail, inside a registered audit operation only.
 * Nobody else reads it, officers included.
 */

/** An auditor running a registered `Audit*` operation (the gateway marks those). */
export const inAuditOperation = (principal: Principal) => principal.role === 'auditor' && !!principal.auditOperation;

/** Throws FORBIDDEN unless `principal` may read the access log of citizen `citizenId`. */
export function assertMayReadAccessLog(principal: Principal, citizenId: string): void {
  if (inAuditOperation(principal)) return;
  if (principal.role === 'citizen') {
    if (principal.sub === citizenId) return;
    throw forbidden('citizens may read only their own access log', 'AUDIT');
  }
  throw forbidden(`${principal.role}s may not read a citizen's access log: only the citizen and registered audit operations may`, 'AUDIT');
}

/** Throws FORBIDDEN unless `principal` is an auditor inside a registered audit operation. */
export function assertMayReadTrail(principal: Principal): void {
  if (inAuditOperation(principal)) return;
  throw forbidden(
    principal.role === 'auditor'
      ? 'auditors may read the access trail only through registered audit operations (schema/operations/Audit*.graphql)'
      : `the access trail is for registered audit operations only; a ${principal.role} may not read it`,
    'AUDIT',
  );
}

/**
 * Whether `principal` sees who else a record touched and its place in the chain (`citizenIds`,
 * `hash`, `prevHash`): auditors do; a citizen reading their own log sees who read it and why,
 * not which other citizens the same operation read.
 */
export const seesWholeRecord = inAuditOperation;
