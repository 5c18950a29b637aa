import { config } from '../../lib/config';
import { closeServer, listen, listeningOn } from '../../lib/http';
import { createLogger } from '../../lib/log';
import { initTracing, shutdownTracing } from '../../lib/tracing';
import { clusterMetricsText, isClusterWorker, runPrimary, shareMetrics, workerCount } from './cluster';
import { createGateway, gatewayHttpServer } from './server';

// Before the gateway is built, so that Apollo's spans use this provider (when OTLP is configured).
initTracing('gateway');
const log = createLogger('gateway');

async function main(): Promise<void> {
  const worker = isClusterWorker();
  const gateway = await createGateway({ log, processMetrics: true, clusterWorker: worker });
  if (worker) {
    shareMetrics(gateway.metrics.registry);
    gateway.metrics.render = () => clusterMetricsText();
  }
  const http = gatewayHttpServer(gateway, (err) => log.error({ err }, 'request failed'));
  const { host, localUrl } = config();
  const port = await listen(http, config().port('gateway'), host);
  log.info({ host, port, subgraphs: gateway.subgraphUrls }, `gateway ready at ${localUrl(port, '/graphql')}; ${listeningOn(host, port)}`);
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Close each kept-alive connection as soon as its last response is sent, not after keepAliveTimeout.
    const sweep = setInterval(() => http.closeIdleConnections(), 50);
    await closeServer(http);
    clearInterval(sweep);
    await gateway.stop();
    await shutdownTracing();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

function fail(err: unknown): never {
  log.fatal({ err }, 'gateway failed to start');
  process.exit(1);
}

// GATEWAY_WORKERS > 1: this process supervises that many workers, each a whole gateway (cluster.ts).
let workers = 1;
try {
  workers = workerCount();
} catch (err) {
  fail(err);
}
if (workers > 1 && !isClusterWorker()) runPrimary(workers, log);
else main().catch(fail);
