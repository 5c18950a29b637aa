import type { Db } from '../../../../lib/db';
import type { PageQuery } from '../../../../lib/sql';
import type { EnrollmentRow, SchoolKind, SchoolRow } from './tables';

const SCHOOL = `id, name, kind, city`;

export const ENROLLMENT_PAGES: PageQuery = {
  table: 'enrollments',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", school_id AS "schoolId", level,
    start_date AS "startDate", end_date AS "endDate", status`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const QUALIFICATION_PAGES: PageQuery = {
  table: 'qualifications',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", school_id AS "schoolId", title, level,
    awarded_on AS "awardedOn"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};
export const EXAM_RESULT_PAGES: PageQuery = {
  table: 'exam_results',
  columns: `id, citizen_id AS "citizenId", occurred_at AS "occurredAt", school_id AS "schoolId", exam, subject,
    score, max_score AS "maxScore"`,
  sortColumn: 'occurred_at',
  sortType: 'timestamptz',
};

export function schoolsById(db: Db, ids: string[]): Promise<SchoolRow[]> {
  return db.query<SchoolRow>(`SELECT ${SCHOOL} FROM schools WHERE id = ANY($1::text[])`, [ids]);
}

/**
 * Up to `limit` schools in id order after `afterId`, of `city` and `kind` when given: one
 * statement (the list is public; a page of it reads no one's data).
 */
export function schoolPage(db: Db, filter: { city: string | null; kind: SchoolKind | null }, limit: number, afterId: string | null): Promise<SchoolRow[]> {
  return db.query<SchoolRow>(
    `SELECT ${SCHOOL} FROM schools
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
