import { EVIDENCE_TYPES, evidenceAllowed, procedureByCode, serviceOfApplication, type EvidenceIssuer, type EvidenceType, type Procedure } from '../procedures';
import { forbidden } from './access';
import type { Department, Principal } from './principal';

/**
 * Who may obtain evidence from an issuing department (DESIGN.md, "Applications and evidence";
 * docs/applications.md): only a handling department, calling the gateway as itself, for an
 * application it holds. Concretely the principal is
 * - an officer with the `department` scope, which the gateway gives only to a department's own
 *   verified token (no person's token carries it);
 * - stating as purpose a procedure its department handles and that needs this evidence;
 * - with an application of the service that handles that procedure as its case.
 * A human officer, a citizen or an auditor never obtains evidence: they read records through
 * the department sections, under the ordinary rules of lib/auth/access.ts.
 */

/** The scope the gateway gives a handling department's own principal, and no one else. */
export const DEPARTMENT_SCOPE = 'department';

const ONLY_DEPARTMENTS = 'evidence is issued only to a handling department, calling as itself, for an application it holds';

/** Why `principal` may not act as a handling department for a procedure, or null when it may (then the procedure). */
function departmentCaller(principal: Principal): { denial: string } | { procedure: Procedure } {
  if (principal.role !== 'officer' || !principal.scope.includes(DEPARTMENT_SCOPE)) {
    return { denial: `${ONLY_DEPARTMENTS}; a ${principal.role} without the department scope is not one` };
  }
  const procedure = procedureByCode(principal.purpose);
  if (!procedure) return { denial: `${ONLY_DEPARTMENTS}; the purpose must be a procedure code, received ${JSON.stringify(principal.purpose ?? null)}` };
  if (procedure.handler !== principal.department) {
    return { denial: `${ONLY_DEPARTMENTS}; ${procedure.code} is handled by ${procedure.handler}, not ${principal.department ?? 'no department'}` };
  }
  const caseService = principal.caseId ? serviceOfApplication(principal.caseId) : undefined;
  if (caseService !== procedure.service) {
    return {
      denial: `${ONLY_DEPARTMENTS}; the case must be an application of ${procedure.service} (app_${procedure.service}_...), received ${JSON.stringify(principal.caseId ?? null)}`,
    };
  }
  return { procedure };
}

/** Why `principal` may not obtain evidence of `type` from `issuer`, or null when it may. */
export function evidenceDenial(principal: Principal, issuer: EvidenceIssuer, type: EvidenceType): string | null {
  if (EVIDENCE_TYPES[type].issuer !== issuer) return `${type} is issued by ${EVIDENCE_TYPES[type].issuer}, not ${issuer}`;
  const caller = departmentCaller(principal);
  if ('denial' in caller) return caller.denial;
  if (!evidenceAllowed(principal.purpose, principal.department, type)) {
    return `${caller.procedure.code} does not need ${type} (it needs ${caller.procedure.evidence.join(', ')})`;
  }
  return null;
}

/** The department named in a refusal from `issuer` (the graph's Department, or IDENTITY for the civil registry). */
const refusingDepartment = (issuer: EvidenceIssuer): Department | 'IDENTITY' =>
  issuer === 'identity' ? 'IDENTITY' : (issuer.toUpperCase().replace(/-/g, '_') as Department);

/** Throws FORBIDDEN (naming the issuing department) unless `principal` may obtain evidence of `type` from `issuer`. */
export function assertEvidenceAccess(principal: Principal, issuer: EvidenceIssuer, type: EvidenceType): void {
  const denial = evidenceDenial(principal, issuer, type);
  if (denial) throw forbidden(denial, refusingDepartment(issuer));
}

/**
 * Why `principal` may not ask how an applicant relates to a subject (`Citizen.applicantRelation`),
 * or null when it may: the rule for evidence, for a procedure whose subject is a minor of the
 * applicant's household (the handling department checks the subject when the application starts).
 */
export function relationDenial(principal: Principal): string | null {
  const caller = departmentCaller(principal);
  if ('denial' in caller) return caller.denial;
  if (caller.procedure.subject !== 'HOUSEHOLD_MINOR') {
    return `${caller.procedure.code} is for ${caller.procedure.subject}, not a minor of the applicant's household: it has no relation to check`;
  }
  return null;
}

/** Throws FORBIDDEN (department IDENTITY) unless `principal` may ask for an applicant's relation to a subject. */
export function assertRelationAccess(principal: Principal): void {
  const denial = relationDenial(principal);
  if (denial) throw forbidden(denial, 'IDENTITY');
}
