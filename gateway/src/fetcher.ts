/*
 * Why not undici's fetch with an Agent (issue 14 asked for it "if it keeps the measured
 * performance"; it does not). Measured 2026-12-01, Node 20.20.2, undici 7.30.2, on the 2-core
 * dev machine: one client process sends 20,000 subgraph-like POSTs (a ~6 KB JSON answer, the
 * gateway's headers) at 16 concurrent, through `subgraphResilience(...).fetcher` as the gateway
 * does, to a node:http server in another process; client CPU (process.cpuUsage) per fetch:
 *
 *   this fetcher (Agent#request + the response below)             124-132 us, 5,500-7,100 fetches/s
 *   undici fetch + the same Agent, body read inside the attempt    337-363 us, 2,100-3,000 fetches/s
 *   undici fetch, Response returned as is (resilience buffers it)  331 us
 *   Node's global fetch (undici 6) with the package's Agent        399 us
 *
 * About 2.7x the CPU per fetch. A citizen-history request makes ~7.5 fetches (6.5 subgraph
 * fetches and one trail post), so fetch would add ~1.6-1.8 ms of gateway CPU to a request that
 * costs 5.7-7.4 ms (README "Performance"): +20-30%, against the 5% the issue allows. The full
 * bench agreed in direction but the machine was shared (load average 4-9): citizen-history,
 * 2,000 citizens, 10 s, this fetcher 39.3 and 26.0 req/s at 7.41 and 9.09 gateway CPU ms/req;
 * undici fetch 37.2 and 18.0 req/s at 10.48 and 14.64. The cost is fetch's spec machinery
 * (Request/Headers/Response objects, web streams for the body, per-request abort wiring), which a
 * POST to a subgraph does not need. Measure again before revisiting (a newer Node or undici).
 */
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { Agent, type Dispatcher } from 'undici';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/** How the gateway keeps its connections to subgraphs. */
export interface PooledFetcherOptions {
  /** Most open connections per subgraph (origin); default 128. */
  connections?: number;
  /** How long an idle connection stays open, ms, unless the subgraph says less (`Keep-Alive: timeout=`); default 4000. */
  keepAliveTimeoutMs?: number;
}

/** Marks a response whose body was read in full inside the fetch (see `isBufferedResponse`). */
const BUFFERED = Symbol('citizen-graph.bufferedResponse');

/** True for a response the pooled fetcher made: its body is already in memory, so a timeout cannot catch it mid-body. */
export function isBufferedResponse(response: unknown): boolean {
  return typeof response === 'object' && response !== null && BUFFERED in response;
}

/** Response headers as undici returns them (lower-case names), behind the fetch `Headers` interface. */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly raw: Record<string, string | string[] | undefined>) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = value;
  }
  append(name: string, value: string): void {
    const existing = this.get(name);
    this.raw[name.toLowerCase()] = existing === null ? value : `${existing}, ${value}`;
  }
  delete(name: string): void {
    delete this.raw[name.toLowerCase()];
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw)) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }
  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** A subgraph's answer with its body already read: what `RemoteGraphQLDataSource` and the resilience wrapper use of a fetch Response. */
class BufferedResponse implements FetcherResponse {
  readonly [BUFFERED] = true;
  readonly redirected = false;
  bodyUsed = false;

  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: ResponseHeaders,
    private readonly body: string,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get statusText(): string {
    return STATUS_TEXT[this.status] ?? '';
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.body;
  }
  async json(): Promise<any> {
    this.bodyUsed = true;
    return JSON.parse(this.body);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    this.bodyUsed = true;
    const bytes = Buffer.from(this.body, 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new BufferedResponse(this.url, this.status, new ResponseHeaders({ ...Object.fromEntries(this.headers) }), this.body);
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * undici reports a connection the subgraph closed or reset before answering as UND_ERR_SOCKET
 * ("other side closed"); the resilience wrapper retries a query on ECONNRESET, so it is given
 * that code (the original error stays the cause). Refused connections already carry ECONNREFUSED.
 */
function connectionError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return Object.assign(new Error(`connection to the subgraph was closed: ${(error as Error).message}`, { cause: error }), { code: 'ECONNRESET' });
  }
  return error;
}

/** Connection-level headers are the pool's to set (undici refuses them in a request). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect']);

function withoutHopByHop(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers;
  let clean: Record<string, string> | undefined;
  for (const name of Object.keys(headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase())) continue;
    clean ??= { ...headers };
    delete clean[name];
  }
  return clean ?? headers;
}

/**
 * The gateway's fetcher to subgraphs: undici connection pools with keep-alive, one per subgraph
 * origin, shared by every data source. A fetch sends the request and reads the whole body before
 * it resolves (so a timeout also covers a subgraph that stalls mid-body), and returns a small
 * fetch-like response. Compared with the data source's default (make-fetch-happen over
 * node-fetch), it skips the HTTP-cache layer and the per-request Request/Headers objects that a
 * POST to a subgraph never needs.
 */
export function pooledFetcher(options: PooledFetcherOptions = {}): Fetcher & { close(): Promise<void> } {
  const agent = new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
    keepAliveMaxTimeout: 60_000,
    pipelining: 1,
  });
  const targets = new Map<string, { origin: string; path: string }>();
  const target = (url: string) => {
    let found = targets.get(url);
    if (!found) {
      const parsed = new URL(url);
      found = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (targets.size >= 1000) targets.clear(); // subgraph URLs are few; never let it grow
      targets.set(url, found);
    }
    return found;
  };

  const fetcher = async (url: string, init: Parameters<Fetcher>[1] = {}): Promise<FetcherResponse> => {
    const { origin, path } = target(url);
    try {
      const response = await agent.request({
        origin,
        path,
        method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: withoutHopByHop(init.headers),
        body: init.body,
        signal: init.signal,
      });
      const body = await response.body.text();
      return new BufferedResponse(url, response.statusCode, new ResponseHeaders(response.headers), body);
    } catch (error) {
      throw connectionError(error);
    }
  };
  return Object.assign(fetcher, { close: () => agent.close() });
}

let shared: ReturnType<typeof pooledFetcher> | undefined;

/** One pool for the whole process: every data source (and every supergraph reload) shares it. */
export function sharedPooledFetcher(): Fetcher {
  shared ??= pooledFetcher();
  return shared;
}

/**
 * POSTs a JSON body over the shared pool and reads the whole answer, within `timeoutMs`
 * (the access trail's writes to the audit service).
 */
export async function pooledPost(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  const response = await (sharedPooledFetcher() as ReturnType<typeof pooledFetcher>)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, text: await response.text() };
}
