import type { Department, Principal } from './auth/principal';

/**
 * The registered purposes: why a read of citizen data may happen. Every read carries one code
 * from this list (DESIGN.md, "Identity and access"), as India's Account Aggregator purpose codes
 * do: the code, what it means in plain words (the citizen's access log shows the meaning), and
 * who may state it. The gateway refuses any other text, so what a caller makes up never lands in
 * another citizen's access log; consent grants name a code from here, too.
 *
 * Adding a purpose is one entry here. A code is never reused for another meaning: the access
 * trail keeps the codes of past reads and shows their meaning from this list.
 */

/** Who may state a purpose: officers of a department, auditors, or the citizen themself. */
export type PurposeHolder = Department | 'AUDITOR' | 'CITIZEN';

export interface Purpose {
  /** Upper snake case, e.g. `TAX_ASSESSMENT`; what `x-purpose` and consent grants carry. */
  code: string;
  /** What the citizen reads in their access log: a plain sentence about why. */
  meaning: string;
  usedBy: readonly PurposeHolder[];
}

/** A citizen reading their own records (and their household's entries): whatever they send. */
export const SELF_SERVICE = 'CITIZEN_SELF_SERVICE';
/** An auditor who states no purpose reads for this one. */
export const AUDIT = 'AUDIT';

export const PURPOSES: readonly Purpose[] = [
  { code: SELF_SERVICE, meaning: 'A citizen viewing their own records', usedBy: ['CITIZEN'] },
  { code: AUDIT, meaning: 'Audit of who accessed citizen data', usedBy: ['AUDITOR'] },
  { code: 'COMPLAINT_REVIEW', meaning: "Review of a citizen's complaint about access to their data", usedBy: ['AUDITOR'] },

  { code: 'HEALTH_CARE', meaning: 'Medical treatment or care', usedBy: ['HEALTH'] },
  { code: 'VACCINATION_PROGRAMME', meaning: 'Following up vaccinations due or given', usedBy: ['HEALTH'] },
  { code: 'INSURANCE_CLAIM_REVIEW', meaning: 'Deciding a medical-insurance claim', usedBy: ['HEALTH', 'SOCIAL_SECURITY'] },

  { code: 'SCHOOL_ADMISSION', meaning: 'Admitting a pupil to a school', usedBy: ['EDUCATION'] },
  { code: 'QUALIFICATION_CHECK', meaning: 'Confirming a qualification or an exam result', usedBy: ['EDUCATION'] },

  { code: 'LICENCE_CHECK', meaning: 'Checking a driving licence', usedBy: ['TRANSPORT'] },
  { code: 'VEHICLE_REGISTRATION', meaning: 'Registering or transferring a vehicle', usedBy: ['TRANSPORT'] },
  { code: 'TRAFFIC_ENFORCEMENT', meaning: 'Handling a traffic violation', usedBy: ['TRANSPORT'] },

  { code: 'TAX_ASSESSMENT', meaning: 'Assessing income tax', usedBy: ['TAX'] },
  { code: 'ASSET_CHECK', meaning: 'Checking declared income and assets', usedBy: ['TAX', 'SOCIAL_SECURITY'] },

  { code: 'BENEFIT_ELIGIBILITY', meaning: 'Deciding whether a benefit is due', usedBy: ['SOCIAL_SECURITY'] },
  { code: 'DISABILITY_ASSESSMENT', meaning: 'Assessing a disability for an allowance', usedBy: ['SOCIAL_SECURITY'] },
  { code: 'PENSION_ENTITLEMENT', meaning: 'Working out a pension', usedBy: ['SOCIAL_SECURITY'] },
  { code: 'CONTRIBUTION_COLLECTION', meaning: "Collecting an employer's social-insurance contributions", usedBy: ['SOCIAL_SECURITY'] },

  {
    code: 'ACCESS_REVIEW',
    meaning: "A department reviewing its own officers' reads of citizen data",
    usedBy: ['HEALTH', 'EDUCATION', 'TRANSPORT', 'TAX', 'SOCIAL_SECURITY'],
  },
  { code: 'FRAUD_INVESTIGATION', meaning: 'Investigating suspected benefit or tax fraud', usedBy: ['TAX', 'SOCIAL_SECURITY'] },

  // Procedures a citizen applies for once; the handling department fetches the evidence under
  // the procedure's code (DESIGN.md, "Applications and evidence").
  { code: 'SCHOOL_ENROLLMENT', meaning: "Enrolling a child in school, on the parent's application", usedBy: ['EDUCATION'] },
  { code: 'EXPORT_TAX_REBATE', meaning: 'Deciding an export tax rebate the citizen applied for', usedBy: ['TAX'] },
  {
    code: 'MEDICAL_INSURANCE_VOUCHER',
    meaning: 'Issuing a medical-insurance e-voucher the citizen applied for',
    usedBy: ['HEALTH', 'SOCIAL_SECURITY'],
  },
];

const BY_CODE: ReadonlyMap<string, Purpose> = new Map(PURPOSES.map((p) => [p.code, p]));

/** `tax-assessment`, ` TAX_ASSESSMENT ` -> `TAX_ASSESSMENT` (whether registered or not). */
export const purposeKey = (text: string) => text.trim().toUpperCase().replace(/-/g, '_');

/** The registered purpose `text` names (case and `-`/`_` aside), or undefined. */
export function purposeByCode(text: string | null | undefined): Purpose | undefined {
  return text ? BY_CODE.get(purposeKey(text)) : undefined;
}

/** The codes `holder` may state, in registry order. */
export function purposesFor(holder: PurposeHolder): string[] {
  return PURPOSES.filter((p) => p.usedBy.includes(holder)).map((p) => p.code);
}

/** Who a principal states purposes as: their department for officers, else their role. */
export function holderOf(principal: Principal): PurposeHolder | null {
  if (principal.role === 'citizen') return 'CITIZEN';
  if (principal.role === 'auditor') return 'AUDITOR';
  return principal.department ?? null;
}

/** Why a stated purpose is refused: the gateway answers each with its own code. */
export interface PurposeRefusal {
  code: 'PURPOSE_REQUIRED' | 'PURPOSE_UNKNOWN' | 'PURPOSE_NOT_ALLOWED';
  message: string;
  /** The codes the caller may state instead. */
  allowed: string[];
}

const whom = (holder: PurposeHolder | null) =>
  holder === 'AUDITOR' ? 'auditors' : holder === 'CITIZEN' ? 'citizens' : holder ? `officers of ${holder}` : 'officers without a department';

/**
 * The purpose `principal`'s request carries, given what they stated (`x-purpose` or the token's
 * claim), or why it is refused:
 * - a citizen always reads for CITIZEN_SELF_SERVICE, whatever they sent;
 * - an auditor states one of the auditors' codes, AUDIT when they state none;
 * - an officer must state a registered code their department may use.
 */
export function purposeFor(
  principal: Principal,
  stated: string | undefined,
  /** Where the caller stated it, for the message: the header, or a command's option. */
  source = 'x-purpose',
): { purpose: string } | { refusal: PurposeRefusal } {
  if (principal.role === 'citizen') return { purpose: SELF_SERVICE };
  if (principal.role === 'auditor' && !stated) return { purpose: AUDIT };
  const holder = holderOf(principal);
  const allowed = holder ? purposesFor(holder) : [];
  const instead = `${whom(holder)} may use ${allowed.join(', ')}`;
  if (!stated) {
    const message = `Officers must state why they read citizen data: send ${source}; ${instead}`;
    return { refusal: { code: 'PURPOSE_REQUIRED', message, allowed } };
  }
  const purpose = purposeByCode(stated);
  if (!purpose) {
    const message = `${source} must be a registered purpose code; received ${JSON.stringify(stated.slice(0, 64))}; ${instead}`;
    return { refusal: { code: 'PURPOSE_UNKNOWN', message, allowed } };
  }
  if (!holder || !purpose.usedBy.includes(holder)) {
    const message = `purpose ${purpose.code} is for ${purpose.usedBy.map(whom).join(' and ')}, not ${whom(holder)}; ${instead}`;
    return { refusal: { code: 'PURPOSE_NOT_ALLOWED', message, allowed } };
  }
  return { purpose: purpose.code };
}
