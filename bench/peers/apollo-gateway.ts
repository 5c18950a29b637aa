/**
 * The plain peer: `@apollo/gateway` + `@apollo/server` with default settings (standalone server,
 * default data sources, default caches) over the same supergraph and subgraphs. The one addition
 * is what the subgraphs require of any caller: the gateway's internal token on every subgraph
 * request (`BENCH_SUBGRAPH_TOKEN`, signed by the benchmark for a fixed principal; see
 * lib/auth/tokens.ts). No caller authentication, access checks or access trail.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const token = process.env.BENCH_SUBGRAPH_TOKEN;
const supergraphPath = process.env.BENCH_SUPERGRAPH_PATH;
if (!token || !supergraphPath) throw new Error('BENCH_SUBGRAPH_TOKEN and BENCH_SUPERGRAPH_PATH are required');

class InternalTokenDataSource extends RemoteGraphQLDataSource {
  override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
    request.http?.headers.set('authorization', `Bearer ${token}`);
  }
}

async function main(): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath!, 'utf8'),
    buildService: ({ url }) => new InternalTokenDataSource({ url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' } });
  console.log(`apollo-gateway peer ready at ${url}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
