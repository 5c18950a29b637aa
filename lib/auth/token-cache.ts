import { decodeJwt } from 'jose';
import { gatewayTargetKeys, type InternalTarget } from './internal-keys';
import type { Principal } from './principal';
import { signInternalToken, verifyUserToken, type VerificationKey } from './tokens';

/**
 * Work the gateway and the subgraphs used to repeat on every request, done once per caller for
 * a few seconds:
 *
 * - the gateway's internal token for one subgraph (or the audit service's /trail): one per
 *   target and distinct principal (subject, role, department, purpose, case, scope, audit
 *   operation), reused while it has most of its lifetime left, so a subgraph never receives a
 *   token about to expire;
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
 * Signs internal tokens with keys derived from the gateway's master secret, one per target,
 * reusing one for the same principal and target while at least three quarters of its lifetime
 * remain (15 s of the default 60 s; at least 5 s). Pass `reuseMs: 0` to sign every time.
 */
export function internalTokenCache(
  masterSecret: Uint8Array,
  ttlSeconds: number,
  options: { reuseMs?: number; now?: () => number } = {},
) {
  const reuseMs = options.reuseMs ?? Math.max(5_000, (ttlSeconds * 1000) / 4);
  const now = options.now ?? Date.now;
  const keyOf = gatewayTargetKeys(masterSecret);
  const tokens = new Map<string, { token: Promise<string>; until: number }>();
  // Signing is synchronous (tokens.ts); callers keep a promise, so a failure is a rejection.
  const sign = (principal: Principal, target: InternalTarget): Promise<string> => {
    try {
      return Promise.resolve(signInternalToken(keyOf(target), target, principal, ttlSeconds));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return (principal: Principal, target: InternalTarget): Promise<string> => {
    if (reuseMs <= 0) return sign(principal, target);
    const id = `${target} ${principalKey(principal)}`;
    const cached = tokens.get(id);
    if (cached && cached.until > now()) return cached.token;
    const token = sign(principal, target);
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
    // `verify` accepted the token, so it is a well-formed JWT with a numeric `exp`.
    const exp = (decodeJwt(token).exp as number) * 1000;
    if (maxAgeMs > 0) remember(verified, token, { principal: copy(principal), until: Math.min(exp, now() + maxAgeMs) });
    return principal;
  };
}

/** Verifies callers' tokens (the gateway), remembering each verified token until it expires. */
export function userTokenCache(
  key: VerificationKey,
  options: { issuer?: string; audience?: string; maxLifetime?: number },
  settings: { maxAgeMs?: number; now?: () => number } = {},
) {
  return verifiedTokenCache((token) => verifyUserToken(token, key, options), settings);
}
