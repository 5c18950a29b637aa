import { assertRelationAccess } from '../../../../lib/auth/evidence-access';
import { evidenceRequest, issueEvidence, type IssuedBy } from '../../../../lib/evidence-issuing';
import type { Context } from '../context';
import type { CitizenRow } from '../db/tables';
import type { ApplicantRelation, CitizenResolvers } from '../generated/resolvers';

/**
 * The registry as an issuer of evidence (docs/applications.md): the statements a handling
 * department obtains about the subject of an application, and how the applicant relates to the
 * subject. The subject is the parent row (its entity look-up is the request's first statement).
 */

/** Under-age is under 18: a subject whose 18th birthday is after `today` (`YYYY-MM-DD`). */
export const ADULT_AGE = 18;

/** Whether someone born on `birthDate` is under 18 on `today` (both `YYYY-MM-DD`; the ISO form compares as text). */
export function isMinor(birthDate: string, today = new Date().toISOString().slice(0, 10)): boolean {
  const adultOn = `${Number(birthDate.slice(0, 4)) + ADULT_AGE}${birthDate.slice(4)}`;
  return adultOn > today;
}

/** How `applicant` (null: not in the registry) relates to `subject`, by today's registry. */
export function relationOf(subject: CitizenRow, applicant: CitizenRow | null, today?: string): ApplicantRelation {
  if (applicant?.id === subject.id) return 'SELF';
  if (!applicant?.householdId || applicant.householdId !== subject.householdId) return 'NONE';
  return isMinor(subject.birthDate, today) ? 'HOUSEHOLD_MINOR' : 'HOUSEHOLD_MEMBER';
}

const nameOf = (row: CitizenRow) => ({ given: row.givenName, family: row.familyName, full: `${row.familyName} ${row.givenName}` });

async function statement(row: CitizenRow, type: IssuedBy<'identity'>, applicantId: string, ctx: Context) {
  const { principal, loaders } = ctx;
  switch (type) {
    case 'HOUSEHOLD_RESIDENCE': {
      // Two statements at most, batched: the applicant, and the subject's household.
      const [applicant, household] = await Promise.all([
        loaders.citizen.load(applicantId),
        row.householdId ? loaders.household.load(row.householdId) : null,
      ]);
      const address = household && { line1: household.line1, city: household.city, province: household.province, postalCode: household.postalCode };
      return issueEvidence(principal, 'identity', type, row.id, {
        householdId: row.householdId,
        address,
        applicantInHousehold: !!row.householdId && applicant?.householdId === row.householdId,
      });
    }
    case 'BIRTH_RECORD':
      return issueEvidence(principal, 'identity', type, row.id, { name: nameOf(row), birthDate: row.birthDate, sex: row.sex });
    case 'IDENTITY_RECORD':
      return issueEvidence(principal, 'identity', type, row.id, { name: nameOf(row), nationalId: row.nationalId, birthDate: row.birthDate });
  }
}

export const citizenEvidence: Pick<CitizenResolvers, 'identityEvidence' | 'applicantRelation'> = {
  identityEvidence: async (row, { type, applicant }, ctx) => {
    const issued = evidenceRequest(ctx.principal, 'identity', type);
    ctx.accessed.add(row.id);
    return statement(row, issued, applicant, ctx);
  },
  applicantRelation: async (row, { applicant }, { principal, loaders, accessed }) => {
    assertRelationAccess(principal);
    accessed.add(row.id);
    return relationOf(row, applicant === row.id ? row : await loaders.citizen.load(applicant));
  },
};
