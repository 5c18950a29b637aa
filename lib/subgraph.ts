import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import { targetKey, type InternalTarget } from './auth/internal-keys';
import type { Principal } from './auth/principal';
import { subgraphKey, type SubgraphKey } from './auth/setup';
import { verifiedTokenCache } from './auth/token-cache';
import { AuthError, bearerToken, verifyInternalToken } from './auth/tokens';
import { config, type SubgraphName } from './config';
import type { SubgraphContext } from './context';
import { openDb, resolveDbTarget, STORE_UNAVAILABLE, type Db } from './db';
import { closeServer, createHttpServer, HttpError, listen, listeningOn } from './http';
import type { JsonAnswer, JsonRoute, JsonRoutes } from './http';
import { JWKS_PATH, keyring } from './evidence/keyring';
import { EVIDENCE_ISSUERS, type EvidenceIssuer } from './procedures';
import { createLogger, type Logger } from './log';
import { httpMetrics, type HttpMetrics } from './metrics';
import { migrate } from './migrate';
import { initTracing, shutdownTracing } from './tracing';

/**
 * What a department provides to become a subgraph: its folder (holding `schema.graphql` and
 * `migrations/`), its resolvers, and how a request's context (loaders) is made from its store.
 */
export interface SubgraphDefinition<Ctx extends BaseContext> {
  name: SubgraphName;
  dir: string;
  // Codegen's resolver types are stricter than Apollo's map; each subgraph passes its typed
  // `Resolvers` object, checked against the generated types where it is written.
  resolvers: object;
  createContext: (db: Db, principal: Principal) => Ctx;
  /**
   * Extra JSON endpoints beside `/graphql` (the audit service's `/trail`). Like GraphQL they
   * answer only requests with the gateway's token, each a token for itself alone (target
   * `<service>/<route>`, e.g. `audit/trail`); the handler gets the verified principal.
   */
  routes?: (db: Db) => Record<string, (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>>;
  /**
   * GET endpoints that answer every caller, without a token; each gets the query string. Only for
   * what is published on purpose and carries no citizen data: the audit service's signed
   * checkpoints of its trail, whose worth is in copies kept by others. A path may be in both.
   */
  publicRoutes?: (db: Db) => Record<string, PublicRoute>;
  /**
   * Work the service does on its own while it runs (the audit service signs checkpoints of its
   * trail). `runSubgraph` starts it before the service listens (a throw fails the start) and
   * stops it before the store closes; a subgraph built in a test (`createSubgraph`) runs none of it.
   */
  background?: (db: Db, log: Logger) => { stop(): Promise<void> };
  /**
   * Migrations the department takes from shared code, applied after its own `migrations/`: the
   * applications tables (lib/applications/migrations) in each department that handles a procedure.
   */
  sharedMigrations?: readonly string[];
}

/** A public GET endpoint of a subgraph (see `publicRoutes`); it may set headers of its own. */
export type PublicRoute = (query: URLSearchParams) => Promise<JsonAnswer>;

/** Whether `service` issues evidence, and so has a key of its own and publishes its JWKS. */
export const isEvidenceIssuer = (service: string): service is EvidenceIssuer => (EVIDENCE_ISSUERS as readonly string[]).includes(service);

/**
 * `GET /.well-known/jwks.json` of a department (every evidence issuer): its public keys, which
 * check the evidence it signs and its own calls to the gateway. Public on purpose, no token:
 * it carries no citizen data, and verifiers anywhere need it. The keyring is asked on every
 * request (it keeps the set), so a process's `useKeyring` holds whenever it is called.
 */
export function jwksRoutes(service: SubgraphName): Record<string, PublicRoute> {
  if (!isEvidenceIssuer(service)) return {};
  return {
    [JWKS_PATH]: async () => ({ status: 200, body: await keyring().jwks(service), headers: { 'cache-control': 'public, max-age=300' } }),
  };
}

export interface SubgraphInstance<Ctx extends BaseContext> {
  name: SubgraphName;
  db: Db;
  schema: GraphQLSchema;
  server: ApolloServer<Ctx>;
  /** A fresh request context for `principal`, as the HTTP handler makes for every request. */
  context(principal: Principal): Ctx;
  /** The definition's extra endpoints, bound to this store. */
  routes: Record<string, (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>>;
  /** The definition's public GET endpoints, bound to this store. */
  publicRoutes: Record<string, PublicRoute>;
}

export function readSdl(dir: string): string {
  return readFileSync(join(dir, 'schema.graphql'), 'utf8');
}

/**
 * Tells the gateway which citizens' data this response carries (`extensions.accessed`), so that
 * it can write one access-trail record for the whole operation.
 */
const reportAccess: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, response }) {
        const accessed = (contextValue as Partial<SubgraphContext<unknown>>).accessed;
        if (!accessed?.size || response.body.kind !== 'single') return;
        response.body.singleResult.extensions = { ...response.body.singleResult.extensions, accessed: [...accessed].sort() };
      },
    };
  },
};

/** Migrates the store, builds the schema and starts the Apollo Server (no port is opened). */
export async function createSubgraph<Ctx extends BaseContext>(
  definition: SubgraphDefinition<Ctx>,
  db: Db,
  log: Logger = createLogger(definition.name),
): Promise<SubgraphInstance<Ctx>> {
  const applied = await migrate(db, join(definition.dir, 'migrations'));
  for (const dir of definition.sharedMigrations ?? []) applied.push(...(await migrate(db, dir)));
  if (applied.length) log.info({ applied }, 'migrations applied');
  const schema = buildSubgraphSchema({
    typeDefs: parse(readSdl(definition.dir)),
    resolvers: definition.resolvers as GraphQLResolverMap<unknown>,
  });
  const server = new ApolloServer<Ctx>({
    schema,
    // runSubgraph shuts down on SIGTERM/SIGINT (stop accepting, finish in-flight, exit 0). Apollo's
    // own handler would stop the server under in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    // Inline traces cost time on every request and nothing here reads them.
    // No inline traces (nobody asks for them) and no cache-control hints (no schema sets one):
    // either plugin otherwise instruments every resolved field of every request.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), reportAccess],
    formatError: (formatted, error) => {
      if (!formatted.extensions?.code || formatted.extensions.code === 'INTERNAL_SERVER_ERROR') {
        log.error({ err: error }, 'resolver failed');
      } else if (formatted.extensions.code === STORE_UNAVAILABLE) {
        // The caller sees which department; the operator sees why (once per failed field).
        log.warn({ err: error }, 'store unavailable');
      }
      return formatted;
    },
  });
  await server.start();
  return {
    name: definition.name,
    db,
    schema,
    server,
    context: (principal) => definition.createContext(db, principal),
    routes: definition.routes?.(db) ?? {},
    publicRoutes: { ...jwksRoutes(definition.name), ...definition.publicRoutes?.(db) },
  };
}

/**
 * The subgraph's HTTP server. Every GraphQL request (`_service` and `_entities` included) must
 * carry the gateway's token for this subgraph, and every extra route the gateway's token for
 * that route; without a valid one the answer is 401 UNAUTHENTICATED, so no subgraph serves an
 * anonymous direct call, nor a token the gateway made for another subgraph or route. `key` is
 * this service's own key (`subgraphKey`).
 */
export function subgraphHttpServer<Ctx extends BaseContext>(
  instance: SubgraphInstance<Ctx>,
  { key, maxLifetime }: SubgraphKey,
  log?: Logger,
  metrics: HttpMetrics = httpMetrics(instance.name),
) {
  // One verifier per target, each with its own key, audience and cache: a token accepted by
  // one is never found in another's cache. The gateway reuses one token per principal and
  // target for a while, so each is verified once.
  const authenticator = (target: InternalTarget) => {
    const targetKeyObject = targetKey(key, target);
    const verifyToken = verifiedTokenCache((token) => verifyInternalToken(token, targetKeyObject, target, maxLifetime));
    return async (req: IncomingMessage): Promise<Principal> => {
      try {
        return await verifyToken(bearerToken(req.headers.authorization));
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        throw new HttpError(401, 'UNAUTHENTICATED', `Unauthenticated: ${error.message}. Subgraphs answer only the gateway.`);
      }
    };
  };
  const authenticate = authenticator(instance.name);
  const routes = Object.fromEntries(
    Object.entries(instance.routes).map(([path, handle]) => {
      const authenticateRoute = authenticator(`${instance.name}/${path.replace(/^\//, '')}`);
      return [path, async (req: IncomingMessage, body: unknown) => handle(body, await authenticateRoute(req))];
    }),
  );
  return createHttpServer({
    service: instance.name,
    metrics,
    server: instance.server,
    routes: withPublicRoutes(routes, instance.publicRoutes),
    context: async (req) => {
      try {
        return instance.context(await authenticate(req));
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: error.status } } });
      }
    },
    ready: async () => (await instance.db.query('SELECT 1')).length === 1,
    onError: (err) => log?.error({ err }, 'request failed'),
  });
}

/** The authenticated (POST) routes, with the public GET ones beside them. */
function withPublicRoutes(authenticated: Record<string, JsonRoute>, publicRoutes: Record<string, PublicRoute>): Record<string, JsonRoutes> {
  const all: Record<string, JsonRoutes> = { ...authenticated };
  for (const [path, get] of Object.entries(publicRoutes)) {
    const GET: JsonRoute = (req) => get(new URL(req.url ?? '/', 'http://localhost').searchParams);
    all[path] = authenticated[path] ? { POST: authenticated[path], GET } : { GET };
  }
  return all;
}

/**
 * The whole life of a subgraph process: open its store (embedded or server), migrate, listen
 * on its port, and on SIGTERM/SIGINT stop accepting, finish in-flight requests and exit.
 */
export async function runSubgraph<Ctx extends BaseContext>(definition: SubgraphDefinition<Ctx>): Promise<void> {
  initTracing(definition.name);
  const log = createLogger(definition.name);
  try {
    // Before the store opens: a subgraph without its key fails at once, naming the variable.
    const key = subgraphKey(config(), definition.name);
    // A department's own evidence key too (production: <SERVICE>_SIGNING_KEY, named if missing).
    if (isEvidenceIssuer(definition.name)) await keyring().signingKey(definition.name);
    const db = await openDb(resolveDbTarget(definition.name));
    const instance = await createSubgraph(definition, db, log);
    const background = definition.background?.(db, log);
    const http = subgraphHttpServer(instance, key, log, httpMetrics(definition.name, { defaults: true }));
    const { host, localUrl } = config();
    const port = await listen(http, config().port(definition.name), host);
    log.info({ host, port, store: db.location }, `${definition.name} ready at ${localUrl(port, '/graphql')}; ${listeningOn(host, port)}`);
    const stop = async (signal: string) => {
      log.info({ signal }, 'shutting down');
      // Close each kept-alive connection as soon as its last response is sent, not after keepAliveTimeout.
      const sweep = setInterval(() => http.closeIdleConnections(), 50);
      await closeServer(http);
      clearInterval(sweep);
      await background?.stop();
      await instance.server.stop();
      await db.close();
      await shutdownTracing();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (err) {
    log.fatal({ err }, `${definition.name} failed to start`);
    process.exit(1);
  }
}
