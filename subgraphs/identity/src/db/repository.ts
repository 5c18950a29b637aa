import type { Db } from '../../../../lib/db';
import type { CitizenRow, HouseholdRow } from './tables';

const CITIZEN = `id, national_id AS "nationalId", given_name AS "givenName", family_name AS "familyName",
  birth_date AS "birthDate", sex, household_id AS "householdId"`;
const HOUSEHOLD = `id, line1, city, province, postal_code AS "postalCode"`;

export function citizensById(db: Db, ids: string[]): Promise<CitizenRow[]> {
  return db.query<CitizenRow>(`SELECT ${CITIZEN} FROM citizens WHERE id = ANY($1::text[])`, [ids]);
}

export function citizensByNationalId(db: Db, nationalIds: string[]): Promise<CitizenRow[]> {
  return db.query<CitizenRow>(`SELECT ${CITIZEN} FROM citizens WHERE national_id = ANY($1::text[])`, [nationalIds]);
}

export function citizensByHousehold(db: Db, householdIds: string[]): Promise<CitizenRow[]> {
  return db.query<CitizenRow>(
    `SELECT ${CITIZEN} FROM citizens WHERE household_id = ANY($1::text[]) ORDER BY birth_date, id`,
    [householdIds],
  );
}

/** Up to `limit` citizens in id order, after `afterId` if given. */
export function citizenPage(db: Db, limit: number, afterId: string | null): Promise<CitizenRow[]> {
  return afterId
    ? db.query<CitizenRow>(`SELECT ${CITIZEN} FROM citizens WHERE id > $2 ORDER BY id LIMIT $1`, [limit, afterId])
    : db.query<CitizenRow>(`SELECT ${CITIZEN} FROM citizens ORDER BY id LIMIT $1`, [limit]);
}

export function householdsById(db: Db, ids: string[]): Promise<HouseholdRow[]> {
  return db.query<HouseholdRow>(`SELECT ${HOUSEHOLD} FROM households WHERE id = ANY($1::text[])`, [ids]);
}

export async function countCitizens(db: Db): Promise<number> {
  const [row] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM citizens');
  return row.count;
}
