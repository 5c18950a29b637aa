import { seedStores } from '../../../seed/run';
import { buildWorld, citizenId, population } from '../../../seed/world';
import { DEFAULT_SEED } from '../../../seed/run';
import { nationalIdProblem } from '../../../lib/national-id';
import { createIdentitySubgraph } from '../src/server';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

const people = [...population(buildWorld(60, DEFAULT_SEED))];

describe.each(BACKENDS)('identity subgraph (%s)', (backend) => {
  let identity: Awaited<ReturnType<typeof createIdentitySubgraph>>;

  beforeAll(async () => {
    const db = await openTestDb(backend, 'identity');
    await seedStores({ identity: db }, { citizens: 60 });
    identity = await createIdentitySubgraph(db);
  });
  afterAll(closeTestDbs);

  it('resolves citizen and household references, and null for unknown ids', async () => {
    const result = await execute(
      identity,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Citizen { id nationalId name { full } birthDate household { id members { id } } }
        ... on Household { id address { city } members { id } }
      } }`,
      {
        representations: [
          { __typename: 'Citizen', id: citizenId(0) },
          { __typename: 'Citizen', id: 'cit_999999' },
          { __typename: 'Household', id: people[0].household.id },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    const [citizen, unknown, household] = result.data!._entities;
    expect(citizen).toMatchObject({ id: people[0].id, nationalId: people[0].nationalId, birthDate: people[0].birthDate });
    expect(citizen.name.full).toBe(`${people[0].familyName} ${people[0].givenName}`);
    expect(unknown).toBeNull();
    const members = people.filter((p) => p.household.id === people[0].household.id).map((p) => p.id).sort();
    expect(household.members.map((m: { id: string }) => m.id).sort()).toEqual(members);
    expect(household.address.city).toBe(people[0].household.city.city);
  });

  it('every seeded national id carries a valid check character and matches the birth date', async () => {
    const result = await execute(identity, '{ citizens(first: 60) { edges { node { nationalId birthDate } } } }');
    const nodes = result.data!.citizens.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(60);
    for (const { nationalId, birthDate } of nodes) {
      expect(nationalIdProblem(nationalId)).toBeNull();
      expect(nationalId.slice(6, 14)).toBe(birthDate.replace(/-/g, ''));
    }
  });

  it('finds a citizen by national id; a malformed id is BAD_USER_INPUT and an unknown one null', async () => {
    const query = 'query ($n: String!) { citizenByNationalId(nationalId: $n) { id } }';
    expect((await execute(identity, query, { n: people[5].nationalId })).data!.citizenByNationalId.id).toBe(people[5].id);
    const wrongCheck = people[5].nationalId.slice(0, 17) + (people[5].nationalId[17] === '1' ? '2' : '1');
    const bad = await execute(identity, query, { n: wrongCheck });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0].message).toMatch(/check character/);
    expect((await execute(identity, query, { n: '11010119900101001X' })).data!.citizenByNationalId).toBeNull();
  });

  it('pages through citizens in id order with cursors', async () => {
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const result: any = await execute(identity, 'query ($after: String) { citizens(first: 25, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }', { after });
      ids.push(...result.data.citizens.edges.map((e: any) => e.node.id));
      after = result.data.citizens.pageInfo.hasNextPage ? result.data.citizens.pageInfo.endCursor : null;
    } while (after);
    expect(ids).toEqual(people.map((p) => p.id));
  });

  it('answers a page of 50 citizens with their households in one statement per table', async () => {
    identity.db.stats.statements = 0;
    const result = await execute(identity, '{ citizens(first: 50) { edges { node { id address { city } household { members { id } } } } } }');
    expect(result.errors).toBeUndefined();
    // citizens page, households by id, household members.
    expect(identity.db.stats.statements).toBe(3);
  });

  it('refuses a bad cursor and a page size out of range with BAD_USER_INPUT', async () => {
    for (const query of ['{ citizens(after: "garbage") { edges { cursor } } }', '{ citizens(first: 0) { edges { cursor } } }']) {
      const result = await execute(identity, query);
      expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });
});
