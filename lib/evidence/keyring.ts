import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { config } from '../config';
import { devKeyPair, generateKeyPairPem, importPrivateKey, importPublicKey, type KeyPairPem } from '../auth/keys';
import type { EvidenceIssuer } from '../procedures';
import type { SigningKey } from './document';

/**
 * Each department's own Ed25519 key: it signs the evidence the department issues, and the
 * department's own calls to the gateway (when, handling an application, it fetches evidence as
 * itself). Its public half is published as the department's JWKS, which verifiers, the gateway
 * and `npm run evidence -- verify` read.
 */
export interface DepartmentKeyring {
  /** `service`'s private key and its key id. Only `service` itself should ever ask for its own. */
  signingKey(service: EvidenceIssuer): Promise<SigningKey>;
  /** `service`'s published public keys. */
  jwks(service: EvidenceIssuer): Promise<JSONWebKeySet>;
  /** A key resolver over `service`'s JWKS, for jose's verify functions. */
  verifier(service: EvidenceIssuer): Promise<JWTVerifyGetKey>;
}

/** A keyring over PEM pairs, one per service (made on demand by `pairOf`). */
export function pemKeyring(pairOf: (service: EvidenceIssuer) => KeyPairPem): DepartmentKeyring {
  const signing = new Map<EvidenceIssuer, Promise<SigningKey>>();
  const sets = new Map<EvidenceIssuer, Promise<JSONWebKeySet>>();
  const jwks = (service: EvidenceIssuer) => {
    let set = sets.get(service);
    if (!set) {
      set = (async () => {
        const jwk = await exportJWK(await importPublicKey(pairOf(service).publicKey));
        const kid = `${service}-${(await calculateJwkThumbprint(jwk)).slice(0, 16)}`;
        return { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] };
      })();
      sets.set(service, set);
    }
    return set;
  };
  return {
    jwks,
    signingKey(service) {
      let key = signing.get(service);
      if (!key) {
        key = (async () => ({ key: await importPrivateKey(pairOf(service).privateKey), kid: String((await jwks(service)).keys[0].kid) }))();
        signing.set(service, key);
      }
      return key;
    },
    async verifier(service) {
      return createLocalJWKSet(await jwks(service));
    },
  };
}

/** Development keys: `DATA_DIR/keys/department-<service>.pem`, made on first use. */
export const devKeyring = (dataDir: string): DepartmentKeyring => pemKeyring((service) => devKeyPair(dataDir, `department-${service}`));

/** Fresh keys held in memory (tests). */
export function memoryKeyring(): DepartmentKeyring {
  const pairs = new Map<EvidenceIssuer, KeyPairPem>();
  return pemKeyring((service) => {
    let pair = pairs.get(service);
    if (!pair) pairs.set(service, (pair = generateKeyPairPem()));
    return pair;
  });
}

let current: DepartmentKeyring | undefined;

/** The keyring this process uses: set by `useKeyring` (tests), else the development keys under DATA_DIR. */
export function keyring(): DepartmentKeyring {
  return (current ??= devKeyring(config().dataDir));
}

/** Makes every part of this process use `ring` (tests build the whole graph in one process). */
export function useKeyring(ring: DepartmentKeyring): void {
  current = ring;
}
