import { badInput } from '../../../../lib/errors';
import { pageArgs, recordCursor, toConnection } from '../../../../lib/paging';
import { forbidden } from '../../../../lib/auth/access';
import { trailScope } from '../access';
import * as repo from '../db/repository';
import type { QueryResolvers } from '../generated/resolvers';

export const Query: QueryResolvers = {
  accessTrail: async (_root, { filter, first, after }, { principal, db, accessed }) => {
    const scope = trailScope(principal);
    if (scope.department && filter?.department && filter.department !== scope.department) {
      throw forbidden(`officers of ${scope.department} read only their own department's records; filter.department was ${filter.department}`, 'AUDIT');
    }
    const page = pageArgs({ first, after });
    const { from, to } = filter ?? {};
    if (from && to && from >= to) {
      throw badInput(`filter.from must be before filter.to; received from ${from.toISOString()} and to ${to.toISOString()}`, 'filter');
    }
    // Which records touched this citizen is that citizen's data.
    if (filter?.citizenId) accessed.add(filter.citizenId);
    const rows = await repo.trailPage(db, { ...filter, department: scope.department ?? filter?.department }, page.first, page.after);
    const connection = toConnection(rows, page.first, recordCursor);
    // Each record says who read a citizen's data, and when: a read of that citizen, recorded in turn.
    for (const { node } of connection.edges) for (const id of node.citizenIds) accessed.add(id);
    return connection;
  },
};
