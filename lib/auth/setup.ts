import { createRemoteJWKSet, type KeyLike } from 'jose';
import type { Config } from '../config';
import { devKeyPair, importPrivateKey, importPublicKey } from './keys';
import type { VerificationKey } from './tokens';

/** The development key pairs under DATA_DIR/keys: one stands in for the identity provider. */
export const DEV_ISSUER_KEY = 'dev-issuer';
export const GATEWAY_KEY = 'gateway';

const production = (cfg: Config) => cfg.nodeEnv === 'production';

function missing(cfg: Config, what: string): never | void {
  if (production(cfg)) throw new Error(`${what} must be configured when NODE_ENV=production (development keys are never used there)`);
}

export interface GatewayKeys {
  /** Verifies callers' tokens. */
  userKey: VerificationKey;
  issuer: string;
  audience: string;
  /** Signs the gateway's tokens to subgraphs. */
  internalSigningKey: KeyLike;
  internalTokenTtl: number;
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
  if (!cfg.auth.internalSigningKey) missing(cfg, 'INTERNAL_SIGNING_KEY');
  const signing = cfg.auth.internalSigningKey ?? devKeyPair(cfg.dataDir, GATEWAY_KEY).privateKey;
  return {
    userKey,
    issuer: cfg.auth.issuer,
    audience: cfg.auth.audience,
    internalSigningKey: await importPrivateKey(signing),
    internalTokenTtl: cfg.auth.internalTokenTtl,
  };
}

/** The key a subgraph verifies the gateway's tokens with. */
export async function subgraphKey(cfg: Config): Promise<KeyLike> {
  if (!cfg.auth.internalPublicKey) missing(cfg, 'INTERNAL_PUBLIC_KEY');
  return importPublicKey(cfg.auth.internalPublicKey ?? devKeyPair(cfg.dataDir, GATEWAY_KEY).publicKey);
}

/** The development issuer's private key, for `npm run token` (refused in production). */
export async function devIssuerKey(cfg: Config): Promise<KeyLike> {
  if (production(cfg)) throw new Error('development tokens are not issued when NODE_ENV=production');
  return importPrivateKey(devKeyPair(cfg.dataDir, DEV_ISSUER_KEY).privateKey);
}
