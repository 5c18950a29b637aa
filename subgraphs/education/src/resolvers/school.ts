import { pageArgs, toConnection } from '../../../../lib/paging';
import * as repo from '../db/repository';
import type { QueryResolvers, SchoolResolvers } from '../generated/resolvers';

export const School: SchoolResolvers = {
  __resolveReference: (ref, { loaders }) => loaders.school.load(ref.id),
};

export const Query: QueryResolvers = {
  school: (_root, { id }, { loaders }) => loaders.school.load(id),
  // The list of schools is public (a parent picks one to apply to): no citizen's data is read.
  schools: async (_root, args, { db, loaders }) => {
    const { first, after } = pageArgs(args);
    const rows = await repo.schoolPage(db, { city: args.city ?? null, kind: args.kind ?? null }, first + 1, after?.id ?? null);
    // Prime the loader so that a School reference later in this request costs no query.
    for (const row of rows) loaders.school.prime(row.id, row);
    return toConnection(rows, first, (row) => ({ key: row.id, id: row.id }));
  },
};
