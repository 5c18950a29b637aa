import type { Db } from '../../../../lib/db';
import type { Cursor } from '../../../../lib/paging';
import { fetchCitizenPages, type CitizenPageQuery } from '../../../../lib/sql';
import type { EncounterRow, FacilityRow, InsuranceClaimRow, PrescriptionRow, VaccinationRow } from './tables';

const FACILITY = `id, name, kind, city`;
const ENCOUNTER = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", facility_id AS "facilityId", kind,
  diagnosis_code AS "diagnosisCode", diagnosis`;

const ENCOUNTERS: CitizenPageQuery = { table: 'encounters', columns: ENCOUNTER, sortColumn: 'occurred_at', sortType: 'timestamptz' };
const PRESCRIPTIONS: CitizenPageQuery = {
  table: 'prescriptions',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", encounter_id AS "encounterId", medication,
    dosage, days_supply AS "daysSupply"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
const VACCINATIONS: CitizenPageQuery = {
  table: 'vaccinations',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", facility_id AS "facilityId", vaccine,
    dose_number AS "doseNumber"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
const CLAIMS: CitizenPageQuery = {
  table: 'insurance_claims',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", encounter_id AS "encounterId", status,
    claimed::text AS claimed, reimbursed::text AS reimbursed, currency`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};

export const encounterPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<EncounterRow>(db, ENCOUNTERS, citizenIds, first, after);

export const prescriptionPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<PrescriptionRow>(db, PRESCRIPTIONS, citizenIds, first, after);

export const vaccinationPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<VaccinationRow>(db, VACCINATIONS, citizenIds, first, after);

export const insuranceClaimPages = (db: Db, citizenIds: string[], first: number, after: Cursor | null) =>
  fetchCitizenPages<InsuranceClaimRow>(db, CLAIMS, citizenIds, first, after);

export function facilitiesById(db: Db, ids: string[]): Promise<FacilityRow[]> {
  return db.query<FacilityRow>(`SELECT ${FACILITY} FROM facilities WHERE id = ANY($1::text[])`, [ids]);
}

export function encountersById(db: Db, ids: string[]): Promise<EncounterRow[]> {
  return db.query<EncounterRow>(`SELECT ${ENCOUNTER} FROM encounters WHERE id = ANY($1::text[])`, [ids]);
}

/** Every vaccination of these citizens, oldest first (evidence states the whole record, never a page of it). */
export function vaccinationHistories(db: Db, citizenIds: string[]): Promise<VaccinationRow[]> {
  return db.query<VaccinationRow>(
    `SELECT ${VACCINATIONS.columns} FROM vaccinations WHERE citizen_id = ANY($1::text[]) ORDER BY occurred_at, id`,
    [citizenIds],
  );
}

/** Records an encounter unless one with its id is there already (a retried redemption); returns it either way. */
export async function insertEncounterOnce(db: Db, row: EncounterRow): Promise<EncounterRow> {
  await db.query(
    `INSERT INTO encounters (id, citizen_id, occurred_at, facility_id, kind, diagnosis_code, diagnosis)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
    [row.id, row.citizenId, row.occurredAt, row.facilityId, row.kind, row.diagnosisCode, row.diagnosis],
  );
  const [stored] = await encountersById(db, [row.id]);
  return stored;
}
