import { scalarResolvers } from '../../../../lib/scalars';
import type { Resolvers } from '../generated/resolvers';
import { Citizen, EducationProfile } from './citizen';
import { Enrollment, ExamResult, Qualification } from './records';
import { Query, School } from './school';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Citizen,
  EducationProfile,
  School,
  Enrollment,
  Qualification,
  ExamResult,
};
