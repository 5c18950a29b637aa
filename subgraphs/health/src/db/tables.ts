/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * is its table's row as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { EncountersRow, FacilitiesRow, InsuranceClaimsRow, PrescriptionsRow, VaccinationsRow } from './generated/tables';

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.health`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export type FacilityRow = FacilitiesRow;
export type EncounterRow = EncountersRow;
export type PrescriptionRow = PrescriptionsRow;
export type VaccinationRow = VaccinationsRow;
export type InsuranceClaimRow = InsuranceClaimsRow;
