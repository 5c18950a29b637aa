/** Rows as the repository returns them (camelCase); resolvers shape them into graph types. */

/** A citizen as this department sees one: the id, and identity's live consent grants. */
export type { CitizenRef } from '../../../../lib/auth/access';

/** The parent of `Citizen.education`: whose profile it is. */
export interface ProfileParent {
  citizenId: string;
}

export type SchoolKind = 'PRIMARY' | 'SECONDARY' | 'UNIVERSITY' | 'VOCATIONAL';

export type EducationLevel =
  | 'PRIMARY'
  | 'JUNIOR_SECONDARY'
  | 'SENIOR_SECONDARY'
  | 'SECONDARY_VOCATIONAL'
  | 'HIGHER_VOCATIONAL'
  | 'BACHELOR';

export interface SchoolRow {
  id: string;
  name: string;
  kind: SchoolKind;
  city: string;
}

export interface EnrollmentRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  schoolId: string;
  level: EducationLevel;
  /** `YYYY-MM-DD`. */
  startDate: string;
  /** `YYYY-MM-DD`; `null` while the enrollment is active. */
  endDate: string | null;
  status: 'ACTIVE' | 'COMPLETED' | 'WITHDRAWN';
}

export interface QualificationRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  /** `null` for a certificate earned by national examination alone. */
  schoolId: string | null;
  title: string;
  level: EducationLevel | null;
  /** `YYYY-MM-DD`. */
  awardedOn: string;
}

export interface ExamResultRow {
  id: string;
  citizenId: string;
  occurredAt: Date;
  /** `null` for an examination taken outside a school. */
  schoolId: string | null;
  exam: string;
  subject: string;
  score: number;
  maxScore: number;
}
