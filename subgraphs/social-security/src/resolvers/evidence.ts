import { evidenceRequest, issueEvidence } from '../../../../lib/evidence-issuing';
import * as repo from '../db/repository';
import type { BusinessResolvers, CitizenResolvers } from '../generated/resolvers';

/**
 * Social security as an issuer of evidence (docs/applications.md). Contributions are recorded
 * one row per citizen, employer and year (months covered: 12, or fewer for the year in
 * progress), so both statements read whole calendar years. One statement each.
 */

/** The last full calendar year before `now`. */
export const lastFullYear = (now = new Date()) => now.getUTCFullYear() - 1;

/**
 * INSURED_STATUS. "The last twelve months" in yearly records: the current year and the last full
 * one. `contributionMonths` is the months they cover (each year's rows summed, at most 12 a
 * year), at most 12 in all; `insured` is whether any month is covered.
 */
export const insuredStatus: Pick<CitizenResolvers, 'socialSecurityEvidence'> = {
  socialSecurityEvidence: async (citizen, { type }, { principal, db, accessed }) => {
    const issued = evidenceRequest(principal, 'social-security', type, { field: 'Citizen.socialSecurityEvidence', states: ['INSURED_STATUS'] });
    accessed.add(citizen.id);
    const year = lastFullYear();
    const covered = await repo.coveredYears(db, citizen.id, [year, year + 1]);
    const months = Math.min(12, covered.reduce((sum, row) => sum + row.months, 0));
    return issueEvidence(principal, 'social-security', issued, citizen.id, { insured: months > 0, contributionMonths: months });
  },
};

/**
 * EMPLOYER_CONTRIBUTIONS, for the last full calendar year: `employees` is the citizens the
 * business paid contributions for that year; `paidUp` that it paid for at least one, each for
 * all 12 months (a business unknown to social security that year is not stated as paid up).
 * The statement is about the applicant (the business's representative) as the one recorded.
 */
export const employerContributions: Pick<BusinessResolvers, 'socialSecurityEvidence'> = {
  socialSecurityEvidence: async (business, { type, applicant }, { principal, db, accessed }) => {
    const issued = evidenceRequest(principal, 'social-security', type, { field: 'Business.socialSecurityEvidence', states: ['EMPLOYER_CONTRIBUTIONS'] });
    accessed.add(applicant);
    const year = lastFullYear();
    const { employees, fullYear } = await repo.employerYear(db, business.id, year);
    return issueEvidence(principal, 'social-security', issued, business.id, { year, employees, paidUp: employees > 0 && fullYear === true });
  },
};
