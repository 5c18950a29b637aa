import { assertCitizenField, type CitizenField } from '../access';
import type { CitizenRow } from '../db/tables';
import type { CitizenResolvers } from '../generated/resolvers';
import type { Context } from '../context';
import { isLive, toAccessGrant } from './consent';
import { citizenEvidence } from './evidence';

/** A field resolver that first checks the registry's rule for `field`. */
const guarded =
  <T>(field: CitizenField, resolve: (row: CitizenRow, ctx: Context) => T | Promise<T>) =>
  async (row: CitizenRow, _args: unknown, ctx: Context): Promise<T> => {
    await assertCitizenField(ctx.principal, row, field, ctx.loaders);
    ctx.accessed.add(row.id);
    return resolve(row, ctx);
  };

const householdOf = (row: CitizenRow, { loaders }: Context) => (row.householdId ? loaders.household.load(row.householdId) : null);

export const Citizen: CitizenResolvers = {
  // Another subgraph's reference resolves to the citizen only if they exist: that is their data.
  __resolveReference: async (ref, { loaders, accessed }) => {
    const row = await loaders.citizen.load(ref.id);
    if (row) accessed.add(row.id);
    return row;
  },
  name: guarded('name', (row) => ({ given: row.givenName, family: row.familyName, full: `${row.familyName} ${row.givenName}` })),
  nationalId: guarded('nationalId', (row) => row.nationalId),
  birthDate: guarded('birthDate', (row) => row.birthDate),
  sex: guarded('sex', (row) => row.sex),
  address: guarded('address', householdOf),
  household: guarded('household', householdOf),
  consents: guarded('consents', (row, { loaders }) => loaders.consents.load(row.id)),
  // For departments' access decisions (`@requires`); the public API cannot select it.
  accessGrants: async (row, _args, { loaders }) => (await loaders.consents.load(row.id)).filter((c) => isLive(c)).map(toAccessGrant),
  // For handling departments deciding an application (docs/applications.md).
  ...citizenEvidence,
};
