import type { Db } from '../../../../lib/db';
import { recordPages } from '../../../../lib/sql';
import { ENROLLMENTS, EXAM_RESULTS, QUALIFICATIONS, SCHOOLS } from './generated/tables';
import type { EnrollmentRow, SchoolKind, SchoolRow } from './tables';

/** A citizen's enrollments, newest first (pages of many citizens in one statement: lib/loaders.ts pageLoader). */
export const ENROLLMENT_PAGES = recordPages(ENROLLMENTS);
/** A citizen's qualifications, newest first. */
export const QUALIFICATION_PAGES = recordPages(QUALIFICATIONS);
/** A citizen's exam results, newest first. */
export const EXAM_RESULT_PAGES = recordPages(EXAM_RESULTS);

export function schoolsById(db: Db, ids: string[]): Promise<SchoolRow[]> {
  return db.query<SchoolRow>(`SELECT ${SCHOOLS.select()} FROM schools WHERE id = ANY($1::text[])`, [ids]);
}

/**
 * Up to `limit` schools in id order after `afterId`, of `city` and `kind` when given: one
 * statement (the list is public; a page of it reads no one's data).
 */
export function schoolPage(db: Db, filter: { city: string | null; kind: SchoolKind | null }, limit: number, afterId: string | null): Promise<SchoolRow[]> {
  return db.query<SchoolRow>(
    `SELECT ${SCHOOLS.select()} FROM schools
     WHERE ($1::text IS NULL OR city = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR id > $3)
     ORDER BY id LIMIT $4`,
    [filter.city, filter.kind, afterId, limit],
  );
}

/** A new, active enrollment (an approved school-enrollment application writes one). */
export async function insertEnrollment(
  db: Db,
  row: Pick<EnrollmentRow, 'id' | 'citizenId' | 'occurredAt' | 'schoolId' | 'level' | 'startDate'>,
): Promise<void> {
  await db.query(
    `INSERT INTO enrollments (id, citizen_id, occurred_at, school_id, level, start_date, end_date, status)
     VALUES ($1, $2, $3, $4, $5, $6, NULL, 'ACTIVE')`,
    [row.id, row.citizenId, row.occurredAt, row.schoolId, row.level, row.startDate],
  );
}
