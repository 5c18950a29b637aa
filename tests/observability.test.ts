import { principalKey } from '../gateway/src/rate-limit';
import { request as httpRequest, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { closeServer, createHttpServer, listen } from '../lib/http';
import { createLogger } from '../lib/log';
import { initTracing } from '../lib/tracing';
import type { RateLimitConfig } from '../lib/config';
import { createGateway, gatewayHttpServer, type Gateway, type GatewayOptions } from '../gateway/src/server';
import { operationId, registryOf } from '../gateway/src/operations';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';

// Every span this test process makes, gateway's and subgraphs' alike (registered before any gateway).
const exported = new InMemorySpanExporter();
initTracing('test', { exporter: exported });

const ME = `query Me($id: ID!) {
  citizen(id: $id) {
    id
    name { full }
    health { vaccinations(first: 2) { edges { node { id } } } }
    education { enrollments(first: 2) { edges { node { id } } } }
  }
}`;
const ME_ID = operationId(ME);
const CITIZEN = 'cit_000003';
const OTHER = 'cit_000004';
const NO_LIMITS: RateLimitConfig = { perPrincipal: 0, perAddress: 0, windowSeconds: 60, redisUrl: undefined, trustProxy: false };

/** Lines of a Prometheus text exposition for `name` that carry every label given. */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

describe('operating the gateway: rate limits, metrics, traces, request ids', () => {
  let graph: RunningGraph;
  let me: Record<string, string>;
  let other: Record<string, string>;
  const opened: Array<{ http: Server; gateway: Gateway }> = [];
  const trailCount = async () =>
    (await graph.subgraphs.audit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;

  /** Another gateway over the same subgraphs, with its own options; closed after the suite. */
  async function gatewayWith(options: Partial<GatewayOptions>): Promise<{ url: string; gateway: Gateway }> {
    const gateway = await createGateway({
      subgraphUrls: graph.subgraphUrls,
      keys: graph.keys.gateway,
      registry: registryOf(ME),
      rateLimits: NO_LIMITS,
      ...options,
    });
    const http = gatewayHttpServer(gateway);
    opened.push({ http, gateway });
    return { url: `http://127.0.0.1:${await listen(http, 0, '127.0.0.1')}/graphql`, gateway };
  }

  beforeAll(async () => {
    graph = await startGraph('pglite', 10, registryOf(ME), { gateway: { rateLimits: NO_LIMITS } });
    me = await authHeaders(graph.keys, { sub: CITIZEN, role: 'citizen' });
    other = await authHeaders(graph.keys, { sub: OTHER, role: 'citizen' });
  }, 120_000);
  afterAll(async () => {
    for (const { http, gateway } of opened) {
      await closeServer(http);
      await gateway.stop();
    }
    await graph?.stop();
  });

  describe('rate limits (in memory)', () => {
    it('refuses a principal over its limit with 429, Retry-After and RATE_LIMITED, writes no trail record, and spares others', async () => {
      const { url } = await gatewayWith({ rateLimits: { ...NO_LIMITS, perPrincipal: 3 } });
      for (let i = 0; i < 3; i++) {
        const { status, body } = await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me);
        expect([status, body.errors]).toEqual([200, undefined]);
      }
      const before = await trailCount();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...me },
        body: JSON.stringify({ documentId: ME_ID, variables: { id: CITIZEN } }),
      });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      const body = (await response.json()) as { data?: unknown; errors: Array<{ message: string; extensions: Record<string, unknown> }> };
      expect(body.data).toBeUndefined();
      expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(body.errors[0].message).toMatch(/at most 3 per 60 s/);
      expect(await trailCount()).toBe(before);
      // Another citizen is counted on their own.
      const { status } = await post(url, { documentId: ME_ID, variables: { id: OTHER } }, other);
      expect(status).toBe(200);
    });

    it('refuses an address over its limit before reading the body, whatever the request', async () => {
      const { url } = await gatewayWith({ rateLimits: { ...NO_LIMITS, perAddress: 2 } });
      expect((await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me)).status).toBe(200);
      expect((await post(url, '{ not json', me)).status).toBe(400);
      const refused = await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me);
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
      const anonymous = await post(url, '{ not json either');
      expect(anonymous.status).toBe(429);
      const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      expect(samples(metrics, 'cg_rate_limited_total', { scope: 'address' })).toEqual([2]);
      // Health checks are not rate limited.
      expect((await fetch(url.replace('/graphql', '/healthz'))).status).toBe(200);
    });

    it('counts the client behind a trusted proxy by the address the proxy appended, not what the client claims', async () => {
      const { url } = await gatewayWith({ rateLimits: { ...NO_LIMITS, perAddress: 1, trustProxy: true } });
      const from = (forwarded: string) => post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, { ...me, 'x-forwarded-for': forwarded });
      expect((await from('203.0.113.7')).status).toBe(200);
      // The same client making up a first hop is still 203.0.113.7.
      expect((await from('10.9.9.9, 203.0.113.7')).status).toBe(429);
      expect((await from('198.51.100.9')).status).toBe(200);
    });

    it('keeps limiting in memory when its Redis cannot be reached', async () => {
      const { url, gateway } = await gatewayWith({ rateLimits: { ...NO_LIMITS, perPrincipal: 2, redisUrl: 'redis://127.0.0.1:1' } });
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect(await gateway.subgraphsReady()).toBe(true);
    });
  });

  // Like TEST_DATABASE_URL: CI sets TEST_REDIS_URL (and runs Redis); without it there is no Redis to share.
  // Without TEST_REDIS_URL jest reports these tests as skipped, by name, rather than passing nothing.
  const redisUrl = process.env.TEST_REDIS_URL ?? '';
  (redisUrl ? describe : describe.skip)('rate limits shared in Redis (needs TEST_REDIS_URL)', () => {
    it('counts one principal across two gateway replicas', async () => {
      const prefix = `cg-test-${process.pid}-${Date.now()}`;
      const limits = { ...NO_LIMITS, perPrincipal: 4, redisUrl };
      const a = await gatewayWith({ rateLimits: limits, rateLimitPrefix: prefix });
      const b = await gatewayWith({ rateLimits: limits, rateLimitPrefix: prefix });
      const send = (url: string) => post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me).then((r) => r.status);
      expect([await send(a.url), await send(b.url), await send(a.url), await send(b.url)]).toEqual([200, 200, 200, 200]);
      expect(await send(a.url)).toBe(429);
      expect(await send(b.url)).toBe(429);
    });
  });

  describe('/metrics', () => {
    it('counts requests and errors by registered operation, subgraph fetches by subgraph, and breaker states', async () => {
      const { url } = await gatewayWith({ resilience: { breakerThreshold: 1, halfOpenAfterMs: 60_000 } });
      expect((await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me)).status).toBe(200);
      // An ad-hoc operation whose name a client chose: counted, but never as a label.
      const adhoc = await post(url, { query: 'query AttackerChosenName { citizen(id: "cit_000003") { id } }' }, me);
      expect(adhoc.status).toBe(200);
      const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      expect(samples(metrics, 'cg_graphql_requests_total', { operation: 'Me', outcome: 'ok' })).toEqual([1]);
      expect(samples(metrics, 'cg_graphql_requests_total', { operation: 'unregistered', outcome: 'ok' })).toEqual([1]);
      expect(metrics).not.toContain('AttackerChosenName');
      expect(samples(metrics, 'cg_graphql_request_duration_seconds_count', { operation: 'Me' })).toEqual([1]);
      for (const subgraph of ['identity', 'health', 'education']) {
        expect(samples(metrics, 'cg_subgraph_fetch_duration_seconds_count', { subgraph })[0]).toBeGreaterThanOrEqual(1);
        expect(samples(metrics, 'cg_subgraph_breaker_state', { subgraph })).toEqual([0]);
      }
      expect(samples(metrics, 'cg_http_requests_total', { route: '/graphql', status: '200' })).toEqual([2]);
    });

    it('shows a failing subgraph: fetch errors by code and its breaker open', async () => {
      // A gateway that believes education lives on a closed port.
      const closed = `http://127.0.0.1:1/graphql`;
      const { url } = await gatewayWith({
        subgraphUrls: { ...graph.subgraphUrls, education: closed },
        resilience: { breakerThreshold: 1, halfOpenAfterMs: 60_000 },
      });
      const first = await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me);
      expect(first.status).toBe(200);
      expect(first.body.data.citizen.education).toBeNull();
      expect(first.body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', service: 'education' });
      await post(url, { documentId: ME_ID, variables: { id: CITIZEN } }, me);
      const metrics = await (await fetch(url.replace('/graphql', '/metrics'))).text();
      expect(samples(metrics, 'cg_subgraph_fetch_errors_total', { subgraph: 'education', code: 'SUBGRAPH_UNAVAILABLE' })).toEqual([2]);
      expect(samples(metrics, 'cg_subgraph_breaker_state', { subgraph: 'education' })).toEqual([2]);
      expect(samples(metrics, 'cg_subgraph_breaker_state', { subgraph: 'health' })).toEqual([0]);
      expect(samples(metrics, 'cg_graphql_requests_total', { operation: 'Me', outcome: 'partial' })).toEqual([2]);
      expect(samples(metrics, 'cg_graphql_errors_total', { operation: 'Me', code: 'SUBGRAPH_UNAVAILABLE' })).toEqual([2]);
    });

    it('is served by every subgraph too', async () => {
      const text = await (await fetch(graph.subgraphUrls.health.replace('/graphql', '/metrics'))).text();
      expect(samples(text, 'cg_http_requests_total', { service: 'health', route: '/graphql' }).length).toBeGreaterThan(0);
    });
  });

  describe('traces and request ids', () => {
    const findSpans = (traceId: string) => exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const serviceOf = (span: ReadableSpan) => span.attributes['citizen_graph.service'];
    const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

    it("continues the caller's traceparent through the gateway's fetches into every subgraph it calls", async () => {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const callerSpan = '00f067aa0ba902b7';
      const response = await fetch(graph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01`, 'x-request-id': 'req-trace-1', ...me },
        body: JSON.stringify({ documentId: ME_ID, variables: { id: CITIZEN } }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('req-trace-1');
      let spans: ReadableSpan[] = [];
      for (let i = 0; i < 50 && !spans.some((s) => serviceOf(s) === 'gateway' && s.kind === SpanKind.SERVER); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        spans = findSpans(traceId);
      }
      const gatewaySpan = spans.find((s) => serviceOf(s) === 'gateway' && s.kind === SpanKind.SERVER)!;
      expect(gatewaySpan).toBeDefined();
      expect(parentOf(gatewaySpan)).toBe(callerSpan);
      const fetches = spans.filter((s) => s.name === 'gateway.fetch');
      expect(fetches.length).toBeGreaterThanOrEqual(3);
      const fetchIds = new Set(fetches.map((s) => s.spanContext().spanId));
      for (const subgraph of ['identity', 'health', 'education']) {
        const served = spans.filter((s) => serviceOf(s) === subgraph && s.kind === SpanKind.SERVER);
        expect(served.length).toBeGreaterThanOrEqual(1);
        // The subgraph's span is a child of a gateway fetch span: the header carried it.
        for (const span of served) expect(fetchIds.has(parentOf(span)!)).toBe(true);
        // ...and the subgraph saw the same request id.
        for (const span of served) expect(span.attributes['citizen_graph.request_id']).toBe('req-trace-1');
      }
    });

    it('makes up a request id when the caller sends none or a hostile one', async () => {
      const none = await fetch(graph.url.replace('/graphql', '/healthz'));
      expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const hostile = await fetch(graph.url.replace('/graphql', '/healthz'), { headers: { 'x-request-id': 'a b\tc' } });
      expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('masks an internal error behind the request id, which the log line carries', async () => {
      const lines: string[] = [];
      const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
      const { url } = await gatewayWith({ log: createLogger('gateway', sink) });
      const health = graph.subgraphs.health.db as unknown as { query: unknown };
      health.query = async () => {
        throw new Error('relation "secret_internal_table" does not exist');
      };
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...me },
          body: JSON.stringify({ documentId: ME_ID, variables: { id: CITIZEN } }),
        });
        const requestId = response.headers.get('x-request-id')!;
        const text = await response.text();
        expect(text).not.toContain('secret_internal_table');
        const body = JSON.parse(text);
        expect(body.data.citizen.name.full).toEqual(expect.any(String));
        const masked = body.errors.find((e: { extensions: { code: string } }) => e.extensions.code === 'INTERNAL_SERVER_ERROR');
        expect(masked.extensions.requestId).toBe(requestId);
        expect(masked.message).toContain(requestId);
        const logged = lines.map((line) => JSON.parse(line)).filter((entry) => entry.requestId === requestId);
        expect(logged.length).toBeGreaterThanOrEqual(1);
        expect(JSON.stringify(logged)).toContain('secret_internal_table');
      } finally {
        delete health.query;
      }
    });

    it('answers 500 with the request id when a request fails outside GraphQL', async () => {
      const lines: string[] = [];
      const log = createLogger('test', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
      const http = createHttpServer({
        server: graph.gateway.server,
        context: async () => {
          throw new Error('socket hang up at 10.1.2.3');
        },
        ready: async () => true,
        admit: async () => {
          throw new TypeError('limiter store exploded at 10.1.2.3');
        },
        onError: (err) => log.error({ err }, 'request failed'),
      });
      const port = await listen(http, 0, '127.0.0.1');
      try {
        const { status, body, requestId } = await new Promise<{ status: number; body: string; requestId: string }>((resolve, reject) => {
          const req = httpRequest({ port, host: '127.0.0.1', path: '/graphql', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
            let text = '';
            res.on('data', (c) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode!, body: text, requestId: String(res.headers['x-request-id']) }));
          });
          req.on('error', reject);
          req.end('{}');
        });
        expect(status).toBe(500);
        expect(body).not.toContain('10.1.2.3');
        expect(JSON.parse(body).errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
        expect(lines.some((line) => JSON.parse(line).requestId === requestId && line.includes('10.1.2.3'))).toBe(true);
      } finally {
        await closeServer(http);
      }
    });
  });
});

describe("a department's evidence calls spend their application's budget", () => {
  it('keys a department principal by its case, and everyone else by who they are', () => {
    const department = { sub: 'department:education', role: 'officer' as const, department: 'EDUCATION' as const, scope: ['department'], caseId: 'app_education_a' };
    expect(principalKey(department)).toBe('officer:department:education:app_education_a');
    expect(principalKey({ ...department, caseId: 'app_education_b' })).not.toBe(principalKey(department));
    // A person's case id changes nothing: an officer cannot buy a fresh budget by naming a new case.
    expect(principalKey({ sub: 'o-1', role: 'officer', department: 'EDUCATION', scope: [], caseId: 'C-1' })).toBe('officer:o-1');
    expect(principalKey({ sub: 'cit_000001', role: 'citizen', scope: [] })).toBe('citizen:cit_000001');
  });
});
