import { gatewayTargetKeys, TRAIL_TARGET } from '../lib/auth/internal-keys';
import { signInternalToken } from '../lib/auth/tokens';
import { loadConfig } from '../lib/config';
import type { Db } from '../lib/db';
import { closeServer } from '../lib/http';
import { httpTrailClient, storeTrailClient, trailWriterFor } from '../gateway/src/trail';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';
import type { TrailRecordInput } from '../lib/trail';
import { authHeaders } from './support/auth';
import { BACKENDS, closeTestDbs } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/**
 * The gateway appending the access trail into the audit store itself (TRAIL_WRITER=store, the
 * default when that store is a PostgreSQL server): no hop to the audit service, and still
 * fail-closed.
 */

const READ_HEALTH = 'query ReadHealth($id: ID!) { citizen(id: $id) { name { full } health { encounters(first: 2) { edges { node { id } } } } } }';
/** The store's client never asks for the /trail token. */
const noToken = () => Promise.reject(new Error('the store client asked for a token'));
const citizen = (n: number) => `cit_${String(n).padStart(6, '0')}`;

const record = (n: number): TrailRecordInput => ({
  occurredAt: new Date().toISOString(),
  principal: { sub: 'dr-li', role: 'officer', department: 'HEALTH' },
  purpose: 'HEALTH_CARE',
  caseId: null,
  operationId: 'a'.repeat(64),
  operationName: 'ReadHealth',
  citizenIds: [citizen(n)],
  departments: ['health', 'identity'],
  outcome: 'complete',
  durationMs: 3,
});

describe('TRAIL_WRITER: which writer the gateway uses', () => {
  const server = { kind: 'postgres', url: 'postgres://127.0.0.1:5432/x_audit' } as const;
  const embedded = { kind: 'pglite', dataDir: '/tmp/x/audit' } as const;

  it('auto: the audit store itself on a server, the audit service on the embedded store', () => {
    expect(trailWriterFor('auto', server)).toBe('store');
    expect(trailWriterFor('auto', embedded)).toBe('http');
  });

  it('http and store as asked; store without a server is refused, naming what to set', () => {
    expect(trailWriterFor('http', server)).toBe('http');
    expect(trailWriterFor('store', server)).toBe('store');
    expect(() => trailWriterFor('store', embedded)).toThrow(/TRAIL_WRITER=store needs the audit store on a PostgreSQL server: set AUDIT_DATABASE_URL or DATABASE_URL/);
  });

  it('reads TRAIL_WRITER (default auto) and refuses anything else', () => {
    expect(loadConfig({}).trailWriter).toBe('auto');
    expect(loadConfig({ TRAIL_WRITER: 'store' }).trailWriter).toBe('store');
    expect(() => loadConfig({ TRAIL_WRITER: 'direct' })).toThrow('TRAIL_WRITER must be one of auto, store, http; received "direct"');
  });
});

describe.each(BACKENDS)('the gateway writes the access trail into the audit store (%s)', (backend) => {
  let graph: RunningGraph;
  const audit = () => graph.subgraphs.audit.db;
  const trailCount = async () => (await audit().query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;
  const officer = () => authHeaders(graph.keys, { sub: 'dr-li', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' });

  beforeAll(async () => {
    graph = await startGraph(backend, 30, undefined, { trailWriter: 'store' });
  }, 120_000);
  afterAll(async () => {
    await graph?.stop();
    await closeTestDbs();
  });

  it('N concurrent reads leave exactly N records, in batches of one statement each, and a chain that verifies', async () => {
    const before = await trailCount();
    const statements = audit().stats.statements;
    const N = 40;
    const headers = await officer();
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => post(graph.url, { query: READ_HEALTH, variables: { id: citizen((i % 30) + 1) } }, headers)));
    expect(answers.filter((a) => a.status !== 200 || !a.body.data?.citizen)).toEqual([]);
    expect(await trailCount()).toBe(before + N);
    // One INSERT per batch (batches form under load), plus the count above and at most one read of the head.
    const written = audit().stats.statements - statements - 1;
    expect(written).toBeGreaterThanOrEqual(1);
    expect(written).toBeLessThan(N);
    expect(await verifyTrail(audit())).toMatchObject({ ok: true, count: before + N });
  });

  it("the gateway's records and the audit service's own (POST /trail) interleave on one chain", async () => {
    const before = await trailCount();
    // The audit service's own writer, behind its POST /trail, with the gateway's token for that route.
    const token = await signInternalToken(gatewayTargetKeys(graph.keys.gateway.internalTokenSecret)(TRAIL_TARGET), TRAIL_TARGET, {
      sub: 'gateway-replica',
      role: 'auditor',
      scope: [],
    });
    const address = graph.servers.audit.address();
    if (!address || typeof address !== 'object') throw new Error('the audit service is not listening');
    const service = httpTrailClient(`http://127.0.0.1:${address.port}/trail`);
    const headers = await officer();
    await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => service.append(record(i + 1), async () => token)),
      ...Array.from({ length: 15 }, (_, i) => post(graph.url, { query: READ_HEALTH, variables: { id: citizen(i + 1) } }, headers)),
    ]);
    expect(await trailCount()).toBe(before + 30);
    expect(await verifyTrail(audit())).toMatchObject({ ok: true, count: before + 30 });
  });

  it('a read whose record cannot be stored is withheld: 503 ACCESS_TRAIL_UNAVAILABLE, no data; the chain goes on after', async () => {
    const db = audit();
    const before = await trailCount();
    const query = db.query;
    // The store refuses the append (a full disk, a lost connection); everything else still answers.
    db.query = ((sql: string, params?: readonly unknown[]) =>
      /INSERT INTO access_trail/.test(sql) ? Promise.reject(new Error('could not extend file: No space left on device')) : query.call(db, sql, params)) as Db['query'];
    try {
      const answer = await post(graph.url, { query: READ_HEALTH, variables: { id: citizen(2) } }, await officer());
      expect(answer.status).toBe(503);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.code).toBe('ACCESS_TRAIL_UNAVAILABLE');
      expect(JSON.stringify(answer.body)).not.toContain('encounters');
    } finally {
      db.query = query;
    }
    expect(await trailCount()).toBe(before);
    const again = await post(graph.url, { query: READ_HEALTH, variables: { id: citizen(2) } }, await officer());
    expect(again.status).toBe(200);
    expect(await trailCount()).toBe(before + 1);
    expect(await verifyTrail(db)).toMatchObject({ ok: true, count: before + 1 });
  });

  it('a store that does not answer in time fails the record, not the gateway', async () => {
    const stalled: Db = { ...audit(), query: () => new Promise(() => undefined) } as Db;
    const client = storeTrailClient(stalled, 50);
    await expect(client.append(record(1), noToken)).rejects.toThrow('the audit store did not commit the record within 50 ms');
  });

  it('a record the trail refuses fails alone, before it reaches the store', async () => {
    const before = await trailCount();
    const statements = audit().stats.statements;
    const client = storeTrailClient(audit());
    await expect(client.append({ ...record(1), purpose: 'x'.repeat(501) }, noToken)).rejects.toThrow(/"purpose" must be/);
    expect(audit().stats.statements).toBe(statements);
    await client.append(record(3), noToken);
    expect(await trailCount()).toBe(before + 1);
  });

  it('with the audit service down, reads still leave their record (the gateway needs only the store)', async () => {
    const before = await trailCount();
    await closeServer(graph.servers.audit);
    const answer = await post(graph.url, { query: READ_HEALTH, variables: { id: citizen(9) } }, await officer());
    expect(answer.status).toBe(200);
    expect(answer.body.data.citizen.name.full).toBeTruthy();
    expect(await trailCount()).toBe(before + 1);
    const [last] = await audit().query<{ citizen_ids: string[] }>('SELECT citizen_ids FROM access_trail ORDER BY seq DESC LIMIT 1');
    expect(last.citizen_ids).toEqual([citizen(9)]);
  });
});
