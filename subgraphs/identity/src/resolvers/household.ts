import type { HouseholdResolvers } from '../generated/resolvers';

export const Household: HouseholdResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.household.load(ref.id),
  address: (row) => row,
  members: (row, _args, { loaders }) => loaders.householdMembers.load(row.id),
};
