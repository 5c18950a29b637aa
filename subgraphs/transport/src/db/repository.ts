import type { Db } from '../../../../lib/db';
import type { PageQuery } from '../../../../lib/sql';
import { DRIVING_LICENCES, VEHICLES, VIOLATIONS } from './generated/tables';
import type { DrivingLicenceRow, VehicleRow } from './tables';

/** A citizen's vehicles, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const VEHICLE_PAGES: PageQuery = { table: VEHICLES.table, columns: VEHICLES.select(), sortColumn: 'occurred_at', sortType: 'timestamptz' };
/** A citizen's violations, newest first. */
export const VIOLATION_PAGES: PageQuery = { table: VIOLATIONS.table, columns: VIOLATIONS.select(), sortColumn: 'occurred_at', sortType: 'timestamptz' };

export function drivingLicencesByCitizen(db: Db, citizenIds: string[]): Promise<DrivingLicenceRow[]> {
  return db.query<DrivingLicenceRow>(`SELECT ${DRIVING_LICENCES.select()} FROM driving_licences WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
}

export function vehiclesById(db: Db, ids: string[]): Promise<VehicleRow[]> {
  return db.query<VehicleRow>(`SELECT ${VEHICLES.select()} FROM vehicles WHERE id = ANY($1::text[])`, [ids]);
}
