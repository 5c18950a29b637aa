import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The transport department: driving licences, vehicles, traffic violations; owns `Vehicle`. */
export const transport: SubgraphDefinition<Context> = {
  name: 'transport',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
};

/** Builds the transport subgraph over `db` (migrated on the way); opens no port. */
export const createTransportSubgraph = (db: Db) => createSubgraph(transport, db);
