import { memoryKeyring, useKeyring } from '../../../lib/evidence/keyring';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { buildWorld, population } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { applicationOf, departmentPrincipal, refusedCallers, verifiedStatement } from '../../../tests/support/evidence';
import { createTaxSubgraph } from '../src/server';

const world = buildWorld(60, DEFAULT_SEED);
const people = [...population(world)];
// A citizen who runs a business, and someone who does not run that one.
const owner = people.find((p) => p.ownsBusinessId)!;
const business = world.businesses.find((b) => b.id === owner.ownsBusinessId)!;
const other = people.find((p) => p.ownsBusinessId !== business.id)!;

const EVIDENCE = `query ($representations: [_Any!]!, $type: EvidenceType!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Business { taxEvidence(type: $type, applicant: $applicant) } }
}`;
const rebate = departmentPrincipal('EXPORT_TAX_REBATE');

describe.each(BACKENDS)('tax issues evidence to handling departments (%s)', (backend) => {
  let tax: Awaited<ReturnType<typeof createTaxSubgraph>>;

  beforeAll(async () => {
    useKeyring(memoryKeyring());
    const db = await openTestDb(backend, 'tax');
    await seedStores({ tax: db }, { citizens: 60 });
    tax = await createTaxSubgraph(db);
  });
  afterAll(closeTestDbs);

  const run = (businessId: string, type: string, applicant: string, principal = rebate) => {
    const context = tax.context(principal);
    return tax.server
      .executeOperation({ query: EVIDENCE, variables: { representations: [{ __typename: 'Business', id: businessId }], type, applicant } }, { contextValue: context })
      .then((response) => ({ context, result: JSON.parse(JSON.stringify(response.body.kind === 'single' ? response.body.singleResult : {})) }));
  };

  it("states a business's registration to tax's rebate desk, and that the applicant is its legal representative", async () => {
    tax.db.stats.statements = 0;
    const { result, context } = await run(business.id, 'BUSINESS_REGISTRATION', owner.id);
    expect(result.errors).toBeUndefined();
    // The business's entity look-up, then the businesses the applicant runs.
    expect(tax.db.stats.statements).toBe(2);
    const statement = await verifiedStatement(result.data._entities[0].taxEvidence);
    expect(statement).toMatchObject({
      type: 'BUSINESS_REGISTRATION',
      issuer: 'tax',
      subject: business.id,
      procedure: 'EXPORT_TAX_REBATE',
      application: applicationOf('tax'),
    });
    expect(statement.claims).toEqual({
      registrationNumber: business.registrationNumber,
      name: business.name,
      exporter: business.exporter,
      applicantIsLegalRepresentative: true,
    });
    // The applicant, the business's representative, is the citizen the statement is about.
    expect([...context.accessed]).toEqual([owner.id]);
  });

  it('says so when the applicant is not its legal representative', async () => {
    const { result } = await run(business.id, 'BUSINESS_REGISTRATION', other.id);
    expect((await verifiedStatement(result.data._entities[0].taxEvidence)).claims.applicantIsLegalRepresentative).toBe(false);
  });

  it('answers null for a business the register does not know', async () => {
    const { result } = await run('biz_999999', 'BUSINESS_REGISTRATION', owner.id);
    expect(result.errors).toBeUndefined();
    expect(result.data._entities[0]).toBeNull();
  });

  it('refuses a type another department issues with BAD_USER_INPUT naming `type`', async () => {
    const { result } = await run(business.id, 'EMPLOYER_CONTRIBUTIONS', owner.id);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
    expect(result.errors?.[0].message).toMatch(/type must be evidence that tax issues \(BUSINESS_REGISTRATION\); EMPLOYER_CONTRIBUTIONS is issued by social-security/);
  });

  it.each(refusedCallers('EXPORT_TAX_REBATE', 'SCHOOL_ENROLLMENT'))('refuses %s', async (_who, principal) => {
    const { result, context } = await run(business.id, 'BUSINESS_REGISTRATION', owner.id, principal);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'TAX' });
    expect(result.data?._entities[0]?.taxEvidence ?? null).toBeNull();
    expect(context.accessed.size).toBe(0);
  });
});
