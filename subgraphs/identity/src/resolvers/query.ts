import { badInput } from '../../../../lib/errors';
import { nationalIdProblem } from '../../../../lib/national-id';
import { pageArgs, toConnection } from '../../../../lib/paging';
import * as repo from '../db/repository';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  citizen: (_root, { id }, { loaders }) => loaders.citizen.load(id),
  citizenByNationalId: (_root, { nationalId }, { loaders }) => {
    const problem = nationalIdProblem(nationalId);
    if (problem) throw badInput(`nationalId ${problem}; received ${JSON.stringify(nationalId)}`, 'nationalId');
    return loaders.citizenByNationalId.load(nationalId);
  },
  citizens: async (_root, args, { db, loaders }) => {
    const { first, after } = pageArgs(args);
    const rows = await repo.citizenPage(db, first + 1, after?.id ?? null);
    // Prime the loader so that entity lookups later in this request cost no query.
    for (const row of rows) loaders.citizen.prime(row.id, row);
    return toConnection(rows, first, (row) => ({ key: row.id, id: row.id }));
  },
};
