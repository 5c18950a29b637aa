import type { Db } from '../../../../lib/db';
import type { Cursor } from '../../../../lib/paging';
import { fetchCitizenPages, type CitizenPageQuery } from '../../../../lib/sql';
import { DRIVING_LICENCES, VEHICLES, VIOLATIONS } from './generated/tables';
import type { DrivingLicenceRow, VehicleRow, ViolationRow } from './tables';

const VEHICLE_PAGES: CitizenPageQuery = { table: VEHICLES.table, columns: VEHICLES.select(), sortColumn: 'occurred_at', sortType: 'timestamptz' };
const VIOLATION_PAGES: CitizenPageQuery = { table: VIOLATIONS.table, columns: VIOLATIONS.select(), sortColumn: 'occurred_at', sortType: 'timestamptz' };

export const vehiclePages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<VehicleRow>(db, VEHICLE_PAGES, citizenIds, first, after);

export const violationPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<ViolationRow>(db, VIOLATION_PAGES, citizenIds, first, after);

export function drivingLicencesByCitizen(db: Db, citizenIds: string[]): Promise<DrivingLicenceRow[]> {
  return db.query<DrivingLicenceRow>(`SELECT ${DRIVING_LICENCES.select()} FROM driving_licences WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
}

export function vehiclesById(db: Db, ids: string[]): Promise<VehicleRow[]> {
  return db.query<VehicleRow>(`SELECT ${VEHICLES.select()} FROM vehicles WHERE id = ANY($1::text[])`, [ids]);
}
