import { useKeyring, memoryKeyring } from '../lib/evidence/keyring';
import { closeServer, listen } from '../lib/http';
import { loadRegistry } from '../gateway/src/operations';
import { authHeaders } from './support/auth';
import { BACKENDS } from './support/db';
import { post, startGraph, type RunningGraph } from './support/graph';

/**
 * The export-rebate and e-voucher procedures from start to their last status, through the graph
 * (docs/applications.md): a rebate approved by tax and then paid (payExportRebate), a voucher
 * approved by social security and then redeemed at a health facility (health's redeemVoucher,
 * which tells social security as itself before it records the encounter), and evidence fetched
 * while social security is down.
 */

useKeyring(memoryKeyring());

/** At 200 citizens the seed has a legal representative of an exporting business (at 120 it has none). */
const CITIZENS = 200;

const APPLICATION = `
  id status subjectId subjectKind recordId exportGoods rebateAmount
  missingEvidence
  evidence { type issuer status verified error attributes { name value } }
  history { status actor }
`;
const START = `mutation Start($input: StartApplicationInput!) { startApplication(input: $input) { ${APPLICATION} } }`;
const REQUEST = `mutation Request($id: ID!) { requestEvidence(applicationId: $id) { ${APPLICATION} } }`;
const SUBMIT = `mutation Submit($id: ID!) { submitApplication(id: $id) { ${APPLICATION} } }`;
const DECIDE = `mutation Decide($id: ID!, $decision: Decision!) { decideApplication(id: $id, decision: $decision) { ${APPLICATION} } }`;
const MINE = `query Mine($id: ID!) { citizen(id: $id) { applications(first: 20) { edges { node { ${APPLICATION} } } } } }`;
const PAY = `mutation Pay($id: ID!) { payExportRebate(id: $id) { id status paidAt title amount business { id } } }`;
const BUSINESS_REBATES = `query B($id: ID!) { business(id: $id) { exportRebates(first: 50) { edges { node { id status paidAt } } } } }`;
const CITIZEN_REBATES = `query C($id: ID!) { citizen(id: $id) { tax { exportRebates(first: 50) { edges { node { id status paidAt } } } } } }`;
const VOUCHERS = `query V($id: ID!) { citizen(id: $id) { socialSecurity { vouchers(first: 10) { edges { node {
  id department title amount validUntil redeemedAt applicationId facility { id name } } } pageInfo { hasNextPage } } } } }`;
const REDEEM = `mutation R($voucherId: ID!, $facilityId: ID!) { redeemVoucher(voucherId: $voucherId, facilityId: $facilityId) {
  id department title kind diagnosis occurredAt facility { id } } }`;
const MARK = `mutation M($voucherId: ID!, $facilityId: ID!, $encounterId: ID!) { markVoucherRedeemed(voucherId: $voucherId, facilityId: $facilityId, encounterId: $encounterId) { id redeemedAt } }`;
const ENCOUNTERS = `query E($id: ID!) { citizen(id: $id) { health { encounters(first: 100) { edges { node { id kind diagnosis facility { id } } } } } } }`;

type App = { id: string; status: string; history: Array<{ status: string; actor: string }>; evidence: Array<{ type: string; status: string; verified: boolean; error: string | null; attributes: Array<{ name: string; value: string }> }> };
const statuses = (app: App) => app.history.map((h) => h.status);
const codeOf = (body: any) => body.errors?.[0]?.extensions?.code;

describe.each(BACKENDS)('export rebates paid and vouchers redeemed, through the graph (%s)', (backend) => {
  let graph: RunningGraph;
  let representative: string;
  let business: string;
  let otherBusiness: string;
  let insured: string;
  let secondInsured: string;
  let facility: string;
  let otherFacility: string;
  let asRepresentative: Record<string, string>;
  let asInsured: Record<string, string>;
  let asTaxOfficer: Record<string, string>;
  let asSocialOfficer: Record<string, string>;
  let asHealthOfficer: Record<string, string>;
  let asEducationOfficer: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraph(backend, CITIZENS, loadRegistry());
    const tax = graph.subgraphs.tax.db;
    [{ citizen: representative, business }] = await tax.query<{ citizen: string; business: string }>(
      `SELECT o.citizen_id AS citizen, b.id AS business FROM business_owners o JOIN businesses b ON b.id = o.business_id WHERE b.exporter ORDER BY o.citizen_id LIMIT 1`,
    );
    [{ id: otherBusiness }] = await tax.query<{ id: string }>(
      `SELECT id FROM businesses WHERE id NOT IN (SELECT business_id FROM business_owners WHERE citizen_id = $1) ORDER BY id LIMIT 1`,
      [representative],
    );
    // Adults with contributions this year or last (INSURED_STATUS reads those two years).
    const adults = (
      await graph.subgraphs.identity.db.query<{ id: string }>(`SELECT id FROM citizens WHERE birth_date < (now() - interval '25 years')::date ORDER BY id`)
    ).map((r) => r.id);
    const contributing = new Set(
      (
        await graph.subgraphs['social-security'].db.query<{ id: string }>(
          `SELECT DISTINCT citizen_id AS id FROM contributions WHERE year >= extract(year FROM now())::int - 1`,
        )
      ).map((r) => r.id),
    );
    [insured, secondInsured] = adults.filter((id) => contributing.has(id) && id !== representative);
    [{ id: facility }, { id: otherFacility }] = await graph.subgraphs.health.db.query<{ id: string }>(`SELECT id FROM facilities ORDER BY id LIMIT 2`);
    asRepresentative = await authHeaders(graph.keys, { sub: representative, role: 'citizen' });
    asInsured = await authHeaders(graph.keys, { sub: insured, role: 'citizen' });
    asTaxOfficer = await authHeaders(graph.keys, { sub: 'officer-tax-1', role: 'officer', department: 'TAX' }, { purpose: 'EXPORT_TAX_REBATE' });
    asSocialOfficer = await authHeaders(graph.keys, { sub: 'officer-ss-1', role: 'officer', department: 'SOCIAL_SECURITY' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER' });
    asHealthOfficer = await authHeaders(graph.keys, { sub: 'officer-health-1', role: 'officer', department: 'HEALTH' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER' });
    asEducationOfficer = await authHeaders(graph.keys, { sub: 'officer-edu-1', role: 'officer', department: 'EDUCATION' }, { purpose: 'SCHOOL_ADMISSION' });
  }, 180_000);

  afterAll(() => graph?.stop());

  const call = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => (await post(graph.url, { query, variables }, headers)).body;

  /** Starts, fetches the evidence for, submits and approves an application; returns it approved. */
  async function approved(input: Record<string, unknown>, applicant: Record<string, string>, officer: Record<string, string>): Promise<App & { recordId: string }> {
    const started = await call(START, { input }, applicant);
    expect(started.errors).toBeUndefined();
    const id = started.data.startApplication.id;
    const ready = await call(REQUEST, { id }, applicant);
    expect(ready.data.requestEvidence.status).toBe('EVIDENCE_READY');
    expect((await call(SUBMIT, { id }, applicant)).data.submitApplication.status).toBe('SUBMITTED');
    const decided = await call(DECIDE, { id, decision: 'APPROVE' }, officer);
    expect(decided.errors).toBeUndefined();
    expect(decided.data.decideApplication.status).toBe('APPROVED');
    return decided.data.decideApplication;
  }

  async function applicationOf(citizen: string, headers: Record<string, string>, id: string): Promise<App> {
    const { data, errors } = await call(MINE, { id: citizen }, headers);
    expect(errors).toBeUndefined();
    return data.citizen.applications.edges.map((e: { node: App }) => e.node).find((a: App) => a.id === id);
  }

  describe('export tax rebate', () => {
    const rebate = (over: Record<string, unknown> = {}) => ({
      procedure: 'EXPORT_TAX_REBATE',
      subjectId: business,
      clientRequestId: 'rebate-1',
      exportGoods: 'Frozen vegetables',
      rebateAmount: '12500.00',
      ...over,
    });
    let id: string;
    let rebateId: string;

    it('refuses a bad amount (naming rebateAmount) and a business the applicant does not represent', async () => {
      const bad = await call(START, { input: rebate({ clientRequestId: 'rebate-bad', rebateAmount: '-5' }) }, asRepresentative);
      expect(bad.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rebateAmount' });
      const notTheirs = await call(START, { input: rebate({ clientRequestId: 'rebate-other', subjectId: otherBusiness }) }, asRepresentative);
      expect(codeOf(notTheirs)).toBe('FORBIDDEN');
    });

    it('fetches the business registration and the employer contributions, signed and verified', async () => {
      const started = await call(START, { input: rebate() }, asRepresentative);
      expect(started.errors).toBeUndefined();
      expect(started.data.startApplication).toMatchObject({ status: 'DRAFT', subjectKind: 'REPRESENTED_BUSINESS', subjectId: business, rebateAmount: '12500.00' });
      id = started.data.startApplication.id;
      expect(id).toMatch(/^app_tax_[0-9a-z]{26}$/);
      const { data, errors } = await call(REQUEST, { id }, asRepresentative);
      expect(errors).toBeUndefined();
      const app: App = data.requestEvidence;
      expect(app.status).toBe('EVIDENCE_READY');
      expect(app.evidence.map((e) => [e.type, e.status, e.verified])).toEqual([
        ['BUSINESS_REGISTRATION', 'RECEIVED', true],
        ['EMPLOYER_CONTRIBUTIONS', 'RECEIVED', true],
      ]);
      const attribute = (type: string, name: string) => app.evidence.find((e) => e.type === type)!.attributes.find((a) => a.name === name)?.value;
      expect(attribute('BUSINESS_REGISTRATION', 'applicantIsLegalRepresentative')).toBe('true');
      expect(attribute('BUSINESS_REGISTRATION', 'exporter')).toBe('true');
      // Whether the business is paid up is a fact the officer weighs, not a failure of the fetch.
      expect(['true', 'false']).toContain(attribute('EMPLOYER_CONTRIBUTIONS', 'paidUp'));
    });

    it('is submitted and approved by tax, and the rebate shows APPROVED on the business and the citizen', async () => {
      expect((await call(SUBMIT, { id }, asRepresentative)).data.submitApplication.status).toBe('SUBMITTED');
      const decided = await call(DECIDE, { id, decision: 'APPROVE' }, asTaxOfficer);
      expect(decided.errors).toBeUndefined();
      rebateId = decided.data.decideApplication.recordId;
      expect(rebateId).toBe(`reb_${id}`);
      const onBusiness = await call(BUSINESS_REBATES, { id: business }, asTaxOfficer);
      expect(onBusiness.errors).toBeUndefined();
      expect(onBusiness.data.business.exportRebates.edges.map((e: any) => e.node)).toContainEqual({ id: rebateId, status: 'APPROVED', paidAt: null });
      const onCitizen = await call(CITIZEN_REBATES, { id: representative }, asRepresentative);
      expect(onCitizen.errors).toBeUndefined();
      expect(onCitizen.data.citizen.tax.exportRebates.edges.map((e: any) => e.node)).toContainEqual({ id: rebateId, status: 'APPROVED', paidAt: null });
    });

    it('is paid only by tax officers, only once, and unknown rebates are NOT_FOUND', async () => {
      expect(codeOf(await call(PAY, { id: rebateId }, asRepresentative))).toBe('FORBIDDEN');
      expect(codeOf(await call(PAY, { id: rebateId }, asEducationOfficer))).toBe('FORBIDDEN');
      expect(codeOf(await call(PAY, { id: 'reb_nope' }, asTaxOfficer))).toBe('NOT_FOUND');
      // A refused payment changed nothing.
      expect((await applicationOf(representative, asRepresentative, id)).status).toBe('APPROVED');

      const before = Date.now();
      const paid = await call(PAY, { id: rebateId }, asTaxOfficer);
      expect(paid.errors).toBeUndefined();
      expect(paid.data.payExportRebate).toMatchObject({ id: rebateId, status: 'PAID', amount: { amount: '12500.00', currency: 'CNY' }, business: { id: business } });
      expect(new Date(paid.data.payExportRebate.paidAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(paid.data.payExportRebate.title).toMatch(/^Export rebate paid: 12500\.00 CNY/);

      const again = await call(PAY, { id: rebateId }, asTaxOfficer);
      expect(codeOf(again)).toBe('CONFLICT');
      expect(again.errors[0].message).toMatch(/is PAID/);
    });

    it('leaves the application PAID with its whole history, and the rebate PAID on the citizen', async () => {
      const app = await applicationOf(representative, asRepresentative, id);
      expect(app.status).toBe('PAID');
      expect(statuses(app)).toEqual(['DRAFT', 'EVIDENCE_READY', 'SUBMITTED', 'APPROVED', 'PAID']);
      expect(app.history[4].actor).toBe('officer-tax-1');
      const onCitizen = await call(CITIZEN_REBATES, { id: representative }, asRepresentative);
      const node = onCitizen.data.citizen.tax.exportRebates.edges.map((e: any) => e.node).find((n: { id: string }) => n.id === rebateId);
      expect(node).toMatchObject({ status: 'PAID', paidAt: expect.any(String) });
    });

    it('keeps every PAID rebate with a payment date and no other (seeded rows too)', async () => {
      const [counts] = await graph.subgraphs.tax.db.query<{ paid: number; paidWithDate: number; datedNotPaid: number }>(
        `SELECT count(*) FILTER (WHERE status = 'PAID')::int AS paid, count(*) FILTER (WHERE status = 'PAID' AND paid_at IS NOT NULL)::int AS "paidWithDate",
                count(*) FILTER (WHERE status <> 'PAID' AND paid_at IS NOT NULL)::int AS "datedNotPaid" FROM export_rebates`,
      );
      expect(counts.paid).toBeGreaterThan(1);
      expect(counts.paidWithDate).toBe(counts.paid);
      expect(counts.datedNotPaid).toBe(0);
    });
  });

  describe('medical-insurance e-voucher', () => {
    const voucherInput = (subjectId: string, clientRequestId: string) => ({ procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId, clientRequestId });
    let id: string;
    let voucherId: string;
    let encounterId: string;
    let secondVoucher: string;

    it("is for the applicant themself: another citizen's id is FORBIDDEN", async () => {
      const other = await call(START, { input: voucherInput(secondInsured, 'voucher-other') }, asInsured);
      expect(codeOf(other)).toBe('FORBIDDEN');
    });

    it('is approved by social security after INSURED_STATUS and IDENTITY_RECORD, and the voucher shows in socialSecurity.vouchers', async () => {
      const started = await call(START, { input: voucherInput(insured, 'voucher-1') }, asInsured);
      expect(started.errors).toBeUndefined();
      id = started.data.startApplication.id;
      expect(id).toMatch(/^app_social-security_[0-9a-z]{26}$/);
      const ready = await call(REQUEST, { id }, asInsured);
      expect(ready.errors).toBeUndefined();
      expect(ready.data.requestEvidence.evidence.map((e: App['evidence'][number]) => [e.type, e.status, e.verified])).toEqual([
        ['INSURED_STATUS', 'RECEIVED', true],
        ['IDENTITY_RECORD', 'RECEIVED', true],
      ]);
      expect((await call(SUBMIT, { id }, asInsured)).data.submitApplication.status).toBe('SUBMITTED');
      const decided = await call(DECIDE, { id, decision: 'APPROVE' }, asSocialOfficer);
      expect(decided.errors).toBeUndefined();
      voucherId = decided.data.decideApplication.recordId;
      expect(voucherId).toBe(`vch_${id}`);

      const { data, errors } = await call(VOUCHERS, { id: insured }, asInsured);
      expect(errors).toBeUndefined();
      expect(data.citizen.socialSecurity.vouchers.edges).toHaveLength(1);
      const voucher = data.citizen.socialSecurity.vouchers.edges[0].node;
      expect(voucher).toMatchObject({
        id: voucherId,
        department: 'SOCIAL_SECURITY',
        title: 'Medical-insurance e-voucher, CNY 500.00',
        amount: { amount: '500.00', currency: 'CNY' },
        redeemedAt: null,
        facility: null,
        applicationId: id,
      });
      expect(voucher.validUntil > new Date().toISOString().slice(0, 10)).toBe(true);
    });

    it('is redeemed only by health officers, and markVoucherRedeemed only by health itself', async () => {
      expect(codeOf(await call(REDEEM, { voucherId, facilityId: facility }, asInsured))).toBe('FORBIDDEN');
      expect(codeOf(await call(REDEEM, { voucherId, facilityId: facility }, asEducationOfficer))).toBe('FORBIDDEN');
      // A person at health, even with the right purpose and case, is not the department's own principal.
      const asHealthWithCase = await authHeaders(graph.keys, { sub: 'officer-health-2', role: 'officer', department: 'HEALTH' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER', caseId: id });
      const direct = await call(MARK, { voucherId, facilityId: facility, encounterId: `enc_${voucherId}` }, asHealthWithCase);
      expect(codeOf(direct)).toBe('FORBIDDEN');
      expect(codeOf(await call(MARK, { voucherId, facilityId: facility, encounterId: 'enc_x' }, asInsured))).toBe('FORBIDDEN');
      expect(codeOf(await call(REDEEM, { voucherId, facilityId: 'fac_nope' }, asHealthOfficer))).toBe('BAD_USER_INPUT');
      expect(codeOf(await call(REDEEM, { voucherId: 'vch_nope', facilityId: facility }, asHealthOfficer))).toBe('BAD_USER_INPUT');
      // Nothing was redeemed by any of them.
      expect((await applicationOf(insured, asInsured, id)).status).toBe('APPROVED');
    });

    it('is redeemed at a facility: an encounter on the citizen, the voucher redeemed, the application REDEEMED', async () => {
      const redeemed = await call(REDEEM, { voucherId, facilityId: facility }, asHealthOfficer);
      expect(redeemed.errors).toBeUndefined();
      const encounter = redeemed.data.redeemVoucher;
      encounterId = encounter.id;
      expect(encounter).toMatchObject({ id: `enc_${voucherId}`, department: 'HEALTH', kind: 'GP_VISIT', diagnosis: 'Outpatient visit (insurance e-voucher)', facility: { id: facility } });

      const health = await call(ENCOUNTERS, { id: insured }, asInsured);
      expect(health.errors).toBeUndefined();
      expect(health.data.citizen.health.encounters.edges.map((e: any) => e.node.id)).toContain(encounterId);

      const vouchers = await call(VOUCHERS, { id: insured }, asInsured);
      const voucher = vouchers.data.citizen.socialSecurity.vouchers.edges[0].node;
      expect(voucher.redeemedAt).toEqual(expect.any(String));
      expect(voucher.facility.id).toBe(facility);
      expect(typeof voucher.facility.name).toBe('string'); // resolved by health through the gateway
      expect(new Date(voucher.redeemedAt).toISOString()).toBe(encounter.occurredAt);

      const app = await applicationOf(insured, asInsured, id);
      expect(app.status).toBe('REDEEMED');
      expect(statuses(app)).toEqual(['DRAFT', 'EVIDENCE_READY', 'SUBMITTED', 'APPROVED', 'REDEEMED']);
      expect(app.history[4].actor).toBe('department:health');
    });

    it('records the call to social security in the trail as health, for the application', async () => {
      const rows = await graph.subgraphs.audit.db.query<{ operation_name: string; purpose: string; principal_sub: string }>(
        `SELECT operation_name, purpose, principal_sub FROM access_trail WHERE case_id = $1 AND operation_name = 'DepartmentMarkVoucherRedeemed'`,
        [id],
      );
      expect(rows.length).toBeGreaterThanOrEqual(1);
      expect(rows[0]).toMatchObject({ purpose: 'MEDICAL_INSURANCE_VOUCHER', principal_sub: 'department:health' });
    });

    it('answers a second redemption at the same facility with the same encounter; another facility is CONFLICT', async () => {
      const again = await call(REDEEM, { voucherId, facilityId: facility }, asHealthOfficer);
      expect(again.errors).toBeUndefined();
      expect(again.data.redeemVoucher.id).toBe(encounterId);
      const elsewhere = await call(REDEEM, { voucherId, facilityId: otherFacility }, asHealthOfficer);
      expect(codeOf(elsewhere)).toBe('CONFLICT');
      const [{ count }] = await graph.subgraphs.health.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM encounters WHERE id LIKE 'enc_vch_%'`);
      expect(count).toBe(1);
    });

    it('converges after a crash between social security and health: a retry writes the missing encounter', async () => {
      // As if health had crashed after social security confirmed: the voucher is redeemed, the encounter missing.
      await graph.subgraphs.health.db.query(`DELETE FROM encounters WHERE id = $1`, [encounterId]);
      const retried = await call(REDEEM, { voucherId, facilityId: facility }, asHealthOfficer);
      expect(retried.errors).toBeUndefined();
      expect(retried.data.redeemVoucher.id).toBe(encounterId);
      const health = await call(ENCOUNTERS, { id: insured }, asInsured);
      expect(health.data.citizen.health.encounters.edges.map((e: any) => e.node.id)).toContain(encounterId);
      expect((await applicationOf(insured, asInsured, id)).status).toBe('REDEEMED');
    });

    it('refuses an expired voucher with CONFLICT and writes nothing', async () => {
      const asSecond = await authHeaders(graph.keys, { sub: secondInsured, role: 'citizen' });
      secondVoucher = (await approved(voucherInput(secondInsured, 'voucher-2'), asSecond, asSocialOfficer)).recordId;
      const ss = graph.subgraphs['social-security'].db;
      const [{ validUntil }] = await ss.query<{ validUntil: string }>(`SELECT valid_until::text AS "validUntil" FROM insurance_vouchers WHERE id = $1`, [secondVoucher]);
      await ss.query(`UPDATE insurance_vouchers SET valid_until = current_date - 1 WHERE id = $1`, [secondVoucher]);
      try {
        const expired = await call(REDEEM, { voucherId: secondVoucher, facilityId: facility }, asHealthOfficer);
        expect(codeOf(expired)).toBe('CONFLICT');
        expect(expired.errors[0].message).toMatch(/expired/);
      } finally {
        await ss.query(`UPDATE insurance_vouchers SET valid_until = $2 WHERE id = $1`, [secondVoucher, validUntil]);
      }
      const [{ count }] = await graph.subgraphs.health.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM encounters WHERE id = $1`, [`enc_${secondVoucher}`]);
      expect(count).toBe(0);
      const [voucher] = await ss.query<{ redeemed: boolean }>(`SELECT redeemed_at IS NOT NULL AS redeemed FROM insurance_vouchers WHERE id = $1`, [secondVoucher]);
      expect(voucher.redeemed).toBe(false);
    });

    describe('while social security is down', () => {
      const ssPort = () => Number(new URL(graph.subgraphUrls['social-security']).port);
      let rebateId: string;

      beforeAll(async () => {
        // A second rebate claim for the same business, started while social security still answers.
        const started = await call(
          START,
          { input: { procedure: 'EXPORT_TAX_REBATE', subjectId: business, clientRequestId: 'rebate-2', exportGoods: 'Machine parts', rebateAmount: '800' } },
          asRepresentative,
        );
        expect(started.errors).toBeUndefined();
        rebateId = started.data.startApplication.id;
        await closeServer(graph.servers['social-security']);
      });

      afterAll(async () => {
        if (!graph.servers['social-security'].listening) await listen(graph.servers['social-security'], ssPort(), '127.0.0.1');
      });

      it('leaves the application DRAFT: the tax piece RECEIVED, the social-security piece UNAVAILABLE saying why', async () => {
        const { data, errors } = await call(REQUEST, { id: rebateId }, asRepresentative);
        expect(errors).toBeUndefined();
        const app: App = data.requestEvidence;
        expect(app.status).toBe('DRAFT');
        const piece = (type: string) => app.evidence.find((e) => e.type === type)!;
        expect(piece('BUSINESS_REGISTRATION')).toMatchObject({ status: 'RECEIVED', verified: true });
        expect(piece('EMPLOYER_CONTRIBUTIONS')).toMatchObject({ status: 'UNAVAILABLE', verified: false });
        expect(piece('EMPLOYER_CONTRIBUTIONS').error).toMatch(/SUBGRAPH_UNAVAILABLE|social-security|unavailable/i);
        expect(codeOf(await call(SUBMIT, { id: rebateId }, asRepresentative))).toBe('EVIDENCE_INCOMPLETE');
      });

      it('a voucher cannot be redeemed: SERVICE_UNAVAILABLE, and health writes nothing', async () => {
        const down = await call(REDEEM, { voucherId: secondVoucher, facilityId: facility }, asHealthOfficer);
        expect(codeOf(down)).toBe('SERVICE_UNAVAILABLE');
        const [{ count }] = await graph.subgraphs.health.db.query<{ count: number }>(`SELECT count(*)::int AS count FROM encounters WHERE id = $1`, [`enc_${secondVoucher}`]);
        expect(count).toBe(0);
      });

      it('once social security is back, requestEvidence again completes the evidence', async () => {
        await listen(graph.servers['social-security'], ssPort(), '127.0.0.1');
        const { data, errors } = await call(REQUEST, { id: rebateId }, asRepresentative);
        expect(errors).toBeUndefined();
        const app: App = data.requestEvidence;
        expect(app.status).toBe('EVIDENCE_READY');
        expect(app.evidence.map((e) => [e.type, e.status, e.verified])).toEqual([
          ['BUSINESS_REGISTRATION', 'RECEIVED', true],
          ['EMPLOYER_CONTRIBUTIONS', 'RECEIVED', true],
        ]);
        expect(statuses(app)).toEqual(['DRAFT', 'EVIDENCE_READY']);
      });

      it('and the voucher is redeemed', async () => {
        const redeemed = await call(REDEEM, { voucherId: secondVoucher, facilityId: facility }, asHealthOfficer);
        expect(redeemed.errors).toBeUndefined();
        expect(redeemed.data.redeemVoucher.id).toBe(`enc_${secondVoucher}`);
      });
    });
  });
});
