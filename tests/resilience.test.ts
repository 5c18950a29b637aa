import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { closeServer, createHttpServer, listen } from '../lib/http';
import { createGateway, type Gateway } from '../gateway/src/server';
import { isConnectionError, subgraphResilience } from '../gateway/src/resilience';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';

const OWN_SECTIONS = `query OwnSections($id: ID!) {
  citizen(id: $id) {
    id
    name { full }
    health { vaccinations(first: 2) { edges { node { id } } } }
    education { enrollments(first: 2) { edges { node { id } } } }
    tax { returns(first: 2) { edges { node { id } } } }
  }
}`;
const ME = 'cit_000002';
const TIMEOUT_MS = 300;
const HALF_OPEN_MS = 500;
const THRESHOLD = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('subgraph failures at the gateway', () => {
  let graph: RunningGraph;
  let citizen: Record<string, string>;
  const trailCount = async () =>
    (await graph.subgraphs.audit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;

  beforeAll(async () => {
    graph = await startGraph('pglite', 20);
    citizen = await authHeaders(graph.keys, { sub: ME, role: 'citizen' });
  }, 120_000);
  afterAll(() => graph?.stop());

  it('answers every section while all subgraphs are up', async () => {
    const { status, body } = await post(graph.url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.citizen).toMatchObject({ id: ME, health: expect.any(Object), tax: expect.any(Object), education: expect.any(Object) });
  });

  describe('a hanging tax subgraph (gateway with a 300 ms timeout)', () => {
    // A stand-in for tax on its own port: hangs while `hanging`, else serves with tax's real handler.
    let hanging = true;
    let held: ServerResponse[] = [];
    let stand: Server;
    let gateway: Gateway;
    let gatewayHttp: Server;
    let url: string;

    beforeAll(async () => {
      const realTax = graph.servers.tax.listeners('request')[0] as RequestListener;
      stand = createServer((req: IncomingMessage, res: ServerResponse) => {
        if (hanging) held.push(res);
        else realTax(req, res);
      });
      const hangingUrl = `http://127.0.0.1:${await listen(stand, 0, '127.0.0.1')}/graphql`;
      gateway = await createGateway({
        subgraphUrls: { ...graph.subgraphUrls, tax: hangingUrl },
        keys: graph.keys.gateway,
        resilience: { timeoutMs: TIMEOUT_MS, breakerThreshold: THRESHOLD, halfOpenAfterMs: HALF_OPEN_MS },
      });
      gatewayHttp = createHttpServer({ server: gateway.server, context: gateway.context, ready: gateway.subgraphsReady });
      url = `http://127.0.0.1:${await listen(gatewayHttp, 0, '127.0.0.1')}/graphql`;
    });
    afterAll(async () => {
      for (const res of held) res.destroy();
      held = [];
      stand.closeAllConnections();
      await closeServer(stand);
      await closeServer(gatewayHttp);
      await gateway.server.stop();
    });

    it('times tax out with SUBGRAPH_TIMEOUT; the other sections arrive and the trail is written', async () => {
      const before = await trailCount();
      const started = Date.now();
      const { status, body } = await post(url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
      const elapsed = Date.now() - started;
      expect(status).toBe(200);
      // The gateway waited for the timeout (it cannot fire early); how much longer is the machine's business.
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
      expect(body.data.citizen).toMatchObject({ id: ME, name: { full: expect.any(String) }, health: expect.any(Object), education: expect.any(Object), tax: null });
      expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_TIMEOUT', service: 'tax' }) })]);
      // A partial response still leaves its record.
      expect(await trailCount()).toBe(before + 1);
    });

    it(`after ${THRESHOLD} failures the breaker opens and tax fails fast with SUBGRAPH_UNAVAILABLE`, async () => {
      // The previous test was failure 1; this is failure 2, which opens the breaker.
      const second = await post(url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
      expect(second.body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', service: 'tax' });
      // Failing fast: while the breaker is open the gateway does not call tax at all.
      const callsBefore = held.length;
      const { status, body } = await post(url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
      expect(status).toBe(200);
      expect(held.length).toBe(callsBefore);
      expect(body.data.citizen).toMatchObject({ health: expect.any(Object), tax: null });
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' });
      expect(body.errors[0].message).toMatch(/circuit breaker open/);
    });

    it('when tax answers again the breaker half-opens and the section comes back', async () => {
      hanging = false;
      await sleep(HALF_OPEN_MS + 100);
      const { status, body } = await post(url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.citizen.tax).toEqual({ returns: expect.any(Object) });
    });
  });

  describe('retries', () => {
    it('retries a query once on a reset connection, never a mutation', async () => {
      let attempts = 0;
      const resetting = createServer((req) => {
        attempts++;
        req.socket.destroy();
      });
      const port = await listen(resetting, 0, '127.0.0.1');
      try {
        const resilience = subgraphResilience({ timeoutMs: 1000, breakerThreshold: 100 });
        // The data source's own fetcher (make-fetch-happen), as the gateway uses it.
        const fetcher = resilience.fetcher('tax', new RemoteGraphQLDataSource({ url: 'unused' }).fetcher);
        const send = (query: string) =>
          fetcher(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        await expect(send('query Q__tax__0 { x }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
        expect(attempts).toBe(2);
        attempts = 0;
        await expect(send('mutation M__tax__0 { x }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
        expect(attempts).toBe(1);
      } finally {
        await closeServer(resetting);
      }
    });

    it('recognises refused and reset connections, wrapped or not', () => {
      expect(isConnectionError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
      expect(isConnectionError(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe(true);
      expect(isConnectionError(new Error('boom'))).toBe(false);
    });
  });

  describe('a stopped health subgraph', () => {
    it('returns the other sections, health null with SUBGRAPH_UNAVAILABLE, and keeps answering', async () => {
      await closeServer(graph.servers.health);
      const before = await trailCount();
      for (let i = 0; i < 2; i++) {
        const { status, body } = await post(graph.url, { query: OWN_SECTIONS, variables: { id: ME } }, citizen);
        expect(status).toBe(200);
        expect(body.data.citizen).toMatchObject({ id: ME, name: { full: expect.any(String) }, education: expect.any(Object), tax: expect.any(Object), health: null });
        expect(body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', service: 'health' }) })]);
      }
      expect(await trailCount()).toBe(before + 2);
      // Requests that do not touch health are unaffected.
      const other = await post(graph.url, { query: '{ citizen(id: "cit_000002") { id name { full } } }' }, citizen);
      expect(other.status).toBe(200);
      expect(other.body.errors).toBeUndefined();
      expect(other.body.data.citizen.id).toBe(ME);
    });
  });
});
