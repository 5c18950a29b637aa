import { ApplicationError, callGateway, type ProcedureHandler } from '../../../lib/applications';
import { EvidenceApplicantRelationDocument } from '../../../schema/operations/generated/graphql';
import { insertEnrollment, schoolsById } from './db/repository';

/** The enrollment level a school of each kind admits a new pupil to. */
const ENTRY_LEVEL = { PRIMARY: 'PRIMARY', SECONDARY: 'JUNIOR_SECONDARY', VOCATIONAL: 'SECONDARY_VOCATIONAL', UNIVERSITY: null } as const;

/** The next 1 September on or after `day`: when a school year starts. */
function nextSchoolYear(day: Date): string {
  const year = day.getUTCMonth() > 8 || (day.getUTCMonth() === 8 && day.getUTCDate() > 1) ? day.getUTCFullYear() + 1 : day.getUTCFullYear();
  return `${year}-09-01`;
}

/**
 * School enrollment (lib/procedures.ts SCHOOL_ENROLLMENT): a parent applies for a child of their
 * household, at a school they choose; approval enrolls the child there from the next school year.
 */
export const schoolEnrollment: ProcedureHandler = {
  procedure: 'SCHOOL_ENROLLMENT',

  async details(db, input) {
    const schoolId = input.schoolId;
    if (typeof schoolId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(schoolId)) {
      throw new ApplicationError('BAD_USER_INPUT', 'schoolId: school enrollment needs the school (an id from Query.school)', 'schoolId');
    }
    const [school] = await schoolsById(db, [schoolId]);
    if (!school) throw new ApplicationError('BAD_USER_INPUT', `schoolId: there is no school ${schoolId}`, 'schoolId');
    if (!ENTRY_LEVEL[school.kind]) throw new ApplicationError('BAD_USER_INPUT', `schoolId: ${school.name} is a university; school enrollment is for primary, secondary and vocational schools`, 'schoolId');
    return { schoolId };
  },

  // Identity holds households: education asks it, through the gateway, as itself, with this
  // application as case (the citizen sees the read in their access log).
  async checkSubject(_db, { applicantId, subjectId, applicationId }) {
    const answer = await callGateway('education', EvidenceApplicantRelationDocument, { subject: subjectId, applicant: applicantId }, {
      purpose: 'SCHOOL_ENROLLMENT',
      caseId: applicationId,
    });
    const relation = answer.data?.citizen?.applicantRelation;
    if (relation === 'HOUSEHOLD_MINOR') return;
    if (!relation) {
      if (answer.data && answer.data.citizen === null) throw new ApplicationError('FORBIDDEN', `subjectId: there is no citizen ${subjectId} you may apply for`, 'subjectId');
      throw new ApplicationError('SERVICE_UNAVAILABLE', `the civil registry could not confirm the child: ${answer.errors?.map((e) => e.message).join('; ') ?? 'no answer'}`);
    }
    throw new ApplicationError('FORBIDDEN', `school enrollment is for a child under 18 of your own household; ${subjectId} is not (${relation})`);
  },

  async approve(tx, application) {
    const [school] = await schoolsById(tx, [application.details.schoolId]);
    const now = new Date();
    const id = `enr_${application.id}`;
    const startDate = nextSchoolYear(now);
    await insertEnrollment(tx, {
      id,
      citizenId: application.subjectId,
      occurredAt: now,
      schoolId: school.id,
      level: ENTRY_LEVEL[school.kind]!,
      startDate,
    });
    return { id, summary: `Enrolled at ${school.name} (${school.city}) from ${startDate}` };
  },
};
