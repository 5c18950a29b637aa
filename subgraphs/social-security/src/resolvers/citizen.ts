import { sectionResolver } from '../../../../lib/auth/access';
import type { CitizenResolvers, SocialSecurityProfileResolvers } from '../generated/resolvers';
import { insuredStatus } from './evidence';

export const Citizen: CitizenResolvers = {
  // Social security keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  socialSecurity: sectionResolver('SOCIAL_SECURITY'),
  // For handling departments deciding an application (docs/applications.md).
  ...insuredStatus,
};

export const SocialSecurityProfile: SocialSecurityProfileResolvers = {
  contributions: (p, args, { loaders }) => loaders.contributions.load({ owner: p.citizenId, ...args }),
  benefits: (p, args, { loaders }) => loaders.benefits.load({ owner: p.citizenId, ...args }),
  pension: (p, _args, { loaders }) => loaders.pension.load(p.citizenId),
  vouchers: (p, args, { loaders }) => loaders.vouchers.load({ owner: p.citizenId, ...args }),
};
