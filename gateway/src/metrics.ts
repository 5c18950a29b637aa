import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram } from 'prom-client';
import { httpMetrics, LATENCY_BUCKETS, type HttpMetrics } from '../../lib/metrics';
import type { GatewayContext } from './auth';

/** A breaker's state as a number: 0 closed, 1 half-open, 2 open. */
export type BreakerStates = () => Iterable<[service: string, state: 'closed' | 'half-open' | 'open']>;

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export interface GatewayMetrics extends HttpMetrics {
  /** Requests, errors and latency by operation. */
  plugin: ApolloServerPlugin<GatewayContext>;
  /** One subgraph fetch finished: its time, and the error code if it failed. */
  fetched(service: string, seconds: number, errorCode?: string): void;
  rateLimited(scope: 'address' | 'principal'): void;
  trailWriteFailed(): void;
}

/**
 * The gateway's Prometheus metrics, beside Node's process metrics and HTTP counts:
 * - `cg_graphql_requests_total{operation,outcome}` and `cg_graphql_request_duration_seconds{operation}`
 * - `cg_graphql_errors_total{operation,code}`
 * - `cg_subgraph_fetch_duration_seconds{subgraph}` and `cg_subgraph_fetch_errors_total{subgraph,code}`
 * - `cg_subgraph_breaker_state{subgraph}` (0 closed, 1 half-open, 2 open)
 * - `cg_rate_limited_total{scope}`, `cg_trail_write_failures_total`
 * `operation` is a registered operation's name, or `unregistered`: names clients choose never
 * become labels, so a hostile client cannot grow the series without bound.
 */
export function gatewayMetrics(breakers: BreakerStates, options: { defaults?: boolean } = {}): GatewayMetrics {
  const http = httpMetrics('gateway', { defaults: options.defaults });
  const registers = [http.registry];
  const requests = new Counter({
    name: 'cg_graphql_requests_total',
    help: 'GraphQL operations answered, by operation and outcome (ok, partial: data with errors, error: no data).',
    labelNames: ['operation', 'outcome'],
    registers,
  });
  const duration = new Histogram({
    name: 'cg_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL operation, by operation.',
    labelNames: ['operation'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: 'cg_graphql_errors_total',
    help: 'Errors in GraphQL responses, by operation and error code.',
    labelNames: ['operation', 'code'],
    registers,
  });
  const fetchDuration = new Histogram({
    name: 'cg_subgraph_fetch_duration_seconds',
    help: 'Time of each subgraph fetch (retries included), by subgraph.',
    labelNames: ['subgraph'],
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const fetchErrors = new Counter({
    name: 'cg_subgraph_fetch_errors_total',
    help: 'Failed subgraph fetches, by subgraph and code (SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT, ...).',
    labelNames: ['subgraph', 'code'],
    registers,
  });
  new Gauge({
    name: 'cg_subgraph_breaker_state',
    help: "Each subgraph's circuit breaker: 0 closed, 1 half-open, 2 open.",
    labelNames: ['subgraph'],
    // Across cluster workers (each has its own breakers) the worst state is the one to see.
    aggregator: 'max',
    registers,
    collect() {
      for (const [subgraph, state] of breakers()) this.set({ subgraph }, BREAKER_VALUE[state]);
    },
  });
  const limited = new Counter({
    name: 'cg_rate_limited_total',
    help: 'Requests refused with 429, by limit (address or principal).',
    labelNames: ['scope'],
    registers,
  });
  const trailFailures = new Counter({
    name: 'cg_trail_write_failures_total',
    help: 'Responses withheld because their access-trail record could not be written.',
    registers,
  });

  return {
    ...http,
    fetched(service, seconds, errorCode) {
      fetchDuration.observe({ subgraph: service }, seconds);
      if (errorCode) fetchErrors.inc({ subgraph: service, code: errorCode });
    },
    rateLimited: (scope) => limited.inc({ scope }),
    trailWriteFailed: () => trailFailures.inc(),
    plugin: {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        return {
          async willSendResponse({ contextValue, response }) {
            const operation = contextValue?.operation ?? 'unregistered';
            duration.observe({ operation }, Number(process.hrtime.bigint() - started) / 1e9);
            if (response.body.kind !== 'single') return requests.inc({ operation, outcome: 'ok' });
            const result = response.body.singleResult;
            const failed = result.errors ?? [];
            for (const error of failed) errors.inc({ operation, code: String(error.extensions?.code ?? 'UNKNOWN') });
            const outcome = failed.length === 0 ? 'ok' : result.data ? 'partial' : 'error';
            requests.inc({ operation, outcome });
          },
        };
      },
    },
  };
}
