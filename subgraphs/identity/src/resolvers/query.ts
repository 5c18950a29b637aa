import { forbidden } from '../../../../lib/auth/access';
import { assertMayLookUp } from '../access';
import { badInput } from '../../../../lib/errors';
import { nationalIdProblem } from '../../../../lib/national-id';
import { pageArgs, toConnection } from '../../../../lib/paging';
import * as repo from '../db/repository';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  citizen: (_root, { id }, { loaders, principal }) => {
    assertMayLookUp(principal, id);
    return loaders.citizen.load(id);
  },
  citizenByNationalId: async (_root, { nationalId }, { loaders, principal }) => {
    const problem = nationalIdProblem(nationalId);
    if (problem) throw badInput(`nationalId ${problem}; received ${JSON.stringify(nationalId)}`, 'nationalId');
    const row = await loaders.citizenByNationalId.load(nationalId);
    assertMayLookUp(principal, row?.id ?? null);
    return row;
  },
  citizens: async (_root, args, { db, loaders, principal }) => {
    if (principal.role === 'citizen') throw forbidden('the citizen list is for officers and auditors', 'IDENTITY');
    const { first, after } = pageArgs(args);
    const rows = await repo.citizenPage(db, first + 1, after?.id ?? null);
    // Prime the loader so that entity lookups later in this request cost no query.
    for (const row of rows) loaders.citizen.prime(row.id, row);
    return toConnection(rows, first, (row) => ({ key: row.id, id: row.id }));
  },
};
