import type { Db } from '../../../../lib/db';
import type { PageQuery } from '../../../../lib/sql';
import type { EncounterRow, FacilityRow, VaccinationRow } from './tables';

const FACILITY = `id, name, kind, city`;
const ENCOUNTER = `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", facility_id AS "facilityId", kind,
  diagnosis_code AS "diagnosisCode", diagnosis`;

export const ENCOUNTER_PAGES: PageQuery = { table: 'encounters', columns: ENCOUNTER, sortColumn: 'occurred_at', sortType: 'timestamptz' };
export const PRESCRIPTION_PAGES: PageQuery = {
  table: 'prescriptions',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", encounter_id AS "encounterId", medication,
    dosage, days_supply AS "daysSupply"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const VACCINATION_PAGES: PageQuery = {
  table: 'vaccinations',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", facility_id AS "facilityId", vaccine,
    dose_number AS "doseNumber"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const INSURANCE_CLAIM_PAGES: PageQuery = {
  table: 'insurance_claims',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", encounter_id AS "encounterId", status,
    claimed::text AS claimed, reimbursed::text AS reimbursed, currency`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};

export function facilitiesById(db: Db, ids: string[]): Promise<FacilityRow[]> {
  return db.query<FacilityRow>(`SELECT ${FACILITY} FROM facilities WHERE id = ANY($1::text[])`, [ids]);
}

export function encountersById(db: Db, ids: string[]): Promise<EncounterRow[]> {
  return db.query<EncounterRow>(`SELECT ${ENCOUNTER} FROM encounters WHERE id = ANY($1::text[])`, [ids]);
}

/** Every vaccination of these citizens, oldest first (evidence states the whole record, never a page of it). */
export function vaccinationHistories(db: Db, citizenIds: string[]): Promise<VaccinationRow[]> {
  return db.query<VaccinationRow>(
    `SELECT ${VACCINATION_PAGES.columns} FROM vaccinations WHERE citizen_id = ANY($1::text[]) ORDER BY occurred_at, id`,
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
