import { createServer, type Server } from 'node:http';
import { decodeJwt } from 'jose';
import { closeServer, listen } from '../lib/http';
import { verifyInternalToken } from '../lib/auth/tokens';
import type { Principal } from '../lib/auth/principal';
import { isBufferedResponse, pooledFetcher } from '../gateway/src/fetcher';
import { subgraphResilience } from '../gateway/src/resilience';
import { internalTokenCache, userTokenCache } from '../lib/auth/token-cache';
import { makeTestKeys } from './support/auth';
import { signUserToken } from '../lib/auth/tokens';

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

  it('reuses an internal token for the same principal for a while, and signs a new one for any difference', async () => {
    const keys = await makeTestKeys();
    let clock = 1_000_000;
    const sign = internalTokenCache(keys.gateway.internalSigningKey, 60, { now: () => clock });
    const first = sign({ ...officer });
    expect(sign({ ...officer })).toBe(first); // the same signing, not a new one
    expect(sign({ ...officer, purpose: 'other' })).not.toBe(first);
    expect(sign({ ...officer, auditOperation: 'AuditX' })).not.toBe(first);
    expect(await verifyInternalToken(await first, keys.gatewayPublicKey)).toMatchObject({ sub: 'o-1', role: 'officer', purpose: 'treatment' });
    clock += 15_001; // a quarter of the 60 s lifetime has gone: signed afresh
    const second = sign({ ...officer });
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
