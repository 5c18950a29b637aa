import { createPrivateKey, createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, createLocalJWKSet, createRemoteJWKSet, exportJWK, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { config, envPrefix, type Config } from '../config';
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
  const verifiers = new Map<EvidenceIssuer, Promise<JWTVerifyGetKey>>();
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
    verifier(service) {
      let verifier = verifiers.get(service);
      if (!verifier) {
        verifier = jwks(service).then((set) => createLocalJWKSet(set));
        verifiers.set(service, verifier);
      }
      return verifier;
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

/** Where a department publishes its public keys, on its own port: no token, no citizen data. */
export const JWKS_PATH = '/.well-known/jwks.json';

/** `<SERVICE>_SIGNING_KEY`: the variable holding `service`'s own private key in production. */
export const signingKeyVariable = (service: EvidenceIssuer) => `${envPrefix(service)}_SIGNING_KEY`;
/** `<SERVICE>_JWKS_URL`: where other services fetch `service`'s public keys in production. */
export const jwksUrlVariable = (service: EvidenceIssuer) => `${envPrefix(service)}_JWKS_URL`;

/**
 * Where `service`'s JWKS is fetched from: `<SERVICE>_JWKS_URL`, else `/.well-known/jwks.json`
 * at the origin of `<SERVICE>_URL` (the service's `/graphql`, as the gateway reaches it).
 */
export function jwksUrlOf(cfg: Config, service: EvidenceIssuer): URL {
  const configured = cfg.departmentKeys[service].jwksUrl;
  return configured ? new URL(configured) : new URL(JWKS_PATH, cfg.subgraphUrl(service));
}

/**
 * The production keyring (NODE_ENV=production): development keys are never used.
 * - A service signs with its own key, `<SERVICE>_SIGNING_KEY` (Ed25519, PKCS#8 PEM); asking
 *   for a key that is not configured throws an error naming the variable (a department's
 *   subgraph asks at start-up, so it refuses to start without it).
 * - Another service's public keys come from `<SERVICE>_JWKS_URL`, else from that service's own
 *   `/.well-known/jwks.json` (jose's remote key set: fetched on first use, cached, refetched
 *   when a token names a key it has not seen). A service's own JWKS is derived from its
 *   private key, without a fetch.
 */
export function configuredKeyring(cfg: Config): DepartmentKeyring {
  const own = pemKeyring((service) => {
    const privateKey = cfg.departmentKeys[service].signingKey;
    if (!privateKey) {
      throw new Error(
        `${signingKeyVariable(service)} must be configured when NODE_ENV=production: ${service}'s own Ed25519 private key ` +
          `(PKCS#8 PEM, "\\n" escapes allowed), which signs the evidence it issues and its calls to the gateway ` +
          `(development keys are never used there; "openssl genpkey -algorithm ed25519" makes one)`,
      );
    }
    let publicKey: string;
    try {
      publicKey = createPublicKey(createPrivateKey(privateKey)).export({ type: 'spki', format: 'pem' }).toString();
    } catch (error) {
      throw new Error(`${signingKeyVariable(service)} is not a readable private key: ${(error as Error).message}`);
    }
    return { privateKey, publicKey };
  });
  const hasOwn = (service: EvidenceIssuer) => !!cfg.departmentKeys[service].signingKey;
  const remote = new Map<EvidenceIssuer, JWTVerifyGetKey>();
  return {
    signingKey: (service) => own.signingKey(service),
    async jwks(service) {
      if (hasOwn(service)) return own.jwks(service);
      const url = jwksUrlOf(cfg, service);
      const response = await fetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`${service}'s JWKS at ${url} answered ${response.status}`);
      return (await response.json()) as JSONWebKeySet;
    },
    async verifier(service) {
      if (hasOwn(service)) return own.verifier(service);
      let verifier = remote.get(service);
      if (!verifier) remote.set(service, (verifier = createRemoteJWKSet(jwksUrlOf(cfg, service))));
      return verifier;
    },
  };
}

let current: DepartmentKeyring | undefined;

/**
 * The keyring this process uses: set by `useKeyring` (tests); else in production the configured
 * keys (`configuredKeyring`), elsewhere the development keys under DATA_DIR.
 */
export function keyring(): DepartmentKeyring {
  if (current) return current;
  const cfg = config();
  return (current = cfg.nodeEnv === 'production' ? configuredKeyring(cfg) : devKeyring(cfg.dataDir));
}

/**
 * A keyring that asks `keyring()` on every call: whatever `useKeyring` set last, even after it
 * was handed out (the gateway's default, so that a test may set its keyring at any time).
 */
export const processKeyring: DepartmentKeyring = {
  signingKey: (service) => keyring().signingKey(service),
  jwks: (service) => keyring().jwks(service),
  verifier: (service) => keyring().verifier(service),
};

/** Makes every part of this process use `ring` (tests build the whole graph in one process). */
export function useKeyring(ring: DepartmentKeyring): void {
  current = ring;
}
