import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CompactSign, compactVerify, decodeProtectedHeader, errors } from 'jose';
import { devKeyPair } from '../../../lib/auth/keys';
import type { Config } from '../../../lib/config';

/**
 * Signed checkpoints of the access trail (DESIGN.md, "Access trail"), as X-Road signs and
 * time-stamps its message log. The hash chain shows that a record was changed unless every later
 * record was rewritten to match, and whoever owns the database can do exactly that: a chain
 * rewritten whole verifies. A checkpoint is the audit service's signature over the chain's head
 * (seq, hash, time), made with a key the database does not hold. Since each hash covers every
 * record before it, a checkpoint kept outside the database pins every record up to its seq: no
 * rewrite of them goes unnoticed, and the rewriter cannot sign a new checkpoint.
 *
 * A checkpoint is a compact JWS (RFC 7515): EdDSA over Ed25519, protected header
 * `{"alg":"EdDSA","kid":...,"typ":"trail-checkpoint"}`, payload `{"seq":..,"hash":..,"at":..}`.
 * The explicit `typ` keeps anything else this key might ever sign from passing as a checkpoint.
 */

export const CHECKPOINT_TYPE = 'trail-checkpoint';
const ALGORITHM = 'EdDSA';

/** What a checkpoint states: at time `at` (ISO 8601), record `seq` was the head and had `hash`. */
export interface CheckpointStatement {
  seq: number;
  hash: string;
  at: string;
}

/** A checkpoint as GET /trail/checkpoints publishes it: the statement, readable, and its JWS. */
export interface PublishedCheckpoint extends CheckpointStatement {
  kid: string;
  jws: string;
}

/**
 * What GET /trail/checkpoints serves (one page) and `npm run audit -- checkpoints` saves (all of
 * them). `kid` and `publicKey` are the key the service signs with now, for an auditor to pin
 * (AUDIT_PUBLIC_KEY, or `--key`); verification never trusts the key a file brings with it.
 */
export interface CheckpointsFile {
  kid: string;
  /** SPKI PEM. */
  publicKey: string;
  checkpoints: PublishedCheckpoint[];
}

/** The audit service's signing key. */
export interface CheckpointSigningKey {
  kid: string;
  privateKey: KeyObject;
  /** SPKI PEM of its public half, as published. */
  publicKey: string;
}

/** The key an auditor trusts to have signed the checkpoints. */
export interface CheckpointVerifyingKey {
  kid: string;
  publicKey: KeyObject;
}

/** The development key pair's name under DATA_DIR/keys (used only outside production). */
export const DEV_CHECKPOINT_KEY = 'audit-checkpoints';

/** RFC 7638 thumbprint of an Ed25519 public key: its id in every checkpoint's header. */
export function keyId(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') {
    throw new Error(`checkpoints are signed with Ed25519 keys; received a ${jwk.kty}${jwk.crv ? ` ${jwk.crv}` : ''} key`);
  }
  // The required members only, in lexicographic order, without whitespace (RFC 7638 section 3).
  return createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
}

/** A signing key from its PKCS#8 PEM; `source` names where it came from in an error. */
export function signingKeyFrom(privateKeyPem: string, source = 'the checkpoint signing key'): CheckpointSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new Error(`${source} must be an Ed25519 private key in PKCS#8 PEM; it could not be read (${(error as Error).message})`);
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: keyId(publicKey), privateKey, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** A verifying key from its SPKI PEM; `source` names where it came from in an error. */
export function verifyingKeyFrom(publicKeyPem: string, source = 'the checkpoint key'): CheckpointVerifyingKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(publicKeyPem);
  } catch (error) {
    throw new Error(`${source} must be an Ed25519 public key in SPKI PEM ("-----BEGIN PUBLIC KEY-----"); it could not be read (${(error as Error).message})`);
  }
  return { kid: keyId(publicKey), publicKey };
}

/**
 * The key the audit service signs checkpoints with: AUDIT_SIGNING_KEY, or outside production a
 * development pair under DATA_DIR/keys (made on first use). With NODE_ENV=production and no
 * AUDIT_SIGNING_KEY it throws, so the service refuses to start.
 */
export function checkpointSigningKey(cfg: Config): CheckpointSigningKey {
  if (cfg.trailCheckpoints.signingKey) return signingKeyFrom(cfg.trailCheckpoints.signingKey, 'AUDIT_SIGNING_KEY');
  if (cfg.nodeEnv === 'production') {
    throw new Error('AUDIT_SIGNING_KEY must be configured when NODE_ENV=production (development keys are never used there): the audit service signs its trail checkpoints with it');
  }
  return signingKeyFrom(devKeyPair(cfg.dataDir, DEV_CHECKPOINT_KEY).privateKey, `DATA_DIR/keys/${DEV_CHECKPOINT_KEY}.pem`);
}

/**
 * The key an auditor verifies checkpoints with when none is given on the command line:
 * AUDIT_PUBLIC_KEY, or outside production the development pair's public half, if the audit
 * service has made one under this DATA_DIR. Never a key taken from the checkpoints file: a
 * rewriter who serves a file signs it with a key of their own.
 */
export function checkpointVerifyingKey(cfg: Config): CheckpointVerifyingKey {
  if (cfg.trailCheckpoints.publicKey) return verifyingKeyFrom(cfg.trailCheckpoints.publicKey, 'AUDIT_PUBLIC_KEY');
  if (cfg.nodeEnv === 'production') {
    throw new Error("AUDIT_PUBLIC_KEY (or --key FILE) must name the audit service's public key when NODE_ENV=production");
  }
  const path = join(cfg.dataDir, 'keys', `${DEV_CHECKPOINT_KEY}.pem`);
  if (!existsSync(path)) {
    throw new Error(`no key to verify checkpoints with: pass --key FILE (the audit service's public key, SPKI PEM) or set AUDIT_PUBLIC_KEY; the development key ${path} does not exist (the audit service has not run with this DATA_DIR)`);
  }
  return verifyingKeyFrom(devKeyPair(cfg.dataDir, DEV_CHECKPOINT_KEY).publicKey, path);
}

/** Signs `statement` with the audit service's key: a compact JWS. */
export function signCheckpoint(statement: CheckpointStatement, key: CheckpointSigningKey): Promise<string> {
  const payload = JSON.stringify({ seq: statement.seq, hash: statement.hash, at: statement.at });
  return new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: ALGORITHM, kid: key.kid, typ: CHECKPOINT_TYPE }).sign(key.privateKey);
}

/** Why a checkpoint cannot be used: forged, altered, signed with another key, or malformed. */
export class InvalidCheckpoint extends Error {}

const HASH = /^[0-9a-f]{64}$/;

/** The statement in a verified payload; throws InvalidCheckpoint naming the bad field. */
function statementOf(payload: Uint8Array): CheckpointStatement {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new InvalidCheckpoint('its payload is not JSON; expected {"seq","hash","at"}');
  }
  const { seq, hash, at } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) throw new InvalidCheckpoint(`its "seq" must be a whole number, 1 or more; received ${JSON.stringify(seq)}`);
  if (typeof hash !== 'string' || !HASH.test(hash)) throw new InvalidCheckpoint(`its "hash" must be a sha256 in lowercase hex; received ${JSON.stringify(hash)}`);
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw new InvalidCheckpoint(`its "at" must be an ISO 8601 time; received ${JSON.stringify(at)}`);
  return { seq: seq as number, hash, at };
}

/**
 * The statement a checkpoint signs, once its signature verifies with `key`; otherwise throws
 * InvalidCheckpoint saying why (wrong type, another key, a signature that does not verify).
 */
export async function openCheckpoint(jws: string, key: CheckpointVerifyingKey): Promise<CheckpointStatement> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch (error) {
    throw new InvalidCheckpoint(`it is not a compact JWS (${(error as Error).message})`);
  }
  if (header.typ !== CHECKPOINT_TYPE) throw new InvalidCheckpoint(`its header says typ ${JSON.stringify(header.typ)}; expected "${CHECKPOINT_TYPE}"`);
  if (header.kid !== key.kid) {
    throw new InvalidCheckpoint(`it names signing key ${JSON.stringify(header.kid)}, but the audit key you trust is ${key.kid}`);
  }
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key.publicKey, { algorithms: [ALGORITHM] }));
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new InvalidCheckpoint(`its signature does not verify with the audit key ${key.kid}: it was altered or forged`);
    }
    if (error instanceof errors.JOSEError) throw new InvalidCheckpoint(`it is not a valid JWS (${error.message})`);
    throw error;
  }
  return statementOf(payload);
}

/** A checkpoint of a file that cannot be used, and why. */
export interface RefusedCheckpoint {
  /** Its place in the file's `checkpoints` (from 0). */
  index: number;
  /** The seq the file shows for it (not to be trusted: it is why it was refused). */
  seq: unknown;
  reason: string;
}

/**
 * Checks every checkpoint of `file` against `key`: the statements that verify (in seq order),
 * and the checkpoints refused, each with why. The readable `seq`, `hash` and `at` beside each
 * JWS must say what it signs: a file whose text was edited is refused, not believed.
 */
export async function openCheckpoints(
  file: CheckpointsFile,
  key: CheckpointVerifyingKey,
): Promise<{ statements: CheckpointStatement[]; refused: RefusedCheckpoint[] }> {
  const statements: CheckpointStatement[] = [];
  const refused: RefusedCheckpoint[] = [];
  for (const [index, checkpoint] of file.checkpoints.entries()) {
    try {
      const signed = await openCheckpoint(checkpoint.jws, key);
      for (const field of ['seq', 'hash', 'at'] as const) {
        if (checkpoint[field] !== undefined && checkpoint[field] !== signed[field]) {
          throw new InvalidCheckpoint(`the file says ${field} ${JSON.stringify(checkpoint[field])}, but it signs ${JSON.stringify(signed[field])}: the file was edited`);
        }
      }
      statements.push(signed);
    } catch (error) {
      if (!(error instanceof InvalidCheckpoint)) throw error;
      refused.push({ index, seq: checkpoint.seq, reason: error.message });
    }
  }
  statements.sort((a, b) => a.seq - b.seq);
  return { statements, refused };
}

/**
 * A checkpoints file from its text (what `npm run audit -- checkpoints` saved); `source` names it
 * in errors. Checks only its shape: each checkpoint needs a `jws` string.
 */
export function parseCheckpointsFile(text: string, source: string): CheckpointsFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON (${(error as Error).message}); expected what GET /trail/checkpoints serves`);
  }
  const file = value as Partial<CheckpointsFile> | null;
  if (typeof file !== 'object' || file === null || !Array.isArray(file.checkpoints)) {
    throw new Error(`${source} must be a JSON object with a "checkpoints" array, as GET /trail/checkpoints serves; received ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  file.checkpoints.forEach((checkpoint, index) => {
    if (typeof checkpoint !== 'object' || checkpoint === null || typeof checkpoint.jws !== 'string') {
      throw new Error(`${source}: checkpoints[${index}] must be an object with a "jws" string; received ${JSON.stringify(checkpoint)?.slice(0, 80)}`);
    }
  });
  return file as CheckpointsFile;
}
