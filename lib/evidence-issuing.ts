import { randomBytes } from 'node:crypto';
import { assertEvidenceAccess } from './auth/evidence-access';
import type { Principal } from './auth/principal';
import { signEvidence } from './evidence/document';
import { keyring } from './evidence/keyring';
import { badInput } from './errors';
import { EVIDENCE_TYPES, type EvidenceIssuer, type EvidenceType } from './procedures';

/**
 * The issuing side of evidence, as every issuing department's field
 * (`Citizen.identityEvidence`, `Business.taxEvidence`, ...) runs it:
 * 1. `evidenceRequest` before reading anything: the type must be one this department issues
 *    (BAD_USER_INPUT naming `type`), and the caller a handling department entitled to it
 *    (FORBIDDEN, lib/auth/evidence-access.ts);
 * 2. the department reads its store and states exactly the type's attributes;
 * 3. `issueEvidence` signs the statement with the department's own key, for the procedure and
 *    the application the caller stated (its purpose and case).
 */

/** The attributes a statement of `type` carries, each named: the compiler holds a department to the catalogue. */
export type EvidenceClaims<T extends EvidenceType> = { [K in (typeof EVIDENCE_TYPES)[T]['attributes'][number]]: unknown };

/** The evidence types issuer `I` issues, as a type. */
export type IssuedBy<I extends EvidenceIssuer> = { [T in EvidenceType]: (typeof EVIDENCE_TYPES)[T]['issuer'] extends I ? T : never }[EvidenceType];

/** The evidence types `issuer` issues, in catalogue order. */
export const typesIssuedBy = (issuer: EvidenceIssuer): EvidenceType[] =>
  (Object.keys(EVIDENCE_TYPES) as EvidenceType[]).filter((type) => EVIDENCE_TYPES[type].issuer === issuer);

/**
 * Checks a request for evidence of `type` from `issuer` before anything is read: `type` must be
 * one `issuer` issues (else BAD_USER_INPUT, argument `type`), and `principal` entitled to it
 * (else FORBIDDEN). Returns the type, narrowed to the ones `issuer` issues.
 *
 * `field` and `states`: where an issuer states some of its types on one entity and the rest on
 * another (social security: a citizen's insurance, a business's contributions), the field and
 * the types it states; any other of the issuer's types is BAD_USER_INPUT there too.
 */
export function evidenceRequest<I extends EvidenceIssuer, S extends IssuedBy<I> = IssuedBy<I>>(
  principal: Principal,
  issuer: I,
  type: EvidenceType,
  only?: { field: string; states: readonly S[] },
): S {
  const issued = typesIssuedBy(issuer);
  if (!isIssuedBy(issuer, type)) {
    throw badInput(`type must be evidence that ${issuer} issues (${issued.join(', ')}); ${type} is issued by ${EVIDENCE_TYPES[type].issuer}`, 'type');
  }
  if (only && !(only.states as readonly EvidenceType[]).includes(type)) {
    throw badInput(`type must be evidence that ${only.field} states (${only.states.join(', ')}); received ${type}`, 'type');
  }
  assertEvidenceAccess(principal, issuer, type);
  return type as S;
}

/** Whether `issuer` issues `type`. */
const isIssuedBy = <I extends EvidenceIssuer>(issuer: I, type: EvidenceType): type is IssuedBy<I> => EVIDENCE_TYPES[type].issuer === issuer;

/** A fresh evidence id: `ev_` and 26 base32 characters (128 random bits). */
export function evidenceId(): string {
  return `ev_${BigInt(`0x${randomBytes(16).toString('hex')}`).toString(32).padStart(26, '0')}`;
}

/**
 * Signs a statement of `type` about `subject` (a citizen or business id) as `issuer`, for the
 * procedure and application `principal` stated (its purpose and case, checked by
 * `evidenceRequest`). Returns the compact JWS. `claims` must be exactly the type's attributes
 * (signEvidence throws otherwise: a department's bug, never the caller's).
 */
export async function issueEvidence<T extends EvidenceType>(
  principal: Principal,
  issuer: EvidenceIssuer,
  type: T,
  subject: string,
  claims: EvidenceClaims<T>,
): Promise<string> {
  return signEvidence(
    await keyring().signingKey(issuer),
    { type, issuer, subject, procedure: principal.purpose ?? '', application: principal.caseId ?? '', claims: claims as Record<string, unknown> },
    evidenceId(),
  );
}
