import type { Db } from '../../../../lib/db';
import { CITIZENS, CONSENTS, HOUSEHOLDS } from './generated/tables';
import type { CitizenRow, ConsentRow, HouseholdRow } from './tables';

const CITIZEN = CITIZENS.select();
const HOUSEHOLD = HOUSEHOLDS.select();
const CONSENT = CONSENTS.select();

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

/** Every consent grant of these citizens, newest first. */
export function consentsByCitizen(db: Db, citizenIds: string[]): Promise<ConsentRow[]> {
  return db.query<ConsentRow>(
    `SELECT ${CONSENT} FROM consents WHERE citizen_id = ANY($1::text[]) ORDER BY granted_at DESC, id DESC`,
    [citizenIds],
  );
}

export async function insertConsent(
  db: Db,
  consent: Pick<ConsentRow, 'id' | 'citizenId' | 'grantee' | 'section' | 'purpose' | 'expiresOn'>,
): Promise<ConsentRow> {
  const [row] = await db.query<ConsentRow>(
    `INSERT INTO consents (id, citizen_id, grantee, section, purpose, expires_on)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CONSENT}`,
    [consent.id, consent.citizenId, consent.grantee, consent.section, consent.purpose, consent.expiresOn],
  );
  return row;
}

/** Revokes a citizen's own grant (once; a second call changes nothing). `null` if it is not theirs. */
export async function revokeConsent(db: Db, id: string, citizenId: string): Promise<ConsentRow | null> {
  const [row] = await db.query<ConsentRow>(
    `UPDATE consents SET revoked_at = COALESCE(revoked_at, now())
     WHERE id = $1 AND citizen_id = $2 RETURNING ${CONSENT}`,
    [id, citizenId],
  );
  return row ?? null;
}
