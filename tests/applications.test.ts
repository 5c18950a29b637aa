import { useKeyring, memoryKeyring } from '../lib/evidence/keyring';
import { loadRegistry } from '../gateway/src/operations';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/**
 * Applications with once-only evidence, across processes' worth of servers (every subgraph on its
 * own port, the gateway in front, the desk forwarding to the handling departments, which fetch
 * their evidence back through the gateway as themselves): docs/applications.md.
 */

useKeyring(memoryKeyring());

const APPLICATION = `
  id status clientRequestId subjectId subjectKind schoolId recordId decision decisionReason
  procedure { code handlingDepartment serviceTimeDays }
  missingEvidence
  evidence { type issuer status verified error document attributes { name value } }
  history { status at actor }
  serviceTime { standardDays dueBy elapsedDays withinStandard }
`;
const START = `mutation Start($input: StartApplicationInput!) { startApplication(input: $input) { ${APPLICATION} } }`;
const REQUEST = `mutation Request($id: ID!) { requestEvidence(applicationId: $id) { ${APPLICATION} } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitApplication(id: $id) { ${APPLICATION} } }`;
const DECIDE = `mutation Decide($id: ID!, $decision: Decision!, $reason: String) { decideApplication(id: $id, decision: $decision, reason: $reason) { ${APPLICATION} } }`;
const LIST = `query List($status: ApplicationStatus) { applications(status: $status, first: 50) { edges { node { id status } } pageInfo { hasNextPage } } }`;

describe.each(BACKENDS)('applications with once-only evidence (%s)', (backend) => {
  let graph: RunningGraph;
  let parent: string;
  let child: string;
  let stranger: string;
  let school: string;
  let asParent: Record<string, string>;
  let asOfficer: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraph(backend, 120, loadRegistry());
    const identity = graph.subgraphs.identity.db;
    // A parent (an adult) and a child under 18 of the same household, and an adult of another household.
    const [pair] = await identity.query<{ parent: string; child: string }>(
      `SELECT p.id AS parent, c.id AS child FROM citizens p JOIN citizens c ON c.household_id = p.household_id
       WHERE c.birth_date > (now() - interval '17 years')::date AND c.birth_date < (now() - interval '5 years')::date
         AND p.birth_date < (now() - interval '25 years')::date ORDER BY p.id, c.id LIMIT 1`,
    );
    parent = pair.parent;
    child = pair.child;
    const [other] = await identity.query<{ id: string }>(
      `SELECT id FROM citizens WHERE household_id <> (SELECT household_id FROM citizens WHERE id = $1) AND birth_date < (now() - interval '25 years')::date ORDER BY id LIMIT 1`,
      [child],
    );
    stranger = other.id;
    [{ id: school }] = await graph.subgraphs.education.db.query<{ id: string }>(`SELECT id FROM schools WHERE kind = 'PRIMARY' ORDER BY id LIMIT 1`);
    asParent = await authHeaders(graph.keys, { sub: parent, role: 'citizen' });
    asOfficer = await authHeaders(graph.keys, { sub: 'officer-edu-1', role: 'officer', department: 'EDUCATION' }, { purpose: 'SCHOOL_ENROLLMENT' });
  }, 120_000);

  afterAll(() => graph?.stop());

  const input = (over: Record<string, unknown> = {}) => ({ procedure: 'SCHOOL_ENROLLMENT', subjectId: child, clientRequestId: 'enrol-1', schoolId: school, ...over });

  it('lists the procedures with their evidence and issuers', async () => {
    const { status, body } = await post(graph.url, { query: '{ procedures { code handlingDepartment subject serviceTimeDays evidence { type issuer attributes } } }' }, asParent);
    expect(status).toBe(200);
    const enrollment = body.data.procedures.find((p: { code: string }) => p.code === 'SCHOOL_ENROLLMENT');
    expect(enrollment).toMatchObject({ handlingDepartment: 'EDUCATION', subject: 'HOUSEHOLD_MINOR', serviceTimeDays: 5 });
    expect(enrollment.evidence.map((e: { issuer: string }) => e.issuer)).toEqual(['identity', 'identity', 'health']);
    expect(body.data.procedures.map((p: { code: string }) => p.code)).toEqual(['SCHOOL_ENROLLMENT', 'EXPORT_TAX_REBATE', 'MEDICAL_INSURANCE_VOUCHER']);
  });

  let id: string;

  it('starts a draft for a child of the household, and a retry returns the same application', async () => {
    const first = await post(graph.url, { query: START, variables: { input: input() } }, asParent);
    expect(first.body.errors).toBeUndefined();
    const app = first.body.data.startApplication;
    expect(app).toMatchObject({ status: 'DRAFT', subjectId: child, subjectKind: 'HOUSEHOLD_MINOR', schoolId: school });
    expect(app.id).toMatch(/^app_education_[0-9a-z]{26}$/);
    expect(app.missingEvidence).toEqual(['HOUSEHOLD_RESIDENCE', 'BIRTH_RECORD', 'VACCINATION_RECORD']);
    expect(app.history.map((h: { status: string }) => h.status)).toEqual(['DRAFT']);
    id = app.id;
    const again = await post(graph.url, { query: START, variables: { input: input() } }, asParent);
    expect(again.body.data.startApplication.id).toBe(id);
    const reused = await post(graph.url, { query: START, variables: { input: input({ subjectId: parent }) } }, asParent);
    expect(reused.body.errors[0].extensions.code).toBe('CONFLICT');
  });

  it('refuses a child of another household, and bad input names the field', async () => {
    const asStranger = await authHeaders(graph.keys, { sub: stranger, role: 'citizen' });
    const other = await post(graph.url, { query: START, variables: { input: input({ clientRequestId: 'x-1' }) } }, asStranger);
    expect(other.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const noSchool = await post(graph.url, { query: START, variables: { input: input({ clientRequestId: 'x-2', schoolId: 'sch_nope' }) } }, asParent);
    expect(noSchool.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'schoolId' });
    const badKey = await post(graph.url, { query: START, variables: { input: input({ clientRequestId: 'has spaces' }) } }, asParent);
    expect(badKey.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'clientRequestId' });
  });

  it('cannot be submitted before the evidence is in, and the department does not see a draft', async () => {
    const early = await post(graph.url, { query: SUBMIT, variables: { id } }, asParent);
    expect(early.body.errors[0].extensions.code).toBe('EVIDENCE_INCOMPLETE');
    const list = await post(graph.url, { query: LIST }, asOfficer);
    expect(list.body.data.applications.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(id);
  });

  it('fetches each piece of evidence from its issuer, signed and verified', async () => {
    const { body } = await post(graph.url, { query: REQUEST, variables: { id } }, asParent);
    expect(body.errors).toBeUndefined();
    const app = body.data.requestEvidence;
    expect(app.status).toBe('EVIDENCE_READY');
    expect(app.evidence.map((e: { type: string; status: string; verified: boolean }) => [e.type, e.status, e.verified])).toEqual([
      ['HOUSEHOLD_RESIDENCE', 'RECEIVED', true],
      ['BIRTH_RECORD', 'RECEIVED', true],
      ['VACCINATION_RECORD', 'RECEIVED', true],
    ]);
    const household = app.evidence[0].attributes.find((a: { name: string }) => a.name === 'applicantInHousehold');
    expect(household.value).toBe('true');
    // The document checks out through the graph, and one changed character does not.
    const document: string = app.evidence[1].document;
    const ok = await post(graph.url, { query: 'query V($d: String!) { verifyEvidence(document: $d) { valid issuer type subject application } }', variables: { d: document } }, asParent);
    expect(ok.body.data.verifyEvidence).toEqual({ valid: true, issuer: 'identity', type: 'BIRTH_RECORD', subject: child, application: id });
    const [h, p, s] = document.split('.');
    const changed = [h, p.slice(0, 10) + (p[10] === 'A' ? 'B' : 'A') + p.slice(11), s].join('.');
    const bad = await post(graph.url, { query: 'query V($d: String!) { verifyEvidence(document: $d) { valid reason } }', variables: { d: changed } }, asParent);
    expect(bad.body.data.verifyEvidence.valid).toBe(false);
  });

  it('records each evidence fetch in the access trail with the procedure as purpose and the application as case', async () => {
    const rows = await graph.subgraphs.audit.db.query<{ operation_name: string; purpose: string; principal_sub: string }>(
      `SELECT operation_name, purpose, principal_sub FROM access_trail WHERE case_id = $1 ORDER BY seq`,
      [id],
    );
    expect(rows.map((r) => r.operation_name).sort()).toEqual(['EvidenceApplicantRelation', 'EvidenceFromHealth', 'EvidenceFromIdentity', 'EvidenceFromIdentity']);
    expect(new Set(rows.map((r) => `${r.purpose} ${r.principal_sub}`))).toEqual(new Set(['SCHOOL_ENROLLMENT department:education']));
  });

  it("shows each evidence read in the child's access log, with the purpose and the application", async () => {
    const asChild = await authHeaders(graph.keys, { sub: child, role: 'citizen' });
    const log = `query Log($id: ID!) { citizen(id: $id) { accessLog(first: 20) { edges { node { accessorId purpose purposeMeaning caseId operationName services } } } } }`;
    const { body } = await post(graph.url, { query: log, variables: { id: child } }, asChild);
    expect(body.errors).toBeUndefined();
    const reads = body.data.citizen.accessLog.edges.map((e: { node: Record<string, unknown> }) => e.node).filter((n: { caseId: string | null }) => n.caseId === id);
    expect(reads.map((r: { operationName: string }) => r.operationName).sort()).toEqual(['EvidenceApplicantRelation', 'EvidenceFromHealth', 'EvidenceFromIdentity', 'EvidenceFromIdentity']);
    for (const read of reads) {
      expect(read).toMatchObject({ accessorId: 'department:education', purpose: 'SCHOOL_ENROLLMENT', purposeMeaning: "Enrolling a child in school, on the parent's application" });
    }
    expect(reads.find((r: { operationName: string }) => r.operationName === 'EvidenceFromHealth').services).toContain('health');
  });

  it('is submitted, decided once by an officer, and the enrollment shows on the child\'s record', async () => {
    const submitted = await post(graph.url, { query: SUBMIT, variables: { id } }, asParent);
    expect(submitted.body.data.submitApplication.status).toBe('SUBMITTED');
    const list = await post(graph.url, { query: LIST, variables: { status: 'SUBMITTED' } }, asOfficer);
    expect(list.body.data.applications.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
    const [a, b] = await Promise.all([
      post(graph.url, { query: DECIDE, variables: { id, decision: 'APPROVE' } }, asOfficer),
      post(graph.url, { query: DECIDE, variables: { id, decision: 'REJECT', reason: 'duplicate' } }, await authHeaders(graph.keys, { sub: 'officer-edu-2', role: 'officer', department: 'EDUCATION' }, { purpose: 'SCHOOL_ENROLLMENT' })),
    ]);
    const winners = [a, b].filter((r) => !r.body.errors);
    const losers = [a, b].filter((r) => r.body.errors);
    expect(winners).toHaveLength(1);
    expect(losers[0].body.errors[0].extensions.code).toBe('CONFLICT');
    const decided = winners[0].body.data.decideApplication;
    if (decided.status === 'APPROVED') {
      expect(decided.recordId).toBe(`enr_${id}`);
      const record = await post(
        graph.url,
        { query: 'query E($id: ID!) { citizen(id: $id) { education { enrollments(first: 50) { edges { node { id status school { id } } } } } } }', variables: { id: child } },
        asOfficer,
      );
      const enrollment = record.body.data.citizen.education.enrollments.edges.find((e: { node: { id: string } }) => e.node.id === decided.recordId);
      expect(enrollment.node).toMatchObject({ status: 'ACTIVE', school: { id: school } });
    } else {
      expect(decided).toMatchObject({ status: 'REJECTED', recordId: null, decisionReason: 'duplicate' });
    }
    expect(decided.history.map((h: { status: string }) => h.status)).toEqual(['DRAFT', 'EVIDENCE_READY', 'SUBMITTED', decided.status]);
    expect(decided.serviceTime).toMatchObject({ standardDays: 5, withinStandard: true });
  });

  it("shows the child's evidence only inside the parent's application", async () => {
    const one = `query One($id: ID!) { application(id: $id) { id evidence { type attributes { name value } } } }`;
    const asStranger = await authHeaders(graph.keys, { sub: stranger, role: 'citizen' });
    const strangers = await post(graph.url, { query: one, variables: { id } }, asStranger);
    expect(strangers.body.errors).toBeUndefined();
    expect(strangers.body.data.application).toBeNull();
    const parents = await post(graph.url, { query: one, variables: { id } }, asParent);
    expect(parents.body.data.application.evidence.find((e: { type: string }) => e.type === 'BIRTH_RECORD').attributes.map((a: { name: string }) => a.name).sort()).toEqual(['birthDate', 'name', 'sex']);
    // A health officer (not the handling department) sees nothing of it; the child's health section stays closed to the parent.
    const asHealth = await authHeaders(graph.keys, { sub: 'officer-h-1', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' });
    expect((await post(graph.url, { query: one, variables: { id } }, asHealth)).body.data.application).toBeNull();
    const section = await post(graph.url, { query: 'query H($id: ID!) { citizen(id: $id) { health { vaccinations(first: 5) { edges { node { id } } } } } }', variables: { id: child } }, asParent);
    expect(section.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const malformed = await post(graph.url, { query: one, variables: { id: 'app_x' } }, asParent);
    expect(malformed.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });

  it('tells the parent what the approval wrote and every read made for the application', async () => {
    const query = `query One($id: ID!) { application(id: $id) { status recordId recordSummary evidenceReads { accessorId purpose caseId operationName services } } }`;
    const { body } = await post(graph.url, { query, variables: { id } }, asParent);
    expect(body.errors).toBeUndefined();
    const app = body.data.application;
    if (app.status === 'APPROVED') expect(app.recordSummary).toMatch(/^Enrolled at .+ from \d{4}-09-01$/);
    else expect(app.recordSummary).toBeNull();
    expect(app.evidenceReads.map((r: { operationName: string }) => r.operationName).sort()).toEqual(['EvidenceApplicantRelation', 'EvidenceFromHealth', 'EvidenceFromIdentity', 'EvidenceFromIdentity']);
    for (const read of app.evidenceReads) expect(read).toMatchObject({ accessorId: 'department:education', purpose: 'SCHOOL_ENROLLMENT', caseId: id });
    // The child (the subject, not the applicant) sees these reads in their own access log, not here.
    const asChild = await authHeaders(graph.keys, { sub: child, role: 'citizen' });
    const childs = await post(graph.url, { query, variables: { id } }, asChild);
    expect(childs.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it("pages the parent's applications across departments, newest first, each once", async () => {
    // Two vouchers (social security) beside the school enrollment (education).
    for (const key of ['page-1', 'page-2']) {
      const started = await post(graph.url, { query: START, variables: { input: { procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: parent, clientRequestId: key } } }, asParent);
      expect(started.body.errors).toBeUndefined();
    }
    const page = `query P($id: ID!, $first: Int, $after: String) { citizen(id: $id) { applications(first: $first, after: $after) { edges { cursor node { id createdAt } } pageInfo { hasNextPage endCursor } } } }`;
    const all = (await post(graph.url, { query: page, variables: { id: parent, first: 10 } }, asParent)).body.data.citizen.applications;
    expect(all.pageInfo.hasNextPage).toBe(false);
    const ids = all.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(ids).toHaveLength(3);
    expect(ids).toContain(id);
    const times = all.edges.map((e: { node: { createdAt: string } }) => e.node.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    // One at a time, following endCursor: the same list, in the same order.
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const answer: any = (await post(graph.url, { query: page, variables: { id: parent, first: 1, after } }, asParent)).body.data.citizen.applications;
      walked.push(...answer.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!answer.pageInfo.hasNextPage) break;
      after = answer.pageInfo.endCursor;
    }
    expect(walked).toEqual(ids);
    // Resuming from the first edge's cursor of a two-edge page gives what follows it.
    const two = (await post(graph.url, { query: page, variables: { id: parent, first: 2 } }, asParent)).body.data.citizen.applications;
    const rest = (await post(graph.url, { query: page, variables: { id: parent, first: 10, after: two.edges[0].cursor } }, asParent)).body.data.citizen.applications;
    expect(rest.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(ids.slice(1));
    const bad = await post(graph.url, { query: page, variables: { id: parent, first: 1, after: 'not-a-cursor' } }, asParent);
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // A merged cursor that names a department's cursor this connection never gave: the department refuses it.
    const forged = Buffer.from(JSON.stringify({ education: 'garbage' })).toString('base64url');
    const refused = await post(graph.url, { query: page, variables: { id: parent, first: 1, after: forged } }, asParent);
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it("lists the application on the parent's and the child's Citizen.applications", async () => {
    const mine = `query Mine($id: ID!) { citizen(id: $id) { applications(first: 5) { edges { node { id procedure { code } } } pageInfo { hasNextPage } } } }`;
    const { body } = await post(graph.url, { query: mine, variables: { id: parent } }, asParent);
    expect(body.errors).toBeUndefined();
    expect(body.data.citizen.applications.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(id);
    // The child it is for sees it in their own list.
    const asChild = await authHeaders(graph.keys, { sub: child, role: 'citizen' });
    const childs = await post(graph.url, { query: mine, variables: { id: child } }, asChild);
    expect(childs.body.data.citizen.applications.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([id]);
    // Another citizen may not list the parent's applications.
    const asStranger = await authHeaders(graph.keys, { sub: stranger, role: 'citizen' });
    const theirs = await post(graph.url, { query: mine, variables: { id: parent } }, asStranger);
    expect(theirs.body.data?.citizen ?? null).toBeNull();
    expect(theirs.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
