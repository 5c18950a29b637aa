import { config } from '../../lib/config';
import { closeServer, createHttpServer, listen } from '../../lib/http';
import { createLogger } from '../../lib/log';
import { createGateway } from './server';

const log = createLogger('gateway');

async function main(): Promise<void> {
  const gateway = await createGateway({ log });
  const http = createHttpServer({
    server: gateway.server,
    context: gateway.context,
    ready: gateway.subgraphsReady,
    onError: (err) => log.error({ err }, 'request failed'),
  });
  const port = await listen(http, config().port('gateway'));
  log.info({ port, subgraphs: gateway.subgraphUrls }, `gateway ready at http://localhost:${port}/graphql`);
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await closeServer(http);
    await gateway.server.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  log.fatal({ err }, 'gateway failed to start');
  process.exit(1);
});
