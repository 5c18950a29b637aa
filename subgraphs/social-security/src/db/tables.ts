/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.socialSecurity`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

/** A business as social security knows it: only the id (the tax department owns the rest). */
export interface BusinessRef {
  id: string;
}

export interface ContributionRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  employerId: string;
  scheme: 'PENSION_INSURANCE';
  year: number;
  months: number;
  employeeAmount: string;
  employerAmount: string;
  currency: string;
}

export interface BenefitRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  kind: 'CHILD' | 'UNEMPLOYMENT' | 'DISABILITY' | 'HOUSING' | 'MATERNITY';
  status: 'ACTIVE' | 'SUSPENDED' | 'ENDED';
  monthlyAmount: string;
  currency: string;
  startDate: string;
  endDate: string | null;
}

export interface PensionRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  scheme: 'EMPLOYEE_BASIC' | 'RESIDENT_BASIC';
  startDate: string;
  monthlyAmount: string;
  currency: string;
}

/** An employer's contributions in one year, summed up (`repository.employerYear`). */
export interface EmployerYearRow {
  employees: number;
  /** Every row of the year covers 12 months; `null` when there are no rows. */
  fullYear: boolean | null;
}

/** The months of one year a citizen's contributions cover, at most 12 (`repository.coveredYears`). */
export interface CoveredYearRow {
  year: number;
  months: number;
}

/** A medical-insurance e-voucher (`insurance_vouchers`). */
export interface VoucherRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  applicationId: string;
  amount: string;
  currency: string;
  /** `YYYY-MM-DD`: the last day it may be redeemed. */
  validUntil: string;
  /** Set together when a health facility redeems it. */
  redeemedAt: Date | null;
  facilityId: string | null;
  encounterId: string | null;
}
