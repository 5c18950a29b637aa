import type { IncomingMessage } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { gatewayKeys, type GatewayKeys } from '../../lib/auth/setup';
import { config, SUBGRAPHS, type SubgraphName } from '../../lib/config';
import type { Logger } from '../../lib/log';
import { accessPlugin, createAuthenticator, type GatewayContext } from './auth';
import { loadRegisteredOperations } from './operations';
import { readSupergraph } from './supergraph';

/** Sends every subgraph fetch with the gateway's signed token for the request's principal. */
class AuthenticatedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    // Health checks and other gateway-internal fetches have no request context.
    if ('internalToken' in context) request.http?.headers.set('authorization', `Bearer ${await context.internalToken()}`);
  }
}

export interface GatewayOptions {
  /** The composed supergraph; defaults to the committed `schema/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Where each subgraph is; defaults to `<SERVICE>_URL` or localhost on its default port. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  /** Token keys; default: from configuration (development keys under DATA_DIR/keys). */
  keys?: GatewayKeys;
  /** Registered operations (sha256 -> name); default: schema/operations/manifest.json. */
  registeredOperations?: ReadonlyMap<string, string>;
  log?: Logger;
}

export interface Gateway {
  server: ApolloServer<GatewayContext>;
  /** Builds a request's context (the caller's principal) from its headers; throws 401/400 errors. */
  authenticate(req: IncomingMessage): Promise<GatewayContext>;
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
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl ?? readSupergraph(),
    buildService: ({ name, url }) => new AuthenticatedDataSource({ url: subgraphUrls[name as SubgraphName] ?? url }),
  });
  const development = config().nodeEnv !== 'production';
  const server = new ApolloServer<GatewayContext>({
    gateway,
    plugins: [accessPlugin(options.registeredOperations ?? loadRegisteredOperations())],
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
    authenticate: createAuthenticator(options.keys ?? (await gatewayKeys(config()))),
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
