import { decodeJwt, SignJWT } from 'jose';
import type { DepartmentKeyring } from '../evidence/keyring';
import type { SigningKey } from '../evidence/document';
import { EVIDENCE_ISSUERS, type EvidenceIssuer } from '../procedures';
import { ALGORITHM } from './keys';
import { parseDepartment, type Department, type Principal } from './principal';
import { AuthError, USER_AUDIENCE, verifyJwt } from './tokens';

/**
 * A department calling the gateway as itself (docs/applications.md, "A department as a caller"):
 * a handling department fetches evidence with a token it signs with its own Ed25519 key (the key
 * that signs its evidence, lib/evidence/keyring.ts). The gateway verifies it against that
 * department's JWKS and makes the caller an officer of that department with the scope
 * `department`, which no other caller's token can carry.
 *
 * Header `{ alg: "EdDSA", typ: "JWT", kid }`; claims `{ iss: "citizen-graph-department",
 * sub: "department:<service>", aud: "citizen-graph", iat, exp, department: <Department code> }`.
 */
export const DEPARTMENT_ISSUER = 'citizen-graph-department';
/** The scope only a verified department token gives; stripped from every other caller's token. */
export const DEPARTMENT_SCOPE = 'department';
/** Longest lifetime (`exp` - `iat`) of a department token the gateway accepts, seconds. */
export const DEPARTMENT_TOKEN_MAX_LIFETIME = 300;

/** `department:<service>`, the subject of `service`'s tokens. */
export const departmentSubject = (service: EvidenceIssuer) => `department:${service}`;

/** The Department code of `service`, or null for a service that has none (identity). */
export function departmentOf(service: EvidenceIssuer): Department | null {
  return parseDepartment(service);
}

/**
 * `service`'s token to the gateway, signed with its own key (`keyring().signingKey(service)`),
 * valid for `ttlSeconds` (at most DEPARTMENT_TOKEN_MAX_LIFETIME). Identity has no Department
 * code: it issues evidence but handles no application, so it gets no token.
 */
export async function signDepartmentToken(service: EvidenceIssuer, signing: SigningKey, ttlSeconds = 60): Promise<string> {
  const department = EVIDENCE_ISSUERS.includes(service) ? departmentOf(service) : null;
  if (!department) throw new Error(`${JSON.stringify(service)} is not a department: only ${departmentServices().join(', ')} call the gateway as themselves`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > DEPARTMENT_TOKEN_MAX_LIFETIME) {
    throw new Error(`a department token lives 1 to ${DEPARTMENT_TOKEN_MAX_LIFETIME} s; asked for ${ttlSeconds}`);
  }
  return new SignJWT({ department })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT', kid: signing.kid })
    .setIssuer(DEPARTMENT_ISSUER)
    .setSubject(departmentSubject(service))
    .setAudience(USER_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(signing.key);
}

/** The services that may sign department tokens: every evidence issuer with a Department code. */
export const departmentServices = (): EvidenceIssuer[] => EVIDENCE_ISSUERS.filter((service) => departmentOf(service) !== null);

/** Whether `token` says (unverified: only to pick its keys) it is a department's token. */
export function isDepartmentToken(token: string): boolean {
  try {
    return decodeJwt(token).iss === DEPARTMENT_ISSUER;
  } catch {
    return false;
  }
}

/**
 * Verifies a department's token against that department's JWKS (`departments.verifier`): the
 * service named by `sub` picks the keys, so a token signed by one department and claiming
 * another fails on its signature. `exp` and `iat` are required, the lifetime at most
 * DEPARTMENT_TOKEN_MAX_LIFETIME, and the `department` claim must be the service's code.
 * Throws AuthError saying why.
 */
export async function verifyDepartmentToken(token: string, departments: DepartmentKeyring): Promise<Principal> {
  let sub: unknown;
  try {
    sub = decodeJwt(token).sub;
  } catch (error) {
    throw new AuthError(`token is malformed: ${(error as Error).message}`);
  }
  const service = typeof sub === 'string' && sub.startsWith('department:') ? (sub.slice('department:'.length) as EvidenceIssuer) : undefined;
  if (!service) throw new AuthError(`department token subject must be "department:<service>"; received ${JSON.stringify(sub)}`);
  const department = EVIDENCE_ISSUERS.includes(service) ? departmentOf(service) : null;
  if (!department) {
    throw new AuthError(`department token names ${JSON.stringify(service)}, which is not a department; expected one of ${departmentServices().join(', ')}`);
  }
  let keys: Awaited<ReturnType<DepartmentKeyring['verifier']>>;
  try {
    keys = await departments.verifier(service);
  } catch (error) {
    throw new AuthError(`${service}'s keys could not be read to check its token: ${(error as Error).message}`);
  }
  let payload: Awaited<ReturnType<typeof verifyJwt>>;
  try {
    payload = await verifyJwt(token, keys, {
      issuer: DEPARTMENT_ISSUER,
      audience: USER_AUDIENCE,
      algorithm: ALGORITHM,
      lifetime: { seconds: DEPARTMENT_TOKEN_MAX_LIFETIME, setting: 'the limit of department tokens' },
    });
  } catch (error) {
    if (error instanceof AuthError) throw new AuthError(`department token of ${service}: ${error.message}`);
    throw error;
  }
  if (parseDepartment(payload.department) !== department || payload.department !== department) {
    throw new AuthError(`department token of ${service} must carry department ${department}; received ${JSON.stringify(payload.department)}`);
  }
  return { sub: departmentSubject(service), role: 'officer', department, scope: [DEPARTMENT_SCOPE] };
}
