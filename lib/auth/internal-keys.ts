import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { SubgraphName } from '../config';

/**
 * Keys of the gateway's tokens to the subgraphs ("internal tokens"). Each token is for one target
 * and every other target refuses it, so whoever runs one department's subgraph cannot replay a
 * token it received against another department, nor write to the access trail with it.
 *
 * - A target is one subgraph's GraphQL endpoint (`health`) or one extra route of a service
 *   (`audit/trail`, the audit service's POST /trail). Its token's `aud` is `citizen-graph:<target>`.
 * - Tokens are HMAC-SHA256 (HS256) with a key per target. The gateway holds one master secret
 *   (INTERNAL_TOKEN_SECRET); HKDF-SHA256 derives from it one key per service, which is all that
 *   service is given (INTERNAL_TOKEN_KEY); from a service's key, HKDF derives one key per target
 *   of that service. A service can therefore verify, and at most mint, tokens for its own
 *   endpoints only; the audit service's GraphQL endpoint and its /trail each have their own key.
 *
 * Why HMAC rather than the Ed25519 signatures used before: with one audience per target the
 * gateway makes a token per principal and target, and a subgraph verifies each new one. Measured
 * with jose on the development machine: an HS256 token is signed in about 16 us and verified in
 * about 14 us, an Ed25519 token signed in about 80 us and verified in about 125 us. What an
 * asymmetric key would add (a subgraph that cannot mint even its own tokens) protects nothing a
 * subgraph does not already hold: its own data.
 */

/** One subgraph's GraphQL endpoint, or `<service>/<route>` for an extra route (`audit/trail`). */
export type InternalTarget = SubgraphName | `${SubgraphName}/${string}`;

/** The audit service's POST /trail: the only target that may append to the access trail. */
export const TRAIL_TARGET = 'audit/trail' satisfies InternalTarget;

/** The `aud` of an internal token for `target`. */
export const internalAudience = (target: InternalTarget): string => `citizen-graph:${target}`;

/** Bytes of the master secret and of every derived key. */
export const SECRET_BYTES = 32;

const SALT = 'citizen-graph internal tokens v1';

const hkdf = (key: Uint8Array, salt: string, info: string) => new Uint8Array(hkdfSync('sha256', key, salt, info, SECRET_BYTES));

/** A service's key (INTERNAL_TOKEN_KEY), derived from the gateway's master secret. */
export function serviceKey(masterSecret: Uint8Array, service: SubgraphName): Uint8Array {
  return hkdf(masterSecret, SALT, `service:${service}`);
}

/**
 * The HS256 key of `target`'s tokens, derived from its service's key. The caller must pass the
 * key of the service the target belongs to (`audit` for `audit/trail`); any other service's key
 * gives a key the target refuses.
 */
export function targetKey(key: Uint8Array, target: InternalTarget): KeyObject {
  return createSecretKey(hkdf(key, '', `audience:${internalAudience(target)}`));
}

/** The service a target belongs to: `audit` for `audit/trail`. */
export const serviceOf = (target: InternalTarget): SubgraphName => target.split('/')[0] as SubgraphName;

/**
 * The gateway's keys for every target, derived from the master secret on first use and kept
 * (a handful of targets, each derived once).
 */
export function gatewayTargetKeys(masterSecret: Uint8Array): (target: InternalTarget) => KeyObject {
  const keys = new Map<InternalTarget, KeyObject>();
  return (target) => {
    let key = keys.get(target);
    if (!key) keys.set(target, (key = targetKey(serviceKey(masterSecret, serviceOf(target)), target)));
    return key;
  };
}

/**
 * Reads a secret given as base64 or base64url text (`openssl rand -base64 32`), of at least
 * SECRET_BYTES bytes. Errors name the variable and the length received, never the secret.
 */
export function parseSecret(name: string, raw: string): Uint8Array {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new Error(`${name} must be base64 or base64url text (e.g. from "openssl rand -base64 32"); received ${text.length} characters that are not`);
  }
  const bytes = Buffer.from(text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), 'base64url');
  if (bytes.length < SECRET_BYTES) {
    throw new Error(`${name} must hold at least ${SECRET_BYTES} random bytes (e.g. "openssl rand -base64 32"); received ${bytes.length}`);
  }
  return new Uint8Array(bytes);
}
