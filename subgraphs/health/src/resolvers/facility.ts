import type { FacilityResolvers, QueryResolvers } from '../generated/resolvers';

export const Facility: FacilityResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.facility.load(ref.id),
};

export const Query: QueryResolvers = {
  facility: (_root, { id }, { loaders }) => loaders.facility.load(id),
};
