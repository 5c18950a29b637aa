import { createTransportSubgraph } from '../src/server';
import { plusYears } from '../../../seed/dates';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { buildWorld, citizenId, HISTORY_YEARS, population, REFERENCE_DATE, REFERENCE_YEAR } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

interface Vehicle {
  id: string;
  department: string;
  title: string;
  occurredAt: string;
  plate: string;
  make: string;
  model: string;
  modelYear: number;
  fuelType: string;
  firstRegisteredOn: string;
}
interface Violation {
  id: string;
  department: string;
  title: string;
  occurredAt: string;
  kind: string;
  points: number;
  fine: { amount: string; currency: string };
  vehicle: Vehicle;
}
interface Licence {
  occurredAt: string;
  issuedOn: string;
  expiresOn: string;
  penaltyPoints: number;
  status: 'VALID' | 'SUSPENDED' | 'EXPIRED';
  categories: string[];
  title: string;
}
interface Connection<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface TransportSection {
  id: string;
  transport: { drivingLicence: Licence | null; vehicles: Connection<Vehicle>; violations: Connection<Violation> };
}

const VEHICLE_FIELDS = 'id department title occurredAt plate make model modelYear fuelType firstRegisteredOn';
const SECTIONS = `query ($representations: [_Any!]!, $first: Int!) {
  _entities(representations: $representations) { ... on Citizen { id transport {
    drivingLicence { occurredAt issuedOn expiresOn penaltyPoints status categories title }
    vehicles(first: $first) { edges { cursor node { ${VEHICLE_FIELDS} } } pageInfo { hasNextPage endCursor } }
    violations(first: $first) {
      edges { cursor node { id department title occurredAt kind points fine vehicle { ${VEHICLE_FIELDS} } } }
      pageInfo { hasNextPage endCursor }
    }
  } } }
}`;
const citizens = (ids: string[]) => ids.map((id) => ({ __typename: 'Citizen', id }));
const nodes = <Node>(connection: Connection<Node>) => connection.edges.map((edge) => edge.node);
const newestFirst = (records: Array<{ occurredAt: string }>) => {
  const times = records.map((r) => Date.parse(r.occurredAt));
  return [...times].sort((a, b) => b - a).join() === times.join();
};

describe.each(BACKENDS)('transport subgraph (%s)', (backend) => {
  let transport: Awaited<ReturnType<typeof createTransportSubgraph>>;
  const people = [...population(buildWorld(60, DEFAULT_SEED))];

  beforeAll(async () => {
    const db = await openTestDb(backend, 'transport');
    await seedStores({ transport: db }, { citizens: 60 });
    transport = await createTransportSubgraph(db);
  });
  afterAll(closeTestDbs);

  /**
   * Runs an operation that must succeed and returns its data as a client receives it: JSON, so
   * `DateTime` values are strings (in-process results still hold them as `Date` objects).
   */
  async function query<Data>(document: string, variables: Record<string, unknown>): Promise<Data> {
    const result = await execute(transport, document, variables);
    expect(result.errors).toBeUndefined();
    return JSON.parse(JSON.stringify(result.data)) as Data;
  }

  /** The transport sections of `ids`, with up to `first` vehicles and violations each. */
  async function sections(ids: string[], first: number): Promise<TransportSection[]> {
    const data = await query<{ _entities: TransportSection[] }>(SECTIONS, { representations: citizens(ids), first });
    return data._entities;
  }
  const everyone = people.map((p) => p.id);

  it('shows a driver their licence, their vehicles newest first, and the vehicle behind each violation', async () => {
    const driver = (await sections(everyone, 5)).find((c) => c.transport.violations.edges.length > 0)!;
    expect(driver).toBeDefined();
    const { drivingLicence, vehicles, violations } = driver.transport;
    expect(drivingLicence?.title).toMatch(/^Driving licence [A-Z0-9/]+, /);
    expect(nodes(vehicles).length).toBeGreaterThan(0);
    expect(newestFirst(nodes(vehicles))).toBe(true);
    expect(newestFirst(nodes(violations))).toBe(true);
    for (const vehicle of nodes(vehicles)) {
      expect(vehicle.department).toBe('TRANSPORT');
      expect(vehicle.plate).toMatch(/^\p{Script=Han}[A-Z]·[0-9A-Z]{5,6}$/u);
    }
    const violation = nodes(violations)[0];
    expect(violation.department).toBe('TRANSPORT');
    expect(violation.fine).toEqual({ amount: expect.stringMatching(/^\d+\.\d{2}$/), currency: 'CNY' });
    expect(violation.title).toMatch(/ on .+: \d+\.\d{2} CNY(, \d+ points?)?$/);
    expect(nodes(vehicles).map((v) => v.id)).toContain(violation.vehicle.id);
  });

  it('gives a child an empty transport section rather than an error', async () => {
    const child = people.find((p) => p.age < 18)!;
    const [section] = await sections([child.id], 5);
    expect(section.transport).toEqual({
      drivingLicence: null,
      vehicles: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      violations: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
    });
  });

  it('resolves a vehicle reference to the vehicle its owner sees, and null for an unknown one', async () => {
    const owned = (await sections(everyone, 1)).flatMap((c) => nodes(c.transport.vehicles))[0];
    const data = await query<{ _entities: Array<Vehicle | null> }>(
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Vehicle { ${VEHICLE_FIELDS} } } }`,
      { representations: [{ __typename: 'Vehicle', id: owned.id }, { __typename: 'Vehicle', id: 'veh_nope' }] },
    );
    expect(data._entities).toEqual([owned, null]);
  });

  it('pages through violations with cursors without repeating or skipping one', async () => {
    const all = await sections(everyone, 100);
    const busiest = all.reduce((a, b) => (b.transport.violations.edges.length > a.transport.violations.edges.length ? b : a));
    const everything = nodes(busiest.transport.violations).map((v) => v.id);
    expect(everything.length).toBeGreaterThan(4);
    const PAGE = `query ($representations: [_Any!]!, $first: Int!, $after: String) {
      _entities(representations: $representations) { ... on Citizen { transport {
        violations(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
      } } }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const data = await query<{ _entities: TransportSection[] }>(PAGE, { representations: citizens([busiest.id]), first: 3, after });
      const page: Connection<Violation> = data._entities[0].transport.violations;
      seen.push(...nodes(page).map((v) => v.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after && seen.length <= everything.length);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(everything);
  });

  it('loads the transport sections of 50 citizens with one statement per table', async () => {
    transport.db.stats.statements = 0;
    await sections(everyone.slice(0, 50), 5);
    // driving_licences, vehicles (pages), violations (pages), vehicles by id (violations' foreign keys).
    expect(transport.db.stats.statements).toBe(4);
  });

  it('refuses a page size out of range with BAD_USER_INPUT', async () => {
    const result = await execute(transport, `{ _entities(representations: [{ __typename: "Citizen", id: "${citizenId(0)}" }]) { ... on Citizen { transport { violations(first: 1000) { edges { node { id } } } } } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('licenses drivers only from 18 to 35, registers vehicles only to licence holders, and records violations only after both', async () => {
    const byCitizen = new Map((await sections(everyone, 100)).map((c) => [c.id, c.transport]));
    const historyStart = Date.parse(`${REFERENCE_YEAR - HISTORY_YEARS}-01-01`);
    const endOfReference = Date.parse(`${REFERENCE_DATE}T23:59:59Z`);
    let drivers = 0;
    for (const person of people) {
      const { drivingLicence: licence, vehicles, violations } = byCitizen.get(person.id)!;
      expect(vehicles.pageInfo.hasNextPage || violations.pageInfo.hasNextPage).toBe(false);
      if (!licence) {
        expect([vehicles.edges, violations.edges]).toEqual([[], []]);
        continue;
      }
      drivers++;
      expect(person.age).toBeGreaterThanOrEqual(18);
      expect(licence.issuedOn >= plusYears(person.birthDate, 18) && licence.issuedOn < plusYears(person.birthDate, 36)).toBe(true);
      expect(licence.occurredAt.slice(0, 10)).toBe(licence.issuedOn);
      expect(licence.expiresOn > licence.issuedOn).toBe(true);
      expect(licence.status === 'EXPIRED').toBe(licence.expiresOn < REFERENCE_DATE);
      if (licence.status !== 'EXPIRED') expect(licence.status === 'SUSPENDED').toBe(licence.penaltyPoints >= 12);

      const ownVehicles = new Set(nodes(vehicles).map((v) => v.id));
      for (const vehicle of nodes(vehicles)) {
        expect(Date.parse(vehicle.occurredAt)).toBeGreaterThanOrEqual(Date.parse(licence.occurredAt));
        expect(Date.parse(vehicle.occurredAt)).toBeLessThanOrEqual(endOfReference);
        expect(vehicle.firstRegisteredOn <= vehicle.occurredAt.slice(0, 10)).toBe(true);
      }
      for (const violation of nodes(violations)) {
        const when = Date.parse(violation.occurredAt);
        expect(ownVehicles.has(violation.vehicle.id)).toBe(true);
        expect(when).toBeGreaterThanOrEqual(Math.max(Date.parse(violation.vehicle.occurredAt), historyStart));
        expect(when).toBeLessThanOrEqual(endOfReference);
      }
    }
    // The check means something only if the sample has drivers (about two in five people).
    expect(drivers).toBeGreaterThan(10);
  });
});
