import { memoryKeyring, useKeyring } from '../../../lib/evidence/keyring';
import { DEFAULT_SEED, seedStores } from '../../../seed/run';
import { buildWorld, population, type Person } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { applicationOf, departmentPrincipal, refusedCallers, verifiedStatement } from '../../../tests/support/evidence';
import { execute } from '../../../tests/support/graphql';
import { createIdentitySubgraph } from '../src/server';

const people = [...population(buildWorld(60, DEFAULT_SEED))];
const today = new Date().toISOString().slice(0, 10);
const under18 = (p: Person) => `${Number(p.birthDate.slice(0, 4)) + 18}${p.birthDate.slice(4)}` > today;
const housemates = (p: Person) => people.filter((q) => q.id !== p.id && q.household.id === p.household.id);
// A child and a parent (an adult of the same household), someone of another household, and an adult housemate pair.
const child = people.find((p) => under18(p) && housemates(p).some((q) => !under18(q)))!;
const parent = housemates(child).find((q) => !under18(q))!;
const stranger = people.find((p) => p.household.id !== child.household.id)!;
const adult = people.find((p) => !under18(p) && housemates(p).some((q) => !under18(q)))!;
const adultHousemate = housemates(adult).find((q) => !under18(q))!;

const EVIDENCE = `query ($representations: [_Any!]!, $type: EvidenceType!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Citizen { identityEvidence(type: $type, applicant: $applicant) } }
}`;
const RELATION = `query ($representations: [_Any!]!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Citizen { applicantRelation(applicant: $applicant) } }
}`;
const enrollment = departmentPrincipal('SCHOOL_ENROLLMENT');
const voucher = departmentPrincipal('MEDICAL_INSURANCE_VOUCHER');

describe.each(BACKENDS)('identity issues evidence to handling departments (%s)', (backend) => {
  let identity: Awaited<ReturnType<typeof createIdentitySubgraph>>;

  beforeAll(async () => {
    useKeyring(memoryKeyring());
    const db = await openTestDb(backend, 'identity');
    await seedStores({ identity: db }, { citizens: 60 });
    identity = await createIdentitySubgraph(db);
  });
  afterAll(closeTestDbs);

  const ask = (subject: string, type: string, applicant: string, principal = enrollment) =>
    execute(identity, EVIDENCE, { representations: [{ __typename: 'Citizen', id: subject }], type, applicant }, principal);

  it("states a child's household and address to education, signed by identity, and that the parent is registered in it", async () => {
    identity.db.stats.statements = 0;
    const result = await ask(child.id, 'HOUSEHOLD_RESIDENCE', parent.id);
    expect(result.errors).toBeUndefined();
    // The subject's entity look-up, then the applicant and the household.
    expect(identity.db.stats.statements).toBe(3);
    const statement = await verifiedStatement(result.data!._entities[0].identityEvidence);
    expect(statement).toMatchObject({
      type: 'HOUSEHOLD_RESIDENCE',
      issuer: 'identity',
      subject: child.id,
      procedure: 'SCHOOL_ENROLLMENT',
      application: applicationOf('education'),
      id: expect.stringMatching(/^ev_[0-9a-v]{26}$/),
    });
    expect(statement.claims).toEqual({
      householdId: child.household.id,
      address: { line1: child.household.line1, city: child.household.city.city, province: child.household.city.province, postalCode: child.household.city.postal },
      applicantInHousehold: true,
    });
  });

  it('says so when the applicant is not registered in the subject\'s household', async () => {
    const statement = await verifiedStatement((await ask(child.id, 'HOUSEHOLD_RESIDENCE', stranger.id)).data!._entities[0].identityEvidence);
    expect(statement.claims.applicantInHousehold).toBe(false);
    expect(statement.claims.householdId).toBe(child.household.id);
  });

  it('states the birth record: name, birth date and sex, nothing more', async () => {
    const statement = await verifiedStatement((await ask(child.id, 'BIRTH_RECORD', parent.id)).data!._entities[0].identityEvidence);
    expect(statement.claims).toEqual({
      name: { given: child.givenName, family: child.familyName, full: `${child.familyName} ${child.givenName}` },
      birthDate: child.birthDate,
      sex: child.sex,
    });
  });

  it('states the identity record to social security for a voucher', async () => {
    const result = await ask(adult.id, 'IDENTITY_RECORD', adult.id, voucher);
    const statement = await verifiedStatement(result.data!._entities[0].identityEvidence);
    expect(statement).toMatchObject({ subject: adult.id, procedure: 'MEDICAL_INSURANCE_VOUCHER', application: applicationOf('social-security') });
    expect(statement.claims).toEqual({
      name: { given: adult.givenName, family: adult.familyName, full: `${adult.familyName} ${adult.givenName}` },
      nationalId: adult.nationalId,
      birthDate: adult.birthDate,
    });
  });

  it('records the subject as accessed, for the access trail', async () => {
    const server = identity.server;
    const context = identity.context(enrollment);
    const response = await server.executeOperation(
      { query: EVIDENCE, variables: { representations: [{ __typename: 'Citizen', id: child.id }], type: 'BIRTH_RECORD', applicant: parent.id } },
      { contextValue: context },
    );
    expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeFalsy();
    expect([...context.accessed]).toEqual([child.id]);
  });

  it('answers null for a citizen the registry does not know', async () => {
    const result = await ask('cit_999999', 'BIRTH_RECORD', parent.id);
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities[0]).toBeNull();
  });

  it("refuses a type another department issues, or one the procedure does not need", async () => {
    const other = await ask(child.id, 'VACCINATION_RECORD', parent.id);
    expect(other.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
    expect(other.errors?.[0].message).toMatch(/^type must be evidence that identity issues \(HOUSEHOLD_RESIDENCE, BIRTH_RECORD, IDENTITY_RECORD\); VACCINATION_RECORD is issued by health/);
    const unneeded = await ask(child.id, 'IDENTITY_RECORD', parent.id);
    expect(unneeded.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(unneeded.data?._entities[0].identityEvidence ?? null).toBeNull();
  });

  it.each(refusedCallers('SCHOOL_ENROLLMENT', 'EXPORT_TAX_REBATE'))('refuses %s', async (_who, principal) => {
    const result = await ask(child.id, 'BIRTH_RECORD', parent.id, principal);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'IDENTITY' });
    expect(result.data?._entities[0].identityEvidence ?? null).toBeNull();
  });

  describe("the applicant's relation to the subject", () => {
    const relation = async (subject: string, applicant: string, principal = enrollment) => {
      const result = await execute(identity, RELATION, { representations: [{ __typename: 'Citizen', id: subject }], applicant }, principal);
      return result.errors ? result.errors[0].extensions?.code : result.data!._entities[0].applicantRelation;
    };

    it('is SELF, HOUSEHOLD_MINOR, HOUSEHOLD_MEMBER or NONE by the registry today', async () => {
      expect(await relation(child.id, child.id)).toBe('SELF');
      expect(await relation(child.id, parent.id)).toBe('HOUSEHOLD_MINOR');
      expect(await relation(adultHousemate.id, adult.id)).toBe('HOUSEHOLD_MEMBER');
      expect(await relation(child.id, stranger.id)).toBe('NONE');
      expect(await relation(child.id, 'cit_999999')).toBe('NONE');
    });

    it('is refused for a procedure whose subject is not a minor of the household, and to a plain officer', async () => {
      expect(await relation(child.id, parent.id, voucher)).toBe('FORBIDDEN');
      expect(await relation(child.id, parent.id, { ...enrollment, scope: [] })).toBe('FORBIDDEN');
    });
  });
});
