import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print } from 'graphql';
import { closeServer, listen } from '../lib/http';
import { createGateway, gatewayHttpServer, type Gateway } from '../gateway/src/server';
import { loadRegistry, type Registered } from '../gateway/src/operations';
import { APOLLO_MANIFEST_FILE } from '../lib/paths';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';
import type { Server } from 'node:http';
import { gatewayTargetKeys, TRAIL_TARGET } from '../lib/auth/internal-keys';
import { signInternalToken } from '../lib/auth/tokens';
import type { TrailRecordInput } from '../lib/trail';
import { httpTrailClient } from '../gateway/src/trail';

/**
 * The persisted-operation policy against a hostile caller: where registration is required, what
 * runs is the registered text found by its id, whatever else the request carries, by GET as by
 * POST; a registered operation is one identity whether or not Apollo Client added `__typename`.
 */
const REQUIRE = { citizen: 'require', officer: 'require', auditor: 'require' } as const;
const ALLOW = { citizen: 'allow', officer: 'allow', auditor: 'require' } as const;
const ME = 'cit_000001';

const registry = loadRegistry();
const canonical = (name: string): Registered & { key: string } => {
  const found = [...registry].find(([key, entry]) => entry.name === name && entry.id === key);
  if (!found) throw new Error(`${name} is not registered: run npm run codegen`);
  return { key: found[0], ...found[1] };
};
const apollo = JSON.parse(readFileSync(APOLLO_MANIFEST_FILE, 'utf8')) as { operations: Array<{ id: string; name: string; body: string }> };
const apolloOf = (name: string) => apollo.operations.find((operation) => operation.name === name)!;
const OVERVIEW = canonical('CitizenOverview');
const HEALTH_VIEW = canonical('OfficerHealthView');
const source = (name: string) => readFileSync(join(__dirname, '..', 'schema', 'operations', `${name}.graphql`), 'utf8');

describe('persisted operations against a hostile caller', () => {
  let graph: RunningGraph;
  /** A second gateway over the same subgraphs where citizens and officers may send their own queries. */
  let allowing: { gateway: Gateway; http: Server; url: string };
  let citizen: Record<string, string>;
  let officer: Record<string, string>;
  let nationalId: string;
  const trailCount = async () => (await graph.subgraphs.audit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;
  const get = async (url: string, params: Record<string, unknown>, headers: Record<string, string>) => {
    const search = new URLSearchParams(
      Object.entries(params).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
    // A header Apollo Server's CSRF prevention accepts on a GET.
    const response = await fetch(`${url}?${search}`, { headers: { ...headers, 'apollo-require-preflight': 'true' } });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    graph = await startGraph('pglite', 12, registry, { gateway: { persistedPolicy: REQUIRE } });
    const gateway = await createGateway({ subgraphUrls: graph.subgraphUrls, keys: graph.keys.gateway, registry, persistedPolicy: ALLOW });
    const http = gatewayHttpServer(gateway);
    allowing = { gateway, http, url: `http://127.0.0.1:${await listen(http, 0, '127.0.0.1')}/graphql` };
    citizen = await authHeaders(graph.keys, { sub: ME, role: 'citizen' });
    officer = await authHeaders(graph.keys, { sub: 'dr-wu', role: 'officer', department: 'health' }, { purpose: 'HEALTH_CARE' });
    [{ national_id: nationalId }] = await graph.subgraphs.identity.db.query<{ national_id: string }>('SELECT national_id FROM citizens WHERE id = $1', [ME]);
  }, 120_000);
  afterAll(async () => {
    if (allowing) {
      await closeServer(allowing.http);
      await allowing.gateway.stop();
    }
    await graph?.stop();
  });

  describe('where registration is required', () => {
    it("a registered id with the caller's own query beside it is 400, runs nothing and leaves no record", async () => {
      const before = await trailCount();
      const own = `query CitizenOverview($id: ID!) { citizen(id: $id) { name { full } consents { id } } }`;
      const answer = await post(graph.url, { documentId: OVERVIEW.key, query: own, variables: { id: ME } }, citizen);
      expect(answer.status).toBe(400);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' } });
      expect(answer.body.errors[0].message).toMatch(/not the operation registered under it/);
      expect(await trailCount()).toBe(before);
    });

    it("an officer's registered id with an ad-hoc page of citizens is refused, and not counted as the registered operation", async () => {
      const count = async () => (await graph.gateway.metrics.registry.getSingleMetricAsString('cg_graphql_requests_total')).match(/operation="OfficerHealthView"[^\n]* (\d+)/)?.[1] ?? '0';
      const before = await count();
      const answer = await post(
        graph.url,
        { documentId: HEALTH_VIEW.key, query: '{ citizens(first: 3) { edges { node { id nationalId } } } }', variables: { nationalId } },
        officer,
      );
      expect(answer.status).toBe(400);
      expect(answer.body.data).toBeUndefined();
      expect(await count()).toBe(before);
    });

    it('the same id sent as APQ hash with the registered text runs the registered operation', async () => {
      const answer = await post(
        graph.url,
        { query: source('CitizenOverview'), extensions: { persistedQuery: { version: 1, sha256Hash: OVERVIEW.key } }, variables: { id: ME } },
        citizen,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.data.citizen.id).toBe(ME);
    });

    it('GET obeys the same policy as POST: an ad-hoc query is refused, a registered id runs', async () => {
      const adHoc = await get(graph.url, { query: `{ citizen(id: "${ME}") { name { full } consents { id } } }` }, citizen);
      expect(adHoc.status).toBe(403);
      expect(adHoc.body.errors[0].extensions.code).toBe('OPERATION_NOT_REGISTERED');
      expect(adHoc.body.data).toBeUndefined();

      const byId = await get(graph.url, { documentId: OVERVIEW.key, variables: { id: ME } }, citizen);
      expect(byId.status).toBe(200);
      expect(byId.body.data.citizen.id).toBe(ME);

      const byHash = await get(graph.url, { extensions: { persistedQuery: { version: 1, sha256Hash: OVERVIEW.key } }, variables: { id: ME } }, citizen);
      expect(byHash.body.data.citizen.id).toBe(ME);

      const mixed = await get(graph.url, { documentId: OVERVIEW.key, query: '{ citizen(id: "cit_000002") { id } }', variables: { id: ME } }, citizen);
      expect(mixed.status).toBe(400);
      expect(mixed.body.data).toBeUndefined();
    });

    it("Apollo Client's id of an operation runs it on the first request, recorded under the operation's one id", async () => {
      const before = await trailCount();
      const { id, body } = apolloOf('CitizenOverview');
      expect(id).not.toBe(OVERVIEW.key);
      const answer = await post(graph.url, { extensions: { persistedQuery: { version: 1, sha256Hash: id } }, variables: { id: ME } }, citizen);
      expect(answer.status).toBe(200);
      expect(answer.body.data.citizen).toMatchObject({ id: ME, __typename: 'Citizen' });
      expect(body).toContain('__typename');
      const [record] = await graph.subgraphs.audit.db.query<{ operation_id: string; operation_name: string }>(
        'SELECT operation_id, operation_name FROM access_trail ORDER BY seq DESC LIMIT 1',
      );
      expect(await trailCount()).toBe(before + 1);
      expect(record).toEqual({ operation_id: OVERVIEW.key, operation_name: 'CitizenOverview' });
    });

    it('the registered text with __typename added runs; any other change is OPERATION_NOT_REGISTERED', async () => {
      const withTypenames = apolloOf('CitizenOverview').body;
      const ok = await post(graph.url, { query: withTypenames, variables: { id: ME } }, citizen);
      expect(ok.status).toBe(200);
      expect(ok.body.data.citizen.__typename).toBe('Citizen');

      const registeredText = print(parse(source('CitizenOverview')));
      const changes: Array<[string, string]> = [
        ['an added field', registeredText.replace('birthDate', 'birthDate\n    sex')],
        ['a dropped field', registeredText.replace('    birthDate\n', '')],
        ['an alias', registeredText.replace('birthDate', 'born: birthDate')],
        ['a directive', registeredText.replace('birthDate', 'birthDate @include(if: true)')],
        ['an argument', registeredText.replace('encounters(first: $newest)', 'encounters(first: 100)')],
        ['an aliased __typename', registeredText.replace('birthDate', 'birthDate kind: __typename')],
      ];
      for (const [change, text] of changes) {
        expect(text).not.toBe(registeredText);
        const answer = await post(graph.url, { query: text, variables: { id: ME } }, citizen);
        expect([change, answer.status, answer.body.errors?.[0]?.extensions?.code]).toEqual([change, 403, 'OPERATION_NOT_REGISTERED']);
      }
    });

    it("an APQ client's own hash of a registered operation runs once it has sent the text, and by hash alone after", async () => {
      // Fragments first: a text whose hash is in no manifest, though it is the registered operation.
      const document = parse(source('CitizenOverview'));
      const reordered = print({ ...document, definitions: [...document.definitions].reverse() });
      const apq = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(reordered).digest('hex') } };
      const unknown = await post(graph.url, { extensions: apq, variables: { id: ME } }, citizen);
      expect([unknown.status, unknown.body.errors[0].extensions.code]).toEqual([404, 'PERSISTED_QUERY_NOT_FOUND']);
      const withText = await post(graph.url, { query: reordered, extensions: apq, variables: { id: ME } }, citizen);
      expect(withText.body.data.citizen.id).toBe(ME);
      const byHash = await post(graph.url, { extensions: apq, variables: { id: ME } }, citizen);
      expect(byHash.body.data).toEqual(withText.body.data);
    });

    it('a wrong operationName with a registered id is 400 naming the right one; none at all runs', async () => {
      const wrong = await post(graph.url, { documentId: OVERVIEW.key, operationName: 'CitizenFullHistory', variables: { id: ME } }, citizen);
      expect(wrong.status).toBe(400);
      expect(wrong.body.errors[0].message).toMatch(/send CitizenOverview or no operationName/);
      const right = await post(graph.url, { documentId: OVERVIEW.key, operationName: 'CitizenOverview', variables: { id: ME } }, citizen);
      expect(right.body.data.citizen.id).toBe(ME);
    });

    it('an unknown id is 404 PERSISTED_QUERY_NOT_FOUND; a malformed one is 400', async () => {
      const unknown = await post(graph.url, { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } }, variables: {} }, citizen);
      expect([unknown.status, unknown.body.errors[0].extensions.code]).toEqual([404, 'PERSISTED_QUERY_NOT_FOUND']);
      for (const bad of [{ documentId: 42 }, { documentId: 'x'.repeat(5000) }, { extensions: { persistedQuery: { version: 1, sha256Hash: 7 } } }, { extensions: { persistedQuery: { version: 1 } } }]) {
        const answer = await post(graph.url, { ...bad, variables: { id: ME } }, citizen);
        expect([JSON.stringify(bad).slice(0, 60), answer.status, answer.body.errors[0].extensions.code]).toEqual([JSON.stringify(bad).slice(0, 60), 400, 'BAD_REQUEST']);
      }
      const both = await post(graph.url, { documentId: OVERVIEW.key, extensions: { persistedQuery: { version: 1, sha256Hash: HEALTH_VIEW.key } } }, citizen);
      expect([both.status, both.body.errors[0].message]).toEqual([400, expect.stringMatching(/different operations/)]);
    });
  });

  describe('client mistakes get a 4xx that says what to fix', () => {
    const cases: Array<[string, Record<string, unknown>, number, string, RegExp]> = [
      ['several operations and no name', { query: 'query A { citizen(id: "cit_000001") { id } } query B { citizen(id: "cit_000001") { id } }' }, 400, 'BAD_REQUEST', /say which to run with operationName/],
      ['an operationName the document lacks', { query: 'query A { citizen(id: "cit_000001") { id } }', operationName: 'B' }, 400, 'BAD_REQUEST', /names no operation/],
      ['a subscription', { query: 'subscription S { citizen(id: "cit_000001") { id } }' }, 400, 'BAD_REQUEST', /subscriptions are not served/],
      ['an APQ hash that is not the hash of the query', { query: '{ citizen(id: "cit_000001") { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'b'.repeat(64) } } }, 400, 'BAD_REQUEST', /not the sha256/],
      ['an unsupported APQ version', { query: '{ citizen(id: "cit_000001") { id } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'b'.repeat(64) } } }, 400, 'BAD_REQUEST', /./],
      ['a malformed after cursor', { query: '{ citizen(id: "cit_000001") { health { encounters(first: 2, after: "%%%not-a-cursor") { edges { node { id } } } } } }' }, 200, 'BAD_USER_INPUT', /after/],
      ['an operation name over 100 characters', { query: `query ${'N'.repeat(600)} { citizen(id: "cit_000001") { id } }` }, 400, 'BAD_USER_INPUT', /at most 100 characters/],
      ['an operationName over 100 characters', { query: '{ citizen(id: "cit_000001") { id } }', operationName: 'N'.repeat(600) }, 400, 'BAD_USER_INPUT', /at most 100 characters/],
    ];
    it.each(cases)('%s', async (_case, body, status, code, message) => {
      const answer = await post(allowing.url, body, officer);
      expect(answer.status).toBe(status);
      expect(answer.body.errors[0].extensions.code).toBe(code);
      expect(answer.body.errors[0].message).toMatch(message);
    });
  });

  it('a record the audit service refuses fails only its own request, never its neighbours in the batch', async () => {
    const client = httpTrailClient(graph.subgraphUrls.audit.replace(/\/graphql$/, '/trail'));
    const token = await signInternalToken(gatewayTargetKeys(graph.keys.gateway.internalTokenSecret)(TRAIL_TARGET), TRAIL_TARGET, {
      sub: 'gateway-test',
      role: 'citizen',
      scope: [],
    });
    const record = (operationName: string): TrailRecordInput => ({
      occurredAt: new Date().toISOString(),
      principal: { sub: ME, role: 'citizen', department: null },
      purpose: null,
      caseId: null,
      operationId: 'c'.repeat(64),
      operationName,
      citizenIds: [ME],
      departments: ['identity'],
      outcome: 'complete',
      durationMs: 1,
    });
    const before = await trailCount();
    // The first record goes alone; the next eight wait for it and go together, as one post.
    const first = client.append(record('First'), async () => token);
    const batch = Array.from({ length: 8 }, (_, i) => client.append(record(i === 4 ? 'Y'.repeat(600) : `Batched${i}`), async () => token));
    const outcomes = await Promise.allSettled([first, ...batch]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', ...Array(4).fill('fulfilled'), 'rejected', ...Array(3).fill('fulfilled')]);
    expect(String((outcomes[5] as PromiseRejectedResult).reason)).toMatch(/operationName/);
    expect(await trailCount()).toBe(before + 8);
  });

  it("one citizen's hostile operation names never fail anyone else's request: 50 good and 10 hostile at once", async () => {
    const before = await trailCount();
    const good = Array.from({ length: 50 }, (_, i) =>
      post(allowing.url, { query: `query Mine${i} { citizen(id: "${ME}") { id name { full } } }` }, citizen),
    );
    const hostile = Array.from({ length: 10 }, () => post(allowing.url, { query: `query ${'X'.repeat(600)} { citizen(id: "${ME}") { id } }` }, citizen));
    const [goods, hostiles] = await Promise.all([Promise.all(good), Promise.all(hostile)]);
    expect(goods.map((answer) => answer.status)).toEqual(Array(50).fill(200));
    expect(goods.every((answer) => answer.body.data.citizen.id === ME)).toBe(true);
    expect(hostiles.map((answer) => answer.status)).toEqual(Array(10).fill(400));
    expect(await trailCount()).toBe(before + 50);
  });
});
