import { randomBytes } from 'node:crypto';
import type { KeyLike } from 'jose';
import { serviceKey } from '../../lib/auth/internal-keys';
import { generateKeyPairPem, importPrivateKey, importPublicKey } from '../../lib/auth/keys';
import type { Principal } from '../../lib/auth/principal';
import type { GatewayKeys, SubgraphKey } from '../../lib/auth/setup';
import { processKeyring } from '../../lib/evidence/keyring';
import type { SubgraphName } from '../../lib/config';
import { DEFAULT_MAX_TOKEN_LIFETIME, DEV_ISSUER, signUserToken, USER_AUDIENCE, type UserTokenClaims } from '../../lib/auth/tokens';

/** Fresh keys for one suite: an identity provider's pair and the gateway's master secret. */
export interface TestKeys {
  gateway: GatewayKeys;
  /** What one subgraph verifies the gateway's tokens with: its own key, derived from the master secret. */
  subgraphKey(service: SubgraphName): SubgraphKey;
  /** Signs callers' tokens as the identity provider would. */
  issuerPrivateKey: KeyLike;
}

export async function makeTestKeys(): Promise<TestKeys> {
  const issuer = generateKeyPairPem();
  const master = new Uint8Array(randomBytes(32));
  const gateway: GatewayKeys = {
    userKey: await importPublicKey(issuer.publicKey),
    issuer: DEV_ISSUER,
    audience: USER_AUDIENCE,
    maxTokenLifetime: DEFAULT_MAX_TOKEN_LIFETIME,
    internalTokenSecret: master,
    internalTokenTtl: 60,
    // Whatever keyring the suite set with `useKeyring` (lib/evidence/keyring.ts), when it asks.
    departments: processKeyring,
  };
  return {
    gateway,
    subgraphKey: (service) => ({ key: serviceKey(master, service), maxLifetime: gateway.internalTokenTtl }),
    issuerPrivateKey: await importPrivateKey(issuer.privateKey),
  };
}

/** `authorization` (and `x-purpose`) headers for a caller with these claims. */
export async function authHeaders(
  keys: TestKeys,
  claims: UserTokenClaims,
  extra: { purpose?: string; caseId?: string; ttlSeconds?: number } = {},
): Promise<Record<string, string>> {
  const token = await signUserToken(keys.issuerPrivateKey, claims, { ttlSeconds: extra.ttlSeconds });
  return {
    authorization: `Bearer ${token}`,
    ...(extra.purpose ? { 'x-purpose': extra.purpose } : {}),
    ...(extra.caseId ? { 'x-case-id': extra.caseId } : {}),
  };
}

/** The principal in-process subgraph tests run as: an auditor inside a registered audit operation. */
export const TEST_AUDITOR: Principal = { sub: 'test-auditor', role: 'auditor', scope: [], auditOperation: 'AuditTest' };
