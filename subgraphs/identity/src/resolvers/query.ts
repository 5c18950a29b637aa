import { forbidden } from '../../../../lib/auth/access';
import { assertMayLookUp } from '../access';
import { badInput } from '../../../../lib/errors';
import { nationalIdProblem } from '../../../../lib/national-id';
import { pageArgs, toConnection } from '../../../../lib/paging';
import * as repo from '../db/repository';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  // A look-up that finds someone says that they exist, even if no field of theirs is read:
  // each root field records every citizen it returns (a null reveals no one).
  citizen: async (_root, { id }, { loaders, principal, accessed }) => {
    assertMayLookUp(principal, id);
    const row = await loaders.citizen.load(id);
    if (row) accessed.add(row.id);
    return row;
  },
  citizenByNationalId: async (_root, { nationalId }, { loaders, principal, accessed }) => {
    const problem = nationalIdProblem(nationalId);
    if (problem) throw badInput(`nationalId ${problem}; received ${JSON.stringify(nationalId)}`, 'nationalId');
    const row = await loaders.citizenByNationalId.load(nationalId);
    assertMayLookUp(principal, row?.id ?? null);
    if (row) accessed.add(row.id);
    return row;
  },
  citizens: async (_root, args, { db, loaders, principal, accessed }) => {
    if (principal.role === 'citizen') throw forbidden('the citizen list is for officers and auditors', 'IDENTITY');
    const { first, after } = pageArgs(args);
    const rows = await repo.citizenPage(db, first + 1, after?.id ?? null);
    // Prime the loader so that entity lookups later in this request cost no query.
    for (const row of rows) loaders.citizen.prime(row.id, row);
    const page = toConnection(rows, first, (row) => ({ key: row.id, id: row.id }));
    // The page's ids (and `endCursor`, which is one) are these citizens' data.
    for (const edge of page.edges) accessed.add(edge.node.id);
    return page;
  },
};
