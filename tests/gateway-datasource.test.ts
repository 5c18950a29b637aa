import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { closeServer, listen } from '../lib/http';
import { targetKey } from '../lib/auth/internal-keys';
import { verifyInternalToken } from '../lib/auth/tokens';
import { SUBGRAPHS, type RateLimitConfig, type SubgraphName } from '../lib/config';
import { createGateway, gatewayHttpServer, type Gateway } from '../gateway/src/server';
import type { Logger } from '../lib/log';
import { authHeaders, makeTestKeys, type TestKeys } from './support/auth';

const NO_LIMITS: RateLimitConfig = { perPrincipal: 0, perAddress: 0, windowSeconds: 60, redisUrl: undefined, trustProxy: false };
const ME = 'cit_000001';

/**
 * What the gateway's data source sends a subgraph and how it reads the answer, against one stub
 * that stands in for every subgraph (the gateway's `process` replaces Apollo's node-fetch one).
 */
describe("the gateway's subgraph fetches", () => {
  let stub: Server;
  let keys: TestKeys;
  let gateway: Gateway;
  let http: Server;
  let url: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const trail: Array<{ citizens: string[]; departments: string[] }> = [];
  const logged: unknown[] = [];
  /** What the stub answers next: status, content type and body. */
  let answer: { status: number; type: string; body: string; headers?: Record<string, string> };
  const ok = (data: unknown, extensions?: unknown) => ({ status: 200, type: 'application/json', body: JSON.stringify({ data, extensions }) });

  beforeAll(async () => {
    stub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': answer.type, ...answer.headers });
        res.end(answer.body);
      });
    });
    const base = `http://127.0.0.1:${await listen(stub, 0, '127.0.0.1')}`;
    keys = await makeTestKeys();
    gateway = await createGateway({
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${base}/${name}/graphql`])) as Record<SubgraphName, string>,
      keys: keys.gateway,
      persistedPolicy: { citizen: 'allow', officer: 'allow', auditor: 'allow' },
      rateLimits: NO_LIMITS,
      log: { error: (fields: { err?: unknown }) => void logged.push(fields.err) } as unknown as Logger,
      trail: { append: async (record) => void trail.push({ citizens: [...record.citizenIds], departments: [...record.departments] }) },
    });
    http = gatewayHttpServer(gateway);
    url = `http://127.0.0.1:${await listen(http, 0, '127.0.0.1')}/graphql`;
  }, 60_000);
  afterAll(async () => {
    if (http) await closeServer(http);
    await gateway?.stop();
    if (stub) await closeServer(stub);
  });
  beforeEach(() => {
    received.length = 0;
    trail.length = 0;
    logged.length = 0;
  });

  async function ask(query: string, variables?: Record<string, unknown>) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await authHeaders(keys, { sub: ME, role: 'citizen' })) },
      body: JSON.stringify({ query, variables, operationName: 'Me' }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> } };
  }
  const ME_QUERY = 'query Me($id: ID!) { citizen(id: $id) { id } }';

  it("posts the fetch's query, variables and operation name as JSON with the subgraph's own token and the request id", async () => {
    answer = ok({ citizen: { id: ME } }, { accessed: [ME] });
    const { status, body } = await ask(ME_QUERY, { id: ME });
    expect([status, body.errors]).toEqual([200, undefined]);
    expect(body.data).toEqual({ citizen: { id: ME } });
    expect(received).toHaveLength(1);
    const [{ headers, body: sent }] = received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const parsed = JSON.parse(sent);
    expect(Object.keys(parsed)).toEqual(['query', 'variables', 'operationName']);
    expect(parsed.query).toBe('query Me__identity__0($id:ID!){citizen(id:$id){id}}');
    expect(parsed.variables).toEqual({ id: ME });
    expect(parsed.operationName).toBe('Me__identity__0');
    expect(parsed).not.toHaveProperty('http');
    const token = /^Bearer (\S+)$/.exec(headers.authorization ?? '')?.[1];
    expect(token).toBeDefined();
    // Made for identity alone, about the caller.
    const identity = keys.subgraphKey('identity');
    expect(await verifyInternalToken(token!, targetKey(identity.key, 'identity'), 'identity', 60)).toMatchObject({ sub: ME, role: 'citizen' });
    const health = keys.subgraphKey('health');
    await expect(verifyInternalToken(token!, targetKey(health.key, 'health'), 'health', 60)).rejects.toThrow(/signature is not valid/);
    // The citizens the subgraph reported reach the access trail.
    expect(trail).toEqual([{ citizens: [ME], departments: ['identity'] }]);
  });

  it('an answer of application/graphql-response+json is read as JSON', async () => {
    answer = { ...ok({ citizen: { id: ME } }), type: 'application/graphql-response+json; charset=utf-8' };
    const { body } = await ask(ME_QUERY, { id: ME });
    expect(body).toEqual({ data: { citizen: { id: ME } } });
    expect(trail).toEqual([]);
  });

  it("a subgraph's 401 and 403 keep their codes, with the status in the message", async () => {
    answer = { status: 401, type: 'application/json', body: JSON.stringify({ errors: [{ message: 'no' }] }) };
    const refused = await ask(ME_QUERY, { id: ME });
    expect(refused.body.errors?.[0]).toMatchObject({ message: '401: Unauthorized', extensions: { code: 'UNAUTHENTICATED' } });
    answer = { status: 403, type: 'application/json', body: JSON.stringify({ errors: [{ message: 'no' }] }) };
    const forbidden = await ask(ME_QUERY, { id: ME });
    expect(forbidden.body.errors?.[0]).toMatchObject({ message: '403: Forbidden', extensions: { code: 'FORBIDDEN' } });
  });

  it('an answer that is not a JSON object is an error naming what came back', async () => {
    answer = { status: 200, type: 'text/plain', body: 'not graphql' };
    const { body } = await ask(ME_QUERY, { id: ME });
    expect(body.data?.citizen ?? null).toBeNull();
    expect(body.errors).toHaveLength(1);
    // Internal details never reach a client (server.ts formatError): the message is replaced.
    expect(body.errors![0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(logged.map((err) => String((err as Error)?.message))).toContainEqual(expect.stringContaining('Expected JSON response body, but received: not graphql'));
  });
});
