import type { Db } from '../../../../lib/db';
import type { Cursor } from '../../../../lib/paging';
import { fetchCitizenPages, type CitizenPageQuery } from '../../../../lib/sql';
import type { DrivingLicenceRow, VehicleRow, ViolationRow } from './tables';

const LICENCE = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", licence_number AS "licenceNumber", categories,
  issued_on AS "issuedOn", expires_on AS "expiresOn", penalty_points AS "penaltyPoints", status`;
const VEHICLE = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", plate, make, model, model_year AS "modelYear",
  fuel_type AS "fuelType", first_registered_on AS "firstRegisteredOn"`;

const VEHICLES: CitizenPageQuery = { table: 'vehicles', columns: VEHICLE, sortColumn: 'occurred_at', sortType: 'timestamptz' };
const VIOLATIONS: CitizenPageQuery = {
  table: 'violations',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", vehicle_id AS "vehicleId", kind, location,
    fine::text AS fine, currency, points, status`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};

export const vehiclePages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<VehicleRow>(db, VEHICLES, citizenIds, first, after);

export const violationPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<ViolationRow>(db, VIOLATIONS, citizenIds, first, after);

export function drivingLicencesByCitizen(db: Db, citizenIds: string[]): Promise<DrivingLicenceRow[]> {
  return db.query<DrivingLicenceRow>(`SELECT ${LICENCE} FROM driving_licences WHERE citizen_id = ANY($1::text[])`, [citizenIds]);
}

export function vehiclesById(db: Db, ids: string[]): Promise<VehicleRow[]> {
  return db.query<VehicleRow>(`SELECT ${VEHICLE} FROM vehicles WHERE id = ANY($1::text[])`, [ids]);
}
