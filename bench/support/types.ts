/** What the orchestrator, the load generator and the report share. */

/** Ours, then the peers: plain Apollo, Hive Gateway, and Hive Gateway on its Rust query planner (`@graphql-hive/router-runtime`). */
export const GATEWAYS = ['citizen-graph', 'apollo-gateway', 'hive-gateway', 'hive-router-runtime'] as const;
export type GatewayName = (typeof GATEWAYS)[number];

/** One request the load generator may send: its body and headers, and what its data must hold. */
export interface Variant {
  body: string;
  headers: Record<string, string>;
  /** `path.in.data` -> the exact value expected, or `'*'` for any non-null value. */
  expect?: Record<string, string | number | boolean>;
}

export interface LoadSpec {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Parse and check one response in this many. */
  sampleEvery: number;
  variants: Variant[];
}

export interface LoadResult {
  /** Good responses (2xx, no GraphQL errors, right data) per second over the measured run. */
  rps: number;
  /** Every completed response per second, errors included. */
  allRps: number;
  autocannonRps: number;
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  transportErrors: number;
  timeouts: number;
  /** 2xx responses whose body carried GraphQL errors. */
  graphqlErrors: number;
  sampled: number;
  sampleFailures: number;
  /** non2xx + transport errors + GraphQL errors + sampled responses with the wrong data. */
  errors: number;
  examples: string[];
  /** CPU time the load generator itself used during the measured run. */
  loadCpuMs: number;
}

/** What one gateway did in one scenario. */
export interface GatewayRun extends LoadResult {
  gateway: GatewayName;
  /** Subgraph GraphQL fetches per client request (counted in a sequential sample, by subgraph). */
  fetchesPerRequest: number;
  fetchesBySubgraph: Record<string, number>;
  /** Access-trail writes (`POST /trail`) per client request. */
  trailWritesPerRequest: number;
  /** New TCP connections the subgraphs accepted per client request during the measured run (keep-alive at work: near 0). */
  subgraphConnectionsPerRequest: number;
  /** SQL statements per client request, all subgraphs (trail writes included). */
  statementsPerRequest: number;
  statementsBySubgraph: Record<string, number>;
  /** Gateway process: CPU used during the measured run, as cores (1 = one core busy) and ms per request. */
  gatewayCpuCores: number;
  gatewayCpuMsPerRequest: number;
  /** Every subgraph process together, and the PostgreSQL backends of the bench databases. */
  subgraphsCpuMsPerRequest: number;
  /** The same, per subgraph process. */
  subgraphCpuMsPerRequest: Record<string, number>;
  postgresCpuMsPerRequest: number;
  loadGeneratorCpuMsPerRequest: number;
  gatewayRssStartMb: number;
  gatewayRssPeakMb: number;
  gatewayRssEndMb: number;
  gatewayHeapEndMb?: number;
  /** One request at a time (the counting sample): latency without queueing, ms. */
  sequentialP50?: number;
  sequentialP99?: number;
  /** What was wrong with sampled responses, if anything. */
  sampleProblems?: string[];
  /** With --rounds: every round's numbers (the run shown is the median round). */
  rounds?: Array<{ rps: number; p50: number; p99: number; errors: number; sequentialP50?: number }>;
}

export interface ScenarioReport {
  scenario: string;
  description: string;
  operation: string;
  runs: GatewayRun[];
}
