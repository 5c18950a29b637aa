import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, importSPKI, type KeyLike } from 'jose';

/**
 * Callers' tokens are signed with Ed25519 (EdDSA): the identity provider keeps the private key
 * and the gateway needs only the public one. (The gateway's own tokens to subgraphs are HMACs:
 * see internal-keys.ts.)
 */
export const ALGORITHM = 'EdDSA';

export interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

export function generateKeyPairPem(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * The text of the development file `DATA_DIR/keys/<file>`, made by `make` on first use. Several
 * services may start at once: each writes a temporary file and hard-links it into place, which
 * fails if the file exists, so the first writer wins and every process reads the same text.
 */
function devFile(dataDir: string, file: string, make: () => string): string {
  const dir = join(dataDir, 'keys');
  const path = join(dir, file);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${file}.${process.pid}.${Date.now()}.tmp`);
    writeFileSync(tmp, make(), { mode: 0o600 });
    try {
      linkSync(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
  }
  return readFileSync(path, 'utf8');
}

/** A development key pair kept in `DATA_DIR/keys/<name>.pem` (private and public PEM blocks in one file). */
export function devKeyPair(dataDir: string, name: string): KeyPairPem {
  const path = join(dataDir, 'keys', `${name}.pem`);
  const text = devFile(dataDir, `${name}.pem`, () => {
    const pair = generateKeyPairPem();
    return pair.privateKey + pair.publicKey;
  });
  const privateKey = text.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n?/)?.[0];
  const publicKey = text.match(/-----BEGIN PUBLIC KEY-----[^-]+-----END PUBLIC KEY-----\n?/)?.[0];
  if (!privateKey || !publicKey) throw new Error(`${path} must hold a PRIVATE KEY and a PUBLIC KEY PEM block`);
  return { privateKey, publicKey };
}

export const importPrivateKey = (pem: string): Promise<KeyLike> => importPKCS8(pem, ALGORITHM);
export const importPublicKey = (pem: string): Promise<KeyLike> => importSPKI(pem, ALGORITHM);

/** A development secret of 32 random bytes, kept base64url-encoded in `DATA_DIR/keys/<name>.secret`. */
export function devSecret(dataDir: string, name: string): Uint8Array {
  const text = devFile(dataDir, `${name}.secret`, () => `${randomBytes(32).toString('base64url')}\n`);
  return new Uint8Array(Buffer.from(text.trim(), 'base64url'));
}
