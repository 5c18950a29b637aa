/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * table's row is as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { BenefitsRow, ContributionsRow, InsuranceVouchersRow, PensionsRow } from './generated/tables';

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

export type ContributionRow = ContributionsRow;
export type BenefitRow = BenefitsRow;
export type PensionRow = PensionsRow;
/**
 * A medical-insurance e-voucher (`insurance_vouchers`): `validUntil` is the last day it may be
 * redeemed; `redeemedAt`, `facilityId` and `encounterId` are set together when a health facility
 * redeems it.
 */
export type VoucherRow = InsuranceVouchersRow;

/** An employer's contributions in one year, summed up (`repository.employerYear`). */
export interface EmployerYearRow {
  employees: number;
  /** Every row of the year covers 12 months; `null` when there are no rows. */
  fullYear: boolean | null;
}

/** The months of one year a citizen's contributions cover, at most 12 (`repository.coveredYears`). */
export type CoveredYearRow = Pick<ContributionsRow, 'year' | 'months'>;
