import type { CitizenResolvers } from '../generated/resolvers';

export const Citizen: CitizenResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.citizen.load(ref.id),
  name: (row) => ({ given: row.givenName, family: row.familyName, full: `${row.familyName} ${row.givenName}` }),
  address: async (row, _args, { loaders }) => (row.householdId ? loaders.household.load(row.householdId) : null),
  household: (row, _args, { loaders }) => (row.householdId ? loaders.household.load(row.householdId) : null),
};
