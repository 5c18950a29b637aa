import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry, type Registry } from 'prom-client';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import type { Logger } from '../../lib/log';

/**
 * The gateway on every core: a primary process that forks `GATEWAY_WORKERS` workers sharing the
 * gateway's port (node:cluster), restarts a worker that dies, and stops them all on SIGTERM.
 * State that must be one across workers stays one:
 * - rate limits: in Redis when `REDIS_URL` is set, else counted by the primary for every worker
 *   (rate-limiter-flexible's cluster limiter, over the workers' IPC channel);
 * - metrics: `/metrics` on any worker answers with every worker's metrics summed (prom-client's
 *   AggregatorRegistry, asked through the primary).
 */

const METRICS_REQUEST = 'citizen-graph:metrics-request';
const METRICS_RESPONSE = 'citizen-graph:metrics-response';

interface MetricsMessage {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

/** `GATEWAY_WORKERS`: a number, or `auto` (one per core). Default 1: no cluster. */
export function workerCount(raw = process.env.GATEWAY_WORKERS): number {
  if (!raw) return 1;
  if (raw === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new Error(`GATEWAY_WORKERS must be "auto" or an integer from 1 to 64; received ${JSON.stringify(raw)}`);
  return n;
}

export const isClusterWorker = () => cluster.isWorker;

/** The primary: forks the workers and supervises them; never serves a request itself. */
export function runPrimary(workers: number, log: Logger): void {
  // Counts the workers' rate limits when there is no Redis (they ask it over IPC).
  new RateLimiterClusterMaster();
  const aggregator = new AggregatorRegistry();
  let stopping = false;

  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
      (error: Error) => worker.send({ type: METRICS_RESPONSE, id: message.id, error: error.message }),
    );
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log.error({ pid: worker.process.pid, code, signal }, 'gateway worker died; starting another');
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping gateway workers (each finishes its requests in flight)');
    const alive = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    let left = alive.length;
    if (left === 0) process.exit(0);
    for (const worker of alive) {
      worker!.once('exit', () => --left === 0 && process.exit(0));
      worker!.process.kill('SIGTERM');
    }
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  log.info({ workers }, `gateway: starting ${workers} workers`);
  for (let i = 0; i < workers; i++) cluster.fork();
}

let nextId = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();

/** In a worker: every worker's metrics, summed by the primary (what `/metrics` serves). */
export function clusterMetricsText(timeoutMs = 3000): Promise<string> {
  ensureListener();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error('the gateway primary did not answer for metrics'));
    }, timeoutMs);
    pending.set(id, { resolve, reject, timer });
    process.send!({ type: METRICS_REQUEST, id });
  });
}

let listening = false;
function ensureListener(): void {
  if (listening) return;
  listening = true;
  // Workers answer the primary's own requests for their registries.
  new AggregatorRegistry();
  process.on('message', (message: MetricsMessage) => {
    if (message?.type !== METRICS_RESPONSE) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error !== undefined) waiting.reject(new Error(message.error));
    else waiting.resolve(message.text ?? '');
  });
}

/** In a worker: which registries the primary aggregates (the gateway's). */
export function shareMetrics(registry: Registry): void {
  ensureListener();
  AggregatorRegistry.setRegistries([registry]);
}
