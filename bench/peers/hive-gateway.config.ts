/**
 * Hive Gateway (`hive-gateway supergraph <path> --config-path bench/peers/hive-gateway.config.ts`)
 * over the same supergraph and subgraphs, default settings otherwise. The one addition is what
 * the subgraphs require of any caller: the gateway's internal token for that subgraph
 * (`BENCH_SUBGRAPH_TOKENS`, a JSON object from subgraph name to token, signed by the benchmark
 * for a fixed principal) on every subgraph request, through Hive's header propagation. No caller
 * authentication, access checks or access trail.
 */
import { defineConfig } from '@graphql-hive/gateway';

const tokens = JSON.parse(process.env.BENCH_SUBGRAPH_TOKENS ?? '{}') as Record<string, string>;

export const gatewayConfig = defineConfig({
  propagateHeaders: {
    fromClientToSubgraphs: ({ subgraphName }) => ({ authorization: `Bearer ${tokens[subgraphName] ?? ''}` }),
  },
});
