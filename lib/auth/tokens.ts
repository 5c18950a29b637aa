import { errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey, type KeyLike } from 'jose';
import { ALGORITHM } from './keys';
import { isRole, parseDepartment, ROLES, type Principal } from './principal';

/** Why a token was refused; the gateway answers it as UNAUTHENTICATED (HTTP 401). */
export class AuthError extends Error {}

/** Callers' tokens: from the identity provider in production, `npm run token` in development. */
export const DEV_ISSUER = 'citizen-graph-dev';
export const USER_AUDIENCE = 'citizen-graph';
/** The gateway's tokens to subgraphs. */
export const INTERNAL_ISSUER = 'citizen-graph-gateway';
export const INTERNAL_AUDIENCE = 'citizen-graph-subgraphs';

/** A public key, or a key set (JWKS) that picks the key by the token's `kid`. */
export type VerificationKey = KeyLike | JWTVerifyGetKey;

export interface UserTokenClaims {
  sub: string;
  role: string;
  department?: string;
  purpose?: string;
  scope?: string;
}

/** Signs a caller's token (development and tests; production tokens come from the identity provider). */
export function signUserToken(
  key: KeyLike,
  claims: UserTokenClaims,
  options: { ttlSeconds?: number; issuer?: string; audience?: string } = {},
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? USER_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 3600}s`)
    .sign(key);
}

/** Turns jose's failures into messages that say which check failed. */
function explain(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) return new AuthError(`token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}`);
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new AuthError('token signature is not valid: it was not signed by a trusted key');
  }
  if (error instanceof errors.JWTClaimValidationFailed) return new AuthError(`token claim "${error.claim}" is not valid: ${error.message}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthError(`token algorithm is not allowed; expected ${ALGORITHM}`);
  if (error instanceof errors.JOSEError) return new AuthError(`token is malformed: ${error.message}`);
  return new AuthError(`token could not be verified: ${(error as Error).message}`);
}

async function verify(token: string, key: VerificationKey, issuer: string, audience: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, key as KeyLike, { issuer, audience, algorithms: [ALGORITHM] });
    return payload;
  } catch (error) {
    throw explain(error);
  }
}

function principalFrom(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub === '') throw new AuthError('token has no subject ("sub")');
  if (!isRole(payload.role)) {
    throw new AuthError(`token role ${JSON.stringify(payload.role)} is unknown; expected one of ${ROLES.join(', ')}`);
  }
  const principal: Principal = { sub: payload.sub, role: payload.role, scope: [] };
  if (payload.role === 'officer') {
    const department = parseDepartment(payload.department);
    if (!department) throw new AuthError(`officer token needs a known "department"; received ${JSON.stringify(payload.department)}`);
    principal.department = department;
  }
  if (typeof payload.scope === 'string') principal.scope = payload.scope.split(' ').filter(Boolean);
  if (Array.isArray(payload.scope)) principal.scope = payload.scope.filter((s): s is string => typeof s === 'string');
  if (typeof payload.purpose === 'string') principal.purpose = payload.purpose;
  if (typeof payload.case === 'string') principal.caseId = payload.case;
  if (typeof payload.op === 'string') principal.auditOperation = payload.op;
  return principal;
}

/** Reads `authorization: Bearer <jwt>`; says what is wrong when it is missing or not a bearer token. */
export function bearerToken(header: string | undefined | null): string {
  if (!header) throw new AuthError('missing bearer token: send "authorization: Bearer <token>"');
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw new AuthError('authorization header must be "Bearer <token>"');
  return match[1];
}

/** Verifies a caller's token (signature, expiry, issuer, audience, claims) into a principal. */
export async function verifyUserToken(
  token: string,
  key: VerificationKey,
  options: { issuer?: string; audience?: string } = {},
): Promise<Principal> {
  const principal = principalFrom(await verify(token, key, options.issuer ?? DEV_ISSUER, options.audience ?? USER_AUDIENCE));
  // Only the gateway may mark an audit operation as registered.
  delete principal.auditOperation;
  return principal;
}

/** The gateway's token for one request to the subgraphs: the principal, valid for `ttlSeconds`. */
export function signInternalToken(key: KeyLike, principal: Principal, ttlSeconds = 60): Promise<string> {
  return new SignJWT({
    role: principal.role,
    department: principal.department,
    purpose: principal.purpose,
    case: principal.caseId,
    scope: principal.scope.join(' '),
    op: principal.auditOperation,
  })
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setSubject(principal.sub)
    .setIssuer(INTERNAL_ISSUER)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(key);
}

export async function verifyInternalToken(token: string, key: KeyLike): Promise<Principal> {
  return principalFrom(await verify(token, key, INTERNAL_ISSUER, INTERNAL_AUDIENCE));
}
