import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SEED } from '../seed/run';
import { Random } from '../seed/random';
import type { DepartmentSeed } from '../seed/types';
import { buildWorld, population, type Person } from '../seed/world';
import { departmentSeeds } from '../subgraphs/load';
import { registryOf } from '../gateway/src/operations';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

const CITIZENS = 120;
const people = [...population(buildWorld(CITIZENS, DEFAULT_SEED))];
/** The page size CitizenFullHistory asks for in each connection. */
const HISTORY_PAGE = 20;

/** How many records of each fixed connection the seed gives a person (from its own generators). */
function recordCounts(person: Person): Record<string, number> {
  const world = buildWorld(CITIZENS, DEFAULT_SEED);
  const rows = (seed: DepartmentSeed, table: string) =>
    seed.person(person, world, new Random(DEFAULT_SEED, seed.service, person.index))[table]?.length ?? 0;
  const [health, education, transport, tax, socialSecurity] = ['health', 'education', 'transport', 'tax', 'social-security'].map(
    (service) => departmentSeeds().find((seed) => seed.service === service)!,
  );
  return {
    encounters: rows(health, 'encounters'),
    enrollments: rows(education, 'enrollments'),
    vehicles: rows(transport, 'vehicles'),
    returns: rows(tax, 'tax_returns'),
    contributions: rows(socialSecurity, 'contributions'),
  };
}

const FULL_HISTORY = readFileSync(join(__dirname, '..', 'schema', 'operations', 'CitizenFullHistory.graphql'), 'utf8');

/** Every section of a page of citizens, as an audit operation registered for this suite. */
const PAGE_WITH_SECTIONS = `query AuditCitizenPage($first: Int!) {
  citizens(first: $first) { edges { node {
    id name { full }
    health { encounters(first: 3) { edges { node { id title facility { name } } } } }
    education { enrollments(first: 3) { edges { node { id title } } } }
    transport { vehicles(first: 3) { edges { node { id title } } } }
    tax { returns(first: 3) { edges { node { id title } } } }
    socialSecurity { contributions(first: 3) { edges { node { id title } } } }
  } } }
}`;

describe.each(BACKENDS)('the citizen graph through the gateway (%s)', (backend) => {
  let graph: RunningGraph;

  let officer: Record<string, string>;
  let auditor: Record<string, string>;
  const as = (person: Person) => authHeaders(graph.keys, { sub: person.id, role: 'citizen' });

  beforeAll(async () => {
    graph = await startGraph(backend, CITIZENS, registryOf(PAGE_WITH_SECTIONS));
    officer = await authHeaders(graph.keys, { sub: 'off-1', role: 'officer', department: 'health' }, { purpose: 'HEALTH_CARE' });
    auditor = await authHeaders(graph.keys, { sub: 'aud-1', role: 'auditor' }, { caseId: 'case-1' });
  }, 120_000);
  afterAll(() => graph?.stop());

  it("answers one citizen's whole service history across all five departments in one request", async () => {
    // Someone with records in every department, known from the seed's own generators.
    const person = people.find((p) => Object.values(recordCounts(p)).every((count) => count > 0))!;
    const expected = recordCounts(person);
    const { status, body } = await post(graph.url, { query: FULL_HISTORY, variables: { id: person.id } }, await as(person));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const citizen = body.data.citizen;
    expect(citizen).toMatchObject({ id: person.id, nationalId: person.nationalId, birthDate: person.birthDate });
    const shown = {
      encounters: citizen.health.encounters.edges.length,
      enrollments: citizen.education.enrollments.edges.length,
      vehicles: citizen.transport.vehicles.edges.length,
      returns: citizen.tax.returns.edges.length,
      contributions: citizen.socialSecurity.contributions.edges.length,
    };
    expect(shown).toEqual(Object.fromEntries(Object.entries(expected).map(([k, n]) => [k, Math.min(n, HISTORY_PAGE)])));
    // Every record, whatever its department, has what a timeline needs.
    for (const edge of [citizen.health.encounters, citizen.education.enrollments, citizen.transport.vehicles, citizen.tax.returns, citizen.socialSecurity.contributions].flatMap((c) => c.edges)) {
      expect(edge.node).toMatchObject({ id: expect.any(String), department: expect.any(String), title: expect.any(String) });
      expect(Number.isNaN(Date.parse(edge.node.occurredAt))).toBe(false);
    }
  });

  it('returns null, not an error, for an unknown citizen id', async () => {
    const { status, body } = await post(graph.url, { query: FULL_HISTORY, variables: { id: 'cit_999999' } }, officer);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { citizen: null } });
  });

  it('makes one SQL statement per table touched in each department for a page of 50, whatever the page size', async () => {
    const counts: Array<Record<string, number>> = [];
    for (const first of [10, 50]) {
      graph.resetStatements();
      const { body } = await post(graph.url, { query: PAGE_WITH_SECTIONS, variables: { first } }, auditor);
      expect(body.errors).toBeUndefined();
      expect(body.data.citizens.edges).toHaveLength(first);
      counts.push(graph.statements());
    }
    // The audit service writes the request's one trail record: one group-commit transaction
    // (read the chain's head, insert; on PostgreSQL also its advisory lock).
    for (const count of counts) {
      expect(count.audit).toBeLessThanOrEqual(3);
      delete (count as Partial<typeof count>).audit;
    }
    // identity: the citizens page and their consent grants (for the departments' access checks).
    // health: encounters and facilities. Others: one table each.
    // applications: the desk keeps no data; nothing here asks it.
    expect(counts[1]).toEqual({ identity: 2, health: 2, education: 1, transport: 1, tax: 1, 'social-security': 1, applications: 0 });
    expect(counts[0]).toEqual(counts[1]);
  });

  it('refuses invalid arguments with a coded error and keeps serving', async () => {
    const tooMany = await post(graph.url, { query: '{ citizens(first: 1000) { edges { node { id } } } }' }, officer);
    expect(tooMany.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badNationalId = await post(graph.url, { query: '{ citizenByNationalId(nationalId: "123") { id } }' }, officer);
    expect(badNationalId.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const wrongType = await post(graph.url, { query: '{ citizens(first: "ten") { edges { node { id } } } }' }, officer);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const badVariable = await post(graph.url, { query: FULL_HISTORY, variables: { id: { not: 'an id' } } }, officer);
    expect(badVariable.status).toBe(400);
    expect(badVariable.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const unknownField = await post(graph.url, { query: '{ citizen(id: "cit_000001") { shoeSize } }' }, officer);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const still = await post(graph.url, { query: '{ citizen(id: "cit_000001") { id } }' }, officer);
    expect(still.body).toEqual({ data: { citizen: { id: 'cit_000001' } } });
  });

  it('answers malformed JSON, an empty body and a huge body with 4xx and a code', async () => {
    const malformed = await post(graph.url, '{"query": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const empty = await post(graph.url, '');
    expect(empty.status).toBe(400);
    const huge = await post(graph.url, JSON.stringify({ query: `{ citizen(id: "${'x'.repeat(2 * 1024 * 1024)}") { id } }` }));
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('reports health and readiness', async () => {
    const base = graph.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });
});
