/**
 * The citizen portal as `npm start` runs it: builds the app into `DATA_DIR/portal` when its
 * sources changed, then serves it on `PORTAL_PORT` (default 4100), with `/graphql` proxied to the
 * gateway on this machine and development sign-in outside production.
 */
import { join } from 'node:path';
import { devIssuerKey } from '../lib/auth/setup';
import { config } from '../lib/config';
import { closeServer, listen } from '../lib/http';
import { createLogger } from '../lib/log';
import { buildPortal } from './build';
import { createPortalServer, devTokenIssuer } from './server';

const log = createLogger('portal');

async function main(): Promise<void> {
  const cfg = config();
  const outDir = join(cfg.dataDir, 'portal');
  const build = await buildPortal({ outDir });
  log.info({ outDir, ms: build.ms }, build.built ? 'portal built' : 'portal build is up to date');
  const production = cfg.nodeEnv === 'production';
  const server = createPortalServer({
    staticDir: outDir,
    gatewayUrl: `http://localhost:${cfg.port('gateway')}/graphql`,
    devTokens: production
      ? undefined
      : devTokenIssuer(await devIssuerKey(cfg), { issuer: cfg.auth.issuer, audience: cfg.auth.audience, ttlSeconds: 3600 }),
  });
  const port = await listen(server, cfg.portalPort);
  log.info({ port, devSignIn: !production }, `portal ready at http://localhost:${port}/`);
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
