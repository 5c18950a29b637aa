import { createTaxSubgraph } from '../src/server';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { buildWorld, citizenId, HISTORY_YEARS, population, REFERENCE_DATE, REFERENCE_YEAR, type Person } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

// About 4% of adults run a business and few businesses export: 60 citizens hold no such owner, 150 do.
const CITIZENS = 150;
const world = buildWorld(CITIZENS, DEFAULT_SEED);
const people = [...population(world)];
const exporterIds = new Set(world.businesses.filter((b) => b.exporter).map((b) => b.id));
const exporterOwner = people.find((p) => p.ownsBusinessId && exporterIds.has(p.ownsBusinessId))!;
const END_OF_REFERENCE_DAY = Date.parse(`${REFERENCE_DATE}T23:59:59Z`);

/** The job a person held in `year`, if any (the world's jobs never overlap). */
const jobIn = (p: Person, year: number) => p.jobs.find((j) => j.fromYear <= year && year <= (j.toYear ?? REFERENCE_YEAR));
/** Someone who has worked for the last five completed years: several returns to page through. */
const worker = people.find((p) => jobIn(p, REFERENCE_YEAR - 1) && jobIn(p, REFERENCE_YEAR - 5))!;
if (!exporterOwner || !worker) throw new Error(`${CITIZENS} citizens hold no exporter's owner or no long-time worker: raise CITIZENS`);

const time = (instant: Date | string) => new Date(instant).getTime();
const citizenRef = (p: Person | number) => ({ __typename: 'Citizen', id: typeof p === 'number' ? citizenId(p) : p.id });

describe.each(BACKENDS)('tax subgraph (%s)', (backend) => {
  let tax: Awaited<ReturnType<typeof createTaxSubgraph>>;

  beforeAll(async () => {
    const db = await openTestDb(backend, 'tax');
    await seedStores({ tax: db }, { citizens: CITIZENS });
    tax = await createTaxSubgraph(db);
  });
  afterAll(closeTestDbs);

  type PageFetch = (first: number, after?: string) => Promise<{ edges: Array<{ node: { id: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } }>;

  /**
   * Follows `endCursor` through pages of `size` and expects more than one page, no record twice,
   * and the same records in the same order as one page of 100.
   */
  async function expectPagingMatchesOneBigPage(page: PageFetch, size: number): Promise<void> {
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const connection = await page(size, after);
      seen.push(...connection.edges.map((e) => e.node.id));
      after = (connection.pageInfo.hasNextPage && connection.pageInfo.endCursor) || undefined;
    } while (after && seen.length <= 100);
    expect(seen.length).toBeGreaterThan(size);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual((await page(100)).edges.map((e) => e.node.id));
  }

  it("resolves a citizen reference to their tax section, newest return first, naming each year's employer", async () => {
    const result = await execute(
      tax,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { id tax {
        returns(first: 5) { edges { node { id department title occurredAt taxYear status employer { id name } taxDue } } }
        payments(first: 5) { edges { node { id title amount taxReturn { id taxYear } } } }
      } } } }`,
      { representations: [citizenRef(worker)] },
    );
    expect(result.errors).toBeUndefined();
    const { returns, payments } = result.data!._entities[0].tax;
    expect(returns.edges.length).toBeGreaterThan(0);
    const latest = returns.edges[0].node;
    expect(latest).toMatchObject({ department: 'TAX', taxYear: REFERENCE_YEAR - 1, taxDue: { currency: 'CNY' } });
    expect(latest.title).toContain(`Income tax return ${REFERENCE_YEAR - 1}`);
    expect(latest.employer.name).toMatch(/Co\., Ltd\./);
    const times = returns.edges.map((e: any) => time(e.node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(payments.edges[0].node.taxReturn.id).toMatch(/^txr_/);
  });

  it('resolves a business reference with the export rebates filed for it, and null for an unknown one', async () => {
    const businessId = exporterOwner.ownsBusinessId!;
    const result = await execute(
      tax,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Business {
        id name sector exporter foundedOn
        exportRebates(first: 10) { edges { node { id title amount goods status business { id } citizen { id } } } }
      } } }`,
      { representations: [{ __typename: 'Business', id: businessId }, { __typename: 'Business', id: 'biz_nope' }] },
    );
    expect(result.errors).toBeUndefined();
    const [business, unknown] = result.data!._entities;
    expect(business).toMatchObject({ id: businessId, exporter: true, foundedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(business.exportRebates.edges.length).toBeGreaterThan(0);
    for (const { node } of business.exportRebates.edges) {
      expect(node.business.id).toBe(businessId);
      expect(people.find((p) => p.id === node.citizen.id)?.ownsBusinessId).toBe(businessId);
    }
    expect(unknown).toBeNull();
  });

  it('looks a business up by id, and answers null for an id nobody registered', async () => {
    const result = await execute(tax, `{ known: business(id: "biz_000001") { id name city } unknown: business(id: "biz_nope") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.known).toMatchObject({ id: 'biz_000001', name: world.businesses[0].name });
    expect(result.data!.unknown).toBeNull();
  });

  it("pages a citizen's returns with cursors without repeating one, the same as one big page", async () => {
    const PAGE = `query ($representations: [_Any!]!, $first: Int!, $after: String) {
      _entities(representations: $representations) { ... on Citizen { tax {
        returns(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }
      } } }
    }`;
    const page: PageFetch = async (first, after) => {
      const result = await execute(tax, PAGE, { representations: [citizenRef(worker)], first, after });
      expect(result.errors).toBeUndefined();
      return result.data!._entities[0].tax.returns;
    };
    await expectPagingMatchesOneBigPage(page, 2);
  });

  it("pages a business's export rebates with cursors without repeating one, the same as one big page", async () => {
    const PAGE = `query ($id: ID!, $first: Int!, $after: String) {
      business(id: $id) { exportRebates(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }
    }`;
    const page: PageFetch = async (first, after) => {
      const result = await execute(tax, PAGE, { id: exporterOwner.ownsBusinessId, first, after });
      expect(result.errors).toBeUndefined();
      return result.data!.business.exportRebates;
    };
    await expectPagingMatchesOneBigPage(page, 3);
  });

  it('loads every section and foreign key of 50 citizens with one statement per batch, never one per citizen', async () => {
    const representations = [citizenRef(exporterOwner), ...Array.from({ length: 49 }, (_, i) => citizenRef(i))];
    tax.db.stats.statements = 0;
    const result = await execute(
      tax,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { tax {
        returns(first: 5) { edges { node { id employer { name } grossIncome taxDue } } }
        payments(first: 5) { edges { node { id amount taxReturn { taxYear } } } }
        exportRebates(first: 5) { edges { node { id amount citizen { id } business { name } } } }
        businesses { id name exportRebates(first: 5) { edges { node { id } } } }
      } } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0].tax.exportRebates.edges.length).toBeGreaterThan(0);
    // One statement per loader batch, never per citizen: pages of returns, payments, a citizen's
    // rebates and a business's rebates (4); the businesses they own (1); returns by id (1);
    // businesses by id for employers and for rebates, together once every page is in (1).
    expect(tax.db.stats.statements).toBe(7);
  });

  it('refuses a page size out of range with BAD_USER_INPUT', async () => {
    const result = await execute(tax, `{ _entities(representations: [{ __typename: "Citizen", id: "${citizenId(0)}" }]) { ... on Citizen { tax { returns(first: 1000) { edges { node { id } } } } } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  describe('the seeded records agree with the shared population', () => {
    let sections: Map<string, any>;

    beforeAll(async () => {
      const result = await execute(
        tax,
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { id tax {
          returns(first: 100) { edges { node { id occurredAt taxYear status employer { id } grossIncome taxableIncome taxDue } } }
          payments(first: 100) { edges { node { occurredAt amount taxReturn { id occurredAt taxDue } } } }
          exportRebates(first: 100) { edges { node { occurredAt business { id foundedOn } } } }
          businesses { id }
        } } } }`,
        { representations: people.map(citizenRef) },
      );
      expect(result.errors).toBeUndefined();
      sections = new Map(result.data!._entities.map((c: any) => [c.id, c.tax]));
    });

    it('files one return for every completed year a person worked, with that year\'s employer and wages', () => {
      for (const p of people) {
        const returns = sections.get(p.id).returns.edges.map((e: any) => e.node);
        const expectedYears: number[] = [];
        for (let year = REFERENCE_YEAR - 1; year >= REFERENCE_YEAR - HISTORY_YEARS; year--) if (jobIn(p, year)) expectedYears.push(year);
        expect({ citizen: p.id, years: returns.map((r: any) => r.taxYear) }).toEqual({ citizen: p.id, years: expectedYears });
        for (const r of returns) {
          const job = jobIn(p, r.taxYear)!;
          expect(r.employer.id).toBe(job.businessId);
          expect(Number(r.grossIncome.amount)).toBe(job.annualSalary);
          expect(Number(r.taxableIncome.amount)).toBe(Math.max(0, job.annualSalary - 60_000));
          expect(new Date(r.occurredAt).getUTCFullYear()).toBe(r.taxYear + 1);
          expect(r.taxYear - Number(p.birthDate.slice(0, 4))).toBeGreaterThanOrEqual(18);
        }
      }
    });

    it('settles every return with tax to pay, unless overdue, by one payment after filing', () => {
      for (const p of people) {
        const { returns, payments } = sections.get(p.id);
        const owing = returns.edges.map((e: any) => e.node).filter((r: any) => Number(r.taxDue.amount) > 0 && r.status !== 'OVERDUE');
        const paid = payments.edges.map((e: any) => e.node.taxReturn.id);
        expect([...paid].sort()).toEqual(owing.map((r: any) => r.id).sort());
        for (const { node } of payments.edges) {
          expect(node.amount.amount).toBe(node.taxReturn.taxDue.amount);
          expect(time(node.occurredAt)).toBeGreaterThan(time(node.taxReturn.occurredAt));
          expect(time(node.occurredAt)).toBeLessThanOrEqual(END_OF_REFERENCE_DAY);
        }
      }
    });

    it('lets only the person running an exporting business claim export rebates, from when they were old enough and it existed', () => {
      for (const p of people) {
        const { businesses, exportRebates } = sections.get(p.id);
        expect(businesses.map((b: any) => b.id)).toEqual(p.ownsBusinessId ? [p.ownsBusinessId] : []);
        if (!p.ownsBusinessId || !exporterIds.has(p.ownsBusinessId)) expect(exportRebates.edges).toEqual([]);
        for (const { node } of exportRebates.edges) {
          expect(node.business.id).toBe(p.ownsBusinessId);
          const filed = new Date(node.occurredAt);
          expect(filed.toISOString().slice(0, 10) > node.business.foundedOn).toBe(true);
          // The world only has people of 25 and over run a business.
          expect(filed.getUTCFullYear() - Number(p.birthDate.slice(0, 4))).toBeGreaterThanOrEqual(25);
          expect(time(node.occurredAt)).toBeLessThanOrEqual(END_OF_REFERENCE_DAY);
        }
      }
    });
  });
});
