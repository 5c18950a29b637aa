import { sectionResolver } from '../../../../lib/auth/access';
import type { CitizenResolvers, TaxProfileResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  // Tax keeps no copy of the registry: any citizen id has a (possibly empty) profile.
  // The representation carries identity's live consent grants (`@requires`) for sectionResolver.
  __resolveReference: (ref) => ref,
  tax: sectionResolver('TAX'),
};

export const TaxProfile: TaxProfileResolvers = {
  returns: (p, args, { loaders }) => loaders.taxReturns.load({ owner: p.citizenId, ...args }),
  payments: (p, args, { loaders }) => loaders.taxPayments.load({ owner: p.citizenId, ...args }),
  exportRebates: (p, args, { loaders }) => loaders.exportRebatesByCitizen.load({ owner: p.citizenId, ...args }),
  businesses: (p, _args, { loaders }) => loaders.businessesByOwner.load(p.citizenId),
};
