import { createSocialSecuritySubgraph } from '../src/server';
import { plusYears } from '../../../seed/dates';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { buildWorld, citizenId, population, REFERENCE_DATE, REFERENCE_YEAR, type Person } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

const CITIZENS = 60;
const people: Person[] = [...population(buildWorld(CITIZENS, DEFAULT_SEED))];
const working = people.find((p) => p.jobs.some((job) => job.toYear === null))!;
const employerId = working.jobs[0].businessId;
const birthYear = (p: Person) => Number(p.birthDate.slice(0, 4));

interface ContributionNode {
  id: string;
  year: number;
  months: number;
  occurredAt: string;
  employer: { id: string };
  citizen: { id: string };
  employeeAmount: { amount: string };
  employerAmount: { amount: string };
}
interface BenefitNode {
  kind: string;
  status: string;
  startDate: string;
  endDate: string | null;
  occurredAt: string;
}
interface Section {
  contributions: { edges: Array<{ node: ContributionNode }> };
  benefits: { edges: Array<{ node: BenefitNode }> };
  pension: { scheme: string; startDate: string; occurredAt: string } | null;
}

describe.each(BACKENDS)('social security subgraph (%s)', (backend) => {
  let socialSecurity: Awaited<ReturnType<typeof createSocialSecuritySubgraph>>;

  beforeAll(async () => {
    const db = await openTestDb(backend, 'social-security');
    await seedStores({ 'social-security': db }, { citizens: CITIZENS });
    socialSecurity = await createSocialSecuritySubgraph(db);
  });
  afterAll(closeTestDbs);

  const CONTRIBUTION = `id department title occurredAt scheme year months employer { id } citizen { id }
    employeeAmount employerAmount`;
  const ENTITIES = `query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Citizen { id socialSecurity {
        contributions(first: 3) { edges { cursor node { ${CONTRIBUTION} } } pageInfo { hasNextPage endCursor } }
      } }
      ... on Business { id contributions(first: 5) { edges { node { ${CONTRIBUTION} } } pageInfo { hasNextPage } } }
    }
  }`;

  it('resolves a citizen reference to their social security section, newest contribution first', async () => {
    const result = await execute(socialSecurity, ENTITIES, { representations: [{ __typename: 'Citizen', id: working.id }] });
    expect(result.errors).toBeUndefined();
    const citizen = result.data!._entities[0];
    expect(citizen.id).toBe(working.id);
    const nodes: ContributionNode[] = citizen.socialSecurity.contributions.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes[0]).toMatchObject({ department: 'SOCIAL_SECURITY', scheme: 'PENSION_INSURANCE', citizen: { id: working.id } });
    expect(nodes[0].year).toBe(REFERENCE_YEAR); // still working, so this year's contributions come first
    // The employer pays twice the employee's share.
    expect(Number(nodes[0].employerAmount.amount)).toBeCloseTo(2 * Number(nodes[0].employeeAmount.amount), 1);
    const times = nodes.map((node) => Date.parse(node.occurredAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('resolves an employer to the contributions it paid for its employees, and an unknown one to none', async () => {
    const result = await execute(socialSecurity, ENTITIES, {
      representations: [{ __typename: 'Business', id: employerId }, { __typename: 'Business', id: 'biz_nope' }],
    });
    expect(result.errors).toBeUndefined();
    const [employer, unknown] = result.data!._entities;
    expect(employer.id).toBe(employerId);
    const nodes: ContributionNode[] = employer.contributions.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      expect(node.employer.id).toBe(employerId);
      // Each contribution leads back to an employee of this business in that year.
      const employee = people.find((p) => p.id === node.citizen.id)!;
      expect(employee.jobs.some((job) => job.businessId === employerId && job.fromYear <= node.year)).toBe(true);
    }
    // Tax owns businesses, so any id is a business here: one with no employees has no contributions.
    expect(unknown).toEqual({ id: 'biz_nope', contributions: { edges: [], pageInfo: { hasNextPage: false } } });
  });

  const PAGE_ARGS = `(first: $first, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } }`;
  it.each([
    ["a citizen's contributions", { __typename: 'Citizen', id: working.id }, `... on Citizen { socialSecurity { contributions${PAGE_ARGS} } }`, (e: any) => e.socialSecurity.contributions],
    ["an employer's contributions", { __typename: 'Business', id: employerId }, `... on Business { contributions${PAGE_ARGS} }`, (e: any) => e.contributions],
  ])('pages %s with cursors without repeating a record', async (_what, representation, selection, connectionOf) => {
    const PAGE = `query ($representations: [_Any!]!, $first: Int!, $after: String) {
      _entities(representations: $representations) { ${selection} }
    }`;
    const representations = [representation];
    const page = (first: number, after?: string) => execute(socialSecurity, PAGE, { representations, first, after });
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 100; i++) {
      const result = await page(2, after);
      expect(result.errors).toBeUndefined();
      const connection = connectionOf(result.data!._entities[0]);
      seen.push(...connection.edges.map((e: any) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen.length).toBeGreaterThan(2);
    expect(new Set(seen).size).toBe(seen.length);
    const all = await page(100);
    expect(seen).toEqual(connectionOf(all.data!._entities[0]).edges.map((e: any) => e.node.id));
  });

  it('loads every section of 50 citizens with one statement per table', async () => {
    const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Citizen', id: citizenId(i) }));
    socialSecurity.db.stats.statements = 0;
    const result = await execute(
      socialSecurity,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { socialSecurity {
        contributions(first: 5) { edges { node { id employer { id } citizen { id } employeeAmount } } }
        benefits(first: 5) { edges { node { id kind monthlyAmount } } }
        pension { id monthlyAmount }
      } } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    // contributions, benefits, pensions; employer and citizen are references that need no lookup.
    expect(socialSecurity.db.stats.statements).toBeLessThanOrEqual(3);
  });

  it('loads the contributions of many employers with one statement', async () => {
    const representations = Array.from({ length: 20 }, (_, i) => ({ __typename: 'Business', id: `biz_${String(i + 1).padStart(6, '0')}` }));
    socialSecurity.db.stats.statements = 0;
    const result = await execute(
      socialSecurity,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Business {
        contributions(first: 5) { edges { node { id citizen { id } } } }
      } } }`,
      { representations },
    );
    expect(result.errors).toBeUndefined();
    expect(socialSecurity.db.stats.statements).toBe(1);
  });

  it('refuses a page size out of range with BAD_USER_INPUT', async () => {
    const result = await execute(socialSecurity, `{ _entities(representations: [{ __typename: "Citizen", id: "${citizenId(0)}" }]) { ... on Citizen { socialSecurity { contributions(first: 1000) { edges { node { id } } } } } } }`);
    expect(result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  describe("the seeded records fit each citizen's age and working life", () => {
    let sections: Map<string, Section>;

    beforeAll(async () => {
      const result = await execute(
        socialSecurity,
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Citizen { id socialSecurity {
          contributions(first: 100) { edges { node { id year months occurredAt employer { id } } } }
          benefits(first: 100) { edges { node { kind status startDate endDate occurredAt } } }
          pension { scheme startDate occurredAt }
        } } } }`,
        { representations: people.map((p) => ({ __typename: 'Citizen', id: p.id })) },
      );
      expect(result.errors).toBeUndefined();
      sections = new Map(result.data!._entities.map((e: any) => [e.id, e.socialSecurity]));
    });

    it("has contributions only for the years and employers of a citizen's jobs, one per job-year", () => {
      for (const p of people) {
        const contributions = sections.get(p.id)!.contributions.edges.map((e) => e.node);
        const jobYears = p.jobs.reduce((sum, job) => sum + (job.toYear ?? REFERENCE_YEAR) - job.fromYear + 1, 0);
        expect(contributions).toHaveLength(jobYears);
        for (const c of contributions) {
          const job = p.jobs.find((j) => j.fromYear <= c.year && c.year <= (j.toYear ?? REFERENCE_YEAR));
          expect(job?.businessId).toBe(c.employer.id);
          expect(c.year - birthYear(p)).toBeGreaterThanOrEqual(18);
        }
      }
    });

    it('pays pensions only to citizens past retirement age with no open job', () => {
      const pensioners = people.filter((p) => sections.get(p.id)!.pension);
      expect(pensioners.length).toBeGreaterThan(0);
      for (const p of pensioners) {
        const pension = sections.get(p.id)!.pension!;
        expect(p.jobs.some((job) => job.toYear === null)).toBe(false);
        expect(Number(pension.startDate.slice(0, 4)) - birthYear(p)).toBeGreaterThanOrEqual(55);
        // Contributions stop when the pension starts.
        const lastContribution = Math.max(0, ...sections.get(p.id)!.contributions.edges.map((e) => e.node.year));
        expect(lastContribution).toBeLessThan(Number(pension.startDate.slice(0, 4)));
      }
    });

    it('grants childcare only to children under three and unemployment benefit only in years out of work', () => {
      for (const p of people) {
        for (const { node: benefit } of sections.get(p.id)!.benefits.edges) {
          expect(benefit.startDate <= REFERENCE_DATE).toBe(true);
          if (benefit.endDate) expect(benefit.endDate >= benefit.startDate).toBe(true);
          if (benefit.kind === 'CHILD') expect(benefit.startDate < plusYears(p.birthDate, 3)).toBe(true);
          if (benefit.kind !== 'CHILD') expect(p.age).toBeGreaterThanOrEqual(18);
          if (benefit.kind === 'UNEMPLOYMENT') {
            const year = Number(benefit.startDate.slice(0, 4));
            expect(p.jobs.some((job) => job.fromYear <= year && year <= (job.toYear ?? REFERENCE_YEAR))).toBe(false);
            expect(p.jobs.some((job) => job.toYear !== null && job.toYear < year)).toBe(true);
          }
        }
      }
    });

    it('records nothing after the reference date', () => {
      const latest = Date.parse(`${REFERENCE_DATE}T23:59:59Z`);
      for (const section of sections.values()) {
        const times = [
          ...section.contributions.edges.map((e) => e.node.occurredAt),
          ...section.benefits.edges.map((e) => e.node.occurredAt),
          ...(section.pension ? [section.pension.occurredAt] : []),
        ];
        for (const time of times) expect(Date.parse(time)).toBeLessThanOrEqual(latest);
      }
    });
  });
});
