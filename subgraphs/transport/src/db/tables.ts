/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * is its table's row as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { DrivingLicencesRow, VehiclesRow, ViolationsRow } from './generated/tables';

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.transport`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export type DrivingLicenceRow = DrivingLicencesRow;
export type VehicleRow = VehiclesRow;
export type ViolationRow = ViolationsRow;
