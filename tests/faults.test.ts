/**
 * Fault tests with real processes (issue 6, item 7): the graph runs as `npm start` runs it, one
 * process per service, and the tests kill, hang, stop and restart them under a stream of
 * requests, send hostile input to the real gateway, and shut processes down gracefully.
 *
 * Stores: identity, health, education, social security and the access trail (audit) on a
 * private PostgreSQL cluster that stays up; tax alone on a second private cluster that the
 * PostgreSQL test stops and starts; transport embedded (PGlite under DATA_DIR), so that killing
 * it with SIGKILL also shows an embedded store reopening after a crash. Neither cluster is the
 * machine's shared server, which other suites use at the same time.
 *
 * Every request carries its own `x-case-id`, which the gateway writes into the access-trail
 * record; the audit store (on the stable cluster) is read directly to check that every
 * response with a citizen's data left exactly one record and every refused request none.
 *
 * FAULTS_REPORT=<file> writes what each case observed (status, code, message, timings) as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReadableStream } from 'node:stream/web';
import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { generateKeyPairPem, importPrivateKey } from '../lib/auth/keys';
import { signUserToken } from '../lib/auth/tokens';
import { openDb, STORE_UNAVAILABLE, type Db } from '../lib/db';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';
import { mutatedRequests } from './support/mutations';
import {
  pidAlive,
  probePort,
  startPostgresCluster,
  startProcessGraph,
  unreadBytesAt,
  waitUntil,
  type PostgresCluster,
  type ProcessGraph,
} from './support/processes';

const ROOT = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'operations', 'manifest.json'), 'utf8')) as Record<string, string>;
const idOf = (name: string) => {
  const id = Object.keys(manifest).find((key) => new RegExp(`^(query|mutation) ${name}\\b`).test(manifest[key]));
  if (!id) throw new Error(`${name} is not in schema/operations/manifest.json`);
  return id;
};
const FULL_HISTORY = idOf('CitizenFullHistory');

/** The gateway's resilience settings for this suite (env of the gateway process). */
const TIMEOUT_MS = 3000;
const THRESHOLD = 2;
const HALF_OPEN_MS = 3000;
const CITIZENS = 20;
/** The citizen reading their own full history in the streams: of the 20 seeded, one with records in every section. */
const ME = 'cit_000008';
const SECTIONS = ['health', 'education', 'transport', 'tax', 'socialSecurity'] as const;
type Section = (typeof SECTIONS)[number];

interface Reply {
  caseId: string;
  status: number;
  body: any;
  /** How long it took, and when it arrived (epoch ms). */
  ms: number;
  at: number;
}

/** What each case saw, for the issue note (FAULTS_REPORT). */
const observations: Array<Record<string, unknown>> = [];
const observe = (row: Record<string, unknown>) => observations.push(row);

/** A loop (or several) sending requests until stopped; the replies in the order they arrived. */
class RequestStream {
  readonly replies: Reply[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    send: () => Promise<Reply>,
    concurrency: number,
    private readonly context: () => string = () => '',
  ) {
    this.loops = Array.from({ length: concurrency }, async () => {
      while (this.running) {
        this.replies.push(await send());
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
  }

  /** Waits until `predicate` holds for the replies so far. */
  until(predicate: (replies: Reply[]) => boolean, what: string, timeoutMs = 30_000): Promise<true> {
    return waitUntil(() => predicate(this.replies), what, { timeoutMs, describe: () => `${this.summary()}\n${this.context()}` });
  }

  async stop(): Promise<Reply[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.replies;
  }

  summary(): string {
    return this.replies
      .slice(-20)
      .map((r) => `${r.caseId} ${r.status} ${JSON.stringify(r.body.errors?.map((e: any) => `${e.extensions?.code}: ${e.message}`) ?? [])}`)
      .join('\n');
  }
}

describe('faults with real processes', () => {
  let stable: PostgresCluster;
  let restartable: PostgresCluster;
  let graph: ProcessGraph;
  /** The audit store, read directly (it is on the stable cluster). */
  let trailDb: Db;
  let identityDb: Db;
  let citizen: Record<string, string>;
  let officer: Record<string, string>;
  let gatewayPid: number;
  /** The full history of ME before any fault: what every recovered response must equal. */
  let baseline: any;
  /** x-case-id -> the access-trail records the response implies (1 with a citizen's data, else 0). */
  const expectedRecords = new Map<string, { records: 0 | 1; outcome?: 'complete' | 'partial' }>();
  let cases = 0;

  /** Root fields that answer with reference data about no citizen. */
  const CATALOGUE_FIELDS = new Set(['procedures', 'schools', 'school', 'verifyEvidence']);

  /** Records what a reply implies for the trail: one record when it carries a citizen's data. */
  function account(reply: Reply): Reply {
    const data = reply.body?.data;
    // A root field that is null, or an empty page (no trail entries, say), carries nobody's data.
    const carries = (value: any) => value !== null && !(Array.isArray(value?.edges) && value.edges.length === 0);
    // The catalogues (procedures, schools) are public reference data: nobody's data, no record.
    const carriesCitizen =
      reply.status === 200 && data && typeof data === 'object' && Object.entries(data).some(([field, value]) => !CATALOGUE_FIELDS.has(field) && carries(value));
    expectedRecords.set(reply.caseId, carriesCitizen ? { records: 1, outcome: reply.body.errors?.length ? 'partial' : 'complete' } : { records: 0 });
    return reply;
  }

  /** One POST to the gateway with its own x-case-id; `body` is sent as is when a string; `contentType: null` sends none. */
  async function request(
    label: string,
    body: unknown,
    headers: Record<string, string>,
    init: { contentType?: string | null } = {},
  ): Promise<Reply> {
    const caseId = `F-${label}-${++cases}`;
    const started = Date.now();
    const contentType = init.contentType === undefined ? 'application/json' : init.contentType;
    const response = await fetch(graph.url, {
      method: 'POST',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers, 'x-case-id': caseId },
      // Bytes, so that fetch adds no content-type of its own.
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // kept as text; the assertion shows it
    }
    return account({ caseId, status: response.status, body: parsed, ms: Date.now() - started, at: Date.now() });
  }

  const fullHistory = (label: string) => request(label, { documentId: FULL_HISTORY, variables: { id: ME } }, citizen);
  const trailCount = async () => (await trailDb.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;
  const recordsFor = async (caseId: string) =>
    (await trailDb.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail WHERE case_id = $1', [caseId]))[0].n;
  const isFull = (r: Reply) => r.status === 200 && r.body.errors === undefined && JSON.stringify(r.body.data) === JSON.stringify(baseline);
  const sectionOf = (r: Reply, section: Section) => r.body.data?.citizen?.[section];
  const identityOf = (r: Reply) => {
    const { id, nationalId, name, birthDate, sex, address, household } = r.body.data?.citizen ?? {};
    return { id, nationalId, name, birthDate, sex, address, household };
  };
  const codes = (r: Reply) => (r.body.errors ?? []).map((e: any) => e.extensions?.code);

  async function expectGatewayUp(): Promise<void> {
    expect(graph.process('gateway').pid).toBe(gatewayPid);
    expect(pidAlive(gatewayPid)).toBe(true);
    expect(await graph.healthz('gateway')).toBe(200);
  }

  beforeAll(async () => {
    stable = await startPostgresCluster();
    restartable = await startPostgresCluster();
    graph = await startProcessGraph({
      citizens: CITIZENS,
      databaseUrls: {
        identity: stable.url('cg_faults_identity'),
        health: stable.url('cg_faults_health'),
        education: stable.url('cg_faults_education'),
        'social-security': stable.url('cg_faults_social_security'),
        audit: stable.url('cg_faults_audit'),
        tax: restartable.url('cg_faults_tax'),
      },
      env: {
        SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
        SUBGRAPH_BREAKER_THRESHOLD: String(THRESHOLD),
        SUBGRAPH_BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS),
      },
    });
    gatewayPid = graph.process('gateway').pid;
    trailDb = await openDb({ kind: 'postgres', url: stable.url('cg_faults_audit'), poolSize: 2 });
    identityDb = await openDb({ kind: 'postgres', url: stable.url('cg_faults_identity'), poolSize: 2 });
    citizen = { authorization: `Bearer ${await graph.token({ sub: ME, role: 'citizen' })}` };
    officer = {
      authorization: `Bearer ${await graph.token({ sub: 'officer-faults', role: 'officer', department: 'HEALTH' })}`,
      'x-purpose': 'HEALTH_CARE',
    };
    const first = await fullHistory('baseline');
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    baseline = first.body.data;
    // Every section has records, so that a missing one is visible.
    for (const section of SECTIONS) expect(JSON.stringify(baseline.citizen[section])).toMatch(/"id":"/);
  }, 180_000);

  afterAll(async () => {
    if (process.env.FAULTS_REPORT) writeFileSync(process.env.FAULTS_REPORT, JSON.stringify(observations, null, 2));
    await trailDb?.close();
    await identityDb?.close();
    await graph?.stop();
    stable?.destroy();
    restartable?.destroy();
  }, 60_000);

  describe('hostile input against the gateway process', () => {
    let consentsBefore: number;
    beforeAll(async () => {
      consentsBefore = (await identityDb.query<{ n: number }>('SELECT count(*)::int AS n FROM consents'))[0].n;
    });

    const depth = (levels: number) => {
      let inner = 'id';
      for (let i = 0; i < levels; i++) inner = `household { members { ${inner} } }`;
      return `{ citizen(id: "${ME}") { ${inner} } }`;
    };
    const sections = `health { encounters(first: 50) { edges { node { id title facility { name city } } } } prescriptions(first: 50) { edges { node { id title } } } }
      tax { returns(first: 50) { edges { node { id title employer { name } } } } }
      socialSecurity { contributions(first: 50) { edges { node { id title employer { name } } } } }`;
    const grant = `mutation Grant($input: GrantConsentInput!) { grantConsent(input: $input) { id } }`;
    const validGrant = { grantee: 'SOCIAL_SECURITY', section: 'HEALTH', purpose: 'DISABILITY_ASSESSMENT', expiresOn: '2027-12-31' };
    const huge = JSON.stringify({ query: `{ citizen(id: "${ME}") { id } }`, variables: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    let nested = '"x"';
    for (let i = 0; i < 20_000; i++) nested = `[${nested}]`;

    // [name, how it is sent, status, code, message]
    const cases: Array<[string, () => Promise<Reply>, number, string, RegExp]> = [
      ['malformed JSON', () => request('malformed-json', '{"query": "{ citizen(id: \\"cit_000002\\") { id } }"', citizen), 400, 'BAD_REQUEST', /not valid JSON/],
      ['wrong content type (text/plain)', () => request('text-plain', JSON.stringify({ query: `{ citizen(id: "${ME}") { id } }` }), citizen, { contentType: 'text/plain' }), 400, 'BAD_REQUEST', /Cross-Site Request Forgery|content-type/i],
      ['no content type', () => request('no-content-type', JSON.stringify({ query: `{ citizen(id: "${ME}") { id } }` }), citizen, { contentType: null }), 400, 'BAD_REQUEST', /content-type/i],
      ['empty body', () => request('empty-body', '', citizen), 400, 'BAD_REQUEST', /empty/],
      ['JSON that is not an object (null)', () => request('json-null', 'null', citizen), 400, 'BAD_REQUEST', /./],
      ['huge body (> 1 MiB, content-length)', () => request('huge-body', huge, citizen), 413, 'PAYLOAD_TOO_LARGE', /over 1048576 bytes/],
      ['deep query (depth 14)', () => request('deep', { query: depth(6) }, officer), 400, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10/],
      ['wide, costly query', () => request('wide', { query: `{ citizens(first: 100) { edges { node { id name { full } ${sections} } } } }` }, officer), 400, 'GRAPHQL_VALIDATION_FAILED', /over the limit of 200,000/],
      ['alias bomb (80 aliases)', () => request('aliases', { query: `{ ${Array.from({ length: 80 }, (_, i) => `c${i}: citizen(id: "${ME}") { id }`).join(' ')} }` }, citizen), 400, 'GRAPHQL_VALIDATION_FAILED', /aliases/i],
      ['directive flood (60 directives)', () => request('directives', { query: `{ citizen(id: "${ME}") { id ${'@include(if: true) '.repeat(60)} } }` }, citizen), 400, 'GRAPHQL_VALIDATION_FAILED', /directives/i],
      ['token flood (5,000 tokens)', () => request('tokens', { query: `{ citizen(id: "${ME}") { ${'id '.repeat(5000)} } }` }, citizen), 400, 'GRAPHQL_PARSE_FAILED', /tokens/i],
      ['variable of the wrong type', () => request('var-type', { documentId: FULL_HISTORY, variables: { id: { not: 'an id' } } }, citizen), 400, 'BAD_USER_INPUT', /\$id/],
      ['missing required variable', () => request('var-missing', { documentId: FULL_HISTORY, variables: {} }, citizen), 400, 'BAD_USER_INPUT', /\$id.*required/],
      ['variable nested 20,000 arrays deep', () => request('var-nested', `{"documentId":"${FULL_HISTORY}","variables":{"id":${nested}}}`, citizen), 400, 'BAD_USER_INPUT', /\$id/],
      ['consent mutation, unknown department', () => request('grant-bad-enum', { query: grant, variables: { input: { ...validGrant, grantee: 'POLICE' } } }, citizen), 400, 'BAD_USER_INPUT', /POLICE/],
      ['consent mutation, input missing', () => request('grant-missing', { query: grant, variables: {} }, citizen), 400, 'BAD_USER_INPUT', /\$input.*required/],
      ['unknown documentId', () => request('unknown-id', { documentId: 'f'.repeat(64), variables: { id: ME } }, citizen), 404, 'PERSISTED_QUERY_NOT_FOUND', /no registered operation/],
      ['batch (JSON array)', () => request('batch', [{ documentId: FULL_HISTORY, variables: { id: ME } }, { documentId: FULL_HISTORY, variables: { id: ME } }], citizen), 400, 'BAD_REQUEST', /batch/i],
      ['no token', () => request('no-token', { documentId: FULL_HISTORY, variables: { id: ME } }, {}), 401, 'UNAUTHENTICATED', /token/i],
      ['malformed token', () => request('bad-token', { documentId: FULL_HISTORY, variables: { id: ME } }, { authorization: 'Bearer not.a.jwt' }), 401, 'UNAUTHENTICATED', /malformed|not valid/i],
      [
        'forged token (signed by another key)',
        async () => {
          const forger = await importPrivateKey(generateKeyPairPem().privateKey);
          const token = await signUserToken(forger, { sub: ME, role: 'citizen' });
          return request('forged-token', { documentId: FULL_HISTORY, variables: { id: ME } }, { authorization: `Bearer ${token}` });
        },
        401,
        'UNAUTHENTICATED',
        /signature is not valid/,
      ],
    ];

    it.each(cases)('%s: refused, the gateway stays up, nothing is recorded or stored', async (name, send, status, code, message) => {
      const before = await trailCount();
      const reply = await send();
      observe({ case: `hostile: ${name}`, status: reply.status, code: reply.body?.errors?.[0]?.extensions?.code, message: reply.body?.errors?.[0]?.message?.slice(0, 160) });
      expect({ status: reply.status, code: reply.body?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
      expect(reply.body.errors[0].message).toMatch(message);
      expect(reply.body.data ?? null).toBeNull();
      await expectGatewayUp();
      expect(await recordsFor(reply.caseId)).toBe(0);
      expect(await trailCount()).toBe(before);
    });

    /** 2.5 MiB, chunked (no content-length), over a connection of its own (`agent`, one connection). */
    async function chunkedBody(agent: Agent) {
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 40) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const response = await undiciFetch(graph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...citizen },
        body,
        duplex: 'half',
        dispatcher: agent,
      });
      return { status: response.status, body: (await response.json()) as any };
    }

    it('a body over 1 MiB without a content-length (chunked) is refused as it arrives', async () => {
      const before = await trailCount();
      const agent = new Agent({ connections: 1 });
      try {
        const reply = await chunkedBody(agent);
        observe({ case: 'hostile: chunked body over 1 MiB', status: reply.status, code: reply.body.errors?.[0]?.extensions?.code, message: reply.body.errors?.[0]?.message });
        expect(reply.status).toBe(413);
        expect(reply.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
        await expectGatewayUp();
        expect(await trailCount()).toBe(before);
      } finally {
        await agent.destroy();
      }
    });

    // A 413 on a partly read body closes its connection (`connection: close`): the rest of the
    // body is never read, so the next request must not wait behind it on that connection.
    it('the connection that carried a refused chunked body serves (or closes before) the next request', async () => {
      const agent = new Agent({ connections: 1 });
      try {
        expect((await chunkedBody(agent)).status).toBe(413);
        const next = await undiciFetch(graph.url, {
          method: 'POST',
          // The citizen's id is the citizen's data: this read leaves a record too, under its own case.
          headers: { 'content-type': 'application/json', ...citizen, 'x-case-id': 'F-chunked-next' },
          body: JSON.stringify({ query: `{ citizen(id: "${ME}") { id } }` }),
          dispatcher: agent,
          signal: AbortSignal.timeout(3000),
        });
        expect(next.status).toBe(200);
        expectedRecords.set('F-chunked-next', { records: 1, outcome: 'complete' });
      } finally {
        await agent.destroy();
      }
    });

    const invalidDate = () => request('grant-bad-date', { query: grant, variables: { input: { ...validGrant, expiresOn: '31/12/2027' } } }, citizen);

    it('consent mutation with an invalid Date variable: no data, nothing stored or recorded, the gateway stays up', async () => {
      const before = await trailCount();
      const reply = await invalidDate();
      observe({ case: 'hostile: consent mutation, invalid Date variable', status: reply.status, code: reply.body?.errors?.[0]?.extensions?.code, message: reply.body?.errors?.[0]?.message });
      expect(reply.status).toBeLessThan(500);
      expect(reply.body.data ?? null).toBeNull();
      expect(reply.body.errors).toHaveLength(1);
      await expectGatewayUp();
      expect(await recordsFor(reply.caseId)).toBe(0);
      expect(await trailCount()).toBe(before);
    });

    // The gateway applies the subgraphs' Date/DateTime/Money input rules (gateway/src/scalars.ts),
    // so a bad value is the caller's 400, not a subgraph's error surfacing as a 500.
    it('a consent mutation with an invalid Date variable is refused with 400 BAD_USER_INPUT naming it', async () => {
      const reply = await invalidDate();
      expect({ status: reply.status, code: reply.body?.errors?.[0]?.extensions?.code }).toEqual({ status: 400, code: 'BAD_USER_INPUT' });
      expect(reply.body.errors[0].message).toMatch(/expiresOn/);
    });

    it('stored no consent from the refused mutations, and still serves a valid request', async () => {
      expect((await identityDb.query<{ n: number }>('SELECT count(*)::int AS n FROM consents'))[0].n).toBe(consentsBefore);
      const reply = await fullHistory('after-hostile');
      expect(isFull(reply)).toBe(true);
      expect(await recordsFor(reply.caseId)).toBe(1);
    });
  });

  it('2,000 requests made by mutating the registered operations: none answers 5xx and the gateway keeps its pid', async () => {
    const [{ national_id: nationalId }] = await identityDb.query<{ national_id: string }>('SELECT national_id FROM citizens WHERE id = $1', [ME]);
    const auditor = { authorization: `Bearer ${await graph.token({ sub: 'auditor-faults', role: 'auditor' })}` };
    const headers = { citizen, officer, auditor };
    // Operations over citizens (a business's contributions are read per employer, not per person).
    const operations = Object.entries(manifest)
      .map(([id, document]) => ({ id, document, name: /^(?:query|mutation) (\w+)/.exec(document)![1] }))
      .filter((operation) => operation.name !== 'AuditEmployerContributions');
    const requests = mutatedRequests(operations, { citizenId: ME, nationalId }, 2000);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // Sixteen at a time: concurrent like real clients, and the trail's batches see mixed records.
    for (let start = 0; start < requests.length; start += 16) {
      const replies = await Promise.all(
        requests.slice(start, start + 16).map(async (mutated) => {
          try {
            return { mutated, reply: await request('gen', mutated.body, headers[mutated.role]) };
          } catch (error) {
            // No answer at all (a reset connection) is a failure too; say which request and why.
            failures.push(`${mutated.label} as ${mutated.role}: no answer (${(error as Error).message}: ${String((error as Error).cause)})`);
            return undefined;
          }
        }),
      );
      for (const { mutated, reply } of replies.filter((answer) => answer !== undefined)) {
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status >= 500 || typeof reply.body !== 'object') failures.push(`${mutated.label} as ${mutated.role}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
      }
    }
    expect(failures).toEqual([]);
    await expectGatewayUp();
    // Both kinds of answer happened: the mutations were not all refused at the door.
    expect(statuses.get(200)).toBeGreaterThan(200);
    expect([...statuses.keys()].filter((status) => status >= 400).length).toBeGreaterThan(2);
    observe({ case: 'mutated registered operations', requests: requests.length, statuses: Object.fromEntries(statuses) });
    // Every 200 with a citizen's data left its record: the last test checks each one by its case id.
  }, 300_000);

  it('a killed subgraph: the others keep answering, it recovers when it is back', async () => {
    const stream = new RequestStream(() => fullHistory('kill'), 2, () => graph.allLogs(10));
    try {
      await stream.until((r) => r.filter(isFull).length >= 3, 'full answers before the kill');
      const killedAt = stream.replies.length;
      const transportPid = graph.process('transport').pid;
      const killedTime = Date.now();
      await graph.kill('transport');
      expect(pidAlive(transportPid)).toBe(false);
      // Refused connections, then (after THRESHOLD failures) the open breaker.
      await stream.until(
        (r) => r.slice(killedAt).filter((x) => /circuit breaker open/.test(x.body.errors?.[0]?.message ?? '')).length >= 3,
        'answers with the transport breaker open',
      );
      await expectGatewayUp();
      const restartedAt = Date.now();
      await graph.restart('transport');
      const readyAt = Date.now();
      const readyIndex = stream.replies.length;
      await stream.until((r) => r.slice(readyIndex).filter(isFull).length >= 3, 'full answers after transport is back', 30_000);
      const recoveredAt = Date.now();
      const replies = await stream.stop();

      const outage = replies.slice(killedAt).filter((r) => !isFull(r));
      const firstRecovered = replies.findIndex((r, i) => i >= readyIndex && isFull(r));
      for (const r of replies) {
        expect(r.status).toBe(200);
        expect(identityOf(r)).toEqual(identityOf({ body: { data: baseline } } as Reply));
        for (const section of ['health', 'education', 'tax', 'socialSecurity'] as const) expect(sectionOf(r, section)).toEqual(baseline.citizen[section]);
      }
      for (const r of outage) {
        expect(sectionOf(r, 'transport')).toBeNull();
        expect(r.body.errors).toHaveLength(1);
        expect(r.body.errors[0].extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', service: 'transport' });
        expect(r.body.errors[0].message).toMatch(/^The transport service is unavailable \((ECONNREFUSED|ECONNRESET|circuit breaker open)\)/);
      }
      // Before the kill every answer was full; from the first recovered answer on, every one is.
      expect(replies.slice(0, killedAt).every(isFull)).toBe(true);
      expect(replies.slice(firstRecovered).every(isFull)).toBe(true);
      await expectGatewayUp();
      const messages = [...new Set(outage.map((r) => r.body.errors[0].message.replace(/;.*/, '')))];
      observe({
        case: 'kill -9 transport (PGlite store) under a stream, restart it',
        answers: replies.length,
        degraded: outage.length,
        byMessage: Object.fromEntries(messages.map((m) => [m, outage.filter((r) => r.body.errors[0].message.startsWith(m)).length])),
        restartToReadyMs: readyAt - restartedAt,
        firstFullAfterReadyMs: replies[firstRecovered].at - readyAt,
        killToFirstFullMs: replies[firstRecovered].at - killedTime,
        threeFullAfterReadyMs: recoveredAt - readyAt,
      });
    } finally {
      await stream.stop();
    }
  }, 120_000);

  it('a hung subgraph: times out, the breaker opens and fails fast, and closes once it answers', async () => {
    const health = graph.ports.health;
    graph.pause('health');
    let resumed = false;
    try {
      const first = await fullHistory('hang');
      const second = await fullHistory('hang');
      for (const r of [first, second]) {
        expect(r.status).toBe(200);
        expect(sectionOf(r, 'health')).toBeNull();
        expect(r.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_TIMEOUT', service: 'health' }) })]);
        // It waited for the timeout (it cannot fire early); how much longer is the machine's business.
        expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        for (const section of ['education', 'transport', 'tax', 'socialSecurity'] as const) expect(sectionOf(r, section)).toEqual(baseline.citizen[section]);
      }
      // THRESHOLD timeouts opened the breaker: the next answers do not call health at all.
      const waiting = unreadBytesAt(health);
      const fast: Reply[] = [];
      for (let i = 0; i < 3; i++) fast.push(await fullHistory('hang-open'));
      for (const r of fast) {
        expect(r.status).toBe(200);
        expect(sectionOf(r, 'health')).toBeNull();
        expect(r.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', service: 'health' }) })]);
        expect(r.body.errors[0].message).toMatch(/circuit breaker open/);
        expect(r.ms).toBeLessThan(TIMEOUT_MS);
      }
      expect(unreadBytesAt(health)).toBe(waiting);
      await expectGatewayUp();

      graph.resume('health');
      resumed = true;
      const resumedAt = Date.now();
      const after: Reply[] = [];
      await waitUntil(async () => {
        after.push(await fullHistory('hang-recover'));
        return isFull(after[after.length - 1]);
      }, 'health to answer again through the gateway', { timeoutMs: 30_000, everyMs: 100, describe: () => JSON.stringify(after.map((r) => codes(r))) });
      const recoveredMs = Date.now() - resumedAt;
      const again = await fullHistory('hang-recovered');
      expect(isFull(again)).toBe(true);
      // While it recovered, health's fields were null with one of the two codes, never anything else.
      for (const r of after.slice(0, -1)) expect(codes(r)).toEqual([expect.stringMatching(/^SUBGRAPH_(UNAVAILABLE|TIMEOUT)$/)]);
      expect(pidAlive(graph.process('health').pid)).toBe(true);
      observe({
        case: 'SIGSTOP health, SIGCONT',
        timeouts: [first.ms, second.ms],
        breakerOpen: fast.map((r) => r.ms),
        messages: [first.body.errors[0].message, fast[0].body.errors[0].message],
        recoveredAfterResumeMs: recoveredMs,
        answersWhileRecovering: after.map((r) => codes(r)[0] ?? 'full'),
      });
    } finally {
      if (!resumed) graph.resume('health');
    }
  }, 120_000);

  it('PostgreSQL stopped and started under requests: clear errors, the subgraph stays up, full data after', async () => {
    const taxPid = graph.process('tax').pid;
    const stream = new RequestStream(() => fullHistory('pg'), 2, () => `${graph.allLogs(10)}\n--- PostgreSQL ---\n${restartable.log()}`);
    // Holds a lock that tax's queries wait on, so that some are running when the server stops.
    const locker = new pg.Client({ connectionString: restartable.url('cg_faults_tax') });
    locker.on('error', () => undefined); // the stop ends this session too
    let stoppedIndex = 0;
    let startedIndex = 0;
    try {
      await stream.until((r) => r.filter(isFull).length >= 3, 'full answers before PostgreSQL stops');
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE tax_returns IN ACCESS EXCLUSIVE MODE');
      await waitUntil(
        async () => (await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'cg_faults_tax' AND wait_event_type = 'Lock'`)).rows[0].n > 0,
        'a tax query to wait on the lock',
      );
      stoppedIndex = stream.replies.length;
      restartable.stop();
      const stoppedAt = Date.now();
      await stream.until((r) => r.slice(stoppedIndex).filter((x) => codes(x).includes(STORE_UNAVAILABLE)).length >= 4, 'answers while the tax store is down');
      // The process is up (healthz), not ready (readyz 503), and so is the gateway's readiness.
      expect(pidAlive(taxPid)).toBe(true);
      expect(await graph.healthz('tax')).toBe(200);
      expect(await graph.readyz('tax')).toBe(503);
      expect(await graph.readyz('gateway')).toBe(503);
      await expectGatewayUp();

      restartable.start();
      const startedAt = Date.now();
      startedIndex = stream.replies.length;
      await waitUntil(async () => (await graph.readyz('tax')) === 200, 'tax to be ready again', { timeoutMs: 30_000 });
      const readyMs = Date.now() - startedAt;
      await stream.until((r) => r.slice(startedIndex).filter(isFull).length >= 3, 'full answers after PostgreSQL is back');
      const replies = await stream.stop();

      const degraded = replies.filter((r) => !isFull(r));
      expect(degraded.length).toBeGreaterThanOrEqual(4);
      expect(replies.slice(0, stoppedIndex).every(isFull)).toBe(true);
      // While the server is down connections are refused; a query running when it stopped is ended
      // by it (57P01) unless it just got its lock and finished first; one sent while it starts may
      // meet 57P03. Each is the same clear error.
      const messages = [...new Set(degraded.flatMap((r) => r.body.errors.map((e: any) => e.message)))];
      expect(messages).toContain("The tax service's store is unavailable (ECONNREFUSED); try again shortly.");
      for (const r of replies) {
        expect(r.status).toBe(200);
        expect(identityOf(r)).toEqual(identityOf({ body: { data: baseline } } as Reply));
        for (const section of ['health', 'education', 'transport'] as const) expect(sectionOf(r, section)).toEqual(baseline.citizen[section]);
      }
      for (const r of degraded) {
        // Every error is the tax store's, says so, and leaks no host, port or SQL; what tax
        // serves (its section, the employers in social security's contributions) is null.
        for (const error of r.body.errors) {
          expect(error.extensions).toMatchObject({ code: STORE_UNAVAILABLE, service: 'tax' });
          expect(error.message).toMatch(/^The tax service's store is unavailable \(.+\); try again shortly\.$/);
          expect(error.message).not.toMatch(/127\.0\.0\.1|:\d{4,5}\b|SELECT/);
          expect(error.path.slice(0, 2).join('.') === 'citizen.tax' || error.path.at(-1) === 'employer').toBe(true);
          expect(error.path.reduce((value: any, key: string | number) => value?.[key], r.body.data) ?? null).toBeNull();
        }
      }
      // Once full answers came back they stayed, and the data is what it was.
      const firstFull = replies.findIndex((r, i) => i >= startedIndex && isFull(r));
      expect(replies.slice(firstFull).every(isFull)).toBe(true);
      expect(graph.process('tax').pid).toBe(taxPid);
      expect(graph.process('tax').hasExited()).toBe(false);
      expect(await graph.readyz('gateway')).toBe(200);
      observe({
        case: 'pg_ctl stop -m fast / start of the tax store',
        answers: replies.length,
        degraded: degraded.length,
        messages,
        downForMs: startedAt - stoppedAt,
        readyAfterStartMs: readyMs,
      });
    } finally {
      await stream.stop();
      await locker.end().catch(() => undefined);
      if (!restartable.running()) restartable.start();
    }
  }, 120_000);

  describe('lib/db on a server connection that goes away', () => {
    it('a transaction whose connection is cut fails with STORE_UNAVAILABLE, and the process survives', async () => {
      const db = await openDb({ kind: 'postgres', url: stable.url('cg_faults_scratch'), poolSize: 2, service: 'scratch' });
      const admin = new pg.Client({ connectionString: stable.url('cg_faults_scratch') });
      await admin.connect();
      try {
        await expect(
          db.transaction(async (tx) => {
            const [{ pid }] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
            await admin.query('SELECT pg_terminate_backend($1)', [pid]);
            // The server's FATAL arrives while no statement runs on this connection: node-postgres
            // emits 'error' on the checked-out client, which used to kill the process.
            await waitUntil(async () => (await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0].n === 0, 'the backend to end');
            await new Promise((resolve) => setImmediate(resolve));
            await tx.query('SELECT 1');
          }),
        ).rejects.toMatchObject({ extensions: { code: STORE_UNAVAILABLE, service: 'scratch' }, message: expect.stringMatching(/^The scratch service's store is unavailable/) });
        // The broken connection left the pool; the next statement gets a new one.
        expect(await db.query<{ one: number }>('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
        await db.close();
      }
    });
  });

  it('graceful shutdown of a subgraph: stops accepting, finishes the in-flight request, exits 0', async () => {
    // education's query waits on a lock the test holds: a request in flight that the test controls.
    const locker = new pg.Client({ connectionString: stable.url('cg_faults_education') });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE enrollments IN ACCESS EXCLUSIVE MODE');
      let settled = false;
      const inflight = fullHistory('graceful-subgraph').finally(() => (settled = true));
      await waitUntil(
        async () => (await locker.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'cg_faults_education' AND wait_event_type = 'Lock'`)).rows[0].n > 0,
        'education to wait on the lock',
      );
      const exited = graph.terminate('education');
      await waitUntil(async () => (await probePort(graph.ports.education)) === 'refused', 'education to refuse new connections');
      expect(settled).toBe(false);
      expect(graph.process('education').hasExited()).toBe(false);
      await locker.query('ROLLBACK');
      const reply = await inflight;
      expect(isFull(reply)).toBe(true);
      expect(await exited).toEqual({ code: 0, signal: null });
      observe({ case: 'SIGTERM education with a request in flight', status: reply.status, full: isFull(reply), exit: await exited });
    } finally {
      await locker.end();
    }
  }, 60_000);

  it('graceful shutdown of the gateway: stops accepting, finishes the in-flight request, exits 0', async () => {
    // health hangs (SIGSTOP) while the request waits on it; the request is in flight once its bytes wait at health's port.
    const query = `query Mine($id: ID!) { citizen(id: $id) { id name { full } health { encounters(first: 20) { edges { node { id title } } } } } }`;
    const waiting = unreadBytesAt(graph.ports.health);
    graph.pause('health');
    try {
      let settled = false;
      const inflight = request('graceful-gateway', { query, variables: { id: ME } }, citizen).finally(() => (settled = true));
      await waitUntil(() => unreadBytesAt(graph.ports.health) > waiting, 'the request to reach health');
      const exited = graph.terminate('gateway');
      await waitUntil(async () => (await probePort(graph.ports.gateway)) === 'refused', 'the gateway to refuse new connections');
      await expect(fetch(graph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...citizen }, body: '{}' })).rejects.toThrow();
      expect(settled).toBe(false);
      graph.resume('health');
      const reply = await inflight;
      expect(reply.status).toBe(200);
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data.citizen.health.encounters.edges.map((e: any) => e.node.id)).toEqual(
        baseline.citizen.health.encounters.edges.map((e: any) => e.node.id),
      );
      expect(await exited).toEqual({ code: 0, signal: null });
      observe({ case: 'SIGTERM gateway with a request in flight', status: reply.status, exit: await exited });
    } finally {
      graph.resume('health');
    }
  }, 60_000);

  it('the access trail: one record for every answer with a citizen’s data, none for the others; the chain verifies', async () => {
    const rows = await trailDb.query<{ case_id: string | null; n: number; outcomes: string[] }>(
      'SELECT case_id, count(*)::int AS n, array_agg(outcome) AS outcomes FROM access_trail GROUP BY case_id',
    );
    const stored = new Map(rows.map((r) => [r.case_id, r]));
    // Run alone (-t), the suite has still sent its baseline request: never a check over an empty set.
    expect(expectedRecords.size).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(0);
    // Every record belongs to a request this suite sent.
    expect(rows.filter((r) => !r.case_id || !expectedRecords.has(r.case_id))).toEqual([]);
    const mismatches: string[] = [];
    for (const [caseId, expected] of expectedRecords) {
      const row = stored.get(caseId);
      if ((row?.n ?? 0) !== expected.records) mismatches.push(`${caseId}: ${row?.n ?? 0} records, expected ${expected.records}`);
      else if (row && row.outcomes[0] !== expected.outcome) mismatches.push(`${caseId}: outcome ${row.outcomes[0]}, expected ${expected.outcome}`);
    }
    expect(mismatches).toEqual([]);
    const answered = [...expectedRecords.values()].filter((e) => e.records === 1).length;
    const verification = await verifyTrail(trailDb);
    expect(verification).toEqual({ ok: true, count: answered });
    observe({ case: 'access trail', requests: expectedRecords.size, records: answered, verification });
  });
});
