import type { QueryResolvers, SchoolResolvers } from '../generated/resolvers';

export const School: SchoolResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.school.load(ref.id),
};

export const Query: QueryResolvers = {
  school: (_root, { id }, { loaders }) => loaders.school.load(id),
};
