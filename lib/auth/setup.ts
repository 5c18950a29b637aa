import { createRemoteJWKSet, type KeyLike } from 'jose';
import type { Config, SubgraphName } from '../config';
import { serviceKey, targetKey } from './internal-keys';
import { devKeyPair, devSecret, importPrivateKey, importPublicKey } from './keys';
import type { VerificationKey } from './tokens';
import { processKeyring, type DepartmentKeyring } from '../evidence/keyring';

/** The development key pair under DATA_DIR/keys that stands in for the identity provider. */
export const DEV_ISSUER_KEY = 'dev-issuer';
/** The development master secret of internal tokens, `DATA_DIR/keys/internal-token.secret`. */
export const INTERNAL_SECRET = 'internal-token';

const production = (cfg: Config) => cfg.nodeEnv === 'production';

function missing(cfg: Config, what: string): never | void {
  if (production(cfg)) throw new Error(`${what} must be configured when NODE_ENV=production (development keys are never used there)`);
}

export interface GatewayKeys {
  /** Verifies callers' tokens. */
  userKey: VerificationKey;
  issuer: string;
  audience: string;
  /** The longest lifetime (`exp` - `iat`) of a caller's token, seconds (`AUTH_MAX_TOKEN_LIFETIME`). */
  maxTokenLifetime: number;
  /** The master secret every target's key of internal tokens is derived from (internal-keys.ts). */
  internalTokenSecret: Uint8Array;
  internalTokenTtl: number;
  /**
   * Verifies departments' own tokens (lib/auth/department-token.ts), against each department's
   * JWKS. Default: the process's keyring (`keyring()`, lib/evidence/keyring.ts).
   */
  departments: DepartmentKeyring;
}

/**
 * What a subgraph verifies the gateway's tokens with: its own service key (each of its targets'
 * keys is derived from it), and the longest lifetime it accepts (`INTERNAL_TOKEN_TTL`).
 */
export interface SubgraphKey {
  key: Uint8Array;
  maxLifetime: number;
}

/** The gateway's keys from configuration, or development keys under DATA_DIR/keys. */
export async function gatewayKeys(cfg: Config): Promise<GatewayKeys> {
  let userKey: VerificationKey;
  if (cfg.auth.jwksUrl) userKey = createRemoteJWKSet(new URL(cfg.auth.jwksUrl));
  else if (cfg.auth.publicKey) userKey = await importPublicKey(cfg.auth.publicKey);
  else {
    missing(cfg, 'AUTH_JWKS_URL or AUTH_PUBLIC_KEY');
    userKey = await importPublicKey(devKeyPair(cfg.dataDir, DEV_ISSUER_KEY).publicKey);
  }
  if (!cfg.auth.internalTokenSecret) missing(cfg, 'INTERNAL_TOKEN_SECRET');
  return {
    userKey,
    issuer: cfg.auth.issuer,
    audience: cfg.auth.audience,
    maxTokenLifetime: cfg.auth.maxTokenLifetime,
    internalTokenSecret: cfg.auth.internalTokenSecret ?? devSecret(cfg.dataDir, INTERNAL_SECRET),
    internalTokenTtl: cfg.auth.internalTokenTtl,
    departments: processKeyring,
  };
}

/**
 * The key `service` verifies the gateway's tokens with: `INTERNAL_TOKEN_KEY`, its own key. In
 * production nothing else will do: a subgraph that derived its key from the master secret would
 * hold the means to mint tokens for every other subgraph. In development it is derived from
 * `INTERNAL_TOKEN_SECRET` or the development secret under DATA_DIR/keys, as the gateway's are.
 */
export function subgraphKey(cfg: Config, service: SubgraphName): SubgraphKey {
  const maxLifetime = cfg.auth.internalTokenTtl;
  if (cfg.auth.internalTokenKey) return { key: cfg.auth.internalTokenKey, maxLifetime };
  if (production(cfg)) {
    throw new Error(
      `INTERNAL_TOKEN_KEY must be configured when NODE_ENV=production: ${service}'s own key, printed by ` +
        `"npm run --silent token -- internal-key ${service}" where INTERNAL_TOKEN_SECRET is set` +
        (cfg.auth.internalTokenSecret ? '; INTERNAL_TOKEN_SECRET is set here, but it belongs to the gateway alone' : ''),
    );
  }
  return { key: serviceKey(cfg.auth.internalTokenSecret ?? devSecret(cfg.dataDir, INTERNAL_SECRET), service), maxLifetime };
}

/**
 * `service`'s INTERNAL_TOKEN_KEY, base64url, derived from the gateway's master secret
 * (`INTERNAL_TOKEN_SECRET`; outside production, the development secret if that is unset).
 */
export function internalTokenKeyText(cfg: Config, service: SubgraphName): string {
  if (!cfg.auth.internalTokenSecret) missing(cfg, 'INTERNAL_TOKEN_SECRET');
  const master = cfg.auth.internalTokenSecret ?? devSecret(cfg.dataDir, INTERNAL_SECRET);
  return Buffer.from(serviceKey(master, service)).toString('base64url');
}

/** The development issuer's private key, for `npm run token` (refused in production). */
export async function devIssuerKey(cfg: Config): Promise<KeyLike> {
  if (production(cfg)) throw new Error('development tokens are not issued when NODE_ENV=production');
  return importPrivateKey(devKeyPair(cfg.dataDir, DEV_ISSUER_KEY).privateKey);
}

/**
 * The key of one extra route of `service` (`<service>/<route>`, e.g. `education/applications`),
 * base64url, derived from the master secret as the gateway derives it: what a caller of that
 * route alone is given (the applications desk's `APPLICATIONS_KEY_<SERVICE>`), so that it can
 * mint tokens for that route and for nothing else.
 */
export function routeKeyText(cfg: Config, service: SubgraphName, route: string): string {
  const key = Buffer.from(internalTokenKeyText(cfg, service), 'base64url');
  return targetKey(new Uint8Array(key), `${service}/${route}`).export().toString('base64url');
}
