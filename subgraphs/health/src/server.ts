import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The health department: encounters, prescriptions, vaccinations, insurance claims; owns `Facility`. */
export const health: SubgraphDefinition<Context> = {
  name: 'health',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
};

/** Builds the health subgraph over `db` (migrated on the way); opens no port. */
export const createHealthSubgraph = (db: Db) => createSubgraph(health, db);
