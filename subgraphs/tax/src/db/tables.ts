/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * is its table's row as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { BusinessOwnersRow, BusinessesRow, ExportRebatesRow, TaxPaymentsRow, TaxReturnsRow } from './generated/tables';

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.tax`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export type BusinessRow = BusinessesRow;

/** A business with the citizen who runs it (one row per owner): `business_owners.citizen_id` as `ownerId`. */
export type OwnedBusinessRow = BusinessRow & { ownerId: BusinessOwnersRow['citizenId'] };

export type TaxReturnRow = TaxReturnsRow;
export type TaxPaymentRow = TaxPaymentsRow;
/** `paidAt` is set exactly when `status` is PAID (a CHECK of migration 0002). */
export type ExportRebateRow = ExportRebatesRow;
