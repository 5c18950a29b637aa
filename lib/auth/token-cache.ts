import type { KeyLike } from 'jose';
import type { Principal } from './principal';
import { signInternalToken, verifyUserToken, type VerificationKey } from './tokens';

/**
 * Work the gateway and the subgraphs used to repeat on every request, done once per caller for
 * a few seconds:
 *
 * - the gateway's internal token for the subgraphs (an Ed25519 signature): one per distinct
 *   principal (subject, role, department, purpose, case, scope, audit operation), reused while
 *   it has most of its lifetime left, so a subgraph never receives a token about to expire;
 * - the caller's JWT: a token byte-for-byte equal to one already verified gives the same
 *   principal until that token expires (the signature, issuer, audience and claims were checked
 *   when it was first seen). Each request gets its own copy of the principal, which it may
 *   change (purpose, case, audit operation). Subgraphs remember the gateway's tokens the same way.
 *
 * The caches are bounded; the oldest entry goes first.
 */

/** Most entries per cache. */
const MAX_ENTRIES = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string);
  map.set(key, value);
}

const principalKey = (p: Principal) =>
  JSON.stringify([p.sub, p.role, p.department ?? null, p.purpose ?? null, p.caseId ?? null, p.scope, p.auditOperation ?? null]);

/**
 * Signs internal tokens, reusing one for the same principal while at least three quarters of
 * its lifetime remain (15 s of the default 60 s; at least 5 s). Pass `reuseMs: 0` to sign every time.
 */
export function internalTokenCache(key: KeyLike, ttlSeconds: number, options: { reuseMs?: number; now?: () => number } = {}) {
  const reuseMs = options.reuseMs ?? Math.max(5_000, (ttlSeconds * 1000) / 4);
  const now = options.now ?? Date.now;
  const tokens = new Map<string, { token: Promise<string>; until: number }>();
  return (principal: Principal): Promise<string> => {
    if (reuseMs <= 0) return signInternalToken(key, principal, ttlSeconds);
    const id = principalKey(principal);
    const cached = tokens.get(id);
    if (cached && cached.until > now()) return cached.token;
    const token = signInternalToken(key, principal, ttlSeconds);
    remember(tokens, id, { token, until: now() + reuseMs });
    // A failed signature is not kept.
    token.catch(() => tokens.delete(id));
    return token;
  };
}

const copy = (p: Principal): Principal => ({ ...p, scope: [...p.scope] });

/**
 * Remembers each token `verify` accepted, until it expires (at most `maxAgeMs`, default 60 s):
 * the same token byte for byte gives a copy of the same principal without a second signature
 * check. A token `verify` refuses is never remembered.
 */
export function verifiedTokenCache(
  verify: (token: string) => Promise<Principal>,
  settings: { maxAgeMs?: number; now?: () => number } = {},
) {
  const maxAgeMs = settings.maxAgeMs ?? 60_000;
  const now = settings.now ?? Date.now;
  const verified = new Map<string, { principal: Principal; until: number }>();
  return async (token: string): Promise<Principal> => {
    const cached = verified.get(token);
    if (cached) {
      if (cached.until > now()) return copy(cached.principal);
      verified.delete(token);
    }
    const principal = await verify(token);
    const exp = expiry(token);
    if (maxAgeMs > 0 && exp !== undefined) remember(verified, token, { principal: copy(principal), until: Math.min(exp, now() + maxAgeMs) });
    return principal;
  };
}

/** Verifies callers' tokens (the gateway), remembering each verified token until it expires. */
export function userTokenCache(
  key: VerificationKey,
  options: { issuer?: string; audience?: string },
  settings: { maxAgeMs?: number; now?: () => number } = {},
) {
  return verifiedTokenCache((token) => verifyUserToken(token, key, options), settings);
}

/** The `exp` claim of a token that has just been verified, in ms. */
function expiry(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
