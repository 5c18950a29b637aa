import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createLogger } from '../../../lib/log';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { TrailWriter, type TrailWriterOptions } from './db/trail-writer';
import { resolvers } from './resolvers';
import { trailRoutes } from './routes';

/** The routes over one store, with one group-commit writer for it. */
const routesFor = (options: TrailWriterOptions) => (db: Db) => trailRoutes(new TrailWriter(db, options), createLogger('audit'));

/**
 * The audit service: the tamper-evident access trail. The gateway appends a record for every
 * operation that returned citizen data (`POST /trail`); the graph serves `Citizen.accessLog`
 * and `Query.accessTrail`.
 */
export const audit: SubgraphDefinition<Context> = {
  name: 'audit',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
  routes: routesFor({}),
};

/** Builds the audit subgraph over `db` (migrated on the way); opens no port. */
export const createAuditSubgraph = (db: Db, writer: TrailWriterOptions = {}) =>
  createSubgraph({ ...audit, routes: routesFor(writer) }, db);
