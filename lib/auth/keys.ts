import { generateKeyPairSync } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPKCS8, importSPKI, type KeyLike } from 'jose';

/** Every token in the graph is signed with Ed25519 (EdDSA): small keys, fast to verify. */
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
 * A development key pair kept in `DATA_DIR/keys/<name>.pem` (private and public PEM blocks in one
 * file), made on first use. Several services may start at once: each writes a temporary file
 * and hard-links it into place, which fails if the file exists, so the first writer wins and
 * every process reads the same pair.
 */
export function devKeyPair(dataDir: string, name: string): KeyPairPem {
  const dir = join(dataDir, 'keys');
  const path = join(dir, `${name}.pem`);
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairPem();
    const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.tmp`);
    writeFileSync(tmp, pair.privateKey + pair.publicKey, { mode: 0o600 });
    try {
      linkSync(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(tmp);
    }
  }
  const text = readFileSync(path, 'utf8');
  const privateKey = text.match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----\n?/)?.[0];
  const publicKey = text.match(/-----BEGIN PUBLIC KEY-----[^-]+-----END PUBLIC KEY-----\n?/)?.[0];
  if (!privateKey || !publicKey) throw new Error(`${path} must hold a PRIVATE KEY and a PUBLIC KEY PEM block`);
  return { privateKey, publicKey };
}

export const importPrivateKey = (pem: string): Promise<KeyLike> => importPKCS8(pem, ALGORITHM);
export const importPublicKey = (pem: string): Promise<KeyLike> => importSPKI(pem, ALGORITHM);
