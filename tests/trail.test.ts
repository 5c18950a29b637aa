import { closeServer } from '../lib/http';
import { loadRegistry, registryOf, type Registry } from '../gateway/src/operations';
import { operationId } from '../gateway/src/operation-registry';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/** A registered operation that returns no citizen data: it leaves no trail record. */
const FACILITY = 'query AuditFacility($id: ID!) { facility(id: $id) { id name } }';
const ACCESS_LOG = 'query ($id: ID!) { citizen(id: $id) { accessLog(first: 50) { edges { node { role department accessorId purpose caseId operationName services } } } } }';
const READ_HEALTH = 'query ReadHealth($id: ID!) { citizen(id: $id) { name { full } health { encounters(first: 2) { edges { node { id } } } } } }';

describe.each(BACKENDS)('persisted operations and the access trail (%s)', (backend) => {
  let graph: RunningGraph;
  let registry: Registry;
  let history: { id: string; name: string };
  const trailCount = async () =>
    (await graph.subgraphs.audit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;
  const auditor = () => authHeaders(graph.keys, { sub: 'auditor-9', role: 'auditor' }, { caseId: 'case-42', purpose: 'complaint review' });
  const officer = (purpose = 'treatment') => authHeaders(graph.keys, { sub: 'dr-li', role: 'officer', department: 'HEALTH' }, { purpose });

  beforeAll(async () => {
    const manifest = loadRegistry();
    registry = new Map([...manifest, ...registryOf(FACILITY)]);
    const entry = [...manifest].find(([, op]) => op.name === 'AuditCitizenHistory');
    if (!entry) throw new Error('schema/operations/manifest.json has no AuditCitizenHistory: run npm run codegen');
    history = { id: entry[0], name: entry[1].name };
    graph = await startGraph(backend, 30, registry);
  }, 120_000);
  afterAll(() => graph?.stop());

  describe('registered operations', () => {
    it('an auditor runs a registered operation by documentId', async () => {
      const answer = await post(graph.url, { documentId: history.id, variables: { id: 'cit_000004' } }, await auditor());
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.citizen.id).toBe('cit_000004');
    });

    it("an auditor runs it by Apollo's APQ hash", async () => {
      const answer = await post(
        graph.url,
        { extensions: { persistedQuery: { version: 1, sha256Hash: history.id } }, variables: { id: 'cit_000005' } },
        await auditor(),
      );
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.citizen.id).toBe('cit_000005');
    });

    it('an ad-hoc query from an auditor is refused with OPERATION_NOT_REGISTERED', async () => {
      const answer = await post(graph.url, { query: READ_HEALTH, variables: { id: 'cit_000005' } }, await auditor());
      expect(answer.status).toBe(403);
      expect(answer.body.errors[0].extensions.code).toBe('OPERATION_NOT_REGISTERED');
    });

    it('an auditor may not register a new document through APQ', async () => {
      const answer = await post(
        graph.url,
        { query: READ_HEALTH, extensions: { persistedQuery: { version: 1, sha256Hash: operationId(READ_HEALTH) } }, variables: { id: 'cit_000005' } },
        await auditor(),
      );
      expect(answer.status).toBe(403);
      expect(answer.body.errors[0].extensions.code).toBe('OPERATION_NOT_REGISTERED');
    });

    it('an unknown id is PERSISTED_QUERY_NOT_FOUND, a different code', async () => {
      const answer = await post(graph.url, { documentId: 'f'.repeat(64), variables: {} }, await auditor());
      expect(answer.status).toBe(404);
      expect(answer.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });

    it('in allow mode an officer registers a document with APQ and then sends only its hash', async () => {
      const hash = operationId(READ_HEALTH);
      const apq = { persistedQuery: { version: 1, sha256Hash: hash } };
      const unknown = await post(graph.url, { extensions: apq, variables: { id: 'cit_000006' } }, await officer());
      expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const registered = await post(graph.url, { query: READ_HEALTH, extensions: apq, variables: { id: 'cit_000006' } }, await officer());
      expect(registered.body.errors).toBeUndefined();
      const byHash = await post(graph.url, { extensions: apq, variables: { id: 'cit_000006' } }, await officer());
      expect(byHash.body.data).toEqual(registered.body.data);
    });
  });

  describe('the access trail', () => {
    it('N concurrent data-returning requests leave exactly N records and a chain that verifies', async () => {
      const before = await trailCount();
      const N = 40;
      const headers = await officer();
      const answers = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          post(graph.url, { query: READ_HEALTH, variables: { id: `cit_${String((i % 30) + 1).padStart(6, '0')}` } }, headers),
        ),
      );
      expect(answers.every((a) => a.status === 200 && a.body.data.citizen)).toBe(true);
      expect(await trailCount()).toBe(before + N);
      const verified = await verifyTrail(graph.subgraphs.audit.db);
      expect(verified).toMatchObject({ ok: true, count: before + N });
    });

    it('a response without citizen data leaves no record', async () => {
      const before = await trailCount();
      const answer = await post(graph.url, { query: FACILITY, variables: { id: 'fac_00001' } }, await auditor());
      expect(answer.body.data.facility.id).toBe('fac_00001');
      expect(await trailCount()).toBe(before);
    });

    it('a citizen sees who read their data, when, why and with which operation', async () => {
      await post(graph.url, { query: READ_HEALTH, variables: { id: 'cit_000007' } }, await officer('vaccination follow-up'));
      await post(graph.url, { documentId: history.id, variables: { id: 'cit_000007' } }, await auditor());
      const me = await authHeaders(graph.keys, { sub: 'cit_000007', role: 'citizen' });
      const log = await post(graph.url, { query: ACCESS_LOG, variables: { id: 'cit_000007' } }, me);
      expect(log.body.errors).toBeUndefined();
      const entries = log.body.data.citizen.accessLog.edges.map((e: { node: unknown }) => e.node);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ role: 'OFFICER', department: 'HEALTH', accessorId: 'dr-li', purpose: 'vaccination follow-up', operationName: 'ReadHealth' }),
          expect.objectContaining({ role: 'AUDITOR', accessorId: 'auditor-9', caseId: 'case-42', operationName: 'AuditCitizenHistory' }),
        ]),
      );
      // Reading the log is itself recorded: the next read shows the citizen's own read.
      const again = await post(graph.url, { query: ACCESS_LOG, variables: { id: 'cit_000007' } }, me);
      expect(again.body.data.citizen.accessLog.edges[0].node).toMatchObject({ role: 'CITIZEN', accessorId: 'cit_000007', services: ['audit'] });
    });

    it('with the audit store down, data requests fail closed: 503 and no data', async () => {
      const auditServer = graph.servers.audit;
      await closeServer(auditServer);
      const answer = await post(graph.url, { query: READ_HEALTH, variables: { id: 'cit_000008' } }, await officer());
      expect(answer.status).toBe(503);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors[0].extensions.code).toBe('ACCESS_TRAIL_UNAVAILABLE');
      expect(JSON.stringify(answer.body)).not.toContain('encounters');
    });
  });
});
