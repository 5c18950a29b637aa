/**
 * The plain peer: `@apollo/gateway` + `@apollo/server` with default settings (standalone server,
 * default data sources, default caches) over the same supergraph and subgraphs. The one addition
 * is what the subgraphs require of any caller: the gateway's internal token for that subgraph on
 * every subgraph request (`BENCH_SUBGRAPH_TOKENS`, a JSON object from subgraph name to token,
 * signed by the benchmark for a fixed principal; see lib/auth/tokens.ts). No caller
 * authentication, access checks or access trail.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

const tokens = JSON.parse(process.env.BENCH_SUBGRAPH_TOKENS ?? 'null') as Record<string, string> | null;
const supergraphPath = process.env.BENCH_SUPERGRAPH_PATH;
if (!tokens || !supergraphPath) throw new Error('BENCH_SUBGRAPH_TOKENS and BENCH_SUPERGRAPH_PATH are required');

class InternalTokenDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly token: string | undefined,
    url: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request }: GraphQLDataSourceProcessOptions): void {
    request.http?.headers.set('authorization', `Bearer ${this.token}`);
  }
}

async function main(): Promise<void> {
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath!, 'utf8'),
    buildService: ({ name, url }) => new InternalTokenDataSource(tokens![name], url!),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: Number(process.env.PORT ?? 4000), host: '127.0.0.1' } });
  console.log(`apollo-gateway peer ready at ${url}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
