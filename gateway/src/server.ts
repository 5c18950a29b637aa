import type { IncomingMessage } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { gatewayKeys, type GatewayKeys } from '../../lib/auth/setup';
import { config, SUBGRAPHS, type QueryLimits, type SubgraphName } from '../../lib/config';
import type { Logger } from '../../lib/log';
import { accessPlugin, createAuthenticator, type GatewayContext } from './auth';
import { loadRegistry, type Registry } from './operations';
import { applyPersistedPolicy } from './persisted';
import { queryLimits } from './limits';
import { subgraphResilience, type ResilienceOptions, type SubgraphResilience } from './resilience';
import { httpTrailClient, trailPlugin, type TrailClient } from './trail';
import { supergraphFromEnvironment } from './supergraph-source';

/**
 * Sends every subgraph fetch with the gateway's signed token for the request's principal, and
 * collects which citizens' data each subgraph says it returned (for the access trail).
 */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly service: string,
    url: string,
    resilience: SubgraphResilience,
  ) {
    super({ url });
    // Timeout, one retry of a query on a connection error, and this subgraph's circuit breaker.
    this.fetcher = resilience.fetcher(service, this.fetcher);
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // Health checks and other gateway-internal fetches have no request context.
    if ('internalToken' in context) request.http?.headers.set('authorization', `Bearer ${await context.internalToken()}`);
  }

  override async didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
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
  /** Registered operations; default: schema/operations/manifest.json. */
  registry?: Registry;
  /** Where the access trail is written; default: the audit service's `/trail`. */
  trail?: TrailClient;
  log?: Logger;
  /** Query limits; default: from configuration (`LIMIT_*`). */
  limits?: QueryLimits;
  /** Subgraph timeouts, retry and circuit breakers; default timeout `SUBGRAPH_TIMEOUT_MS` (2000 ms). */
  resilience?: ResilienceOptions;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  /**
   * Builds a request's context from its headers (the caller's principal; 401/400 errors) and
   * applies the persisted-operation policy to its body (fills in a registered operation by id).
   */
  context(req: IncomingMessage, body: unknown): Promise<GatewayContext>;
  /** The URL the gateway uses for each subgraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** True when every subgraph answers its `/readyz`. */
  subgraphsReady(): Promise<boolean>;
}

/**
 * Builds the gateway over the static, committed supergraph (no runtime introspection of
 * subgraphs) and starts its Apollo Server. Opens no port; see `index.ts`.
 */
export async function createGateway(options: GatewayOptions = {}): Promise<Gateway> {
  const subgraphUrls = Object.fromEntries(
    SUBGRAPHS.map((name) => [name, options.subgraphUrls?.[name] ?? config().subgraphUrl(name)]),
  ) as Record<SubgraphName, string>;
  const resilience = subgraphResilience({ ...options.resilience, timeoutMs: options.resilience?.timeoutMs ?? config().subgraphTimeoutMs });
  const gateway = new ApolloGateway({
    // The committed supergraph, or the live one `npm start -- --watch` keeps (SUPERGRAPH_PATH, SUPERGRAPH_WATCH).
    supergraphSdl: options.supergraphSdl ?? supergraphFromEnvironment(options.log),
    buildService: ({ name, url }) => new AuthenticatedDataSource(name, subgraphUrls[name as SubgraphName] ?? url!, resilience),
  });
  const development = config().nodeEnv !== 'production';
  const registry = options.registry ?? loadRegistry();
  const authenticate = createAuthenticator(options.keys ?? (await gatewayKeys(config())));
  // Depth, aliases, directives, tokens and cost: refused (400) before planning, so before any subgraph.
  const limits = queryLimits(options.limits ?? config().limits, { suggestions: development });
  const server = new ApolloServer<GatewayContext>({
    gateway,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // A batch (a JSON array body) is refused with 400 BAD_REQUEST: it would also bypass the persisted-operation policy.
    allowBatchedHttpRequests: false,
    plugins: [
      ...limits.plugins,
      accessPlugin(registry),
      trailPlugin(options.trail ?? httpTrailClient(subgraphUrls.audit.replace(/\/graphql$/, '/trail')), (err) =>
        options.log?.error({ err }, 'access trail write failed; response withheld'),
      ),
    ],
    introspection: development,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => {
      const code = formatted.extensions?.code;
      if (code === 'INTERNAL_SERVER_ERROR' || code === undefined) {
        options.log?.error({ err: error }, 'request failed');
        // Internal details (SQL, stack, hostnames) never reach a client.
        return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
      return formatted;
    },
  });
  await server.start();
  return {
    server,
    context: async (req, body) => {
      const context = await authenticate(req);
      applyPersistedPolicy(body, context.principal, registry, config().persistedPolicy);
      return context;
    },
    subgraphUrls,
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
