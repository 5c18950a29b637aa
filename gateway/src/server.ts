import type { IncomingMessage, Server } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { gatewayKeys, type GatewayKeys } from '../../lib/auth/setup';
import { config, SUBGRAPHS, type QueryLimits, type RateLimitConfig, type SubgraphName } from '../../lib/config';
import { createHttpServer } from '../../lib/http';
import type { Logger } from '../../lib/log';
import { currentRequest } from '../../lib/request-scope';
import { injectTraceHeaders } from '../../lib/tracing';
import { gatewayMetrics, type GatewayMetrics } from './metrics';
import { createRateLimits } from './rate-limit';
import { checkCustomScalarInputs } from './scalars';
import { accessPlugin, createAuthenticator, type GatewayContext } from './auth';
import { loadRegistry, type Registry } from './operations';
import { operationChecks, persistedDecision, persistedText, sentOperation, type PersistedPolicies } from './persisted';
import type { Registered } from './operations';
import { queryLimits } from './limits';
import { subgraphResilience, type ResilienceOptions, type SubgraphResilience } from './resilience';
import { sharedPooledFetcher } from './fetcher';
import { configuredTrailClient, trailPlugin, type TrailClient } from './trail';
import { supergraphFromEnvironment } from './supergraph-source';

/** `GraphQLDataSourceRequestKind.INCOMING_OPERATION` (the enum is not exported by @apollo/gateway). */
const INCOMING_OPERATION = 'incoming operation';

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type IncomingOperation = Extract<ProcessOptions, { incomingRequestContext: unknown }>;
type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

/** `Cache-Control` directives as Apollo's data source reads them (parseCacheControlHeader.js). */
function cacheControl(header: string | null | undefined): Record<string, string | true> {
  const directives: Record<string, string | true> = {};
  if (!header) return directives;
  for (const part of header.trim().split(/\s*,\s*/)) {
    const [name, value] = part.split(/\s*=\s*/, 2);
    directives[name] = value === undefined ? true : value.replace(/^"|"$/g, '');
  }
  return directives;
}

/**
 * Sends every subgraph fetch with the gateway's signed token for the request's principal, and
 * collects which citizens' data each subgraph says it returned (for the access trail).
 *
 * `process` does what RemoteGraphQLDataSource's does (the same headers and body, the same errors
 * for a non-2xx answer or a body that is not an object, the subgraph's Cache-Control restricting
 * the response's cache policy), without the node-fetch Headers it builds per fetch and the
 * node-fetch Request it builds only for its error and body hooks (about 3% of the gateway's CPU
 * under the bench). Automatic persisted queries to subgraphs (`apq`) are not used.
 */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly service: SubgraphName,
    url: string,
    resilience: SubgraphResilience,
  ) {
    super({ url });
    // Timeout, one retry of a query on a connection error, and this subgraph's circuit breaker,
    // over pooled keep-alive connections (undici; see fetcher.ts).
    this.fetcher = resilience.fetcher(service, sharedPooledFetcher());
  }

  override async process(options: ProcessOptions): Promise<SubgraphResponse> {
    const { request, context } = options;
    const headers: Record<string, string> = {};
    // Headers the gateway's executor asked for (the ftv1 trace header), then the JSON body's type.
    if (request.http?.headers) for (const [name, value] of request.http.headers) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    // Health checks and other gateway-internal fetches have no request context.
    // A token for this subgraph alone: no other subgraph accepts it.
    if ('internalToken' in context) headers.authorization = `Bearer ${await context.internalToken(this.service)}`;
    // The subgraph logs under the same request id, and its span joins this fetch's trace.
    const scope = currentRequest();
    if (scope) headers['x-request-id'] = scope.requestId;
    injectTraceHeaders((name, value) => {
      headers[name.toLowerCase()] = value;
    });
    if (!request.query) throw new Error('Missing query');
    const { http: _http, query, ...rest } = request;
    const response = await this.fetcher(this.url, { method: 'POST', headers, body: JSON.stringify({ query, ...rest }) });
    if (!response.ok) throw await this.errorFromResponse(response);
    const contentType = response.headers.get('content-type');
    const body: unknown =
      contentType && (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json'))
        ? await response.json()
        : await response.text();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${body}`);
    const incoming = (options.kind as string) === INCOMING_OPERATION ? (options as IncomingOperation) : undefined;
    const answer = this.received({ ...(body as SubgraphResponse), http: response }, context);
    const overallCachePolicy = incoming?.incomingRequestContext.overallCachePolicy;
    if (this.honorSubgraphCacheControlHeader && overallCachePolicy && 'restrict' in overallCachePolicy) {
      const parsed = cacheControl(response.headers.get('cache-control'));
      const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = { maxAge: 0 };
      const maxAge = parsed['max-age'];
      if (typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge)) hint.maxAge = +maxAge;
      if (parsed.private === true) hint.scope = 'PRIVATE';
      if (parsed.public === true) hint.scope = 'PUBLIC';
      overallCachePolicy.restrict(hint);
    }
    return answer;
  }

  /** Adds the citizens a subgraph reports in `extensions.accessed` to the request's trail. */
  private received(response: SubgraphResponse, context: ProcessOptions['context']): SubgraphResponse {
    const accessed = response.extensions?.accessed;
    if ('trail' in context && Array.isArray(accessed) && accessed.length) {
      for (const id of accessed) if (typeof id === 'string') context.trail.citizens.add(id);
      context.trail.services.add(this.service);
    }
    return response;
  }
}

export interface GatewayOptions {
  /** The composed supergraph; defaults to `SUPERGRAPH_PATH`, else the committed `schema/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Where each subgraph is; defaults to `<SERVICE>_URL` or localhost on its default port. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  /** Token keys; default: from configuration (development keys under DATA_DIR/keys). */
  keys?: GatewayKeys;
  /** Registered operations; default: schema/operations/manifest.json and persisted-query-manifest.json. */
  registry?: Registry;
  /** Per role, `require` or `allow`; default: from configuration (`PERSISTED_POLICY`, NODE_ENV). */
  persistedPolicy?: PersistedPolicies;
  /** Where the access trail is written; default: as `TRAIL_WRITER` says (the audit store itself on a server, else the audit service's `/trail`). */
  trail?: TrailClient;
  log?: Logger;
  /** Query limits; default: from configuration (`LIMIT_*`). */
  limits?: QueryLimits;
  /** Subgraph timeouts, retry and circuit breakers; default timeout `SUBGRAPH_TIMEOUT_MS` (2000 ms). */
  resilience?: ResilienceOptions;
  /** Requests per principal and per address; default: from configuration (`RATE_LIMIT_*`, `REDIS_URL`). */
  rateLimits?: RateLimitConfig;
  /** Key prefix of the rate-limit counters (tests keep theirs apart in a shared Redis). */
  rateLimitPrefix?: string;
  /** Also collect Node's process metrics (CPU, memory, event loop) for `/metrics`; the gateway process does. */
  processMetrics?: boolean;
  /** A cluster worker: without Redis, rate limits are counted by the cluster's primary (gateway/src/cluster.ts). */
  clusterWorker?: boolean;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  /**
   * Builds a request's context from its headers (the caller's principal; 401/400 errors) and
   * decides by the persisted-operation policy what runs (GET query string or POST body; 4xx errors).
   */
  context(req: IncomingMessage, body: unknown): Promise<GatewayContext>;
  /** The URL the gateway uses for each subgraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** True when every subgraph answers its `/readyz`. */
  subgraphsReady(): Promise<boolean>;
  /** The per-address rate limit, run before a request's body is read (throws `HttpError` 429). */
  admit(req: IncomingMessage): Promise<void>;
  /** Prometheus metrics (`GET /metrics`). */
  metrics: GatewayMetrics;
  /** Stops Apollo Server and closes the rate-limit store. */
  stop(): Promise<void>;
}

/**
 * Builds the gateway over the static, committed supergraph (no runtime introspection of
 * subgraphs) and starts its Apollo Server. Opens no port; see `index.ts`.
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const subgraphUrls = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, options.subgraphUrls?.[name] ?? config().subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  // The breaker gauge reads `resilience` only when scraped, after it exists.
  const metrics = gatewayMetrics(() => resilience.states(), { defaults: options.processMetrics });
  const resilience = subgraphResilience({
    onFetch: (service, seconds, code) => metrics.fetched(service, seconds, code),
    // SUBGRAPH_BREAKER_THRESHOLD / SUBGRAPH_BREAKER_HALF_OPEN_MS; options.resilience overrides them.
    breakerThreshold: config().subgraphBreakerThreshold,
    halfOpenAfterMs: config().subgraphBreakerHalfOpenMs,
    ...options.resilience,
    timeoutMs: options.resilience?.timeoutMs ?? config().subgraphTimeoutMs,
  });
  const rateLimits = await createRateLimits(options.rateLimits ?? config().rateLimits, {
    keyPrefix: options.rateLimitPrefix,
    cluster: options.clusterWorker,
    log: options.log,
    onLimited: (scope) => metrics.rateLimited(scope),
  });
  const gateway = new ApolloGateway({
    // The committed supergraph, or the live one `npm start -- --watch` keeps (SUPERGRAPH_PATH, SUPERGRAPH_WATCH).
    supergraphSdl: options.supergraphSdl ?? supergraphFromEnvironment(options.log),
    buildService: ({ name, url }) => new AuthenticatedDataSource(name as SubgraphName, subgraphUrls[name as SubgraphName] ?? url!, resilience),
  });
  // Bad Date/DateTime/Money inputs are refused here (400), not by a subgraph (which would surface as 500).
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => checkCustomScalarInputs(apiSchema));
  const development = config().nodeEnv !== 'production';
  const registry = options.registry ?? loadRegistry();
  const policy = options.persistedPolicy ?? config().persistedPolicy;
  /** APQ hashes of Apollo Client's texts of registered operations, learned on their first full request. */
  const learned = new Map<string, Registered>();
  const authenticate = createAuthenticator(options.keys ?? (await gatewayKeys(config())));
  // Depth, aliases, directives, tokens and cost: refused (400) before planning, so before any subgraph.
  const limits = queryLimits(options.limits ?? config().limits, { suggestions: development });
  // Where each record goes: the audit store itself, or the audit service's /trail (TRAIL_WRITER).
  const trail = options.trail ?? (await configuredTrailClient(subgraphUrls.audit));
  const server = new ApolloServer<GatewayContext>({
    gateway,
    // index.ts shuts down on SIGTERM/SIGINT (stop accepting, finish in-flight, exit 0). Apollo's
    // own handler would stop the server under in-flight requests and re-raise the signal.
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // A batch (a JSON array body) is refused with 400 BAD_REQUEST: it would also bypass the persisted-operation policy.
    allowBatchedHttpRequests: false,
    plugins: [
      // First: puts the registered text in place before anything reads the request; then the
      // checks that answer a client's mistake in choosing the operation before other plugins see it.
      persistedText<GatewayContext>(),
      operationChecks(),
      metrics.plugin,
      ...limits.plugins,
      accessPlugin(),
      trailPlugin(trail, (err) => {
        metrics.trailWriteFailed();
        options.log?.error({ err }, 'access trail write failed; response withheld');
      }),
    ],
    introspection: development,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const code = formatted.extensions?.code;
      // Apollo Server answers some client mistakes (a bad APQ version, say) with a 4xx and no code.
      const status = (error as { extensions?: { http?: { status?: number } } } | undefined)?.extensions?.http?.status;
      if (code === undefined && status !== undefined && status < 500) {
        return { ...formatted, extensions: { ...formatted.extensions, code: 'BAD_REQUEST' } };
      }
      if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
        options.log?.error({ err: error }, 'request failed');
        // Internal details (SQL, stack, hostnames) never reach a client: the request id finds them in the logs.
        const requestId = currentRequest()?.requestId;
        return {
          message: requestId ? `Internal server error (request ${requestId})` : 'Internal server error',
          path: formatted.path,
          extensions: { code: 'INTERNAL_SERVER_ERROR', ...(requestId ? { requestId } : {}) },
        };
      }
      return formatted;
    },
  });
  await server.start();
  return {
    server,
    context: async (req, body) => {
      const context = await authenticate(req);
      await rateLimits.byPrincipal(context.principal);
      // The persisted-operation policy, for every request whichever way it came (GET or POST):
      // what runs is decided here, before Apollo Server reads the request (persisted.ts).
      context.persisted = persistedDecision(sentOperation(req, body), context.principal, registry, policy[context.principal.role], learned, limits.parseOptions.maxTokens);
      context.operation = context.persisted.registered?.name;
      return context;
    },
    subgraphUrls,
    admit: (req) => rateLimits.byAddress(req),
    metrics,
    stop: async () => {
      await server.stop();
      await rateLimits.close();
      // Only the client made here: a client passed in is its owner's to close.
      if (!options.trail) await trail.close?.();
    },
    subgraphsReady: async () => {
      const checks = await Promise.all(
        Object.values(subgraphUrls).map((url) =>
          fetch(url.replace(/\/graphql$/, '/readyz'), { signal: AbortSignal.timeout(1000) })
            .then((response) => response.ok)
            .catch(() => false),
        ),
      );
      return checks.every(Boolean);
    },
  };
}

/**
 * The gateway's HTTP server (no port yet): `/graphql` with the per-address rate limit before the
 * body is read, `/healthz`, `/readyz` (every subgraph ready) and `/metrics`.
 */
export function gatewayHttpServer(gateway: Gateway, onError?: (error: unknown) => void): Server {
  return createHttpServer({
    service: 'gateway',
    server: gateway.server,
    context: gateway.context,
    ready: gateway.subgraphsReady,
    admit: gateway.admit,
    metrics: gateway.metrics,
    onError,
  });
}
