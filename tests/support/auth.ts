import type { KeyLike } from 'jose';
import { generateKeyPairPem, importPrivateKey, importPublicKey } from '../../lib/auth/keys';
import type { Principal } from '../../lib/auth/principal';
import type { GatewayKeys } from '../../lib/auth/setup';
import { DEV_ISSUER, signUserToken, USER_AUDIENCE, type UserTokenClaims } from '../../lib/auth/tokens';

/** Fresh keys for one suite: an identity provider's pair and the gateway's pair. */
export interface TestKeys {
  gateway: GatewayKeys;
  /** What subgraphs verify the gateway's tokens with. */
  gatewayPublicKey: KeyLike;
  /** Signs callers' tokens as the identity provider would. */
  issuerPrivateKey: KeyLike;
}

export async function makeTestKeys(): Promise<TestKeys> {
  const issuer = generateKeyPairPem();
  const gateway = generateKeyPairPem();
  return {
    gateway: {
      userKey: await importPublicKey(issuer.publicKey),
      issuer: DEV_ISSUER,
      audience: USER_AUDIENCE,
      internalSigningKey: await importPrivateKey(gateway.privateKey),
      internalTokenTtl: 60,
    },
    gatewayPublicKey: await importPublicKey(gateway.publicKey),
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
