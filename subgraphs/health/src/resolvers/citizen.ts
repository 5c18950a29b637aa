import { sectionResolver } from '../../../../lib/auth/access';
import type { CitizenResolvers, HealthProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Health keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  health: sectionResolver('HEALTH'),
};

export const HealthProfile: HealthProfileResolvers = {
  encounters: (p, args, { loaders }) => loaders.encounters.load({ owner: p.citizenId, ...args }),
  prescriptions: (p, args, { loaders }) => loaders.prescriptions.load({ owner: p.citizenId, ...args }),
  vaccinations: (p, args, { loaders }) => loaders.vaccinations.load({ owner: p.citizenId, ...args }),
  insuranceClaims: (p, args, { loaders }) => loaders.insuranceClaims.load({ owner: p.citizenId, ...args }),
};
