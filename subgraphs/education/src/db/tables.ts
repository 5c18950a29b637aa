/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * is its table's row as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { EnrollmentsRow, ExamResultsRow, QualificationsRow, SchoolsRow } from './generated/tables';

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.education`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export type SchoolRow = SchoolsRow;
export type EnrollmentRow = EnrollmentsRow;
/** `schoolId` is `null` for a certificate earned by national examination alone. */
export type QualificationRow = QualificationsRow;
/** `schoolId` is `null` for an examination taken outside a school. */
export type ExamResultRow = ExamResultsRow;

export type SchoolKind = SchoolsRow['kind'];
export type EducationLevel = EnrollmentsRow['level'];
