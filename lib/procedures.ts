import type { Department } from './auth/principal';

/**
 * The catalogue of procedures a citizen applies for once (DESIGN.md, "Applications and
 * evidence"): who handles each, whom it may be for, the evidence it needs (its type, the
 * department that issues it and the attributes the statement carries, nothing more), and its
 * service-time standard. `Query.procedures` serves this list; the handling department, the
 * issuing departments and the evidence verifier all read it from here, so what a procedure may
 * fetch is written once.
 *
 * A procedure's code is also the purpose its evidence is fetched under (lib/purposes.ts): every
 * fetch lands in the access trail with that purpose and the application as case.
 */

/** The services that issue evidence: every department with a store of its own, and the civil registry. */
export const EVIDENCE_ISSUERS = ['identity', 'health', 'education', 'transport', 'tax', 'social-security'] as const;
export type EvidenceIssuer = (typeof EVIDENCE_ISSUERS)[number];

/** The services that handle applications (they hold them in their own store). */
export const HANDLING_SERVICES = ['education', 'tax', 'social-security'] as const;
export type HandlingService = (typeof HANDLING_SERVICES)[number];

/** Every type of evidence a procedure may ask for, and the one department that issues it. */
export const EVIDENCE_TYPES = {
  /** The subject's registered household and address, and whether the applicant is registered in it. */
  HOUSEHOLD_RESIDENCE: { issuer: 'identity', title: 'Household and address', attributes: ['householdId', 'address', 'applicantInHousehold'] },
  /** The subject's birth record: name, birth date and sex. */
  BIRTH_RECORD: { issuer: 'identity', title: 'Birth record', attributes: ['name', 'birthDate', 'sex'] },
  /** The subject's identity: name, national id number and birth date. */
  IDENTITY_RECORD: { issuer: 'identity', title: 'Identity record', attributes: ['name', 'nationalId', 'birthDate'] },
  /** The vaccinations the subject received: vaccine, dose and date of each. */
  VACCINATION_RECORD: { issuer: 'health', title: 'Vaccination record', attributes: ['doses'] },
  /** The business's registration, and whether the applicant is its legal representative. */
  BUSINESS_REGISTRATION: {
    issuer: 'tax',
    title: 'Business registration',
    attributes: ['registrationNumber', 'name', 'exporter', 'applicantIsLegalRepresentative'],
  },
  /** Whether the business has paid its employees' social-insurance contributions for the last full year. */
  EMPLOYER_CONTRIBUTIONS: { issuer: 'social-security', title: 'Employer contributions paid up', attributes: ['year', 'employees', 'paidUp'] },
  /** Whether the subject is insured, and their contribution months over the last twelve. */
  INSURED_STATUS: { issuer: 'social-security', title: 'Insured status and contributions', attributes: ['insured', 'contributionMonths'] },
} as const satisfies Record<string, { issuer: EvidenceIssuer; title: string; attributes: readonly string[] }>;
export type EvidenceType = keyof typeof EVIDENCE_TYPES;
export const EVIDENCE_TYPE_NAMES = Object.keys(EVIDENCE_TYPES) as EvidenceType[];

/** Whom an application may be for, as its applicant relates to the subject. */
export type SubjectKind =
  /** the applicant themself */
  | 'SELF'
  /** a child under 18 registered in the applicant's household */
  | 'HOUSEHOLD_MINOR'
  /** a business the applicant is the registered legal representative of */
  | 'REPRESENTED_BUSINESS';

export interface Procedure {
  /** Upper snake case; also the registered purpose its evidence is fetched under. */
  code: 'SCHOOL_ENROLLMENT' | 'EXPORT_TAX_REBATE' | 'MEDICAL_INSURANCE_VOUCHER';
  title: string;
  /** The department that decides it and writes its record on approval. */
  handler: Department;
  /** The service that holds its applications. */
  service: HandlingService;
  subject: SubjectKind;
  evidence: readonly EvidenceType[];
  /** Days from submission to decision the department commits to. */
  serviceTimeDays: number;
  /** The status after approval, where the procedure has one: a rebate is paid, a voucher redeemed. */
  completion?: 'PAID' | 'REDEEMED';
  /** What the approval writes in the handling department's store. */
  record: string;
}

export const PROCEDURES: readonly Procedure[] = [
  {
    code: 'SCHOOL_ENROLLMENT',
    title: 'School enrollment for a child of your household',
    handler: 'EDUCATION',
    service: 'education',
    subject: 'HOUSEHOLD_MINOR',
    evidence: ['HOUSEHOLD_RESIDENCE', 'BIRTH_RECORD', 'VACCINATION_RECORD'],
    serviceTimeDays: 5,
    record: 'an enrollment at the chosen school',
  },
  {
    code: 'EXPORT_TAX_REBATE',
    title: 'Export tax rebate claim for a business you represent',
    handler: 'TAX',
    service: 'tax',
    subject: 'REPRESENTED_BUSINESS',
    evidence: ['BUSINESS_REGISTRATION', 'EMPLOYER_CONTRIBUTIONS'],
    serviceTimeDays: 3,
    completion: 'PAID',
    record: "an export rebate on the business's record",
  },
  {
    code: 'MEDICAL_INSURANCE_VOUCHER',
    title: 'Medical-insurance e-voucher',
    handler: 'SOCIAL_SECURITY',
    service: 'social-security',
    subject: 'SELF',
    evidence: ['INSURED_STATUS', 'IDENTITY_RECORD'],
    serviceTimeDays: 1,
    completion: 'REDEEMED',
    record: 'a voucher, redeemed at a health facility',
  },
];

const BY_CODE = new Map<string, Procedure>(PROCEDURES.map((p) => [p.code, p]));

/** The procedure called `code`, or undefined. */
export const procedureByCode = (code: string | null | undefined): Procedure | undefined => (code ? BY_CODE.get(code) : undefined);

/** The procedures a service handles. */
export const proceduresOf = (service: HandlingService): Procedure[] => PROCEDURES.filter((p) => p.service === service);

/**
 * Whether `purpose` (a procedure code, as the handling department's principal states it) lets
 * `department` obtain evidence of `type` from its issuer: the procedure exists, that department
 * handles it, and the procedure needs that evidence. What the issuing department checks before
 * it signs anything.
 */
export function evidenceAllowed(purpose: string | undefined, department: Department | undefined, type: EvidenceType): boolean {
  const procedure = procedureByCode(purpose);
  return !!procedure && procedure.handler === department && procedure.evidence.includes(type);
}

/**
 * Application ids: `app_<service>_<26 base32 characters>`, so that the desk can tell which
 * handling department holds one without asking (and refuse a malformed one without asking).
 */
export const APPLICATION_ID = /^app_(education|tax|social-security)_[0-9a-z]{26}$/;

/** The service holding application `id`, or undefined if `id` is not an application id. */
export function serviceOfApplication(id: string): HandlingService | undefined {
  const match = APPLICATION_ID.exec(id);
  return match ? (match[1] as HandlingService) : undefined;
}
