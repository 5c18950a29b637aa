import { readFileSync } from 'node:fs';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { parse, print, type DocumentNode } from 'graphql';
import { APOLLO_MANIFEST_FILE } from '../lib/paths';
import { loadOperations } from '../tools/operation-registry';
import { loadRegistry } from '../gateway/src/operations';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';
import { signDepartmentToken } from '../lib/auth/department-token';
import { keyring, memoryKeyring, useKeyring } from '../lib/evidence/keyring';

/**
 * A front-end team's Apollo Client 4, set up as Apollo's documentation says (stock
 * `InMemoryCache`, `PersistedQueryLink`, `@apollo/persisted-query-lists` reading the manifest
 * `npm run codegen` writes), against a gateway where every role runs registered operations only.
 */
const REQUIRE = { citizen: 'require', officer: 'require', auditor: 'require' } as const;
const ME = 'cit_000001';
const manifest = JSON.parse(readFileSync(APOLLO_MANIFEST_FILE, 'utf8'));
useKeyring(memoryKeyring());

describe('a stock Apollo Client 4 with Apollo persisted query lists', () => {
  let graph: RunningGraph;
  let requests: Array<{ extensions?: { persistedQuery?: { sha256Hash: string } }; query?: string }>;
  let nationalId: string;
  let businessId: string;
  /** ME's two voucher applications: one approved (so its voucher exists), one submitted (for an officer to decide). */
  let approved: string;
  let submitted: string;
  let facilityId: string;

  /** The client a front-end team writes: a few lines beside their usual setup. */
  function client(headers: Record<string, string>): ApolloClient {
    const counting: typeof fetch = async (input, init) => {
      requests.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    };
    return new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new SetContextLink((previous) => ({ headers: { ...previous.headers, ...headers } })),
        new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest })),
        new HttpLink({ uri: graph.url, fetch: counting }),
      ]),
    });
  }

  beforeAll(async () => {
    graph = await startGraph('pglite', 12, loadRegistry(), { gateway: { persistedPolicy: REQUIRE } });
    [{ national_id: nationalId }] = await graph.subgraphs.identity.db.query<{ national_id: string }>('SELECT national_id FROM citizens WHERE id = $1', [ME]);
    [{ id: businessId }] = await graph.subgraphs.tax.db.query<{ id: string }>('SELECT id FROM businesses ORDER BY id LIMIT 1');
    [{ id: facilityId }] = await graph.subgraphs.health.db.query<{ id: string }>('SELECT id FROM facilities ORDER BY id LIMIT 1');
    // The application operations need applications: ME applies for two vouchers (ad hoc, as the harness may).
    const me = await authHeaders(graph.keys, { sub: ME, role: 'citizen' });
    const socialSecurity = await authHeaders(graph.keys, { sub: 'off-ss', role: 'officer', department: 'SOCIAL_SECURITY' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER' });
    const run = (headers: Record<string, string>, name: string, variables: Record<string, unknown>) => {
      const id = manifest.operations.find((op: { name: string }) => op.name === name).id;
      return post(graph.url, { operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, headers);
    };
    const ids: string[] = [];
    for (const key of ['apollo-1', 'apollo-2']) {
      const started = await run(me, 'CitizenStartApplication', { input: { procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: ME, clientRequestId: key } });
      const id = started.body.data.startApplication.id as string;
      await run(me, 'CitizenRequestEvidence', { applicationId: id });
      const sent = await run(me, 'CitizenSubmitApplication', { id });
      expect(sent.body.data.submitApplication.status).toBe('SUBMITTED');
      ids.push(id);
    }
    [approved, submitted] = ids;
    const decided = await run(socialSecurity, 'OfficerDecideApplication', { id: approved, decision: 'APPROVE' });
    expect(decided.body.data.decideApplication.status).toBe('APPROVED');
  }, 120_000);
  beforeEach(() => {
    requests = [];
  });
  afterAll(() => graph?.stop());

  /** A syntactically valid application id of `service` (an evidence fetch names one as its case). */
  const caseOf = (service: string) => `app_${service}_${'0'.repeat(26)}`;

  /** A department calling as itself: its own token, the procedure as purpose, an application as case. */
  async function asDepartment(service: 'education' | 'tax' | 'social-security' | 'health', purpose: string, caseId: string) {
    const token = await signDepartmentToken(service, await keyring().signingKey(service));
    return { authorization: `Bearer ${token}`, 'x-purpose': purpose, 'x-case-id': caseId };
  }

  /** Who runs each registered operation, and with what. */
  async function callerOf(name: string): Promise<{ headers: Record<string, string>; variables: Record<string, unknown> }> {
    const evidence = { subject: ME, applicant: ME };
    switch (name) {
      case 'CitizenApplication':
      case 'CitizenSubmitApplication':
        return { headers: await authHeaders(graph.keys, { sub: ME, role: 'citizen' }), variables: { id: submitted } };
      case 'CitizenRequestEvidence':
        return { headers: await authHeaders(graph.keys, { sub: ME, role: 'citizen' }), variables: { applicationId: submitted } };
      case 'CitizenStartApplication':
        return {
          headers: await authHeaders(graph.keys, { sub: ME, role: 'citizen' }),
          variables: { input: { procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: ME, clientRequestId: 'apollo-1' } },
        };
      case 'CitizenProcedures':
      case 'CitizenSchools':
        return { headers: await authHeaders(graph.keys, { sub: ME, role: 'citizen' }), variables: {} };
      case 'OfficerApplications':
        return { headers: await authHeaders(graph.keys, { sub: 'off-1', role: 'officer', department: 'SOCIAL_SECURITY' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER' }), variables: { status: 'SUBMITTED' } };
      case 'OfficerDecideApplication':
        return {
          headers: await authHeaders(graph.keys, { sub: 'off-1', role: 'officer', department: 'SOCIAL_SECURITY' }, { purpose: 'MEDICAL_INSURANCE_VOUCHER' }),
          variables: { id: submitted, decision: 'REJECT', reason: 'a test of the registered operation' },
        };
      case 'EvidenceFromIdentity':
        return { headers: await asDepartment('social-security', 'MEDICAL_INSURANCE_VOUCHER', approved), variables: { ...evidence, type: 'IDENTITY_RECORD' } };
      case 'EvidenceFromSocialSecurity':
        return { headers: await asDepartment('social-security', 'MEDICAL_INSURANCE_VOUCHER', approved), variables: { ...evidence, type: 'INSURED_STATUS' } };
      case 'EvidenceFromHealth':
        return { headers: await asDepartment('education', 'SCHOOL_ENROLLMENT', caseOf('education')), variables: { ...evidence, type: 'VACCINATION_RECORD' } };
      case 'EvidenceApplicantRelation':
        return { headers: await asDepartment('education', 'SCHOOL_ENROLLMENT', caseOf('education')), variables: evidence };
      case 'EvidenceFromTaxForBusiness':
        return { headers: await asDepartment('tax', 'EXPORT_TAX_REBATE', caseOf('tax')), variables: { subject: businessId, applicant: ME, type: 'BUSINESS_REGISTRATION' } };
      case 'EvidenceFromSocialSecurityForBusiness':
        return { headers: await asDepartment('tax', 'EXPORT_TAX_REBATE', caseOf('tax')), variables: { subject: businessId, applicant: ME, type: 'EMPLOYER_CONTRIBUTIONS' } };
      case 'DepartmentMarkVoucherRedeemed':
        return { headers: await asDepartment('health', 'MEDICAL_INSURANCE_VOUCHER', approved), variables: { voucherId: `vch_${approved}`, facilityId, encounterId: `enc_vch_${approved}` } };
    }
    if (name.startsWith('Citizen')) return { headers: await authHeaders(graph.keys, { sub: ME, role: 'citizen' }), variables: { id: ME } };
    if (name.startsWith('Officer')) {
      const department = name.replace(/^Officer|View$/g, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      const purpose = { HEALTH: 'HEALTH_CARE', EDUCATION: 'SCHOOL_ADMISSION', TRANSPORT: 'LICENCE_CHECK', TAX: 'TAX_ASSESSMENT', SOCIAL_SECURITY: 'BENEFIT_ELIGIBILITY' }[department]!;
      return { headers: await authHeaders(graph.keys, { sub: 'off-1', role: 'officer', department }, { purpose }), variables: { nationalId } };
    }
    if (!name.startsWith('Audit')) throw new Error(`no caller for the registered operation ${name}: add one here`);
    const variables = name === 'AuditEmployerContributions' ? { id: businessId } : name === 'AuditCitizenHistory' ? { id: ME } : {};
    return { headers: await authHeaders(graph.keys, { sub: 'aud-1', role: 'auditor' }), variables };
  }

  const operations = loadOperations();
  it.each(operations.map((operation) => [operation.name, operation.source]))(
    '%s runs on the first round trip, sent by id alone',
    async (name, source) => {
      const { headers, variables } = await callerOf(name);
      const document = parse(source) as DocumentNode;
      const isMutation = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'mutation');
      const result = isMutation
        ? await client(headers).mutate({ mutation: document, variables, errorPolicy: 'all', fetchPolicy: 'no-cache' })
        : await client(headers).query({ query: document, variables, errorPolicy: 'all', fetchPolicy: 'no-cache' });
      // Sections a role may not read are FORBIDDEN per field; never a refusal of the operation.
      for (const error of result.error ? [result.error] : []) expect(String(error)).toMatch(/Forbidden/);
      expect(result.data).toBeTruthy();
      expect(requests).toHaveLength(1);
      expect(requests[0].query).toBeUndefined();
      expect(requests[0].extensions?.persistedQuery?.sha256Hash).toBe(manifest.operations.find((op: { name: string }) => op.name === name).id);
    },
  );

  it('an edited operation is refused with OPERATION_NOT_REGISTERED', async () => {
    const { headers, variables } = await callerOf('CitizenOverview');
    const edited = print(parse(operations.find((operation) => operation.name === 'CitizenOverview')!.source)).replace('birthDate', 'birthDate sex');
    // A stock PersistedQueryLink (sha256 of the text): the hash is unknown, so it resends the text, which is not registered.
    const stock = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new SetContextLink((previous) => ({ headers: { ...previous.headers, ...headers } })),
        new PersistedQueryLink({ sha256: (text: string) => require('node:crypto').createHash('sha256').update(text).digest('hex') }),
        new HttpLink({ uri: graph.url }),
      ]),
    });
    const result = await stock.query({ query: parse(edited), variables, errorPolicy: 'all', fetchPolicy: 'no-cache' });
    expect(result.data).toBeFalsy();
    expect(JSON.stringify(result.error)).toContain('OPERATION_NOT_REGISTERED');
  });

  it('a stock PersistedQueryLink hashing its own text runs a registered operation by hash alone', async () => {
    const { headers, variables } = await callerOf('CitizenOverview');
    const sha256 = (text: string) => require('node:crypto').createHash('sha256').update(text).digest('hex');
    const make = () =>
      new ApolloClient({
        cache: new InMemoryCache(),
        link: ApolloLink.from([
          new SetContextLink((previous) => ({ headers: { ...previous.headers, ...headers } })),
          new PersistedQueryLink({ sha256 }),
          new HttpLink({ uri: graph.url, fetch: async (input, init) => (requests.push(JSON.parse(String(init?.body))), fetch(input, init)) }),
        ]),
      });
    const query = parse(operations.find((operation) => operation.name === 'CitizenOverview')!.source);
    const first = await make().query({ query, variables, fetchPolicy: 'no-cache' });
    expect(first.data).toMatchObject({ citizen: { id: ME } });
    const second = await make().query({ query, variables, fetchPolicy: 'no-cache' });
    expect(second.data).toEqual(first.data);
    // Apollo Client prints the operation before its fragments, as Apollo's manifest does: its own
    // hash is the manifest's id, known to the gateway, so neither client ever sent the text.
    expect(requests.map((request) => request.query === undefined)).toEqual([true, true]);
    expect(requests[0].extensions?.persistedQuery?.sha256Hash).toBe(manifest.operations.find((op: { name: string }) => op.name === 'CitizenOverview').id);
  });
});
