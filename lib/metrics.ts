import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets (seconds) for requests and subgraph fetches: 2.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The HTTP routes a server has; any other path is counted as `other` (labels stay bounded). */
const KNOWN_ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics', '/trail', '/trail/checkpoints']);

export interface HttpMetrics {
  registry: Registry;
  /** What `GET /metrics` serves, when not just this registry (a cluster worker: every worker's). */
  render?: () => Promise<string>;
  /** Counts one finished HTTP request. */
  observe(path: string, status: number, seconds: number): void;
}

/**
 * A service's Prometheus registry (served at `GET /metrics`): Node's process metrics
 * (`defaults`), and requests and latency by route and status, each labelled with `service`.
 */
export function httpMetrics(service: string, options: { defaults?: boolean; registry?: Registry } = {}): HttpMetrics {
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaults) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'cg_http_requests_total',
    help: 'HTTP requests answered, by route and status code.',
    labelNames: ['route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'cg_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observe(path, status, seconds) {
      const route = KNOWN_ROUTES.has(path) ? path : 'other';
      requests.inc({ route, status: String(status) });
      duration.observe({ route }, seconds);
    },
  };
}
