import { DEPARTMENT_SCOPE } from '../../lib/auth/evidence-access';
import type { Principal } from '../../lib/auth/principal';
import { verifyEvidence, type EvidenceStatement } from '../../lib/evidence/document';
import { keyring } from '../../lib/evidence/keyring';
import { procedureByCode, type Procedure } from '../../lib/procedures';

/** An application id of `service`, as the handling department makes them. */
export const applicationOf = (service: string, n = 1) => `app_${service}_${String(n).padStart(26, '0')}`;

/** A handling department's own principal, as the gateway makes it from its department token: fetching for `procedure`. */
export function departmentPrincipal(code: Procedure['code'], extra: Partial<Principal> = {}): Principal {
  const procedure = procedureByCode(code)!;
  return {
    sub: `department:${procedure.service}`,
    role: 'officer',
    department: procedure.handler,
    scope: [DEPARTMENT_SCOPE],
    purpose: procedure.code,
    caseId: applicationOf(procedure.service),
    ...extra,
  };
}

/** The ways a caller other than the entitled handling department asks, each refused (FORBIDDEN). */
export function refusedCallers(code: Procedure['code'], otherProcedure: Procedure['code']): Array<[string, Principal]> {
  const entitled = departmentPrincipal(code);
  return [
    ['a plain officer of the handling department (no department scope)', { ...entitled, sub: 'off_1', scope: [] }],
    ['the handling department stating a purpose that is no procedure', { ...entitled, purpose: 'DISABILITY_ASSESSMENT' }],
    ["another department, with its own procedure's purpose and application", departmentPrincipal(otherProcedure)],
    ['the handling department without a case', { ...entitled, caseId: undefined }],
    ['a citizen', { sub: 'cit_000001', role: 'citizen', scope: [] }],
  ];
}

/** The statement in `document`, checked against its issuer's published keys; fails the test if it is not valid. */
export async function verifiedStatement(document: unknown): Promise<EvidenceStatement & { id: string }> {
  expect(typeof document).toBe('string');
  const verification = await verifyEvidence(document as string, (issuer) => keyring().verifier(issuer));
  if (!verification.valid) throw new Error(`the evidence does not verify: ${verification.reason}`);
  return { ...verification.statement, id: verification.id };
}
