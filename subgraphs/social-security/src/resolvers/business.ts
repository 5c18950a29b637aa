import type { BusinessResolvers } from '../generated/resolvers';

export const Business: BusinessResolvers = {
  // The business lives in the tax department's store; any id may have (possibly no) contributions.
  __resolveReference: (ref) => ({ id: ref.id }),
  contributions: (business, args, { loaders }) =>
    loaders.employerContributions.load({ owner: business.id, ...args }),
};
