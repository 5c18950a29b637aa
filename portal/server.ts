/**
 * The citizen portal's web server: the built app (static files, `portal/build.ts`), `/graphql`
 * proxied to the gateway (one origin for the page and its API, so no CORS), and, outside
 * production only, `POST /dev/token`, which signs a development citizen token the way
 * `npm run --silent token -- citizen --sub ID` does.
 *
 * Built here, listened on by `portal/index.ts` (`npm start`); tests create it in-process.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { KeyLike } from 'jose';
import { devIssuerKey } from '../lib/auth/setup';
import { signUserToken } from '../lib/auth/tokens';
import type { Config } from '../lib/config';

/** Signs a development token for a citizen; absent in production. */
export type DevTokenIssuer = (citizenId: string) => Promise<{ token: string; expiresAt: string }>;

export interface PortalServerOptions {
  /** The built app: `index.html` and `assets/`. */
  staticDir: string;
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  gatewayUrl: string;
  /** Development sign-in; leave undefined in production, and `/dev/token` answers 404. */
  devTokens?: DevTokenIssuer;
}

/** A development token issuer over a signing key (the development identity provider's). */
export function devTokenIssuer(
  key: KeyLike,
  options: { ttlSeconds?: number; issuer?: string; audience?: string } = {},
): DevTokenIssuer {
  const ttlSeconds = options.ttlSeconds ?? 3600;
  return async (citizenId) => ({
    token: await signUserToken(key, { sub: citizenId, role: 'citizen' }, { ...options, ttlSeconds }),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
  });
}

/**
 * The portal's development sign-in under `cfg`: an issuer outside production, and undefined
 * with NODE_ENV=production, so that `/dev/token` answers 404 there (no key is even read).
 */
export async function devSignIn(cfg: Config): Promise<DevTokenIssuer | undefined> {
  if (cfg.nodeEnv === 'production') return undefined;
  return devTokenIssuer(await devIssuerKey(cfg), { issuer: cfg.auth.issuer, audience: cfg.auth.audience, ttlSeconds: 3600 });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page runs only its own bundled script and talks only to its own origin. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** A citizen id as the registry writes it (`cit_000123`); anything else is refused before signing. */
const CITIZEN_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TOKEN_BODY = 4096;

/** Request headers that belong to one connection and are not forwarded (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Errors in the GraphQL shape, so the app reads a proxy failure as it reads the gateway's. */
function sendGraphQLError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > MAX_TOKEN_BODY) throw new Error(`the body is over ${MAX_TOKEN_BODY} bytes`);
  }
  return JSON.parse(text);
}

/** `POST /dev/token` `{ "citizenId": "cit_000001" }` -> `{ token, citizenId, expiresAt }` (a citizen token for that id). */
async function devToken(req: IncomingMessage, res: ServerResponse, issue: DevTokenIssuer): Promise<void> {
  // GET says that development sign-in is on (the sign-in page asks; production answers 404).
  if (req.method === 'GET') return sendJson(res, 200, { devSignIn: true, usage: 'POST {"citizenId": "cit_000001"}' });
  if (req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    return sendJson(res, 405, { error: 'POST a JSON body {"citizenId": "cit_000001"}' });
  }
  let body: unknown;
  try {
    body = await readJson(req);
  } catch (error) {
    return sendJson(res, 400, { error: `expected a JSON body {"citizenId": "cit_000001"}: ${(error as Error).message}` });
  }
  const citizenId = (body as { citizenId?: unknown } | null)?.citizenId;
  if (typeof citizenId !== 'string' || !CITIZEN_ID.test(citizenId)) {
    return sendJson(res, 400, { error: `citizenId must be a citizen id such as "cit_000001"; received ${JSON.stringify(citizenId ?? null)}` });
  }
  const { token, expiresAt } = await issue(citizenId);
  sendJson(res, 200, { token, citizenId, expiresAt });
}

/** Forwards one request to the gateway and streams its answer back unchanged. */
function proxy(req: IncomingMessage, res: ServerResponse, gatewayUrl: URL): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers['x-forwarded-for'] = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-proto'] = 'http';
  const incoming = new URL(req.url ?? '/', 'http://portal');
  const target = new URL(gatewayUrl);
  target.search = incoming.search;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: req.method, headers }, (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.pipe(res);
  });
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy(error);
    sendGraphQLError(res, 502, 'GATEWAY_UNAVAILABLE', `the portal could not reach the graph's gateway (${(error as NodeJS.ErrnoException).code ?? error.message})`);
  });
  req.pipe(upstream);
}

/** A file under `root` for a URL path, or undefined (never a path outside `root`). */
function fileFor(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return undefined;
  return existsSync(path) && statSync(path).isFile() ? path : undefined;
}

function serveFile(res: ServerResponse, path: string, method: string, cacheControl: string): void {
  const body = readFileSync(path);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': cacheControl,
    ...SECURITY_HEADERS,
  });
  res.end(method === 'HEAD' ? undefined : body);
}

/**
 * The portal's HTTP server. Routes: `/graphql` (to the gateway), `/dev/token` (development
 * only), `/healthz`, `/readyz` (a build is there to serve), `/assets/*` (fingerprinted by Vite:
 * cached for a year) and every other GET the app's `index.html` (never cached, so a new build is
 * picked up at once).
 */
export function createPortalServer(options: PortalServerOptions): Server {
  const root = resolve(options.staticDir);
  const gatewayUrl = new URL(options.gatewayUrl);
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://portal');
    const method = req.method ?? 'GET';
    const fail = (error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: `the portal server failed: ${(error as Error).message}` });
      else res.destroy();
    };
    try {
      if (url.pathname === '/graphql') return proxy(req, res, gatewayUrl);
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const ready = existsSync(join(root, 'index.html'));
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'no build to serve' });
      }
      if (url.pathname === '/dev/token') {
        if (!options.devTokens) return sendJson(res, 404, { error: 'development sign-in is off (NODE_ENV=production): sign in through the identity provider' });
        return void devToken(req, res, options.devTokens).catch(fail);
      }
      if (method !== 'GET' && method !== 'HEAD') {
        res.setHeader('allow', 'GET, HEAD');
        return sendJson(res, 405, { error: `${method} is not allowed here` });
      }
      const file = fileFor(root, url.pathname);
      if (file && url.pathname.startsWith('/assets/')) return serveFile(res, file, method, 'public, max-age=31536000, immutable');
      if (file && !file.endsWith('index.html')) return serveFile(res, file, method, 'no-cache');
      if (url.pathname.startsWith('/assets/')) return sendJson(res, 404, { error: `no asset ${url.pathname}` });
      const index = join(root, 'index.html');
      if (!existsSync(index)) return sendJson(res, 503, { error: 'the portal has not been built yet (portal/build.ts)' });
      return serveFile(res, index, method, 'no-cache');
    } catch (error) {
      fail(error);
    }
  });
}
