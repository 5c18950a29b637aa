import type { DepartmentManifest } from '../manifest';

/** The education department: enrollments, qualifications, exam results; owns `School`. */
export const education = {
  name: 'education',
  port: 4003,
  title: 'Education',
  section: { field: 'education', code: 'EDUCATION', records: { connection: 'enrollments', table: 'enrollments' } },
  mappers: {
    Citizen: '../db/tables#CitizenRef',
    EducationProfile: '../db/tables#ProfileParent',
    Enrollment: '../db/tables#EnrollmentRow',
    Qualification: '../db/tables#QualificationRow',
    ExamResult: '../db/tables#ExamResultRow',
    School: '../db/tables#SchoolRow',
  },
  server: './src/server#education',
  seed: './seed#educationSeed',
} as const satisfies DepartmentManifest;
