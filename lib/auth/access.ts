import { GraphQLError } from 'graphql';
import type { Department, Principal } from './principal';
import { purposeKey } from '../purposes';

/**
 * The access rules every subgraph enforces on the records it returns (DESIGN.md, "Identity and
 * access"):
 * - a citizen reads only their own records;
 * - an officer reads their own department's section of any citizen, for a stated purpose;
 * - another department's section only under a live consent grant the citizen gave to the
 *   officer's department, for that section and that purpose;
 * - an auditor reads through registered audit operations only.
 */

/** A live consent grant, as identity provides it to departments (via `@requires`). */
export interface AccessGrant {
  /** The department allowed to read. */
  grantee: Department;
  /** The department whose section it may read. */
  section: Department;
  purpose: string;
  /** End of the grant: ISO timestamp. */
  expiresAt: string | Date;
}

/** A citizen as a department sees one: the id, and the consent grants identity passed along. */
export interface CitizenRef {
  id: string;
  accessGrants?: AccessGrant[] | null;
}

// Both sides are registered codes (the gateway and grantConsent check them); comparing their
// canonical form also matches grants stored before codes, e.g. `disability-assessment`.
const samePurpose = (a: string, b: string) => purposeKey(a) === purposeKey(b);

/** The live grant that lets `principal` read `section` of a citizen, if there is one. */
export function matchingGrant(principal: Principal, section: Department, grants: readonly AccessGrant[] | null | undefined, now = Date.now()) {
  if (principal.role !== 'officer' || !principal.purpose) return undefined;
  return grants?.find(
    (grant) =>
      grant.grantee === principal.department &&
      grant.section === section &&
      samePurpose(grant.purpose, principal.purpose!) &&
      new Date(grant.expiresAt).getTime() > now,
  );
}

/** Why `principal` may not read `section` of citizen `citizenId`, or `null` when it may. */
export function sectionDenial(
  principal: Principal,
  citizenId: string,
  section: Department,
  grants?: readonly AccessGrant[] | null,
): string | null {
  switch (principal.role) {
    case 'citizen':
      return principal.sub === citizenId ? null : 'citizens may read only their own records';
    case 'auditor':
      return principal.auditOperation ? null : 'auditors may read citizen data only through registered audit operations';
    case 'officer':
      if (!principal.purpose) return 'officers must state a purpose';
      if (principal.department === section) return null;
      return matchingGrant(principal, section, grants)
        ? null
        : `officers of ${principal.department} may read ${section} records only under a live consent grant for purpose "${principal.purpose}"`;
  }
}

export function forbidden(message: string, department: Department | 'IDENTITY' | 'AUDIT'): GraphQLError {
  return new GraphQLError(`Forbidden: ${message}`, { extensions: { code: 'FORBIDDEN', department } });
}

/** Throws FORBIDDEN (naming the department) unless `principal` may read that section. */
export function assertSectionAccess(
  principal: Principal,
  citizenId: string,
  section: Department,
  grants?: readonly AccessGrant[] | null,
): void {
  const denial = sectionDenial(principal, citizenId, section, grants);
  if (denial) throw forbidden(denial, section);
}

/**
 * Department-wide views that span many citizens (an employer's contributions, a business's
 * rebates): the department's own officers and audit operations only.
 */
export function assertDepartmentWide(principal: Principal, department: Department): void {
  const allowed =
    (principal.role === 'officer' && principal.department === department && !!principal.purpose) ||
    (principal.role === 'auditor' && !!principal.auditOperation);
  if (!allowed) throw forbidden(`only ${department} officers and audit operations may list records across citizens`, department);
}

/**
 * A department's section field on `Citizen` (`health`, `tax`, ...): checks the principal may read
 * that section of this citizen (consent grants come with the representation), records the
 * access for the trail, and returns the profile's parent.
 */
export function sectionResolver(section: Department) {
  return (citizen: CitizenRef, _args: unknown, ctx: { principal: Principal; accessed: Set<string> }) => {
    assertSectionAccess(ctx.principal, citizen.id, section, citizen.accessGrants);
    ctx.accessed.add(citizen.id);
    return { citizenId: citizen.id };
  };
}
