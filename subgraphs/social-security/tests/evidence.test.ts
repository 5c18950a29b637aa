import { memoryKeyring, useKeyring } from '../../../lib/evidence/keyring';
import { seedStores } from '../../../seed/run';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { applicationOf, departmentPrincipal, refusedCallers, verifiedStatement } from '../../../tests/support/evidence';
import { createSocialSecuritySubgraph } from '../src/server';

const CITIZEN_EVIDENCE = `query ($representations: [_Any!]!, $type: EvidenceType!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Citizen { socialSecurityEvidence(type: $type, applicant: $applicant) } }
}`;
const BUSINESS_EVIDENCE = `query ($representations: [_Any!]!, $type: EvidenceType!, $applicant: ID!) {
  _entities(representations: $representations) { ... on Business { socialSecurityEvidence(type: $type, applicant: $applicant) } }
}`;
const voucher = departmentPrincipal('MEDICAL_INSURANCE_VOUCHER');
const rebate = departmentPrincipal('EXPORT_TAX_REBATE');
/** The last full calendar year before today, and the current one. */
const lastYear = new Date().getUTCFullYear() - 1;
const REPRESENTATIVE = 'cit_000007';

interface Row {
  citizenId: string;
  employerId: string;
  year: number;
  months: number;
}

describe.each(BACKENDS)('social security issues evidence to handling departments (%s)', (backend) => {
  let socialSecurity: Awaited<ReturnType<typeof createSocialSecuritySubgraph>>;
  let rows: Row[];

  beforeAll(async () => {
    useKeyring(memoryKeyring());
    const db = await openTestDb(backend, 'social-security');
    await seedStores({ 'social-security': db }, { citizens: 60 });
    socialSecurity = await createSocialSecuritySubgraph(db);
    rows = await db.query<Row>(`SELECT citizen_id AS "citizenId", employer_id AS "employerId", year, months FROM contributions`);
  });
  afterAll(closeTestDbs);

  const run = (query: string, typename: string, id: string, type: string, principal = voucher, applicant = id) => {
    const context = socialSecurity.context(principal);
    return socialSecurity.server
      .executeOperation({ query, variables: { representations: [{ __typename: typename, id }], type, applicant } }, { contextValue: context })
      .then((response) => ({ context, result: JSON.parse(JSON.stringify(response.body.kind === 'single' ? response.body.singleResult : {})) }));
  };
  const insured = (citizenId: string, type = 'INSURED_STATUS', principal = voucher) => run(CITIZEN_EVIDENCE, 'Citizen', citizenId, type, principal);
  const employer = (businessId: string, type = 'EMPLOYER_CONTRIBUTIONS', principal = rebate) =>
    run(BUSINESS_EVIDENCE, 'Business', businessId, type, principal, REPRESENTATIVE);

  describe('INSURED_STATUS', () => {
    it("states a working citizen's insurance to its own voucher desk: months covered this year and last, at most 12, in one statement", async () => {
      const citizen = rows.find((r) => r.year >= lastYear)!.citizenId;
      // Each year: its rows' months summed, at most 12; then at most 12 in all.
      const perYear = [lastYear, lastYear + 1].map((year) =>
        Math.min(12, rows.filter((r) => r.citizenId === citizen && r.year === year).reduce((sum, r) => sum + r.months, 0)),
      );
      const months = Math.min(12, perYear[0] + perYear[1]);
      expect(months).toBeGreaterThan(0);
      socialSecurity.db.stats.statements = 0;
      const { result, context } = await insured(citizen);
      expect(result.errors).toBeUndefined();
      expect(socialSecurity.db.stats.statements).toBe(1);
      const statement = await verifiedStatement(result.data._entities[0].socialSecurityEvidence);
      expect(statement).toMatchObject({
        type: 'INSURED_STATUS',
        issuer: 'social-security',
        subject: citizen,
        procedure: 'MEDICAL_INSURANCE_VOUCHER',
        application: applicationOf('social-security'),
      });
      expect(statement.claims).toEqual({ insured: true, contributionMonths: months });
      expect([...context.accessed]).toEqual([citizen]);
    });

    it('states a citizen without contributions in either year as not insured', async () => {
      const covered = new Set(rows.filter((r) => r.year >= lastYear).map((r) => r.citizenId));
      const uncovered = ['cit_999999', ...rows.map((r) => r.citizenId).filter((id) => !covered.has(id))];
      for (const citizen of uncovered.slice(0, 2)) {
        const statement = await verifiedStatement((await insured(citizen)).result.data._entities[0].socialSecurityEvidence);
        expect(statement.claims).toEqual({ insured: false, contributionMonths: 0 });
      }
    });

    it("refuses a business's evidence on a citizen, and another department's type, with BAD_USER_INPUT naming `type`", async () => {
      const wrongEntity = (await insured('cit_000001', 'EMPLOYER_CONTRIBUTIONS', rebate)).result;
      expect(wrongEntity.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
      expect(wrongEntity.errors?.[0].message).toBe('type must be evidence that Citizen.socialSecurityEvidence states (INSURED_STATUS); received EMPLOYER_CONTRIBUTIONS');
      const otherIssuer = (await insured('cit_000001', 'IDENTITY_RECORD')).result;
      expect(otherIssuer.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
    });

    it.each(refusedCallers('MEDICAL_INSURANCE_VOUCHER', 'EXPORT_TAX_REBATE'))('refuses %s', async (_who, principal) => {
      const { result, context } = await insured('cit_000001', 'INSURED_STATUS', principal);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'SOCIAL_SECURITY' });
      expect(result.data?._entities[0]?.socialSecurityEvidence ?? null).toBeNull();
      expect(context.accessed.size).toBe(0);
    });
  });

  describe('EMPLOYER_CONTRIBUTIONS', () => {
    it("states an employer's last full year to tax's rebate desk: its employees, and paid up when every row covers 12 months", async () => {
      const ofYear = rows.filter((r) => r.year === lastYear);
      const businessId = ofYear[0].employerId;
      const its = ofYear.filter((r) => r.employerId === businessId);
      socialSecurity.db.stats.statements = 0;
      const { result, context } = await employer(businessId);
      expect(result.errors).toBeUndefined();
      expect(socialSecurity.db.stats.statements).toBe(1);
      const statement = await verifiedStatement(result.data._entities[0].socialSecurityEvidence);
      expect(statement).toMatchObject({
        type: 'EMPLOYER_CONTRIBUTIONS',
        issuer: 'social-security',
        subject: businessId,
        procedure: 'EXPORT_TAX_REBATE',
        application: applicationOf('tax'),
      });
      expect(statement.claims).toEqual({
        year: lastYear,
        employees: new Set(its.map((r) => r.citizenId)).size,
        paidUp: its.every((r) => r.months === 12),
      });
      // The representative who applied is recorded (the statement names no employee).
      expect([...context.accessed]).toEqual([REPRESENTATIVE]);
    });

    it('states a business without contributions that year as not paid up, with no employees', async () => {
      const statement = await verifiedStatement((await employer('biz_999999')).result.data._entities[0].socialSecurityEvidence);
      expect(statement.claims).toEqual({ year: lastYear, employees: 0, paidUp: false });
    });

    it("refuses a citizen's evidence on a business with BAD_USER_INPUT naming `type`", async () => {
      const { result } = await employer('biz_000001', 'INSURED_STATUS', voucher);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'type' });
    });

    it.each(refusedCallers('EXPORT_TAX_REBATE', 'MEDICAL_INSURANCE_VOUCHER'))('refuses %s', async (_who, principal) => {
      const { result, context } = await employer('biz_000001', 'EMPLOYER_CONTRIBUTIONS', principal);
      expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'SOCIAL_SECURITY' });
      expect(context.accessed.size).toBe(0);
    });
  });
});
