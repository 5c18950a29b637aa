import { createEducationSubgraph } from '../src/server';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { ageAt, buildWorld, citizenId, HISTORY_YEARS, population, REFERENCE_DATE, REFERENCE_YEAR } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

const CITIZENS = 60;
const people = [...population(buildWorld(CITIZENS, DEFAULT_SEED))];
/** A pupil with a few years of school behind them, so every connection has more than one page. */
const pupil = people.find((p) => p.age >= 13 && p.age <= 17)!;

/** The age at which each programme starts (children start school in the September after they turn six). */
const START_AGE: Record<string, number> = {
  PRIMARY: 6,
  JUNIOR_SECONDARY: 12,
  SENIOR_SECONDARY: 15,
  SECONDARY_VOCATIONAL: 15,
  HIGHER_VOCATIONAL: 18,
  BACHELOR: 18,
};

interface Enrollment {
  level: string;
  status: string;
  startDate: string;
  endDate: string | null;
  occurredAt: string;
  school: { kind: string; city: string };
}
interface Profile {
  enrollments: { edges: Array<{ node: Enrollment }> };
  qualifications: { edges: Array<{ node: { occurredAt: string; awardedOn: string } }> };
  examResults: { edges: Array<{ node: { occurredAt: string; score: number; maxScore: number } }> };
}

describe.each(BACKENDS)('education subgraph (%s)', (backend) => {
  let education: Awaited<ReturnType<typeof createEducationSubgraph>>;
  /** Every citizen's whole education section, by citizen id. */
  let profiles: Map<string, Profile>;

  beforeAll(async () => {
    const db = await openTestDb(backend, 'education');
    await seedStores({ education: db }, { citizens: CITIZENS });
    education = await createEducationSubgraph(db);
    const result = await execute(
      education,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { id education {
        enrollments(first: 100) { edges { node { level status startDate endDate occurredAt school { kind city } } } }
        qualifications(first: 100) { edges { node { occurredAt awardedOn } } }
        examResults(first: 100) { edges { node { occurredAt score maxScore } } }
      } } } }`,
      { representations: people.map((p) => ({ __typename: 'Citizen', id: p.id })) },
    );
    expect(result.errors).toBeUndefined();
    // As a client receives it over HTTP: instants as ISO strings.
    const { _entities } = JSON.parse(JSON.stringify(result.data));
    profiles = new Map(_entities.map((c: { id: string; education: Profile }) => [c.id, c.education]));
  });
  afterAll(closeTestDbs);

  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Citizen { id education { enrollments(first: 3) { edges { cursor node { id department title occurredAt level status school { id name kind } } } pageInfo { hasNextPage endCursor } } } }
      ... on School { id name kind city }
    }
  }`;

  it('resolves a citizen reference to their education section, newest enrollment first', async () => {
    const result = await execute(education, ENTITIES, { representations: [{ __typename: 'Citizen', id: pupil.id }] });
    expect(result.errors).toBeUndefined();
    const citizen = result.data!._entities[0];
    expect(citizen.id).toBe(pupil.id);
    const edges = citizen.education.enrollments.edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges[0].node).toMatchObject({ department: 'EDUCATION', status: 'ACTIVE', title: expect.stringMatching(/enrollment \(studying\)$/) });
    expect(edges[0].node.school.name).toMatch(/\w/);
    const times = edges.map((e: any) => Date.parse(e.node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('resolves a school reference, and null for an unknown one', async () => {
    const result = await execute(education, ENTITIES, {
      representations: [{ __typename: 'School', id: 'sch_00001' }, { __typename: 'School', id: 'sch_nope' }],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0]).toMatchObject({ id: 'sch_00001', kind: 'PRIMARY', name: expect.stringMatching(/Primary School$/) });
    expect(result.data!._entities[1]).toBeNull();
  });

  it('finds a school by id, and answers null for an unknown one', async () => {
    const result = await execute(education, `{ known: school(id: "sch_00001") { id city } unknown: school(id: "sch_nope") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ known: { id: 'sch_00001', city: 'Beijing' }, unknown: null });
  });

  it('lists the schools of a city and kind a page at a time, with one statement per page', async () => {
    const query = `query ($city: String, $kind: SchoolKind, $first: Int, $after: String) {
      schools(city: $city, kind: $kind, first: $first, after: $after) { edges { node { id name kind city } } pageInfo { hasNextPage endCursor } }
    }`;
    education.db.stats.statements = 0;
    const nanjing = await execute(education, query, { city: 'Nanjing', first: 3 });
    expect(nanjing.errors).toBeUndefined();
    expect(education.db.stats.statements).toBe(1);
    const page = nanjing.data!.schools as { edges: Array<{ node: { id: string; kind: string; city: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(page.edges.map((e) => e.node.kind)).toEqual(['PRIMARY', 'SECONDARY', 'UNIVERSITY']);
    expect(page.edges.every((e) => e.node.city === 'Nanjing')).toBe(true);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await execute(education, query, { city: 'Nanjing', first: 3, after: page.pageInfo.endCursor });
    expect((next.data!.schools as typeof page).edges.map((e) => e.node.kind)).toEqual(['VOCATIONAL']);
    expect((next.data!.schools as typeof page).pageInfo.hasNextPage).toBe(false);
    const primary = await execute(education, query, { kind: 'PRIMARY', first: 100 });
    const primaries = (primary.data!.schools as typeof page).edges.map((e) => e.node);
    expect(primaries).toHaveLength(10);
    expect(primaries.every((s) => s.kind === 'PRIMARY')).toBe(true);
    expect(primaries.map((s) => s.id)).toEqual([...primaries.map((s) => s.id)].sort());
    const tooMany = await execute(education, query, { first: 101 });
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0].message).toMatch(/"first" must be between 1 and 100/);
  });

  it('pages with cursors without repeating a record', async () => {
    const representations = [{ __typename: 'Citizen', id: pupil.id }];
    const PAGE = `query ($representations: [_Any!]!, $first: Int!, $after: String) {
      _entities(representations: $representations) { ... on Citizen { education {
        examResults(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
      } } }
    }`;
    const page = (first: number, after?: string) => execute(education, PAGE, { representations, first, after });
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 100; i++) {
      const result = await page(3, after);
      expect(result.errors).toBeUndefined();
      const connection = result.data!._entities[0].education.examResults;
      seen.push(...connection.edges.map((e: any) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThan(3);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await page(100);
    expect(seen).toEqual(all.data!._entities[0].education.examResults.edges.map((e: any) => e.node.id));
  });

  it('loads every section of 50 citizens with one statement per table', async () => {
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Citizen', id: citizenId(i) }));
    education.db.stats.statements = 0;
    const result = await execute(
      education,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { education {
        enrollments(first: 5) { edges { node { id title school { name } } } }
        qualifications(first: 5) { edges { node { id title school { name } } } }
        examResults(first: 5) { edges { node { id title school { name } } } }
      } } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    // enrollments, qualifications, exam_results, schools (one batch for all three, once every page
    // is in: see LoaderScope).
    expect(education.db.stats.statements).toBe(4);
  });

  it('refuses a page size out of range with BAD_USER_INPUT', async () => {
    const result = await execute(education, `{ _entities(representations: [{ __typename: "Citizen", id: "${citizenId(0)}" }]) { ... on Citizen { education { enrollments(first: 1000) { edges { node { id } } } } } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('enrolls every child from seven to seventeen in exactly one programme now, at a school in their city', () => {
    const children = people.filter((p) => p.age >= 7 && p.age <= 17);
    expect(children.length).toBeGreaterThan(0);
    for (const child of children) {
      const active = profiles.get(child.id)!.enrollments.edges.map((e) => e.node).filter((e) => e.status === 'ACTIVE');
      expect(active).toHaveLength(1);
      expect(active[0].endDate).toBeNull();
      if (active[0].level === 'PRIMARY') expect(active[0].school.city).toBe(child.household.city.city);
    }
  });

  it('starts each programme at the age it is meant for, and keeps nothing for children under six', () => {
    for (const person of people) {
      const profile = profiles.get(person.id)!;
      const records = [...profile.enrollments.edges, ...profile.qualifications.edges, ...profile.examResults.edges];
      if (person.age < 6) expect(records).toEqual([]);
      for (const { node } of profile.enrollments.edges) {
        expect({ level: node.level, age: ageAt(person.birthDate, node.startDate) }).toEqual({ level: node.level, age: START_AGE[node.level] });
        if (node.status === 'ACTIVE') expect(person.age).toBeLessThanOrEqual(22);
        else expect(node.endDate! > node.startDate).toBe(true);
      }
      for (const { node } of records) {
        expect(ageAt(person.birthDate, node.occurredAt.slice(0, 10))).toBeGreaterThanOrEqual(6);
      }
    }
  });

  it('keeps only the last HISTORY_YEARS years of records, none dated after the reference day', () => {
    const historyStart = `${REFERENCE_YEAR - HISTORY_YEARS}-01-01`;
    for (const profile of profiles.values()) {
      const records = [...profile.enrollments.edges, ...profile.qualifications.edges, ...profile.examResults.edges];
      for (const { node } of records) {
        expect(node.occurredAt.slice(0, 10) >= historyStart && node.occurredAt.slice(0, 10) <= REFERENCE_DATE).toBe(true);
      }
      for (const { node } of profile.examResults.edges) expect(node.score).toBeLessThanOrEqual(node.maxScore);
    }
  });
});
