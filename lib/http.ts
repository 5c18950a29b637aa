import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { config, type MetricsAccess } from './config';
import type { HttpMetrics } from './metrics';
import { requestIdFrom, runInRequest, type RequestScope } from './request-scope';
import { activeTraceId, inServerSpan } from './tracing';

/** A whole request (headers and body) must arrive within this, or the connection is dropped (slow clients). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What a JSON endpoint answers: the status, the body, and any headers of its own (`cache-control`). */
export interface JsonAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A JSON endpoint beside `/graphql`: gets the parsed body (undefined for GET), returns status and body. */
export type JsonRoute = (req: IncomingMessage, body: unknown) => Promise<JsonAnswer>;

/** One path's endpoints: a lone JsonRoute takes POST only; otherwise one handler per method. */
export type JsonRoutes = JsonRoute | Partial<Record<'GET' | 'POST', JsonRoute>>;

export interface HttpOptions<Ctx extends BaseContext> {
  server: ApolloServer<Ctx>;
  /** Builds the request's context; `body` is the parsed JSON body (POST), which it may rewrite. */
  context: (req: IncomingMessage, body: unknown) => Promise<Ctx>;
  /** `/readyz` answers 200 only while this resolves true. */
  ready: () => Promise<boolean>;
  /** Extra JSON endpoints by path, e.g. the audit service's `POST /trail` and `GET /trail/checkpoints`. */
  routes?: Record<string, JsonRoutes>;
  onError?: (error: unknown) => void;
  /** Names this server in traces (`citizen_graph.service`). */
  service?: string;
  /**
   * Runs before a `/graphql` request's body is read (the gateway's per-address rate limit);
   * throws an `HttpError` to refuse it.
   */
  admit?: (req: IncomingMessage) => Promise<void>;
  /** Counts requests and latency, and serves `GET /metrics` from its registry. */
  metrics?: HttpMetrics;
  /** Who may read `/metrics`; default the process's configuration (`METRICS_TOKEN`, `NODE_ENV`). */
  metricsAccess?: MetricsAccess;
}

/** An error a route or context throws to answer with this status and a GraphQL-shaped error. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `retry-after` on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A GraphQL-shaped error response, so clients parse every failure the same way. */
export function sendGraphQLError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): void {
  sendJson(res, status, { errors: [{ message, extensions: { code, ...extensions } }] }, headers);
}

/**
 * The request body, up to MAX_BODY_BYTES. Over it, 413 at once: with a declared length the
 * connection is closed (its body is never read); a streamed body is answered as soon as it goes
 * over, and the rest is read and dropped, so the client gets the answer (no reset under its
 * upload) and the connection can carry its next request. `requestTimeout` bounds the draining.
 */
function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = (headers: Record<string, string> = {}) =>
    new HttpError(413, 'PAYLOAD_TOO_LARGE', `request body is over ${MAX_BODY_BYTES} bytes`, headers);
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return Promise.reject(tooLarge({ connection: 'close' }));
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return; // draining
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      refused = true;
      chunks = [];
      reject(tooLarge());
    });
    req.on('end', () => refused || resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(req: IncomingMessage, text: string): unknown {
  if (req.method !== 'POST') return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/graphql-response+json') {
    // Apollo Server answers a missing or wrong content type itself (with its CSRF rules); hand
    // it the raw text so that it can.
    return text;
  }
  if (text.trim() === '') throw new HttpError(400, 'BAD_REQUEST', 'request body is empty; expected a JSON object with "query"');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'BAD_REQUEST', `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Why a `/metrics` request may not read the metrics under `access` (an HttpError to answer with),
 * or null when it may.
 */
export function metricsDenial(access: MetricsAccess, authorization: string | undefined): HttpError | null {
  if (access.kind === 'open') return null;
  if (access.kind === 'off') {
    return new HttpError(404, 'NOT_FOUND', '/metrics is off: NODE_ENV=production and METRICS_TOKEN is not set');
  }
  const challenge = { 'www-authenticate': 'Bearer realm="metrics"' };
  const expected = '/metrics needs "authorization: Bearer <METRICS_TOKEN>"';
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  if (!match) {
    // Only the scheme is echoed: a header without one may be the token itself.
    const scheme = /^(\S+) /.exec(authorization ?? '')?.[1];
    const received =
      authorization === undefined ? 'no authorization header'
      : /^Bearer\b/i.test(authorization) ? 'a malformed bearer token'
      : scheme ? `a "${scheme}" authorization` : 'an authorization header without a scheme';
    return new HttpError(401, 'UNAUTHENTICATED', `${expected}; received ${received}`, challenge);
  }
  // Both sides hashed first: equal lengths for timingSafeEqual, and the comparison's time says
  // nothing about how long the token is or how much of it a guess got right.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  if (!timingSafeEqual(digest(match[1]), digest(access.token))) {
    return new HttpError(401, 'UNAUTHENTICATED', `${expected}; received a bearer token that is not it`, challenge);
  }
  return null;
}

/**
 * Serves an Apollo Server on Node's own HTTP server: `/graphql`, `/healthz` (the process is up)
 * and `/readyz` (the service can answer: its store and dependencies respond). The server must
 * have been started.
 */
export function createHttpServer<Ctx extends BaseContext>(options: HttpOptions<Ctx>): Server {
  const { server, metrics } = options;
  const metricsAccess = options.metricsAccess ?? config().metricsAccess;
  const http = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Every response names its request: the id is in the logs of every service it reached.
    const scope: RequestScope = { requestId: requestIdFrom(req.headers['x-request-id']) };
    res.setHeader('x-request-id', scope.requestId);
    if (metrics) res.once('finish', () => metrics.observe(url.pathname, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    const attributes = {
      'http.request.method': req.method ?? 'GET',
      'url.path': url.pathname,
      'citizen_graph.service': options.service ?? 'unknown',
      'citizen_graph.request_id': scope.requestId,
    };
    void runInRequest(scope, () =>
      inServerSpan(`${req.method} ${url.pathname}`, req.headers, attributes, async (span) => {
        scope.traceId = activeTraceId();
        await handle(req, res, url, scope);
        span.setAttribute('http.response.status_code', res.statusCode);
      }),
    ).catch((error) => options.onError?.(error));
  });
  return http;

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL, scope: RequestScope): Promise<void> {
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/metrics' && metrics && req.method === 'GET') {
        const denial = metricsDenial(metricsAccess, req.headers.authorization);
        if (denial) throw denial;
        const text = metrics.render ? await metrics.render() : await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return void res.end(text);
      }
      if (url.pathname === '/readyz') {
        const ready = await options.ready().catch(() => false);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
      }
      const endpoints = options.routes?.[url.pathname];
      if (endpoints) {
        const methods = typeof endpoints === 'function' ? { POST: endpoints } : endpoints;
        const route = Object.hasOwn(methods, req.method ?? '') ? methods[req.method as keyof typeof methods] : undefined;
        if (!route) {
          const allowed = Object.keys(methods).join(', ');
          return sendGraphQLError(res, 405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes ${allowed}; received ${req.method}`, { allow: allowed });
        }
        const answer = await route(req, parseBody(req, await readBody(req)));
        return sendJson(res, answer.status, answer.body, answer.headers);
      }
      if (url.pathname !== '/graphql') return sendGraphQLError(res, 404, 'NOT_FOUND', `no route ${url.pathname}; GraphQL is at /graphql`);
      if (req.method !== 'GET' && req.method !== 'POST') {
        res.setHeader('allow', 'GET, POST');
        return sendGraphQLError(res, 405, 'METHOD_NOT_ALLOWED', `method ${req.method} is not allowed; use GET or POST`);
      }
      await options.admit?.(req);
      const headers = new HeaderMap();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      const body = parseBody(req, await readBody(req));
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
        context: () => options.context(req, body),
      });
      for (const [name, value] of response.headers) res.setHeader(name, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof HttpError) return sendGraphQLError(res, error.status, error.code, error.message, error.headers);
      options.onError?.(error);
      if (!res.headersSent) {
        sendGraphQLError(res, 500, 'INTERNAL_SERVER_ERROR', `Internal server error (request ${scope.requestId})`, {}, { requestId: scope.requestId });
      } else res.end();
    }
  }
}

/**
 * Listens on `host`:`port` (0: any free port) and resolves with the port taken. No default
 * host: every caller says where (services: `config().host`), so that nothing listens on every
 * interface by accident.
 */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Whether only this machine can reach `host` (127.0.0.0/8, ::1, or 127.x mapped into IPv6). */
export function isLoopback(host: string): boolean {
  if (host === '::1') return true;
  const v4 = host.startsWith('::ffff:') ? host.slice('::ffff:'.length) : host;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * For a service's start log line: where it listens and who can reach it, e.g. `listening on
 * 127.0.0.1:4002 (loopback only; set HOST=0.0.0.0 to expose)`; without `port`, the address alone.
 */
export function listeningOn(host: string, port?: number): string {
  const address = isIP(host) === 6 && port !== undefined ? `[${host}]` : host;
  const where = port === undefined ? address : `${address}:${port}`;
  if (isLoopback(host)) return `listening on ${where} (loopback only; set HOST=0.0.0.0 to expose)`;
  if (host === '0.0.0.0' || host === '::') return `listening on ${where} (every interface; set HOST=127.0.0.1 for this machine only)`;
  return `listening on ${where} (this address only)`;
}

/** Stops accepting connections, lets in-flight requests finish, then resolves. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
