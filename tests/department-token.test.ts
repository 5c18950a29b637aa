import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { createAuthenticator } from '../gateway/src/auth';
import { DEPARTMENT_ISSUER, DEPARTMENT_SCOPE, signDepartmentToken } from '../lib/auth/department-token';
import { USER_AUDIENCE } from '../lib/auth/tokens';
import { JWKS_PATH, memoryKeyring, useKeyring, type DepartmentKeyring } from '../lib/evidence/keyring';
import { authHeaders, makeTestKeys } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';

const NAME = '{ citizen(id: "cit_000001") { id name { full } } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

/** A department token with claims and times set by hand, signed with `service`'s key in `ring`. */
async function handMade(ring: DepartmentKeyring, service: 'health' | 'education', claims: Record<string, unknown>, times = { iat: 0, exp: 60 }) {
  const { key, kid } = await ring.signingKey(service);
  const { sub, ...rest } = { sub: `department:${service}`, ...claims } as Record<string, unknown>;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid })
    .setIssuer(DEPARTMENT_ISSUER)
    .setAudience(USER_AUDIENCE)
    .setSubject(String(sub))
    .setIssuedAt(now() + times.iat)
    .setExpirationTime(now() + times.exp)
    .sign(key);
}

describe('departments as callers of the gateway', () => {
  const ring = memoryKeyring();
  let graph: RunningGraph;

  beforeAll(async () => {
    useKeyring(ring);
    graph = await startGraph('pglite', 20);
  }, 120_000);
  afterAll(() => graph?.stop());

  const education = async () => bearer(await signDepartmentToken('education', await ring.signingKey('education')));

  it('a department token for education, with a procedure as purpose, reads as an officer of education', async () => {
    const answer = await post(graph.url, { query: NAME }, { ...(await education()), 'x-purpose': 'SCHOOL_ENROLLMENT', 'x-case-id': 'app_education_0123456789abcdefghijklmnop' });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.body.data.citizen).toMatchObject({ id: 'cit_000001', name: { full: expect.any(String) } });
  });

  it('needs a purpose, as every officer does', async () => {
    const answer = await post(graph.url, { query: NAME }, await education());
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.body.errors[0].extensions.code).toMatch(/^PURPOSE_/);
  });

  it('refuses, 401 with a reason: signed by another department, forged, expired, too long-lived, unknown department, identity', async () => {
    const other = memoryKeyring();
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['health key, education claimed', handMade(ring, 'health', { sub: 'department:education', department: 'EDUCATION' }), /signature is not valid/],
      ['education claimed, health code', handMade(ring, 'education', { department: 'HEALTH' }), /must carry department EDUCATION/],
      ['an unknown key', handMade(other, 'education', { department: 'EDUCATION' }), /signature is not valid/],
      ['expired', handMade(ring, 'education', { department: 'EDUCATION' }, { iat: -120, exp: -60 }), /expired/],
      ['lives too long', handMade(ring, 'education', { department: 'EDUCATION' }, { iat: 0, exp: 3600 }), /at most 300 s/],
      ['an unknown department', handMade(ring, 'education', { sub: 'department:parks', department: 'PARKS' }), /not a department/],
      ['identity', handMade(ring, 'education', { sub: 'department:identity' }), /not a department/],
      ['no department', handMade(ring, 'education', { sub: 'education' }), /department:<service>/],
    ];
    for (const [name, token, reason] of cases) {
      const answer = await post(graph.url, { query: NAME }, { ...bearer(await token), 'x-purpose': 'SCHOOL_ENROLLMENT' });
      expect([name, answer.status, answer.body.errors?.[0]?.extensions?.code]).toEqual([name, 401, 'UNAUTHENTICATED']);
      expect([name, answer.body.errors[0].message]).toEqual([name, expect.stringMatching(reason)]);
    }
    // A changed byte of a good token.
    const good = (await education()).authorization.slice('Bearer '.length);
    const [h, p, s] = good.split('.');
    const forged = [h, p, s.slice(0, 10) + (s[10] === 'A' ? 'B' : 'A') + s.slice(11)].join('.');
    const answer = await post(graph.url, { query: NAME }, { ...bearer(forged), 'x-purpose': 'SCHOOL_ENROLLMENT' });
    expect(answer.status).toBe(401);
  });

  it('identity signs no department token', async () => {
    await expect(signDepartmentToken('identity', await ring.signingKey('identity'))).rejects.toThrow(/not a department/);
  });

  it('GET /.well-known/jwks.json on each department’s port: its JWKS, without a token; the audit service has none', async () => {
    for (const service of ['education', 'health', 'identity'] as const) {
      const response = await fetch(new URL(JWKS_PATH, graph.subgraphUrls[service]));
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=300');
      expect(await response.json()).toEqual(await ring.jwks(service));
    }
    expect((await fetch(new URL(JWKS_PATH, graph.subgraphUrls.audit))).status).toBe(404);
  });
});

describe('the department scope', () => {
  const ring = memoryKeyring();
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it('is struck from a caller’s own token, and given by a verified department token', async () => {
    const keys = await makeTestKeys();
    const authenticate = createAuthenticator({ ...keys.gateway, departments: ring });
    const user = await authenticate(
      request(await authHeaders(keys, { sub: 'officer-1', role: 'officer', department: 'EDUCATION', scope: `read ${DEPARTMENT_SCOPE}` }, { purpose: 'SCHOOL_ENROLLMENT' })),
    );
    expect(user.principal).toMatchObject({ sub: 'officer-1', role: 'officer', department: 'EDUCATION', scope: ['read'] });
    const citizen = await authenticate(request(await authHeaders(keys, { sub: 'cit_000001', role: 'citizen', scope: DEPARTMENT_SCOPE })));
    expect(citizen.principal.scope).toEqual([]);

    const token = await signDepartmentToken('education', await ring.signingKey('education'));
    const headers = { ...bearer(token), 'x-purpose': 'SCHOOL_ENROLLMENT', 'x-case-id': 'app_education_0123456789abcdefghijklmnop' };
    const department = await authenticate(request(headers));
    expect(department.principal).toEqual({
      sub: 'department:education',
      role: 'officer',
      department: 'EDUCATION',
      scope: [DEPARTMENT_SCOPE],
      purpose: 'SCHOOL_ENROLLMENT',
      caseId: 'app_education_0123456789abcdefghijklmnop',
    });
    // Verified once, then remembered; each request gets its own copy.
    const again = await authenticate(request(headers));
    expect(again.principal).toEqual(department.principal);
    expect(again.principal).not.toBe(department.principal);
  });
});
