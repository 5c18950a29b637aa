import type { Db } from '../../../../lib/db';
import { recordPages } from '../../../../lib/sql';
import { DRIVING_LICENCES, VEHICLES, VIOLATIONS } from './generated/tables';
import type { DrivingLicenceRow, VehicleRow } from './tables';

/** A citizen's vehicles, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const VEHICLE_PAGES = recordPages(VEHICLES);
/** A citizen's violations, newest first. */
export const VIOLATION_PAGES = recordPages(VIOLATIONS);

export function drivingLicencesByCitizen(db: Db, citizenIds: string[]): Promise<DrivingLicenceRow[]> {
  return db.query<DrivingLicenceRow>(`SELECT ${DRIVING_LICENCES.select()} FROM driving_licences WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
}

export function vehiclesById(db: Db, ids: string[]): Promise<VehicleRow[]> {
  return db.query<VehicleRow>(`SELECT ${VEHICLES.select()} FROM vehicles WHERE id = ANY($1::text[])`, [ids]);
}
