import type { EnrollmentResolvers, ExamResultResolvers, QualificationResolvers } from '../generated/resolvers';

const LEVEL_LABEL = {
  PRIMARY: 'Primary school',
  JUNIOR_SECONDARY: 'Junior secondary school',
  SENIOR_SECONDARY: 'Senior secondary school',
  SECONDARY_VOCATIONAL: 'Secondary vocational school',
  HIGHER_VOCATIONAL: 'Higher vocational college',
  BACHELOR: "Bachelor's degree programme",
} as const;

const STATUS_LABEL = {
  ACTIVE: 'studying',
  COMPLETED: 'completed',
  WITHDRAWN: 'withdrawn',
} as const;

export const Enrollment: EnrollmentResolvers = {
  department: () => 'EDUCATION',
  title: (row) => `${LEVEL_LABEL[row.level]} enrollment (${STATUS_LABEL[row.status]})`,
  school: async (row, _args, { loaders }) => {
    const school = await loaders.school.load(row.schoolId);
    if (!school) throw new Error(`enrollment ${row.id} refers to missing school ${row.schoolId}`);
    return school;
  },
};

export const Qualification: QualificationResolvers = {
  department: () => 'EDUCATION',
  // `title` is the qualification's own name ("Bachelor of Engineering"): the row's column.
  school: (row, _args, { loaders }) => (row.schoolId ? loaders.school.load(row.schoolId) : null),
};

export const ExamResult: ExamResultResolvers = {
  department: () => 'EDUCATION',
  title: (row) => `${row.exam}: ${row.subject} ${row.score}/${row.maxScore}`,
  school: (row, _args, { loaders }) => (row.schoolId ? loaders.school.load(row.schoolId) : null),
};
