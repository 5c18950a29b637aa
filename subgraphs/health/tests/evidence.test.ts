import { memoryKeyring, useKeyring } from '../../../lib/evidence/keyring';
import { seedStores } from '../../../seed/run';
import { citizenId } from '../../../seed/world';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { applicationOf, departmentPrincipal, refusedCallers, verifiedStatement } from '../../../tests/support/evidence';
import { execute } from '../../../tests/support/graphql';
import { createHealthSubgraph } from '../src/server';

const EVIDENCE = `query ($representations: [_Any!]!, $type: EvidenceType!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Citizen { healthEvidence(type: $type, applicant: $applicant) } }
}`;
const enrollment = departmentPrincipal('SCHOOL_ENROLLMENT');
const APPLICANT = 'cit_000001';

describe.each(BACKENDS)('health issues evidence to handling departments (%s)', (backend) => {
  let health: Awaited<ReturnType<typeof createHealthSubgraph>>;
  /** A citizen with at least two vaccinations, and the store's own record of them, oldest first. */
  let vaccinated: string;
  let expected: Array<{ vaccine: string; dose: number; date: string }>;

  beforeAll(async () => {
    useKeyring(memoryKeyring());
    const db = await openTestDb(backend, 'health');
    await seedStores({ health: db }, { citizens: 60 });
    health = await createHealthSubgraph(db);
    const [row] = await db.query<{ citizenId: string }>(
      `SELECT citizen_id AS "citizenId" FROM vaccinations GROUP BY citizen_id HAVING count(*) >= 2 ORDER BY citizen_id LIMIT 1`,
    );
    vaccinated = row.citizenId;
    expected = (
      await db.query<{ vaccine: string; dose: number; at: Date }>(
        `SELECT vaccine, dose_number AS dose, occurred_at AS at FROM vaccinations WHERE citizen_id = $1 ORDER BY occurred_at`,
        [vaccinated],
      )
    ).map((r) => ({ vaccine: r.vaccine, dose: r.dose, date: r.at.toISOString().slice(0, 10) }));
  });
  afterAll(closeTestDbs);

  const ask = (subject: string, type: string, principal = enrollment) =>
    execute(health, EVIDENCE, { representations: [{ __typename: 'Citizen', id: subject }], type, applicant: APPLICANT }, principal);

  it("states a child's vaccinations to education, oldest first, signed by health, in one statement", async () => {
    health.db.stats.statements = 0;
    const result = await ask(vaccinated, 'VACCINATION_RECORD');
    expect(result.errors).toBeUndefined();
    expect(health.db.stats.statements).toBe(1);
    const statement = await verifiedStatement(result.data!._entities[0].healthEvidence);
    expect(statement).toMatchObject({
      type: 'VACCINATION_RECORD',
      issuer: 'health',
      subject: vaccinated,
      procedure: 'SCHOOL_ENROLLMENT',
      application: applicationOf('education'),
    });
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(statement.claims).toEqual({ doses: expected });
    const dates = expected.map((d) => d.date);
    expect([...dates].sort()).toEqual(dates);
  });

  it('states an empty record for a citizen with no vaccinations: a definite answer, not a missing one', async () => {
    const statement = await verifiedStatement((await ask('cit_999999', 'VACCINATION_RECORD')).data!._entities[0].healthEvidence);
    expect(statement.claims).toEqual({ doses: [] });
  });

  it('records the subject as accessed, for the access trail', async () => {
    const context = health.context(enrollment);
    const response = await health.server.executeOperation(
      { query: EVIDENCE, variables: { representations: [{ __typename: 'Citizen', id: citizenId(2) }], type: 'VACCINATION_RECORD', applicant: APPLICANT } },
      { contextValue: context },
    );
    expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeFalsy();
    expect([...context.accessed]).toEqual([citizenId(2)]);
  });

  it('refuses a type another department issues with BAD_USER_INPUT naming `type`', async () => {
    const result = await ask(vaccinated, 'BIRTH_RECORD');
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
    expect(result.errors?.[0].message).toMatch(/type must be evidence that health issues \(VACCINATION_RECORD\); BIRTH_RECORD is issued by identity/);
  });

  it.each(refusedCallers('SCHOOL_ENROLLMENT', 'MEDICAL_INSURANCE_VOUCHER'))('refuses %s', async (_who, principal) => {
    const context = health.context(principal);
    const response = await health.server.executeOperation(
      { query: EVIDENCE, variables: { representations: [{ __typename: 'Citizen', id: vaccinated }], type: 'VACCINATION_RECORD', applicant: APPLICANT } },
      { contextValue: context },
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
    expect(result?.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'HEALTH' });
    expect((result?.data as any)?._entities[0]?.healthEvidence ?? null).toBeNull();
    // Nothing was read, so no one is recorded.
    expect(context.accessed.size).toBe(0);
  });
});
