import type { HouseholdResolvers } from '../generated/resolvers';

export const Household: HouseholdResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.household.load(ref.id),
  address: (row) => row,
  // Who lives where is each member's data, ids alone included.
  members: async (row, _args, { loaders, accessed }) => {
    const members = await loaders.householdMembers.load(row.id);
    for (const member of members) accessed.add(member.id);
    return members;
  },
};
