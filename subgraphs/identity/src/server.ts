import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The civil registry: owns `Citizen` and `Household`. */
export const identity: SubgraphDefinition<Context> = {
  name: 'identity',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
};

/** Builds the identity subgraph over `db` (migrated on the way); opens no port. */
export const createIdentitySubgraph = (db: Db) => createSubgraph(identity, db);
