import { createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { gatewayTargetKeys, internalAudience, TRAIL_TARGET, type InternalTarget } from '../lib/auth/internal-keys';
import { ALGORITHM, generateKeyPairPem, importPrivateKey } from '../lib/auth/keys';
import { DEPARTMENTS, type Department, type Principal } from '../lib/auth/principal';
import { DEV_ISSUER, INTERNAL_ALGORITHM, INTERNAL_ISSUER, signInternalToken, signUserToken, USER_AUDIENCE } from '../lib/auth/tokens';
import { SUBGRAPHS } from '../lib/config';
import { registryOf } from '../gateway/src/operations';
import { REGISTRY } from '../subgraphs/registry';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/** Each department's section of `Citizen` (subgraphs/registry.ts): its field, and the first record of its fixed connection. */
const KEY = Object.fromEntries(REGISTRY.flatMap(({ section }) => (section ? [[section.code, section.field]] : []))) as Record<Department, string>;
const SECTION_FIELD = Object.fromEntries(
  REGISTRY.flatMap(({ section }) => (section ? [[section.code, `${section.field} { ${section.records.connection}(first: 1) { edges { node { id } } } }`]] : [])),
) as Record<Department, string>;
const SECTIONS = `citizen(id: $id) { id name { full } birthDate nationalId ${Object.values(SECTION_FIELD).join(' ')} }`;
const READ = `query ReadCitizen($id: ID!) { ${SECTIONS} }`;
const AUDIT = `query AuditCitizenSections($id: ID!) { ${SECTIONS} }`;
const ADDRESS = 'query ($id: ID!) { citizen(id: $id) { id address { city } } }';
const GRANT = `mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id live grantee section purpose } }`;
const REVOKE = 'mutation ($id: ID!) { revokeConsent(id: $id) { id live revokedAt } }';

const ME = 'cit_000002';
const SOMEONE_ELSE = 'cit_000003';
const future = () => `${new Date().getUTCFullYear() + 1}-12-31`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * `claims` signed with `key` with the times set by hand: `iat` and `exp` are seconds from now,
 * `null` leaves the claim out.
 */
function tokenWithTimes(
  claims: { sub: string; iss: string; aud: string; [claim: string]: unknown },
  times: { iat: number | null; exp: number | null },
  alg: string,
  key: Parameters<SignJWT['sign']>[0],
): Promise<string> {
  const { sub, iss, aud, ...rest } = claims;
  const now = nowSeconds();
  const jwt = new SignJWT(rest).setProtectedHeader({ alg, typ: 'JWT' }).setSubject(sub).setIssuer(iss).setAudience(aud);
  if (times.iat !== null) jwt.setIssuedAt(now + times.iat);
  if (times.exp !== null) jwt.setExpirationTime(now + times.exp);
  return jwt.sign(key);
}

interface Answer {
  status: number;
  body: { data?: { citizen: Record<string, unknown> | null } | null; errors?: Array<{ message: string; path?: string[]; extensions: Record<string, unknown> }> };
}

/** Which sections came back, and which departments' FORBIDDEN errors came with them. */
function outcome({ body }: Answer) {
  const citizen = body.data?.citizen ?? null;
  const readable = DEPARTMENTS.filter((d) => citizen && citizen[KEY[d]] !== null && citizen[KEY[d]] !== undefined);
  const forbidden = (body.errors ?? []).filter((e) => e.extensions.code === 'FORBIDDEN').map((e) => e.extensions.department);
  return { citizen, readable, forbidden: [...new Set(forbidden)].sort() };
}

describe.each(BACKENDS)('identity, access and consent through the gateway (%s)', (backend) => {
  let graph: RunningGraph;
  /** A registered purpose each department's officers may state for work in their own section. */
  const OWN_WORK: Record<Department, string> = {
    HEALTH: 'HEALTH_CARE',
    EDUCATION: 'SCHOOL_ADMISSION',
    TRANSPORT: 'LICENCE_CHECK',
    TAX: 'TAX_ASSESSMENT',
    SOCIAL_SECURITY: 'BENEFIT_ELIGIBILITY',
  };
  const officer = (department: Department, purpose = OWN_WORK[department]) =>
    authHeaders(graph.keys, { sub: `officer-${department}`, role: 'officer', department }, { purpose });
  const citizen = (sub: string) => authHeaders(graph.keys, { sub, role: 'citizen' });

  beforeAll(async () => {
    graph = await startGraph(backend, 40, registryOf(AUDIT));
  }, 120_000);
  afterAll(() => graph?.stop());

  describe('citizens', () => {
    it('a citizen reads every section of their own record and their full identity', async () => {
      const answer = await post(graph.url, { query: READ, variables: { id: ME } }, await citizen(ME));
      expect(answer.body.errors).toBeUndefined();
      expect(outcome(answer).readable).toEqual([...DEPARTMENTS]);
      const address = await post(graph.url, { query: ADDRESS, variables: { id: ME } }, await citizen(ME));
      expect(address.body.data.citizen.address.city).toEqual(expect.any(String));
    });

    it("a citizen cannot read another citizen's record: null and FORBIDDEN", async () => {
      const answer = await post(graph.url, { query: READ, variables: { id: SOMEONE_ELSE } }, await citizen(ME));
      expect(answer.status).toBe(200);
      expect(answer.body.data).toEqual({ citizen: null });
      expect(answer.body.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'IDENTITY' });
    });

    it('a citizen cannot list citizens: refused at the gateway with 403', async () => {
      const answer = await post(graph.url, { query: '{ citizens(first: 5) { edges { node { id } } } }' }, await citizen(ME));
      expect(answer.status).toBe(403);
      expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    });
  });

  describe.each(DEPARTMENTS)('an officer of %s', (department) => {
    it('reads their own section and identity basics of any citizen, and no other section', async () => {
      const answer = await post(graph.url, { query: READ, variables: { id: SOMEONE_ELSE } }, await officer(department));
      const { citizen: seen, readable, forbidden } = outcome(answer);
      expect(seen).toMatchObject({ id: SOMEONE_ELSE, name: { full: expect.any(String) }, birthDate: expect.any(String), nationalId: expect.any(String) });
      expect(readable).toEqual([department]);
      expect(forbidden).toEqual(DEPARTMENTS.filter((d) => d !== department).sort());
    });

    it("cannot read a citizen's address", async () => {
      const answer = await post(graph.url, { query: ADDRESS, variables: { id: SOMEONE_ELSE } }, await officer(department));
      expect(answer.body.data.citizen.address).toBeNull();
      expect(answer.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'IDENTITY' });
    });
  });

  describe('consent', () => {
    it("an officer reads another department's section only while a matching grant is live", async () => {
      const reader = 'SOCIAL_SECURITY';
      const section = 'HEALTH';
      const read = async (purpose: string) =>
        outcome(await post(graph.url, { query: READ, variables: { id: ME } }, await officer(reader, purpose))).readable;
      expect(await read('DISABILITY_ASSESSMENT')).toEqual([reader]);

      const granted = await post(
        graph.url,
        { query: GRANT, variables: { input: { grantee: reader, section, purpose: 'DISABILITY_ASSESSMENT', expiresOn: future() } } },
        await citizen(ME),
      );
      expect(granted.body.errors).toBeUndefined();
      expect(granted.body.data.grantConsent).toMatchObject({ live: true, grantee: reader, section });

      expect(await read('DISABILITY_ASSESSMENT')).toEqual([section, reader].sort());
      // Another purpose, or another department, is not covered by the grant (and another
      // department cannot even state this purpose).
      expect(await read('BENEFIT_ELIGIBILITY')).toEqual([reader]);
      const borrowed = await post(graph.url, { query: READ, variables: { id: ME } }, await officer('TAX', 'DISABILITY_ASSESSMENT'));
      expect([borrowed.status, borrowed.body.errors[0].extensions.code]).toEqual([403, 'PURPOSE_NOT_ALLOWED']);
      const taxOfficer = outcome(await post(graph.url, { query: READ, variables: { id: ME } }, await officer('TAX', 'ASSET_CHECK')));
      expect(taxOfficer.readable).toEqual(['TAX']);

      const mine = await post(graph.url, { query: 'query ($id: ID!) { citizen(id: $id) { consents { id live } } }', variables: { id: ME } }, await citizen(ME));
      expect(mine.body.data.citizen.consents).toEqual([{ id: granted.body.data.grantConsent.id, live: true }]);

      const revoked = await post(graph.url, { query: REVOKE, variables: { id: granted.body.data.grantConsent.id } }, await citizen(ME));
      expect(revoked.body.data.revokeConsent).toMatchObject({ live: false, revokedAt: expect.any(String) });
      expect(await read('DISABILITY_ASSESSMENT')).toEqual([reader]);
    });

    it('an expired grant gives no access', async () => {
      const granted = await post(
        graph.url,
        { query: GRANT, variables: { input: { grantee: 'TAX', section: 'TRANSPORT', purpose: 'ASSET_CHECK', expiresOn: future() } } },
        await citizen(ME),
      );
      const id = granted.body.data.grantConsent.id;
      await graph.subgraphs.identity.db.query("UPDATE consents SET expires_on = current_date - 1 WHERE id = $1", [id]);
      const answer = await post(graph.url, { query: READ, variables: { id: ME } }, await officer('TAX', 'ASSET_CHECK'));
      expect(outcome(answer).readable).toEqual(['TAX']);
    });

    it('refuses a malformed grant with BAD_USER_INPUT and stores nothing', async () => {
      const count = async () => (await graph.subgraphs.identity.db.query<{ n: number }>('SELECT count(*)::int AS n FROM consents'))[0].n;
      const before = await count();
      for (const input of [
        { grantee: 'TAX', section: 'TAX', purpose: 'ASSET_CHECK', expiresOn: future() },
        // Free text, and a registered purpose the grantee may not state, are no purpose for a grant.
        { grantee: 'TAX', section: 'HEALTH', purpose: 'asset check for my landlord', expiresOn: future() },
        { grantee: 'TAX', section: 'HEALTH', purpose: 'HEALTH_CARE', expiresOn: future() },
        { grantee: 'TAX', section: 'HEALTH', purpose: 'ASSET_CHECK', expiresOn: '2001-01-01' },
      ]) {
        const answer = await post(graph.url, { query: GRANT, variables: { input } }, await citizen(ME));
        expect(answer.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
      }
      const asOfficer = await post(
        graph.url,
        { query: GRANT, variables: { input: { grantee: 'TAX', section: 'HEALTH', purpose: 'ASSET_CHECK', expiresOn: future() } } },
        await officer('TAX'),
      );
      expect(asOfficer.status).toBe(403);
      expect(await count()).toBe(before);
    });
  });

  describe('auditors', () => {
    const auditor = () => authHeaders(graph.keys, { sub: 'auditor-1', role: 'auditor' }, { caseId: 'case-7' });

    it('run a registered audit operation and see every section', async () => {
      const answer = await post(graph.url, { query: AUDIT, variables: { id: SOMEONE_ELSE } }, await auditor());
      expect(answer.body.errors).toBeUndefined();
      expect(outcome(answer).readable).toEqual([...DEPARTMENTS]);
    });

    it('are refused an ad-hoc operation with 403, even one with the same text under another name', async () => {
      for (const query of [READ, AUDIT.replace('AuditCitizenSections', 'AuditSomethingElse')]) {
        const answer = await post(graph.url, { query, variables: { id: SOMEONE_ELSE } }, await auditor());
        expect(answer.status).toBe(403);
        expect(answer.body.errors[0].extensions.code).toBe('OPERATION_NOT_REGISTERED');
        expect(answer.body.data).toBeUndefined();
      }
    });
  });

  describe('tokens', () => {
    const ask = (headers: Record<string, string>) => post(graph.url, { query: READ, variables: { id: ME } }, headers);
    /** A citizen's token from the identity provider, with its times set by hand (seconds from now). */
    const timed = async (times: { iat: number | null; exp: number | null }) =>
      bearer(await tokenWithTimes({ sub: ME, iss: DEV_ISSUER, aud: USER_AUDIENCE, role: 'citizen' }, times, ALGORITHM, graph.keys.issuerPrivateKey));

    it.each([
      ['no authorization header', async () => ({}), /missing bearer token/],
      ['a header that is not a bearer token', async () => ({ authorization: 'Basic dXNlcjpwYXNz' }), /must be "Bearer <token>"/],
      ['a malformed token', async () => ({ authorization: 'Bearer not.a.jwt' }), /malformed/],
      ['an expired token', async () => authHeaders(graph.keys, { sub: ME, role: 'citizen' }, { ttlSeconds: -10 }), /expired/],
      [
        'a token signed by another key',
        async () => {
          const forger = await importPrivateKey(generateKeyPairPem().privateKey);
          return { authorization: `Bearer ${await signUserToken(forger, { sub: ME, role: 'citizen' })}` };
        },
        /signature is not valid/,
      ],
      ['a token with an unknown role', async () => authHeaders(graph.keys, { sub: ME, role: 'superuser' }), /role "superuser" is unknown/],
      ['an officer token without a department', async () => authHeaders(graph.keys, { sub: 'o', role: 'officer' }, { purpose: 'x-y-z' }), /department/],
      ['a token without "exp", which would never expire', async () => timed({ iat: 0, exp: null }), /no "exp" claim/],
      ['a token without "iat", whose lifetime cannot be known', async () => timed({ iat: null, exp: 600 }), /no "iat" claim/],
      [
        'a token valid for longer than the maximum lifetime (24 h)',
        async () => timed({ iat: -60, exp: 24 * 3600 }),
        /lifetime \("exp" - "iat"\) is 86460 s; at most 86400 s is accepted \(AUTH_MAX_TOKEN_LIFETIME\)/,
      ],
      ['a token issued more than a minute in the future', async () => timed({ iat: 120, exp: 600 }), /"iat" \(issued at\) is 1[12]\d s in the future/],
    ])('%s gets 401 UNAUTHENTICATED saying why', async (_case, headers, reason) => {
      const answer = await ask(await headers());
      expect(answer.status).toBe(401);
      expect(answer.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(answer.body.errors[0].message).toMatch(reason);
      expect(answer.body.data).toBeUndefined();
    });

    it("a token issued a little ahead of the gateway's clock, or valid for exactly 24 h, is accepted", async () => {
      for (const times of [
        { iat: 30, exp: 600 },
        { iat: -60, exp: 24 * 3600 - 60 },
      ]) {
        const answer = await ask(await timed(times));
        expect(answer.status).toBe(200);
        expect(outcome(answer).readable).toEqual([...DEPARTMENTS]);
      }
    });

    it('an officer without a purpose gets 400 PURPOSE_REQUIRED', async () => {
      const headers = await authHeaders(graph.keys, { sub: 'o', role: 'officer', department: 'HEALTH' });
      const answer = await ask(headers);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].extensions.code).toBe('PURPOSE_REQUIRED');
    });
  });

  describe.each(SUBGRAPHS)('a direct call to the %s subgraph', (name) => {
    const ENTITIES = 'query ($r: [_Any!]!) { _entities(representations: $r) { __typename } }';
    const calls = [
      { query: '{ _service { sdl } }' },
      { query: ENTITIES, variables: { r: [{ __typename: 'Citizen', id: ME }] } },
    ];

    it('is refused with 401 without the gateway token, or with a forged one', async () => {
      const forger = createSecretKey(randomBytes(32));
      const forged = await signInternalToken(forger, name, { sub: ME, role: 'auditor', scope: [], auditOperation: 'AuditX' });
      for (const headers of [{}, { authorization: `Bearer ${forged}` }] as Array<Record<string, string>>) {
        for (const call of calls) {
          const answer = await post(graph.subgraphUrls[name], call, headers);
          expect(answer.status).toBe(401);
          expect(answer.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        }
      }
    });

    it("is refused a caller's own token (only the gateway's tokens count)", async () => {
      const answer = await post(graph.subgraphUrls[name], calls[0], await citizen(ME));
      expect(answer.status).toBe(401);
    });
  });

  describe("the gateway's tokens: each is for one subgraph or route, and refused by every other", () => {
    const SDL = { query: '{ _service { sdl } }' };
    const reader: Principal = { sub: ME, role: 'citizen', scope: [] };
    const trailUrl = () => graph.subgraphUrls.audit.replace(/\/graphql$/, '/trail');
    /** A token exactly as the gateway makes it for `target`. */
    const gatewayToken = (target: InternalTarget) =>
      signInternalToken(gatewayTargetKeys(graph.keys.gateway.internalTokenSecret)(target), target, reader, graph.keys.gateway.internalTokenTtl);
    const expectRefused = (answer: Answer) => {
      expect(answer.status).toBe(401);
      expect(answer.body.errors![0].extensions.code).toBe('UNAUTHENTICATED');
    };

    it("a token made for health reads health, and is refused by education and by the access trail", async () => {
      const forHealth = bearer(await gatewayToken('health'));
      expect((await post(graph.subgraphUrls.health, SDL, forHealth)).status).toBe(200);
      expectRefused(await post(graph.subgraphUrls.education, SDL, forHealth));
      expectRefused(await post(trailUrl(), {}, forHealth));
    });

    it("the audit service's GraphQL endpoint and its /trail each take only their own tokens", async () => {
      const forAuditGraph = bearer(await gatewayToken('audit'));
      const forTrail = bearer(await gatewayToken(TRAIL_TARGET));
      expect((await post(graph.subgraphUrls.audit, SDL, forAuditGraph)).status).toBe(200);
      expectRefused(await post(trailUrl(), {}, forAuditGraph));
      expectRefused(await post(graph.subgraphUrls.audit, SDL, forTrail));
      // Past authentication, /trail judges the record itself: this empty one is refused as such, and nothing is written.
      const empty = await post(trailUrl(), {}, forTrail);
      expect(empty.status).toBe(400);
      expect(empty.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    });

    /** A gateway token for health with its times set by hand (seconds from now). */
    const timed = async (times: { iat: number | null; exp: number | null }) =>
      bearer(
        await tokenWithTimes(
          { sub: ME, iss: INTERNAL_ISSUER, aud: internalAudience('health'), role: 'citizen' },
          times,
          INTERNAL_ALGORITHM,
          gatewayTargetKeys(graph.keys.gateway.internalTokenSecret)('health'),
        ),
      );

    it.each([
      ['without "exp"', { iat: 0, exp: null }, /no "exp" claim/],
      ['without "iat"', { iat: null, exp: 30 }, /no "iat" claim/],
      ['valid for longer than INTERNAL_TOKEN_TTL (60 s)', { iat: 0, exp: 61 }, /lifetime \("exp" - "iat"\) is 61 s; at most 60 s is accepted \(INTERNAL_TOKEN_TTL\)/],
      ['issued more than a minute in the future', { iat: 120, exp: 150 }, /"iat" \(issued at\) is 1[12]\d s in the future/],
    ])('a token %s, even with the right key, is refused by the subgraph saying why', async (_case, times, reason) => {
      const answer = await post(graph.subgraphUrls.health, SDL, await timed(times));
      expectRefused(answer);
      expect(answer.body.errors![0].message).toMatch(reason);
      // The same key and audience with ordinary times is accepted: the times alone were refused.
      expect((await post(graph.subgraphUrls.health, SDL, await timed({ iat: 0, exp: 60 }))).status).toBe(200);
    });
  });
});
