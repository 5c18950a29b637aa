import { APPLICATION_ID } from '../../../lib/procedures';
import type { Department, Principal } from '../../../lib/auth/principal';
import type { AccessRecordRow } from './db/tables';
import { forbidden } from '../../../lib/auth/access';

/**
 * Who reads the access trail (DESIGN.md, "Access trail"): a citizen reads their own access
 * log; an auditor reads any log and the whole trail, inside a registered audit operation only;
 * an officer reads the trail of their own department's reads, and no citizen's log.
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

/**
 * Which records of the trail `principal` may list: every record (an auditor inside a registered
 * audit operation), only their own department's (an officer: a department reviews its officers'
 * reads), or none (FORBIDDEN).
 */
export function trailScope(principal: Principal): { department: Department | null } {
  if (inAuditOperation(principal)) return { department: null };
  if (principal.role === 'officer' && principal.department) return { department: principal.department };
  throw forbidden(
    principal.role === 'auditor'
      ? 'auditors may read the access trail only through registered audit operations (schema/operations/Audit*.graphql)'
      : 'citizens read their own access log (Citizen.accessLog), not the access trail',
    'AUDIT',
  );
}

/**
 * Whether `principal` sees who else a record touched and its place in the chain (`citizenIds`,
 * `hash`, `prevHash`): auditors do; a citizen reading their own log sees who read it and why,
 * not which other citizens the same operation read.
 */
export const seesWholeRecord = inAuditOperation;

/**
 * Whether `principal` sees a record's case id: the reader's own free text, so only auditors and
 * officers of the department that wrote it; a citizen only when a department read for one of
 * their applications (a verified department token, and an application id), never an officer's
 * text (a case id in another citizen's log would read as if official, whoever typed it).
 */
export function seesCaseId(principal: Principal, record: Pick<AccessRecordRow, 'principalRole' | 'principalDepartment' | 'principalSub' | 'caseId'>): boolean {
  if (inAuditOperation(principal)) return true;
  // A department fetching evidence for an application reads under the application's id: that is
  // the citizen's own reference ("Education read your vaccination record for application app_..."),
  // not an officer's file, so the citizen sees it.
  if (principal.role === 'citizen' && record.principalSub.startsWith('department:') && !!record.caseId && APPLICATION_ID.test(record.caseId)) return true;
  return principal.role === 'officer' && record.principalRole === 'officer' && principal.department === record.principalDepartment;
}
