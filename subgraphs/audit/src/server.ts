import { join } from 'node:path';
import { config } from '../../../lib/config';
import type { Db } from '../../../lib/db';
import { createLogger } from '../../../lib/log';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { TrailWriter, type TrailWriterOptions } from '../../../lib/trail';
import { checkpointSigningKey, type CheckpointSigningKey } from './checkpoint';
import { checkpointOnDemandRoutes, publishedCheckpointRoutes } from './checkpoint-routes';
import { checkpointEvery } from './checkpointer';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';
import { trailRoutes } from './routes';

/** What a test may choose: the writer's batching, and the key checkpoints are signed with. */
export interface AuditOptions {
  writer?: TrailWriterOptions;
  /** Default: AUDIT_SIGNING_KEY, or the development key (checkpoint.ts `checkpointSigningKey`). */
  checkpointKey?: CheckpointSigningKey;
}

let configuredKey: CheckpointSigningKey | undefined;
/** The checkpoint key, read from the configuration once per process, when first needed. */
const keyOf = (options: AuditOptions) => () => options.checkpointKey ?? (configuredKey ??= checkpointSigningKey(config()));

/** The routes over one store, with one group-commit writer for it. */
const routesFor = (options: AuditOptions) => (db: Db) => ({
  ...trailRoutes(new TrailWriter(db, options.writer), createLogger('audit')),
  ...checkpointOnDemandRoutes(db, keyOf(options)),
});

/**
 * The audit service: the tamper-evident access trail. The gateway appends a record for every
 * operation that returned citizen data (`POST /trail`); the graph serves `Citizen.accessLog`
 * and `Query.accessTrail`. It signs checkpoints of the chain's head every
 * TRAIL_CHECKPOINT_INTERVAL_MS and on demand (`POST /trail/checkpoints`), and publishes them
 * (`GET /trail/checkpoints`, open to all: checkpoint-routes.ts says why).
 */
export const audit: SubgraphDefinition<Context> = {
  name: 'audit',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
  routes: routesFor({}),
  publicRoutes: (db) => publishedCheckpointRoutes(db, keyOf({})),
  // Reads the key at once: without AUDIT_SIGNING_KEY in production the service does not start.
  background: (db, log) => checkpointEvery(db, keyOf({})(), config().trailCheckpoints.intervalMs, log),
};

/** Builds the audit subgraph over `db` (migrated on the way); opens no port and signs nothing on its own. */
export const createAuditSubgraph = (db: Db, options: AuditOptions = {}) =>
  createSubgraph({ ...audit, routes: routesFor(options), publicRoutes: (db) => publishedCheckpointRoutes(db, keyOf(options)) }, db);
