import { createHealthSubgraph } from '../src/server';
import { seedStores } from '../../../seed/run';
import { citizenId } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

describe.each(BACKENDS)('health subgraph (%s)', (backend) => {
  let health: Awaited<ReturnType<typeof createHealthSubgraph>>;

  beforeAll(async () => {
    const db = await openTestDb(backend, 'health');
    await seedStores({ health: db }, { citizens: 60 });
    health = await createHealthSubgraph(db);
  });
  afterAll(closeTestDbs);

  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Citizen { id health { encounters(first: 3) { edges { cursor node { id department title occurredAt kind facility { id name } } } pageInfo { hasNextPage endCursor } } } }
      ... on Facility { id name kind city }
    }
  }`;

  it('resolves a citizen reference to their health section, newest encounter first', async () => {
    const result = await execute(health, ENTITIES, { representations: [{ __typename: 'Citizen', id: citizenId(0) }] });
    expect(result.errors).toBeUndefined();
    const citizen = result.data!._entities[0];
    expect(citizen.id).toBe(citizenId(0));
    const edges = citizen.health.encounters.edges;
    expect(edges.length).toBeGreaterThan(0);
    expect(edges[0].node.department).toBe('HEALTH');
    expect(edges[0].node.facility.name).toMatch(/\w/);
    const times = edges.map((e: any) => Date.parse(e.node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('resolves a facility reference, and null for an unknown one', async () => {
    const result = await execute(health, ENTITIES, {
      representations: [{ __typename: 'Facility', id: 'fac_00001' }, { __typename: 'Facility', id: 'fac_nope' }],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0]).toMatchObject({ id: 'fac_00001', kind: expect.any(String) });
    expect(result.data!._entities[1]).toBeNull();
  });

  it('pages with cursors without repeating a record', async () => {
    const representations = [{ __typename: 'Citizen', id: citizenId(3) }];
    const PAGE = `query ($representations: [_Any!]!, $first: Int!, $after: String) {
      _entities(representations: $representations) { ... on Citizen { health {
        encounters(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
      } } }
    }`;
    const page = (first: number, after?: string) => execute(health, PAGE, { representations, first, after });
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 50; i++) {
      const result = await page(2, after);
      expect(result.errors).toBeUndefined();
      const connection = result.data!._entities[0].health.encounters;
      seen.push(...connection.edges.map((e: any) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const all = await page(100);
    expect(seen).toEqual(all.data!._entities[0].health.encounters.edges.map((e: any) => e.node.id));
  });

  it('loads every section of 50 citizens with one statement per table', async () => {
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Citizen', id: citizenId(i) }));
    health.db.stats.statements = 0;
    const result = await execute(
      health,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { health {
        encounters(first: 5) { edges { node { id facility { name } } } }
        prescriptions(first: 5) { edges { node { id encounter { id } } } }
        vaccinations(first: 5) { edges { node { id facility { name } } } }
        insuranceClaims(first: 5) { edges { node { id claimed reimbursed } } }
      } } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    // encounters, prescriptions, vaccinations, claims, facilities (one batch), encounters by id.
    expect(health.db.stats.statements).toBe(6);
  });

  it('refuses a page size out of range with BAD_USER_INPUT', async () => {
    const result = await execute(health, `{ _entities(representations: [{ __typename: "Citizen", id: "${citizenId(0)}" }]) { ... on Citizen { health { encounters(first: 1000) { edges { node { id } } } } } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});
