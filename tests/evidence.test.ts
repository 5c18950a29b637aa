import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { EVIDENCE_TYP, MAX_EVIDENCE_BYTES, issuerUri, signEvidence, verifyEvidence, type EvidenceStatement } from '../lib/evidence/document';
import { generateKeyPairPem } from '../lib/auth/keys';
import { loadConfig } from '../lib/config';
import { configuredKeyring, devKeyring, jwksUrlOf, memoryKeyring } from '../lib/evidence/keyring';

const ROOT = join(__dirname, '..');
const ring = memoryKeyring();
const other = memoryKeyring();

const STATEMENT: EvidenceStatement = {
  type: 'VACCINATION_RECORD',
  issuer: 'health',
  subject: 'cit_000004',
  procedure: 'SCHOOL_ENROLLMENT',
  application: 'app_education_0123456789abcdefghijklmnop',
  claims: { doses: [{ vaccine: 'MMR', dose: 1, date: '2019-05-01' }] },
};

const sign = async (keys = ring, statement = STATEMENT) => signEvidence(await keys.signingKey('health'), statement, 'ev_1');
const keysOf = (keys = ring) => (issuer: Parameters<typeof ring.verifier>[0]) => keys.verifier(issuer);

/** `document` with one character of its payload changed (still base64url, so still a JWS). */
function flipPayload(document: string): string {
  const [header, payload, signature] = document.split('.');
  const at = Math.floor(payload.length / 2);
  const changed = payload[at] === 'A' ? 'B' : 'A';
  return [header, payload.slice(0, at) + changed + payload.slice(at + 1), signature].join('.');
}

/** A health-signed JWS with these header and payload, bypassing signEvidence's checks. */
async function raw(payload: Record<string, unknown>, typ = EVIDENCE_TYP) {
  const { key, kid } = await ring.signingKey('health');
  return new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', typ, kid }).setIssuer(issuerUri('health')).setSubject('cit_000004').setJti('ev_2').setIssuedAt().sign(key);
}

describe('verifyEvidence', () => {
  it('accepts a signed document and returns what it states', async () => {
    const result = await verifyEvidence(await sign(), keysOf());
    expect(result).toMatchObject({ valid: true, id: 'ev_1', statement: STATEMENT, kid: (await ring.signingKey('health')).kid });
  });

  it('refuses a document with one byte changed', async () => {
    const result = await verifyEvidence(flipPayload(await sign()), keysOf());
    expect(result.valid).toBe(false);
  });

  it('refuses a document signed by another key', async () => {
    const result = await verifyEvidence(await sign(other), keysOf());
    expect(result).toMatchObject({ valid: false, issuer: 'health' });
    expect(!result.valid && result.reason).toMatch(/publishes no key|signature does not match/);
  });

  it('refuses a token that is not evidence (wrong typ)', async () => {
    const result = await verifyEvidence(await raw({ evidence: { type: 'VACCINATION_RECORD', claims: STATEMENT.claims } }, 'JWT'), keysOf());
    expect(!result.valid && result.reason).toMatch(/not evidence/);
  });

  it('refuses claims that are not exactly the type’s attributes', async () => {
    const extra = await raw({ evidence: { type: 'VACCINATION_RECORD', procedure: 'SCHOOL_ENROLLMENT', application: 'a', claims: { ...STATEMENT.claims, diagnosis: 'x' } } });
    expect(!(await verifyEvidence(extra, keysOf())).valid).toBe(true);
    const missing = await raw({ evidence: { type: 'VACCINATION_RECORD', procedure: 'SCHOOL_ENROLLMENT', application: 'a', claims: {} } });
    const result = await verifyEvidence(missing, keysOf());
    expect(!result.valid && result.reason).toMatch(/must carry exactly doses/);
    // And signEvidence refuses to sign them in the first place.
    await expect(sign(ring, { ...STATEMENT, claims: { doses: [], diagnosis: 'x' } })).rejects.toThrow(/carries doses/);
  });

  it('refuses evidence of a type another department issues', async () => {
    const result = await verifyEvidence(await raw({ evidence: { type: 'BIRTH_RECORD', claims: { name: 'x', birthDate: 'y', sex: 'z' } } }), keysOf());
    expect(!result.valid && result.reason).toMatch(/issued by identity, not health/);
  });

  it('refuses an oversized document, garbage and nothing, without throwing', async () => {
    const big = `${'a'.repeat(MAX_EVIDENCE_BYTES)}.b.c`;
    expect(await verifyEvidence(big, keysOf())).toMatchObject({ valid: false, reason: expect.stringMatching(/longer than/) });
    expect(await verifyEvidence('not a document', keysOf())).toMatchObject({ valid: false, reason: expect.stringMatching(/compact JWS/) });
    expect(await verifyEvidence('a.b.c', keysOf())).toMatchObject({ valid: false });
    expect(await verifyEvidence('', keysOf())).toMatchObject({ valid: false, reason: expect.stringMatching(/empty/) });
    expect(await verifyEvidence(undefined as unknown as string, keysOf())).toMatchObject({ valid: false });
  });
});

describe('npm run evidence', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'evidence-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'evidence.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dir },
      timeout: 30_000,
    });
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  let jwks: string;
  beforeAll(async () => {
    jwks = write('health.jwks.json', JSON.stringify(await ring.jwks('health')));
  });

  it('verify FILE --jwks JWKS: VALID, with what the document states', async () => {
    const result = run('verify', write('doc.jws', `${await sign()}\n`), '--jwks', jwks);
    expect(result.stdout).toMatch(/VALID\s*$/);
    expect(result.stdout).not.toMatch(/NOT VALID/);
    expect(result.stdout).toMatch(/issuer\s+health/);
    expect(result.stdout).toMatch(/type\s+VACCINATION_RECORD/);
    expect(result.stdout).toMatch(/subject\s+cit_000004/);
    expect(result.stdout).toMatch(/procedure\s+SCHOOL_ENROLLMENT/);
    expect(result.stdout).toMatch(/application\s+app_education_/);
    expect(result.stdout).toMatch(/claim doses\s+\[\{"vaccine":"MMR"/);
    expect(result.status).toBe(0);
  });

  it('accepts a JSON file with a "document" field', async () => {
    const result = run('verify', write('doc.json', JSON.stringify({ document: await sign() })), '--jwks', jwks);
    expect(result.stdout).toMatch(/\nVALID\n?$/);
    expect(result.status).toBe(0);
  });

  it('a changed byte: NOT VALID, exit 1', async () => {
    const result = run('verify', write('changed.jws', flipPayload(await sign())), '--jwks', jwks);
    expect(result.stdout).toMatch(/^NOT VALID: /m);
    expect(result.status).toBe(1);
  });

  it('a document signed by another key: NOT VALID, exit 1', async () => {
    const result = run('verify', write('other.jws', await sign(other)), '--jwks', jwks);
    expect(result.stdout).toMatch(/^NOT VALID: /m);
    expect(result.status).toBe(1);
  });

  it('jwks SERVICE prints the development JWKS, which then verifies what that key signed', async () => {
    const printed = run('jwks', 'health');
    expect(printed.status).toBe(0);
    const set = JSON.parse(printed.stdout);
    expect(set.keys).toHaveLength(1);
    expect(set.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.stringMatching(/^health-/) });
    expect(set.keys[0].d).toBeUndefined();
    // The same development keys verify, without --jwks, what they signed.
    const dev = devKeyring(dir);
    expect(await dev.jwks('health')).toEqual(set);
    const document = await signEvidence(await dev.signingKey('health'), STATEMENT, 'ev_dev');
    const result = run('verify', write('dev.jws', document));
    expect(result.stdout).toMatch(/\nVALID\n?$/);
    expect(result.status).toBe(0);
    expect(run('verify', write('dev-other.jws', await sign())).status).toBe(1);
  });

  it('bad usage: the usage, exit 2', () => {
    for (const args of [[], ['verify'], ['verify', 'a', 'b'], ['jwks', 'audit'], ['sign', 'x'], ['verify', join(dir, 'missing.jws')]]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/usage:/);
    }
  });
});

describe('production department keys', () => {
  it('sign with <SERVICE>_SIGNING_KEY, refuse without it (naming the variable), and fetch others from <SERVICE>_JWKS_URL', async () => {
    const pair = generateKeyPairPem();
    const cfg = loadConfig({
      NODE_ENV: 'production',
      HEALTH_SIGNING_KEY: pair.privateKey.replace(/\n/g, '\\n'),
      TAX_JWKS_URL: 'https://tax.example/keys.json',
      EDUCATION_URL: 'https://education.example/graphql',
    });
    const ring = configuredKeyring(cfg);
    const document = await signEvidence(await ring.signingKey('health'), STATEMENT, 'ev_p');
    expect(await verifyEvidence(document, (issuer) => ring.verifier(issuer))).toMatchObject({ valid: true });
    await expect(ring.signingKey('education')).rejects.toThrow(/EDUCATION_SIGNING_KEY must be configured when NODE_ENV=production/);
    expect(String(jwksUrlOf(cfg, 'tax'))).toBe('https://tax.example/keys.json');
    expect(String(jwksUrlOf(cfg, 'education'))).toBe('https://education.example/.well-known/jwks.json');
  });
});
