import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import type { HttpMetrics } from './metrics';
import { requestIdFrom, runInRequest, type RequestScope } from './request-scope';
import { activeTraceId, inServerSpan } from './tracing';

/** A whole request (headers and body) must arrive within this, or the connection is dropped (slow clients). */
export const REQUEST_TIMEOUT_MS = 60_000;

/** Request bodies above this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A JSON endpoint beside `/graphql` (POST only): gets the parsed body, returns status and body. */
export type JsonRoute = (req: IncomingMessage, body: unknown) => Promise<{ status: number; body: unknown }>;

export interface HttpOptions<Ctx extends BaseContext> {
  server: ApolloServer<Ctx>;
  /** Builds the request's context; `body` is the parsed JSON body (POST), which it may rewrite. */
  context: (req: IncomingMessage, body: unknown) => Promise<Ctx>;
  /** `/readyz` answers 200 only while this resolves true. */
  ready: () => Promise<boolean>;
  /** Extra POST endpoints by path, e.g. the audit service's `/trail`. */
  routes?: Record<string, JsonRoute>;
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
 * Serves an Apollo Server on Node's own HTTP server: `/graphql`, `/healthz` (the process is up)
 * and `/readyz` (the service can answer: its store and dependencies respond). The server must
 * have been started.
 */
export function createHttpServer<Ctx extends BaseContext>(options: HttpOptions<Ctx>): Server {
  const { server, metrics } = options;
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
        const text = metrics.render ? await metrics.render() : await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        return void res.end(text);
      }
      if (url.pathname === '/readyz') {
        const ready = await options.ready().catch(() => false);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
      }
      const route = options.routes?.[url.pathname];
      if (route) {
        if (req.method !== 'POST') return sendGraphQLError(res, 405, 'METHOD_NOT_ALLOWED', `${url.pathname} takes POST`);
        const answer = await route(req, parseBody(req, await readBody(req)));
        return sendJson(res, answer.status, answer.body);
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

/** Listens on `port` (0: any free port) and resolves with the port taken. */
export function listen(server: Server, port: number, host = '0.0.0.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections, lets in-flight requests finish, then resolves. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
