import { money } from '../../../../lib/scalars';
import type { BenefitResolvers, ContributionResolvers, PensionResolvers } from '../generated/resolvers';

const SCHEME_LABEL = { PENSION_INSURANCE: 'Pension insurance' } as const;

const BENEFIT_LABEL = {
  CHILD: 'Childcare subsidy',
  UNEMPLOYMENT: 'Unemployment benefit',
  DISABILITY: 'Disability allowance',
  HOUSING: 'Housing allowance',
  MATERNITY: 'Maternity allowance',
} as const;

const STATUS_LABEL = { ACTIVE: 'active', SUSPENDED: 'suspended', ENDED: 'ended' } as const;

const PENSION_LABEL = { EMPLOYEE_BASIC: "Employees' basic pension", RESIDENT_BASIC: "Residents' basic pension" } as const;

export const Contribution: ContributionResolvers = {
  department: () => 'SOCIAL_SECURITY',
  title: (row) => `${SCHEME_LABEL[row.scheme]} contributions for ${row.year}`,
  // Both are references: identity owns the citizen and tax the business.
  citizen: (row) => ({ id: row.citizenId }),
  employer: (row) => ({ id: row.employerId }),
  employeeAmount: (row) => money(row.employeeAmount, row.currency),
  employerAmount: (row) => money(row.employerAmount, row.currency),
};

export const Benefit: BenefitResolvers = {
  department: () => 'SOCIAL_SECURITY',
  title: (row) => `${BENEFIT_LABEL[row.kind]} (${STATUS_LABEL[row.status]})`,
  monthlyAmount: (row) => money(row.monthlyAmount, row.currency),
};

export const Pension: PensionResolvers = {
  department: () => 'SOCIAL_SECURITY',
  title: (row) => `${PENSION_LABEL[row.scheme]} from ${row.startDate}`,
  monthlyAmount: (row) => money(row.monthlyAmount, row.currency),
};
