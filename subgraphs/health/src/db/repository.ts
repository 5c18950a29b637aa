import type { Db } from '../../../../lib/db';
import { recordPages } from '../../../../lib/sql';
import { ENCOUNTERS, FACILITIES, INSURANCE_CLAIMS, PRESCRIPTIONS, VACCINATIONS } from './generated/tables';
import type { EncounterRow, FacilityRow, VaccinationRow } from './tables';

/** A citizen's encounters, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const ENCOUNTER_PAGES = recordPages(ENCOUNTERS);
/** A citizen's prescriptions, newest first. */
export const PRESCRIPTION_PAGES = recordPages(PRESCRIPTIONS);
/** A citizen's vaccinations, newest first. */
export const VACCINATION_PAGES = recordPages(VACCINATIONS);
/** A citizen's insurance claims, newest first. */
export const INSURANCE_CLAIM_PAGES = recordPages(INSURANCE_CLAIMS);

export function facilitiesById(db: Db, ids: string[]): Promise<FacilityRow[]> {
  return db.query<FacilityRow>(`SELECT ${FACILITIES.select()} FROM facilities WHERE id = ANY($1::text[])`, [ids]);
}

export function encountersById(db: Db, ids: string[]): Promise<EncounterRow[]> {
  return db.query<EncounterRow>(`SELECT ${ENCOUNTERS.select()} FROM encounters WHERE id = ANY($1::text[])`, [ids]);
}

/** Every vaccination of these citizens, oldest first (evidence states the whole record, never a page of it). */
export function vaccinationHistories(db: Db, citizenIds: string[]): Promise<VaccinationRow[]> {
  return db.query<VaccinationRow>(
    `SELECT ${VACCINATIONS.select()} FROM vaccinations WHERE citizen_id = ANY($1::text[]) ORDER BY occurred_at, id`,
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
