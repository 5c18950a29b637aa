import type { BusinessResolvers, QueryResolvers } from '../generated/resolvers';

export const Business: BusinessResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.business.load(ref.id),
  exportRebates: (business, args, { loaders }) => loaders.exportRebatesByBusiness.load({ owner: business.id, ...args }),
};

export const Query: QueryResolvers = {
  business: (_root, { id }, { loaders }) => loaders.business.load(id),
};
