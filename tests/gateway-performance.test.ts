import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import { closeServer, listen } from '../lib/http';
import { targetKey } from '../lib/auth/internal-keys';
import { verifyInternalToken } from '../lib/auth/tokens';
import type { Principal } from '../lib/auth/principal';
import { isBufferedResponse, pooledFetcher } from '../gateway/src/fetcher';
import { subgraphResilience } from '../gateway/src/resilience';
import { internalTokenCache, userTokenCache } from '../lib/auth/token-cache';
import { makeTestKeys } from './support/auth';
import { signUserToken } from '../lib/auth/tokens';
import type { TrailRecordInput } from '../lib/trail';
import { httpTrailClient } from '../gateway/src/trail';

describe('pooled fetcher to subgraphs', () => {
  let server: Server;
  let url: string;
  let connections = 0;
  let attempts = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      attempts++;
      if (req.url === '/reset') return req.socket.destroy();
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'private');
        res.end(JSON.stringify({ data: { echo: JSON.parse(body), authorization: req.headers.authorization ?? null } }));
      });
    });
    server.on('connection', () => connections++);
    url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  });
  afterAll(() => closeServer(server));

  it('posts, returns a fetch-like response with the whole body read, and keeps the connection', async () => {
    const fetcher = pooledFetcher();
    try {
      connections = 0;
      for (let i = 0; i < 5; i++) {
        const response = await fetcher(`${url}/graphql`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', authorization: 'Bearer t' },
          body: JSON.stringify({ query: `{ n${i} }` }),
        });
        expect(isBufferedResponse(response)).toBe(true);
        expect(response.ok).toBe(true);
        expect(response.status).toBe(200);
        expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
        expect(response.headers.get('cache-control')).toBe('private');
        expect(await response.json()).toEqual({ data: { echo: { query: `{ n${i} }` }, authorization: 'Bearer t' } });
      }
      // Sequential requests reuse keep-alive connections (the pool may open a second while the
      // first is being released), never one per request.
      expect(connections).toBeLessThanOrEqual(2);
    } finally {
      await fetcher.close();
    }
  });

  it('reports a reset connection as ECONNRESET, so resilience retries a query once and names the subgraph', async () => {
    const fetcher = pooledFetcher();
    try {
      const resilient = subgraphResilience({ timeoutMs: 1000, breakerThreshold: 100 }).fetcher('tax', fetcher);
      attempts = 0;
      await expect(
        resilient(`${url}/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"query Q__tax__0 { x }"}' }),
      ).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
      expect(attempts).toBe(2);
    } finally {
      await fetcher.close();
    }
  });

  it('reports a refused connection as SUBGRAPH_UNAVAILABLE', async () => {
    const closed = createServer();
    const port = await listen(closed, 0, '127.0.0.1');
    await closeServer(closed);
    const fetcher = pooledFetcher();
    try {
      const resilient = subgraphResilience({ timeoutMs: 1000, breakerThreshold: 100 }).fetcher('health', fetcher);
      await expect(resilient(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{"query":"{ x }"}' })).rejects.toMatchObject({
        extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'health' },
      });
    } finally {
      await fetcher.close();
    }
  });
});

describe('token caches', () => {
  const officer: Principal = { sub: 'o-1', role: 'officer', department: 'HEALTH', purpose: 'treatment', scope: [] };

  it('reuses an internal token for the same principal and subgraph for a while, and signs a new one for any difference', async () => {
    const keys = await makeTestKeys();
    let clock = 1_000_000;
    const sign = internalTokenCache(keys.gateway.internalTokenSecret, 60, { now: () => clock });
    const first = sign({ ...officer }, 'health');
    expect(sign({ ...officer }, 'health')).toBe(first); // the same signing, not a new one
    expect(sign({ ...officer, purpose: 'other' }, 'health')).not.toBe(first);
    expect(sign({ ...officer, auditOperation: 'AuditX' }, 'health')).not.toBe(first);
    // Another subgraph gets a token of its own, which health refuses.
    const forEducation = sign({ ...officer }, 'education');
    expect(forEducation).not.toBe(first);
    const healthKey = targetKey(keys.subgraphKey('health').key, 'health');
    expect(await verifyInternalToken(await first, healthKey, 'health', 60)).toMatchObject({ sub: 'o-1', role: 'officer', purpose: 'treatment' });
    await expect(verifyInternalToken(await forEducation, healthKey, 'health', 60)).rejects.toThrow(/signature is not valid/);
    clock += 15_001; // a quarter of the 60 s lifetime has gone: signed afresh
    const second = sign({ ...officer }, 'health');
    expect(second).not.toBe(first);
    const claims = decodeJwt(await second);
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('remembers a verified caller token until it expires, and hands out copies', async () => {
    const keys = await makeTestKeys();
    const token = await signUserToken(keys.issuerPrivateKey, { sub: 'cit_000001', role: 'citizen' }, { ttlSeconds: 1 });
    const verify = userTokenCache(keys.gateway.userKey, { issuer: keys.gateway.issuer, audience: keys.gateway.audience });
    const a = await verify(token);
    a.purpose = 'changed by one request';
    a.scope.push('x');
    expect(await verify(token)).toEqual({ sub: 'cit_000001', role: 'citizen', scope: [] });
    await expect(verify(`${token.slice(0, -4)}AAAA`)).rejects.toThrow(/signature/);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past exp: verified again, and refused
    await expect(verify(token)).rejects.toThrow(/expired/);
  });
});

describe('trail client: one post in flight, the rest batched', () => {
  let server: Server;
  let url: string;
  let posts: Array<{ body: unknown; authorization: string | undefined }> = [];
  /** Answers of the posts still held open by the test. */
  let held: Array<() => void> = [];
  let status = 201;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const parsed = JSON.parse(body);
        posts.push({ body: parsed, authorization: req.headers.authorization });
        held.push(() => {
          res.statusCode = status;
          res.setHeader('content-type', 'application/json');
          // As the audit service answers: a receipt per record of an array, in order.
          const receipt = (i: number) => ({ id: `acc_${i}`, seq: i, hash: 'f'.repeat(64) });
          res.end(JSON.stringify(Array.isArray(parsed) ? parsed.map((_, i) => receipt(i)) : receipt(0)));
        });
      });
    });
    url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/trail`;
  });
  afterAll(() => closeServer(server));
  beforeEach(() => {
    posts = [];
    held = [];
    status = 201;
  });

  const record = (caseId: string): TrailRecordInput => ({
    occurredAt: '2025-01-15T10:00:00Z',
    principal: { sub: 'auditor-1', role: 'auditor', department: null },
    purpose: null,
    caseId,
    operationId: 'a'.repeat(64),
    operationName: 'AuditCitizenPage',
    citizenIds: ['cit_000001'],
    departments: ['identity'],
    outcome: 'complete',
    durationMs: 3,
  });
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(check()).toBe(true);
  };
  const answerAll = () => held.splice(0).forEach((answer) => answer());

  it('sends a lone record at once, alone; records that arrive meanwhile go together in the next post', async () => {
    const client = httpTrailClient(url);
    const first = client.append(record('r0'), async () => 'token-0');
    await until(() => posts.length === 1);
    expect(posts[0]).toEqual({ body: record('r0'), authorization: 'Bearer token-0' });
    const rest = [1, 2, 3].map((i) => client.append(record(`r${i}`), async () => `token-${i}`));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(posts).toHaveLength(1); // the others wait for the post in flight
    answerAll();
    await first;
    await until(() => posts.length === 2);
    expect(posts[1]).toEqual({ body: [record('r1'), record('r2'), record('r3')], authorization: 'Bearer token-1' });
    answerAll();
    await Promise.all(rest);
  });

  it('caps a post at its batch size', async () => {
    const client = httpTrailClient(url, 2000, 2);
    const all = [0, 1, 2, 3, 4].map((i) => client.append(record(`r${i}`), async () => 't'));
    for (const expected of [1, 2, 2]) {
      await until(() => held.length === 1);
      expect(Array.isArray(posts.at(-1)!.body) ? (posts.at(-1)!.body as unknown[]).length : 1).toBe(expected);
      answerAll();
    }
    await Promise.all(all);
    expect(posts).toHaveLength(3);
  });

  it('rejects every caller of a refused post, and only those', async () => {
    const client = httpTrailClient(url);
    const first = client.append(record('r0'), async () => 't');
    await until(() => held.length === 1);
    const second = [client.append(record('r1'), async () => 't'), client.append(record('r2'), async () => 't')];
    status = 503;
    answerAll();
    await expect(first).rejects.toThrow(/audit service answered 503/);
    status = 201;
    await until(() => held.length === 1);
    answerAll();
    await expect(Promise.all(second)).resolves.toEqual([undefined, undefined]);
  });
});
