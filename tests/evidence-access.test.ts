import { assertEvidenceAccess, assertRelationAccess, DEPARTMENT_SCOPE, evidenceDenial, relationDenial } from '../lib/auth/evidence-access';
import type { Principal } from '../lib/auth/principal';
import { EVIDENCE_TYPE_NAMES, EVIDENCE_TYPES, PROCEDURES, type EvidenceType } from '../lib/procedures';

const app = (service: string) => `app_${service}_${'0123456789abcdefghijklmnop'}`;

/** Education's own principal, as the gateway makes it from education's department token, fetching for an enrollment. */
const education: Principal = {
  sub: 'department:education',
  role: 'officer',
  department: 'EDUCATION',
  scope: [DEPARTMENT_SCOPE],
  purpose: 'SCHOOL_ENROLLMENT',
  caseId: app('education'),
};
const tax: Principal = { ...education, sub: 'department:tax', department: 'TAX', purpose: 'EXPORT_TAX_REBATE', caseId: app('tax') };
const socialSecurity: Principal = {
  ...education,
  sub: 'department:social-security',
  department: 'SOCIAL_SECURITY',
  purpose: 'MEDICAL_INSURANCE_VOUCHER',
  caseId: app('social-security'),
};

/** The FORBIDDEN error `assertEvidenceAccess` throws, or undefined when it allows. */
function refusal(principal: Principal, type: EvidenceType, issuer = EVIDENCE_TYPES[type].issuer) {
  try {
    assertEvidenceAccess(principal, issuer, type);
    return undefined;
  } catch (error) {
    return error as { message: string; extensions: Record<string, unknown> };
  }
}

describe('evidence is issued only to a handling department, for an application it holds', () => {
  it('each handling department obtains exactly the evidence its procedure needs, from its issuer', () => {
    const callers = { SCHOOL_ENROLLMENT: education, EXPORT_TAX_REBATE: tax, MEDICAL_INSURANCE_VOUCHER: socialSecurity };
    for (const procedure of PROCEDURES) {
      const caller = callers[procedure.code];
      for (const type of EVIDENCE_TYPE_NAMES) {
        expect([procedure.code, type, evidenceDenial(caller, EVIDENCE_TYPES[type].issuer, type) === null]).toEqual([
          procedure.code,
          type,
          procedure.evidence.includes(type),
        ]);
      }
    }
  });

  it('refuses a human officer of the handling department (no department scope), a citizen and an auditor', () => {
    const people: Principal[] = [
      { ...education, sub: 'off_1', scope: [] },
      { sub: 'cit_000001', role: 'citizen', scope: [DEPARTMENT_SCOPE], purpose: 'SCHOOL_ENROLLMENT', caseId: app('education') },
      { sub: 'aud_1', role: 'auditor', scope: [DEPARTMENT_SCOPE], auditOperation: 'AuditTest', purpose: 'SCHOOL_ENROLLMENT', caseId: app('education') },
    ];
    for (const principal of people) {
      const error = refusal(principal, 'BIRTH_RECORD');
      expect(error?.extensions).toMatchObject({ code: 'FORBIDDEN', department: 'IDENTITY' });
      expect(error?.message).toMatch(/^Forbidden: evidence is issued only to a handling department, calling as itself, for an application it holds/);
    }
  });

  it('refuses a purpose that is not a procedure, or none', () => {
    expect(refusal({ ...education, purpose: 'DISABILITY_ASSESSMENT' }, 'BIRTH_RECORD')?.message).toMatch(/purpose must be a procedure code, received "DISABILITY_ASSESSMENT"/);
    expect(refusal({ ...education, purpose: undefined }, 'BIRTH_RECORD')?.message).toMatch(/purpose must be a procedure code, received null/);
  });

  it("refuses another department's procedure: social security cannot state school enrollment as its purpose", () => {
    const error = refusal({ ...socialSecurity, purpose: 'SCHOOL_ENROLLMENT', caseId: app('education') }, 'BIRTH_RECORD');
    expect(error?.message).toMatch(/SCHOOL_ENROLLMENT is handled by EDUCATION, not SOCIAL_SECURITY/);
  });

  it('refuses evidence the procedure does not need (a school enrollment needs no identity record)', () => {
    expect(refusal(education, 'IDENTITY_RECORD')?.message).toMatch(/SCHOOL_ENROLLMENT does not need IDENTITY_RECORD/);
    expect(refusal(tax, 'INSURED_STATUS')?.message).toMatch(/EXPORT_TAX_REBATE does not need INSURED_STATUS/);
  });

  it('refuses without a case, with a case that is not an application, and with an application of another service', () => {
    for (const caseId of [undefined, 'CASE-2026-1', `app_education_${'x'.repeat(25)}`, app('tax')]) {
      const error = refusal({ ...education, caseId }, 'BIRTH_RECORD');
      expect(error?.extensions.code).toBe('FORBIDDEN');
      expect(error?.message).toMatch(/the case must be an application of education/);
    }
  });

  it('refuses a type asked of a department that does not issue it, naming the issuing department as refusing', () => {
    const error = refusal(education, 'BIRTH_RECORD', 'health');
    expect(error?.message).toBe('Forbidden: BIRTH_RECORD is issued by identity, not health');
    expect(error?.extensions.department).toBe('HEALTH');
    expect(refusal(socialSecurity, 'IDENTITY_RECORD', 'social-security')?.extensions.department).toBe('SOCIAL_SECURITY');
  });
});

describe("an applicant's relation to a subject (Citizen.applicantRelation)", () => {
  it('is answered to the handling department of a procedure for a minor of the household', () => {
    expect(relationDenial(education)).toBeNull();
    expect(() => assertRelationAccess(education)).not.toThrow();
  });

  it('is refused for a procedure with another kind of subject, even to its handling department', () => {
    expect(relationDenial(tax)).toMatch(/EXPORT_TAX_REBATE is for REPRESENTED_BUSINESS/);
    expect(relationDenial(socialSecurity)).toMatch(/MEDICAL_INSURANCE_VOUCHER is for SELF/);
  });

  it('is refused to a human officer, without a case and to another department', () => {
    for (const principal of [{ ...education, scope: [] }, { ...education, caseId: undefined }, { ...tax, purpose: 'SCHOOL_ENROLLMENT' }]) {
      expect(() => assertRelationAccess(principal)).toThrow(expect.objectContaining({ extensions: { code: 'FORBIDDEN', department: 'IDENTITY' } }));
    }
  });
});
