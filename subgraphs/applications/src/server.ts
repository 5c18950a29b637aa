import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The applications desk: the root fields of applications, forwarded to the handling departments. */
export const applications: SubgraphDefinition<Context> = {
  name: 'applications',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
};

export const createApplicationsSubgraph = (db: Db) => createSubgraph(applications, db);
