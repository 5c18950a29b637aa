/**
 * The citizen portal as `npm start` runs it: builds the app into `DATA_DIR/portal` when its
 * sources changed, then serves it on `HOST`:`PORTAL_PORT` (default 127.0.0.1:4100 outside
 * production), with `/graphql` proxied to the gateway on this machine and development sign-in
 * outside production.
 */
import { join } from 'node:path';
import { config } from '../lib/config';
import { closeServer, listen, listeningOn } from '../lib/http';
import { createLogger } from '../lib/log';
import { buildPortal } from './build';
import { createPortalServer, devSignIn } from './server';

const log = createLogger('portal');

async function main(): Promise<void> {
  const cfg = config();
  const outDir = join(cfg.dataDir, 'portal');
  const build = await buildPortal({ outDir });
  log.info({ outDir, ms: build.ms }, build.built ? 'portal built' : 'portal build is up to date');
  const devTokens = await devSignIn(cfg);
  const server = createPortalServer({ staticDir: outDir, gatewayUrl: cfg.localUrl(cfg.port('gateway'), '/graphql'), devTokens });
  const port = await listen(server, cfg.portalPort, cfg.host);
  log.info({ host: cfg.host, port, devSignIn: devTokens !== undefined }, `portal ready at ${cfg.localUrl(port, '/')}; ${listeningOn(cfg.host, port)}`);
  const stop = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await closeServer(server);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  log.fatal({ err }, 'portal failed to start');
  process.exit(1);
});
