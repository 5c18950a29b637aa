import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { print } from 'graphql';
import {
  DepartmentMarkVoucherRedeemedDocument,
  EvidenceApplicantRelationDocument,
  EvidenceFromHealthDocument,
  EvidenceFromIdentityDocument,
  EvidenceFromSocialSecurityDocument,
  EvidenceFromSocialSecurityForBusinessDocument,
  EvidenceFromTaxForBusinessDocument,
} from '../schema/operations/generated/graphql';
import { APPLICATIONS_MIGRATIONS, applicationsRoute, type ProcedureHandler } from '../lib/applications';
import { MAX_OPEN_APPLICATIONS } from '../lib/applications/route';
import type { Principal } from '../lib/auth/principal';
import type { Db } from '../lib/db';
import { migrate } from '../lib/migrate';
import { BACKENDS, closeTestDbs, openTestDb } from './support/db';

/**
 * The handling department's side of applications (lib/applications/route.ts) on its own store:
 * each step one transaction, a retried start idempotent, decisions exclusive, statement counts
 * bounded. The evidence fetch through the gateway is covered by tests/applications.test.ts; here
 * the procedure is the voucher (subject: the applicant), whose start fetches nothing.
 */

const citizen = (sub: string): Principal => ({ sub, role: 'citizen', scope: [] });
const officer = (sub: string): Principal => ({ sub, role: 'officer', department: 'SOCIAL_SECURITY', purpose: 'MEDICAL_INSURANCE_VOUCHER', scope: [] });

describe.each(BACKENDS)('a department\'s applications route (%s)', (backend) => {
  let db: Db;
  let failApproval = false;
  const handler: ProcedureHandler = {
    procedure: 'MEDICAL_INSURANCE_VOUCHER',
    details: async () => ({}),
    async approve(tx, application) {
      await tx.query(`INSERT INTO test_records (id) VALUES ($1)`, [`rec_${application.id}`]);
      // A process that dies after writing the record and before the status: the transaction goes.
      if (failApproval) throw new Error('killed between the record and the status');
      return { id: `rec_${application.id}`, summary: 'a test record' };
    },
  };
  let route: ReturnType<typeof applicationsRoute>;

  beforeAll(async () => {
    db = await openTestDb(backend, 'social-security');
    await db.exec('CREATE TABLE IF NOT EXISTS test_records (id text PRIMARY KEY)');
    await migrate(db, APPLICATIONS_MIGRATIONS);
    route = applicationsRoute('social-security', db, [handler]);
  }, 60_000);
  afterAll(() => closeTestDbs());

  const call = async (body: Record<string, unknown>, principal: Principal) => route(body, principal);
  const start = (sub: string, key: string) => call({ op: 'start', procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: sub, clientRequestId: key }, citizen(sub));

  it('refuses a handler list that misses a procedure the department handles', () => {
    expect(() => applicationsRoute('social-security', db, [])).toThrow(/MEDICAL_INSURANCE_VOUCHER/);
  });

  it('makes one application of concurrent retries with one clientRequestId', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => start('cit_000001', 'retry-1')));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const ids = new Set(answers.map((a) => (a.body as { application: { id: string } }).application.id));
    expect(ids.size).toBe(1);
    const [{ count }] = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM applications WHERE applicant_id = 'cit_000001'`);
    expect(count).toBe(1);
    const [{ events }] = await db.query<{ events: number }>(`SELECT count(*)::int AS events FROM application_events`);
    expect(events).toBe(1);
  });

  it('answers bad input with the field and changes nothing', async () => {
    const before = await db.query(`SELECT id FROM applications`);
    for (const [body, field] of [
      [{ op: 'start', procedure: 'SCHOOL_ENROLLMENT', subjectId: 'cit_000002', clientRequestId: 'k' }, 'procedure'],
      [{ op: 'start', procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: 'x'.repeat(65), clientRequestId: 'k' }, 'subjectId'],
      [{ op: 'start', procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: 'cit_000002', clientRequestId: 'k'.repeat(65) }, 'clientRequestId'],
      [{ op: 'nope' }, 'op'],
      [{ op: 'get', id: 'app_tax_abc' }, 'id'],
      [{ op: 'list', first: 1000 }, 'first'],
      [{ op: 'list', after: 'bm90LWEtY3Vyc29y' }, 'after'],
      [{ op: 'listForCitizen', citizenId: 'cit_000002', after: 'garbage' }, 'after'],
      // A cursor of the right shape whose key is not a time: refused, not a failed statement.
      [{ op: 'listForCitizen', citizenId: 'cit_000002', after: Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url') }, 'after'],
      [{ op: 'list', first: '5' }, 'first'],
    ] as const) {
      const answer = await call(body as Record<string, unknown>, body.op === 'list' ? officer('o-1') : citizen('cit_000002')).catch((error: Error) => ({ status: 500, body: error.message }));
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field } });
    }
    const other = await call({ op: 'start', procedure: 'MEDICAL_INSURANCE_VOUCHER', subjectId: 'cit_000003', clientRequestId: 'k' }, citizen('cit_000002'));
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(await db.query(`SELECT id FROM applications`)).toEqual(before);
  });

  it('leaves no half-written decision when the process dies inside it', async () => {
    const { body } = await start('cit_000004', 'k-4');
    const id = (body as { application: { id: string } }).application.id;
    // Straight to SUBMITTED (the evidence steps are tested through the graph).
    await db.query(`UPDATE applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = $1`, [id]);
    failApproval = true;
    await expect(call({ op: 'decide', id, decision: 'APPROVE' }, officer('o-1'))).rejects.toThrow(/killed/);
    failApproval = false;
    const [row] = await db.query<{ status: string; record_id: string | null }>(`SELECT status, record_id FROM applications WHERE id = $1`, [id]);
    expect(row).toEqual({ status: 'SUBMITTED', record_id: null });
    expect(await db.query(`SELECT id FROM test_records WHERE id = $1`, [`rec_${id}`])).toEqual([]);
    // And the decision can be made again.
    const again = await call({ op: 'decide', id, decision: 'APPROVE' }, officer('o-1'));
    expect(again.body).toMatchObject({ application: { status: 'APPROVED', recordId: `rec_${id}` } });
    const conflict = await call({ op: 'decide', id, decision: 'REJECT', reason: 'late' }, officer('o-2'));
    expect(conflict).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
  });

  it('refuses decisions from anyone but a human officer of the handling department', async () => {
    const { body } = await start('cit_000005', 'k-5');
    const id = (body as { application: { id: string } }).application.id;
    await db.query(`UPDATE applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = $1`, [id]);
    const education: Principal = { sub: 'o-e', role: 'officer', department: 'EDUCATION', purpose: 'SCHOOL_ENROLLMENT', scope: [] };
    const machine: Principal = { ...officer('department:social-security'), scope: ['department'] };
    for (const principal of [citizen('cit_000005'), education, machine]) {
      const answer = await call({ op: 'decide', id, decision: 'APPROVE' }, principal);
      expect([403, 404]).toContain(answer.status);
    }
    const rejectWithoutReason = await call({ op: 'decide', id, decision: 'REJECT' }, officer('o-1'));
    expect(rejectWithoutReason.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'reason' } });
    const [row] = await db.query<{ status: string }>(`SELECT status FROM applications WHERE id = $1`, [id]);
    expect(row.status).toBe('SUBMITTED');
  });

  it('lists a page of applications in three statements, however many there are', async () => {
    for (let i = 10; i < 40; i++) {
      const { body } = await start(`cit_0000${i}`, `k-${i}`);
      await db.query(`UPDATE applications SET status = 'SUBMITTED', submitted_at = now() WHERE id = $1`, [(body as { application: { id: string } }).application.id]);
    }
    db.stats.statements = 0;
    const page = await call({ op: 'list', status: 'SUBMITTED', first: 25 }, officer('o-1'));
    expect((page.body as { connection: { edges: unknown[] } }).connection.edges).toHaveLength(25);
    expect(db.stats.statements).toBe(3);
    const next = await call({ op: 'list', status: 'SUBMITTED', first: 25, after: (page.body as { connection: { pageInfo: { endCursor: string } } }).connection.pageInfo.endCursor }, officer('o-1'));
    const ids = [...(page.body as any).connection.edges, ...(next.body as any).connection.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(31);
  });

  it(`refuses a ${MAX_OPEN_APPLICATIONS + 1}st open application of one applicant, and counts only open ones`, async () => {
    for (let i = 0; i < MAX_OPEN_APPLICATIONS; i++) expect((await start('cit_000090', `open-${i}`)).status).toBe(200);
    const over = await start('cit_000090', 'open-over');
    expect(over).toMatchObject({ status: 409, body: { error: { code: 'CONFLICT' } } });
    // A retry of one already made is still answered: it is not a new application.
    expect((await start('cit_000090', 'open-3')).status).toBe(200);
    await db.query(`UPDATE applications SET status = 'SUBMITTED' WHERE applicant_id = 'cit_000090' AND client_request_id = 'open-0'`);
    expect((await start('cit_000090', 'open-over')).status).toBe(200);
  });

  it('keeps a draft from the department', async () => {
    const { body } = await start('cit_000006', 'k-6');
    const id = (body as { application: { id: string } }).application.id;
    expect(await call({ op: 'get', id }, officer('o-1'))).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
    expect(await call({ op: 'get', id }, citizen('cit_000007'))).toMatchObject({ status: 404 });
    expect(await call({ op: 'get', id }, citizen('cit_000006'))).toMatchObject({ status: 200 });
  });
});


describe('what a department sends the gateway', () => {
  it('is registered: the text it sends hashes to an id of the manifest, so it runs where registration is required', () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'schema', 'operations', 'manifest.json'), 'utf8')) as Record<string, string>;
    const sent = [
      EvidenceFromIdentityDocument,
      EvidenceFromHealthDocument,
      EvidenceFromSocialSecurityDocument,
      EvidenceFromTaxForBusinessDocument,
      EvidenceFromSocialSecurityForBusinessDocument,
      EvidenceApplicantRelationDocument,
      DepartmentMarkVoucherRedeemedDocument,
    ];
    for (const document of sent) {
      const text = print(document);
      expect(manifest[createHash('sha256').update(text).digest('hex')]).toBe(text);
    }
  });
});
