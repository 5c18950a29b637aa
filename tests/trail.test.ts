import { closeServer } from '../lib/http';
import { loadRegistry, operationId, registryOf, type Registry } from '../gateway/src/operations';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/** A registered operation that returns no citizen data: it leaves no trail record. */
const FACILITY = 'query AuditFacility($id: ID!) { facility(id: $id) { id name } }';
const ACCESS_LOG = 'query ($id: ID!) { citizen(id: $id) { accessLog(first: 50) { edges { node { role department accessorId purpose purposeMeaning caseId operationName services } } } } }';
const READ_HEALTH = 'query ReadHealth($id: ID!) { citizen(id: $id) { name { full } health { encounters(first: 2) { edges { node { id } } } } } }';

describe.each(BACKENDS)('persisted operations and the access trail (%s)', (backend) => {
  let graph: RunningGraph;
  let registry: Registry;
  let history: { id: string; name: string };
  const trailCount = async () =>
    (await graph.subgraphs.audit.db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;
  const lastSeq = async () =>
    (await graph.subgraphs.audit.db.query<{ seq: number }>('SELECT coalesce(max(seq), 0)::int AS seq FROM access_trail'))[0].seq;
  /** The records written after `seq`, oldest first, as the audit store holds them. */
  const recordsAfter = (seq: number) =>
    graph.subgraphs.audit.db.query<{ principal_sub: string; purpose: string | null; case_id: string | null; operation_name: string | null; citizen_ids: string[] }>(
      'SELECT principal_sub, purpose, case_id, operation_name, citizen_ids FROM access_trail WHERE seq > $1 ORDER BY seq',
      [seq],
    );
  /** A seeded household with more than one member: one of them (`me`) and every member's id, sorted. */
  const householdOfSeveral = () =>
    graph.subgraphs.identity.db.query<{ me: string; members: string[] }>(
      `SELECT min(id) AS me, array_agg(id ORDER BY id) AS members FROM citizens
       WHERE household_id IS NOT NULL GROUP BY household_id HAVING count(*) > 1 ORDER BY min(id) LIMIT 1`,
    );
  const idOf = (name: string) => {
    const entry = [...registry].find(([, op]) => op.name === name);
    if (!entry) throw new Error(`schema/operations/manifest.json has no ${name}: run npm run codegen`);
    return entry[0];
  };
  const auditor = () => authHeaders(graph.keys, { sub: 'auditor-9', role: 'auditor' }, { caseId: 'case-42', purpose: 'COMPLAINT_REVIEW' });
  const officer = (purpose = 'HEALTH_CARE') => authHeaders(graph.keys, { sub: 'dr-li', role: 'officer', department: 'HEALTH' }, { purpose });

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

  describe('every response that reveals a person leaves one record naming them', () => {
    const HOUSEHOLD = 'query ($id: ID!) { citizen(id: $id) { household { members { id } } } }';
    const GRANT = 'mutation ($input: GrantConsentInput!) { grantConsent(input: $input) { id } }';
    const REVOKE = 'mutation ($id: ID!) { revokeConsent(id: $id) { id } }';

    /** Sends one request and returns its answer and the trail records written meanwhile. */
    async function recorded(body: unknown, headers: Record<string, string>) {
      const last = await lastSeq();
      const answer = await post(graph.url, body, headers);
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      return { data: answer.body.data, records: await recordsAfter(last) };
    }

    it('an officer listing citizens: one record naming every citizen on the page', async () => {
      const { data, records } = await recorded({ query: '{ citizens(first: 12) { edges { node { id } } } }' }, await officer());
      const ids = data.citizens.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(ids).toHaveLength(12);
      expect(records).toEqual([expect.objectContaining({ citizen_ids: [...ids].sort(), principal_sub: 'dr-li' })]);
    });

    it("an officer turning a national id into a citizen id: one record naming that citizen", async () => {
      const [{ national_id }] = await graph.subgraphs.identity.db.query<{ national_id: string }>("SELECT national_id FROM citizens WHERE id = 'cit_000011'");
      const { data, records } = await recorded(
        { query: 'query ($n: String!) { citizenByNationalId(nationalId: $n) { id } }', variables: { n: national_id } },
        await officer(),
      );
      expect(data.citizenByNationalId).toEqual({ id: 'cit_000011' });
      expect(records).toEqual([expect.objectContaining({ citizen_ids: ['cit_000011'] })]);
    });

    it('an officer asking whether a citizen id exists: one record naming them', async () => {
      const { data, records } = await recorded({ query: '{ citizen(id: "cit_000012") { id } }' }, await officer());
      expect(data.citizen).toEqual({ id: 'cit_000012' });
      expect(records).toEqual([expect.objectContaining({ citizen_ids: ['cit_000012'] })]);
    });

    it("a citizen reading their household's member ids: one record naming every member", async () => {
      const [{ me, members }] = await householdOfSeveral();
      const { data, records } = await recorded({ query: HOUSEHOLD, variables: { id: me } }, await authHeaders(graph.keys, { sub: me, role: 'citizen' }));
      expect(data.citizen.household.members.map((m: { id: string }) => m.id).sort()).toEqual(members);
      expect(records).toEqual([expect.objectContaining({ citizen_ids: members, principal_sub: me })]);
    });

    it('a citizen granting and revoking consent: one record each, naming them', async () => {
      const me = await authHeaders(graph.keys, { sub: 'cit_000013', role: 'citizen' });
      const input = { grantee: 'SOCIAL_SECURITY', section: 'HEALTH', purpose: 'DISABILITY_ASSESSMENT', expiresOn: `${new Date().getUTCFullYear() + 1}-12-31` };
      const granted = await recorded({ query: GRANT, variables: { input } }, me);
      expect(granted.records).toEqual([expect.objectContaining({ citizen_ids: ['cit_000013'] })]);
      const revoked = await recorded({ query: REVOKE, variables: { id: granted.data.grantConsent.id } }, me);
      expect(revoked.records).toEqual([expect.objectContaining({ citizen_ids: ['cit_000013'] })]);
    });
  });

  describe('purposes are registered codes', () => {
    const MADE_UP = 'POLICE WARRANT call 555-0100';
    const READ_ONE = '{ citizen(id: "cit_000014") { name { full } } }';
    const statementsRun = () => Object.values(graph.statements()).reduce((sum, n) => sum + n, 0);

    it('an officer stating an unregistered purpose is refused with 400 PURPOSE_UNKNOWN: nothing runs, nothing is recorded', async () => {
      const before = await trailCount();
      graph.resetStatements();
      const answer = await post(graph.url, { query: READ_ONE }, await officer(MADE_UP));
      expect(answer.status).toBe(400);
      expect(answer.body.data).toBeUndefined();
      const [error] = answer.body.errors;
      expect(error.extensions).toMatchObject({ code: 'PURPOSE_UNKNOWN', allowed: expect.arrayContaining(['HEALTH_CARE', 'VACCINATION_PROGRAMME']) });
      expect(error.message).toContain(JSON.stringify(MADE_UP));
      expect(error.message).toMatch(/officers of HEALTH may use HEALTH_CARE, /);
      expect(statementsRun()).toBe(0);
      expect(await trailCount()).toBe(before);
    });

    it("an officer stating another department's purpose is refused with 403 PURPOSE_NOT_ALLOWED", async () => {
      const before = await trailCount();
      const answer = await post(graph.url, { query: READ_ONE }, await officer('TAX_ASSESSMENT'));
      expect(answer.status).toBe(403);
      expect(answer.body.errors[0].extensions.code).toBe('PURPOSE_NOT_ALLOWED');
      expect(answer.body.errors[0].message).toMatch(/purpose TAX_ASSESSMENT is for officers of TAX, not officers of HEALTH/);
      expect(await trailCount()).toBe(before);
    });

    it('a case id that is prose, not a reference, is refused with 400 CASE_ID_INVALID', async () => {
      const headers = await authHeaders(graph.keys, { sub: 'dr-li', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE', caseId: 'call 555-0100 now' });
      const answer = await post(graph.url, { query: READ_ONE }, headers);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].extensions.code).toBe('CASE_ID_INVALID');
      expect(answer.body.errors[0].message).toMatch(/x-case-id must be 1 to 64 letters, digits or \. _ : \/ -; received 17 characters/);
    });

    it("a citizen's made-up purpose and case id never reach their household's access logs", async () => {
      const [{ me, members }] = await householdOfSeveral();
      const headers = await authHeaders(graph.keys, { sub: me, role: 'citizen' }, { purpose: MADE_UP, caseId: 'COURT-ORDER-991' });
      const read = await post(graph.url, { query: 'query ($id: ID!) { citizen(id: $id) { household { members { id name { full } } } } }', variables: { id: me } }, headers);
      expect(read.status).toBe(200);
      expect(read.body.errors).toBeUndefined();
      for (const member of members.filter((id) => id !== me)) {
        const log = await post(graph.url, { query: ACCESS_LOG, variables: { id: member } }, await authHeaders(graph.keys, { sub: member, role: 'citizen' }));
        const entries = log.body.data.citizen.accessLog.edges.map((e: { node: Record<string, unknown> }) => e.node);
        expect(entries.find((entry: Record<string, unknown>) => entry.accessorId === me)).toMatchObject({
          role: 'CITIZEN',
          purpose: 'CITIZEN_SELF_SERVICE',
          purposeMeaning: 'A citizen viewing their own records',
          caseId: null,
        });
        expect(JSON.stringify(entries)).not.toMatch(/POLICE|555-0100|COURT-ORDER/);
      }
    });

    it('a case id is shown to auditors and to officers of the department that wrote it, never to the citizen', async () => {
      const READ_TAX = 'query ($id: ID!) { citizen(id: $id) { tax { returns(first: 1) { edges { node { id } } } } } }';
      const taxOfficer = await authHeaders(graph.keys, { sub: 'tax-officer-5', role: 'officer', department: 'TAX' }, { purpose: 'TAX_ASSESSMENT', caseId: 'TAX-2026/0042' });
      expect((await post(graph.url, { query: READ_TAX, variables: { id: 'cit_000015' } }, taxOfficer)).body.errors).toBeUndefined();
      const TRAIL = 'query ($filter: AccessTrailFilter) { accessTrail(filter: $filter, first: 5) { edges { node { accessorId purpose purposeMeaning caseId } } } }';
      const filter = { accessorId: 'tax-officer-5' };
      const officerRecord = { accessorId: 'tax-officer-5', purpose: 'TAX_ASSESSMENT', purposeMeaning: 'Assessing income tax' };

      const citizenLog = await post(graph.url, { query: ACCESS_LOG, variables: { id: 'cit_000015' } }, await authHeaders(graph.keys, { sub: 'cit_000015', role: 'citizen' }));
      expect(citizenLog.body.data.citizen.accessLog.edges.map((e: { node: unknown }) => e.node)).toContainEqual(
        expect.objectContaining({ ...officerRecord, caseId: null }),
      );

      const auditTrail = await post(graph.url, { documentId: idOf('AuditAccessTrail'), variables: { filter } }, await auditor());
      expect(auditTrail.body.data.accessTrail.edges[0].node).toMatchObject({ ...officerRecord, caseId: 'TAX-2026/0042' });

      const colleague = await authHeaders(graph.keys, { sub: 'tax-lead-1', role: 'officer', department: 'TAX' }, { purpose: 'ACCESS_REVIEW' });
      const ownDepartment = await post(graph.url, { query: TRAIL, variables: { filter } }, colleague);
      expect(ownDepartment.body.data.accessTrail.edges[0].node).toEqual({ ...officerRecord, caseId: 'TAX-2026/0042' });

      // Another department's officer does not even find the record.
      const healthOfficer = await authHeaders(graph.keys, { sub: 'dr-wu', role: 'officer', department: 'HEALTH' }, { purpose: 'ACCESS_REVIEW' });
      const otherDepartment = await post(graph.url, { query: TRAIL, variables: { filter } }, healthOfficer);
      expect(otherDepartment.body.data.accessTrail.edges).toEqual([]);
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
      await post(graph.url, { query: READ_HEALTH, variables: { id: 'cit_000007' } }, await officer('VACCINATION_PROGRAMME'));
      await post(graph.url, { documentId: history.id, variables: { id: 'cit_000007' } }, await auditor());
      const me = await authHeaders(graph.keys, { sub: 'cit_000007', role: 'citizen' });
      const log = await post(graph.url, { query: ACCESS_LOG, variables: { id: 'cit_000007' } }, me);
      expect(log.body.errors).toBeUndefined();
      const entries = log.body.data.citizen.accessLog.edges.map((e: { node: unknown }) => e.node);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            role: 'OFFICER',
            department: 'HEALTH',
            accessorId: 'dr-li',
            purpose: 'VACCINATION_PROGRAMME',
            purposeMeaning: 'Following up vaccinations due or given',
            operationName: 'ReadHealth',
          }),
          // The auditor's case id is their own reference: not shown to the citizen.
          expect.objectContaining({ role: 'AUDITOR', accessorId: 'auditor-9', purpose: 'COMPLAINT_REVIEW', caseId: null, operationName: 'AuditCitizenHistory' }),
        ]),
      );
      // Reading the log is itself recorded: the next read shows the citizen's own read (identity
      // found the citizen, audit returned the log).
      const again = await post(graph.url, { query: ACCESS_LOG, variables: { id: 'cit_000007' } }, me);
      expect(again.body.data.citizen.accessLog.edges[0].node).toMatchObject({
        role: 'CITIZEN',
        accessorId: 'cit_000007',
        purpose: 'CITIZEN_SELF_SERVICE',
        services: ['audit', 'identity'],
      });
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
