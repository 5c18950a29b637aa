import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startProcessGraph, type ProcessGraph } from './support/processes';

/**
 * "Apply once" as a newcomer does it (README, "Applying once"), every service its own process as
 * `npm start` runs them, with the development keys under DATA_DIR: a parent applies for school
 * enrollment for their child, education fetches the evidence back through the gateway as itself,
 * the parent submits, education is killed and started again (the application is intact), and an
 * education officer approves with `npm run officer`; the enrollment is on the child's record.
 */
const run = promisify(execFile);
const ROOT = join(__dirname, '..');
// In the seeded world (deterministic), cit_000019's household has two children of school age.
const PARENT = 'cit_000019';
const CHILD = 'cit_000021';

describe('applying once, across processes', () => {
  let graph: ProcessGraph;
  let asParent: Record<string, string>;
  const post = async (headers: Record<string, string>, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(graph.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  };

  beforeAll(async () => {
    graph = await startProcessGraph({ citizens: 40 });
    asParent = { authorization: `Bearer ${await graph.token({ sub: PARENT, role: 'citizen' })}` };
  }, 240_000);
  afterAll(() => graph?.stop(), 60_000);

  it('applies, fetches the evidence, survives a killed department, and is approved with npm run officer', async () => {
    const household = await post(asParent, 'query H($id: ID!) { citizen(id: $id) { household { members { id birthDate } } } }', { id: PARENT });
    expect(household.data.citizen.household.members.map((m: { id: string }) => m.id)).toContain(CHILD);
    const schools = await post(asParent, '{ schools(kind: PRIMARY, first: 1) { edges { node { id } } } }');
    const school = schools.data.schools.edges[0].node.id as string;

    const started = await post(asParent, 'mutation S($i: StartApplicationInput!) { startApplication(input: $i) { id status } }', {
      i: { procedure: 'SCHOOL_ENROLLMENT', subjectId: CHILD, clientRequestId: 'newcomer-1', schoolId: school },
    });
    expect(started.errors).toBeUndefined();
    const id = started.data.startApplication.id as string;
    const evidence = await post(asParent, 'mutation R($id: ID!) { requestEvidence(applicationId: $id) { status evidence { type status verified error } } }', { id });
    expect(evidence.data.requestEvidence.status).toBe('EVIDENCE_READY');
    expect(evidence.data.requestEvidence.evidence.every((e: { status: string; verified: boolean }) => e.status === 'RECEIVED' && e.verified)).toBe(true);
    const submitted = await post(asParent, 'mutation U($id: ID!) { submitApplication(id: $id) { status } }', { id });
    expect(submitted.data.submitApplication.status).toBe('SUBMITTED');

    // Education is killed and comes back: the application is where the last step left it.
    await graph.kill('education');
    const down = await post(asParent, 'query A($id: ID!) { application(id: $id) { status } }', { id });
    expect(down.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    await graph.restart('education');
    const back = await post(asParent, 'query A($id: ID!) { application(id: $id) { status history { status } } }', { id });
    expect(back.data.application).toEqual({ status: 'SUBMITTED', history: [{ status: 'DRAFT' }, { status: 'EVIDENCE_READY' }, { status: 'SUBMITTED' }] });

    const env = { ...process.env, DATA_DIR: graph.dataDir, GATEWAY_URL: graph.url, NODE_ENV: 'development' };
    const listed = await run(process.execPath, ['--import', 'tsx', 'scripts/officer.ts', 'applications', '--department', 'education'], { cwd: ROOT, env });
    expect(listed.stdout).toContain(id);
    const decided = await run(process.execPath, ['--import', 'tsx', 'scripts/officer.ts', 'decide', id, 'approve'], { cwd: ROOT, env });
    expect(decided.stdout).toMatch(/APPROVED/);

    const asOfficer = { authorization: `Bearer ${await graph.token({ sub: 'officer-1', role: 'officer', department: 'EDUCATION' })}`, 'x-purpose': 'SCHOOL_ENROLLMENT' };
    const record = await post(asOfficer, 'query E($id: ID!) { citizen(id: $id) { education { enrollments(first: 50) { edges { node { id status school { id } } } } } } }', { id: CHILD });
    expect(record.data.citizen.education.enrollments.edges.map((e: { node: { id: string } }) => e.node)).toContainEqual({ id: `enr_${id}`, status: 'ACTIVE', school: { id: school } });
  }, 120_000);
});
