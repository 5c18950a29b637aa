import { sectionResolver } from '../../../../lib/auth/access';
import type { CitizenResolvers, EducationProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Education keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  education: sectionResolver('EDUCATION'),
};

export const EducationProfile: EducationProfileResolvers = {
  enrollments: (p, args, { loaders }) => loaders.enrollments.load({ owner: p.citizenId, ...args }),
  qualifications: (p, args, { loaders }) => loaders.qualifications.load({ owner: p.citizenId, ...args }),
  examResults: (p, args, { loaders }) => loaders.examResults.load({ owner: p.citizenId, ...args }),
};
