import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { EVIDENCE_ISSUERS, EVIDENCE_TYPES, type EvidenceIssuer, type EvidenceType } from '../procedures';

/**
 * A piece of evidence: a statement an issuing department signs with its own key (Ed25519, a
 * compact JWS), carrying only the attributes the procedure needs. Anyone holding the issuer's
 * public keys (its JWKS) can check it offline; a changed byte breaks the signature.
 *
 * Header: `{ alg: "EdDSA", typ: "evidence+jwt", kid }`. Payload:
 * `{ iss: "citizen-graph:<issuer>", sub: <subject id>, iat, jti: <evidence id>,
 *    evidence: { type, procedure, application, claims } }`.
 */
export const EVIDENCE_TYP = 'evidence+jwt';
export const EVIDENCE_ALGORITHM = 'EdDSA';
/** Longest evidence document accepted for verification: far above any real one (about 1 KB). */
export const MAX_EVIDENCE_BYTES = 16_384;

export const issuerUri = (issuer: EvidenceIssuer) => `citizen-graph:${issuer}`;

export interface EvidenceStatement {
  type: EvidenceType;
  issuer: EvidenceIssuer;
  /** The citizen or business the statement is about. */
  subject: string;
  /** The procedure it was issued for, and the application (the case of the fetch). */
  procedure: string;
  application: string;
  /** Exactly the attributes EVIDENCE_TYPES lists for `type`. */
  claims: Record<string, unknown>;
}

export interface SigningKey {
  key: KeyLike;
  kid: string;
}

/** Signs `statement` as its issuer. Throws if the claims are not exactly the type's attributes. */
export async function signEvidence(signing: SigningKey, statement: EvidenceStatement, id: string): Promise<string> {
  const expected = EVIDENCE_TYPES[statement.type];
  if (expected.issuer !== statement.issuer) throw new Error(`${statement.type} is issued by ${expected.issuer}, not ${statement.issuer}`);
  const keys = Object.keys(statement.claims).sort();
  const wanted = [...expected.attributes].sort();
  if (keys.join() !== wanted.join()) throw new Error(`${statement.type} carries ${wanted.join(', ')}; got ${keys.join(', ')}`);
  return new SignJWT({ evidence: { type: statement.type, procedure: statement.procedure, application: statement.application, claims: statement.claims } })
    .setProtectedHeader({ alg: EVIDENCE_ALGORITHM, typ: EVIDENCE_TYP, kid: signing.kid })
    .setIssuer(issuerUri(statement.issuer))
    .setSubject(statement.subject)
    .setJti(id)
    .setIssuedAt()
    .sign(signing.key);
}

export type EvidenceVerification =
  | { valid: true; statement: EvidenceStatement; id: string; issuedAt: string; kid: string }
  | { valid: false; reason: string; issuer?: EvidenceIssuer };

/** The issuer a document claims, read without verifying anything (to pick its keys); undefined if none. */
export function claimedIssuer(document: string): EvidenceIssuer | undefined {
  try {
    const iss = decodeJwt(document).iss;
    return EVIDENCE_ISSUERS.find((issuer) => issuerUri(issuer) === iss);
  } catch {
    return undefined;
  }
}

/**
 * Checks `document`: its form, its signature under the issuer's keys (`keysOf(issuer)`, a
 * JWKS), its type header and that its claims are exactly the type's attributes. Never throws
 * for a bad document: the answer says why it is not valid.
 */
export async function verifyEvidence(document: string, keysOf: (issuer: EvidenceIssuer) => JWTVerifyGetKey | Promise<JWTVerifyGetKey>): Promise<EvidenceVerification> {
  if (typeof document !== 'string' || document.length === 0) return { valid: false, reason: 'the document is empty' };
  if (document.length > MAX_EVIDENCE_BYTES) return { valid: false, reason: `the document is longer than ${MAX_EVIDENCE_BYTES} characters` };
  document = document.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(document)) {
    return { valid: false, reason: 'the document is not a compact JWS (three base64url parts separated by dots)' };
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(document);
  } catch {
    return { valid: false, reason: 'the document header is not readable JSON' };
  }
  if (header.typ !== EVIDENCE_TYP) return { valid: false, reason: `the document is not evidence (typ ${JSON.stringify(header.typ)}, expected ${EVIDENCE_TYP})` };
  if (header.alg !== EVIDENCE_ALGORITHM) return { valid: false, reason: `evidence is signed with ${EVIDENCE_ALGORITHM}; this document says ${JSON.stringify(header.alg)}` };
  const issuer = claimedIssuer(document);
  if (!issuer) return { valid: false, reason: 'the document names no issuer of the graph' };
  let payload: Record<string, unknown>;
  try {
    const keys = await keysOf(issuer);
    ({ payload } = await jwtVerify(document, keys, { algorithms: [EVIDENCE_ALGORITHM], issuer: issuerUri(issuer), typ: EVIDENCE_TYP }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return { valid: false, issuer, reason: `the signature does not match: the document was changed, or ${issuer} did not sign it` };
    if (error instanceof errors.JWKSNoMatchingKey) return { valid: false, issuer, reason: `${issuer} publishes no key ${JSON.stringify(header.kid)}` };
    return { valid: false, issuer, reason: `the signature could not be checked: ${(error as Error).message}` };
  }
  const evidence = payload.evidence as Partial<EvidenceStatement> | undefined;
  const type = evidence?.type as EvidenceType | undefined;
  if (!evidence || !type || !(type in EVIDENCE_TYPES)) return { valid: false, issuer, reason: 'the document carries no known evidence type' };
  if (EVIDENCE_TYPES[type].issuer !== issuer) return { valid: false, issuer, reason: `${type} is issued by ${EVIDENCE_TYPES[type].issuer}, not ${issuer}` };
  const claims = (evidence.claims ?? {}) as Record<string, unknown>;
  if (Object.keys(claims).sort().join() !== [...EVIDENCE_TYPES[type].attributes].sort().join()) {
    return { valid: false, issuer, reason: `${type} must carry exactly ${EVIDENCE_TYPES[type].attributes.join(', ')}` };
  }
  if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.iat !== 'number') {
    return { valid: false, issuer, reason: 'the document lacks its subject, id or time of issue' };
  }
  return {
    valid: true,
    id: payload.jti,
    kid: String(header.kid ?? ''),
    issuedAt: new Date(payload.iat * 1000).toISOString(),
    statement: {
      type,
      issuer,
      subject: payload.sub,
      procedure: String(evidence.procedure ?? ''),
      application: String(evidence.application ?? ''),
      claims,
    },
  };
}
