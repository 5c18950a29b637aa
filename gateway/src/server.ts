import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { config, SUBGRAPHS, type SubgraphName } from '../../lib/config';
import type { Logger } from '../../lib/log';
import { readSupergraph } from './supergraph';

export interface GatewayOptions {
  /** The composed supergraph; defaults to the committed `schema/supergraph.graphql`. */
  supergraphSdl?: string;
  /** Where each subgraph is; defaults to `<SERVICE>_URL` or localhost on its default port. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  log?: Logger;
}

export interface Gateway {
  server: ApolloServer<BaseContext>;
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
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: subgraphUrls[name as SubgraphName] ?? url }),
  });
  const development = config().nodeEnv !== 'production';
  const server = new ApolloServer<BaseContext>({
    gateway,
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
