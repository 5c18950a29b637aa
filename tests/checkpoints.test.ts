/**
 * Signed checkpoints of the access trail: the audit service signs the chain's head with a key
 * the database does not hold, an auditor keeps the checkpoints outside the database, and
 * `npm run audit -- verify --checkpoints FILE` proves the chain still reaches each one, even
 * after a database owner rewrote every record and recomputed every hash.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { signInternalToken } from '../lib/auth/tokens';
import { targetKey } from '../lib/auth/internal-keys';
import { generateKeyPairPem } from '../lib/auth/keys';
import { loadConfig } from '../lib/config';
import type { Db } from '../lib/db';
import { closeServer, listen } from '../lib/http';
import { createLogger } from '../lib/log';
import { subgraphHttpServer } from '../lib/subgraph';
import { chainHash, GENESIS_HASH, type TrailRecordInput } from '../lib/trail';
import { downloadCheckpoints, parseAuditArgs, UsageError, verifyStore } from '../scripts/audit';
import {
  checkpointSigningKey,
  checkpointVerifyingKey,
  keyId,
  openCheckpoints,
  signCheckpoint,
  signingKeyFrom,
  verifyingKeyFrom,
  type CheckpointsFile,
} from '../subgraphs/audit/src/checkpoint';
import { checkpointEvery } from '../subgraphs/audit/src/checkpointer';
import { recordsAfter } from '../subgraphs/audit/src/db/repository';
import { trailRecordOf } from '../subgraphs/audit/src/db/tables';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';
import { createAuditSubgraph } from '../subgraphs/audit/src/server';
import { makeTestKeys, TEST_AUDITOR } from './support/auth';
import { BACKENDS, closeTestDbs, openTestDb } from './support/db';

/** The audit service's key; the auditor trusts its public half (AUDIT_PUBLIC_KEY, or --key). */
const AUDIT_KEY = signingKeyFrom(generateKeyPairPem().privateKey);
const TRUSTED = verifyingKeyFrom(AUDIT_KEY.publicKey);
/** A key of the rewriter's own: whatever it signs, the auditor does not trust. */
const ROGUE_KEY = signingKeyFrom(generateKeyPairPem().privateKey);

/** A record as the gateway sends it. */
const record = (n: number): TrailRecordInput => ({
  occurredAt: `2025-03-0${(n % 9) + 1}T10:00:00.000Z`,
  principal: { sub: 'officer-7', role: 'officer', department: 'TAX' },
  purpose: 'asset-check',
  caseId: null,
  operationId: 'a'.repeat(64),
  operationName: 'OfficerTaxView',
  citizenIds: [`cit_00000${n % 10}`],
  departments: ['identity', 'tax'],
  outcome: 'complete',
  durationMs: n,
});

/** Changes the store behind the triggers' backs, as the tables' owner could. */
async function asOwner(db: Db, sql: string): Promise<void> {
  const tables = ['access_trail', 'access_trail_citizens', 'trail_checkpoints'];
  await db.exec(tables.map((t) => `ALTER TABLE ${t} DISABLE TRIGGER USER`).join('; '));
  try {
    await db.exec(sql);
  } finally {
    await db.exec(tables.map((t) => `ALTER TABLE ${t} ENABLE TRIGGER USER`).join('; '));
  }
}

/**
 * What a database owner who wants to hide something does: changes the purpose of every record
 * from `fromSeq` on, and recomputes every hash down the chain so that the chain still verifies.
 */
async function rewriteFrom(db: Db, fromSeq: number): Promise<void> {
  const rows = await recordsAfter(db, 0, 10_000);
  let prevHash = GENESIS_HASH;
  const updates = rows.map((row) => {
    const purpose = row.seq >= fromSeq ? 'routine check' : row.purpose;
    const hash = chainHash(prevHash, trailRecordOf({ ...row, purpose }));
    const update = `UPDATE access_trail SET purpose = '${purpose}', prev_hash = '${prevHash}', hash = '${hash}' WHERE seq = ${row.seq}`;
    prevHash = hash;
    return update;
  });
  await asOwner(db, updates.join(';\n'));
}

const hashOf = async (db: Db, seq: number) => (await db.query<{ hash: string }>('SELECT hash FROM access_trail WHERE seq = $1', [seq]))[0].hash;

describe.each(BACKENDS)('signed checkpoints of the access trail (%s)', (backend) => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'cg-checkpoints-'))));
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await closeTestDbs();
  });

  /**
   * A fresh audit service with 6 records, checkpointed at seq 3 and at seq 6 (on demand, as
   * `POST /trail/checkpoints` does), and the auditor's copy of its checkpoints, saved to a file
   * outside the database (as `npm run audit -- checkpoints --out FILE` does).
   */
  async function auditedTrail() {
    const db = await openTestDb(backend, 'audit');
    const audit = await createAuditSubgraph(db, { checkpointKey: AUDIT_KEY });
    const append = (from: number, to: number) => audit.routes['/trail'](Array.from({ length: to - from + 1 }, (_, i) => record(from + i)), TEST_AUDITOR);
    const checkpointNow = () => audit.routes['/trail/checkpoints'](undefined, TEST_AUDITOR);
    await append(1, 3);
    const first = await checkpointNow();
    await append(4, 6);
    const second = await checkpointNow();
    const published = await audit.publicRoutes['/trail/checkpoints'](new URLSearchParams());
    const file = join(dir, `checkpoints-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(published.body));
    const hashes = { 3: await hashOf(db, 3), 6: await hashOf(db, 6) };
    return { db, audit, first, second, published, file, hashes, checkpointNow };
  }

  const verifyWith = (db: Db, file: string) => verifyStore(db, { batchSize: 4, checkpoints: { file, key: TRUSTED } });

  // The tests that change no record share one trail; each test that rewrites makes its own.
  let untouched: Awaited<ReturnType<typeof auditedTrail>>;
  beforeAll(async () => (untouched = await auditedTrail()));

  it('signs the head on demand, once per head, and publishes the checkpoints with its key', async () => {
    const { first, second, published, checkpointNow, hashes } = untouched;
    expect(first).toMatchObject({ status: 201, body: { seq: 3, hash: hashes[3], kid: AUDIT_KEY.kid } });
    expect(second).toMatchObject({ status: 201, body: { seq: 6, hash: hashes[6] } });
    // The head has not moved: the same checkpoint again, not a new one.
    expect(await checkpointNow()).toEqual({ status: 200, body: second.body });
    expect(published).toEqual({
      status: 200,
      body: { kid: AUDIT_KEY.kid, publicKey: AUDIT_KEY.publicKey, checkpoints: [first.body, second.body], next: null },
    });
  });

  it("an auditor's saved checkpoints prove the trail is the one the service signed", async () => {
    const { db, file } = untouched;
    const { code, lines } = await verifyWith(db, file);
    expect(lines).toEqual([expect.stringMatching(/^verified 6 records: the chain is intact, and reaches all 2 checkpoints that verify \(the last: seq 6, signed at \S+Z\)$/)]);
    expect(code).toBe(0);
  });

  it('a database owner who rewrites every record consistently passes the chain, but verify names the first checkpoint that no longer holds', async () => {
    const { db, file, hashes, published } = await auditedTrail();
    await rewriteFrom(db, 1);
    // The rewritten chain is consistent: the hash chain alone cannot tell.
    expect(await verifyTrail(db)).toEqual({ ok: true, count: 6 });
    const rewritten = await hashOf(db, 3);
    expect(rewritten).not.toBe(hashes[3]);

    const { statements } = await openCheckpoints(published.body as CheckpointsFile, TRUSTED);
    expect(await verifyTrail(db, { checkpoints: statements })).toEqual({
      ok: false,
      count: 2,
      checkpoint: {
        seq: 3,
        hash: hashes[3],
        at: statements[0].at,
        found: rewritten,
        reason: `the checkpoint signed at ${statements[0].at} says record 3 has hash ${hashes[3]}, but it has ${rewritten}: the records up to seq 3 are not the ones it signed (the trail was rewritten)`,
      },
    });
    const { code, lines } = await verifyWith(db, file);
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^CHECKPOINT NO LONGER HOLDS: seq 3, signed at \\S+: .*says record 3 has hash ${hashes[3]}, but it has ${rewritten}.*; 2 records verified before it$`))]);
  });

  it('a rewrite that spares the records of the first checkpoint is named at the second', async () => {
    const { db, file, hashes } = await auditedTrail();
    await rewriteFrom(db, 5);
    expect(await verifyTrail(db)).toEqual({ ok: true, count: 6 });
    const { code, lines } = await verifyWith(db, file);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(new RegExp(`^CHECKPOINT NO LONGER HOLDS: seq 6, signed at .* says record 6 has hash ${hashes[6]}, but it has ${await hashOf(db, 6)}.*; 5 records verified before it$`));
  });

  it('deleting the stored checkpoints too does not help: the auditor kept a copy', async () => {
    const { db, file } = await auditedTrail();
    await rewriteFrom(db, 1);
    await asOwner(db, 'DELETE FROM trail_checkpoints');
    const { code, lines } = await verifyWith(db, file);
    expect(code).toBe(1);
    expect(lines[0]).toMatch(/^CHECKPOINT NO LONGER HOLDS: seq 3, /);
  });

  it('the service refuses to sign a head over a rewritten trail', async () => {
    const { db, checkpointNow, hashes } = await auditedTrail();
    await rewriteFrom(db, 1);
    const rewritten = await hashOf(db, 6);
    await expect(checkpointNow()).rejects.toMatchObject({
      status: 409,
      code: 'CHECKPOINT_REFUSED',
      message: expect.stringMatching(new RegExp(`^no checkpoint was signed: the last checkpoint \\(seq 6, signed at \\S+\\) says hash ${hashes[6]}, but the record at seq 6 has ${rewritten}: the trail was rewritten or cut`)),
    });
  });

  it('records cut from the end of the trail are found by the checkpoint they reached', async () => {
    const { db, file } = await auditedTrail();
    await asOwner(db, 'DELETE FROM trail_checkpoints WHERE seq > 4; DELETE FROM access_trail_citizens WHERE seq > 4; DELETE FROM access_trail WHERE seq > 4');
    expect(await verifyTrail(db)).toEqual({ ok: true, count: 4 });
    const { code, lines } = await verifyWith(db, file);
    expect(code).toBe(1);
    expect(lines).toEqual([
      expect.stringMatching(/^CHECKPOINT NO LONGER HOLDS: seq 6, signed at \S+: the checkpoint signed at \S+ says the trail reached seq 6, but it ends at seq 4: records were removed from its end; 4 records verified before it$/),
    ]);
  });

  describe('a checkpoint that was forged or altered', () => {
    /** The saved file with checkpoint [0] replaced by what `forge` makes of it. */
    async function tampered(forge: (file: CheckpointsFile) => Promise<void> | void) {
      const saved = structuredClone(untouched.published.body) as CheckpointsFile;
      await forge(saved);
      const file = join(dir, `tampered-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify(saved));
      return { file, ...(await verifyWith(untouched.db, file)) };
    }

    it('is refused when its signature was altered', async () => {
      const { file, code, lines } = await tampered((saved) => {
        const jws = saved.checkpoints[0].jws;
        const flipped = jws.at(-2) === 'A' ? 'B' : 'A';
        saved.checkpoints[0].jws = `${jws.slice(0, -2)}${flipped}${jws.at(-1)}`;
      });
      expect(code).toBe(1);
      expect(lines[0]).toBe(`CHECKPOINT REFUSED: ${file} checkpoints[0] (seq 3): its signature does not verify with the audit key ${TRUSTED.kid}: it was altered or forged`);
      // The chain is checked against the checkpoints that do verify.
      expect(lines[1]).toMatch(/^verified 6 records: the chain is intact, and reaches all 1 checkpoints that verify/);
    });

    it('is refused when its statement was changed under the old signature', async () => {
      const { code, lines } = await tampered(async (file) => {
        const [header, , signature] = file.checkpoints[0].jws.split('.');
        const forged = { seq: 3, hash: 'f'.repeat(64), at: file.checkpoints[0].at };
        file.checkpoints[0] = { ...file.checkpoints[0], hash: forged.hash, jws: `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}` };
      });
      expect(code).toBe(1);
      expect(lines[0]).toMatch(/checkpoints\[0\] \(seq 3\): its signature does not verify with the audit key .*: it was altered or forged$/);
    });

    it("is refused when the rewriter signed it with a key of their own, even one the file carries", async () => {
      const { code, lines } = await tampered(async (file) => {
        const forged = { seq: 3, hash: 'f'.repeat(64), at: new Date().toISOString() };
        file.checkpoints[0] = { ...forged, kid: ROGUE_KEY.kid, jws: await signCheckpoint(forged, ROGUE_KEY) };
        Object.assign(file, { kid: ROGUE_KEY.kid, publicKey: ROGUE_KEY.publicKey });
      });
      expect(code).toBe(1);
      expect(lines[0]).toMatch(new RegExp(`checkpoints\\[0\\] \\(seq 3\\): it names signing key "${ROGUE_KEY.kid}", but the audit key you trust is ${TRUSTED.kid}$`));
    });

    it('is refused when the readable text beside a genuine signature was edited', async () => {
      const { code, lines } = await tampered((file) => void (file.checkpoints[1].hash = 'e'.repeat(64)));
      expect(code).toBe(1);
      expect(lines[0]).toMatch(/checkpoints\[1\] \(seq 6\): the file says hash "e{64}", but it signs "[0-9a-f]{64}": the file was edited$/);
    });
  });

  it('a file with no checkpoint proves nothing and says so', async () => {
    const { db } = untouched;
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ kid: AUDIT_KEY.kid, publicKey: AUDIT_KEY.publicKey, checkpoints: [] }));
    expect(await verifyWith(db, empty)).toEqual({ code: 1, lines: [expect.stringMatching(/^.*empty\.json holds no checkpoints: there is nothing to prove the trail against/)] });
  });

  it('signs on its own every interval when the head has moved, and once more when it stops', async () => {
    const db = await openTestDb(backend, 'audit');
    const audit = await createAuditSubgraph(db, { checkpointKey: AUDIT_KEY });
    const checkpoints = async () => (await db.query<{ seq: number }>('SELECT seq FROM trail_checkpoints ORDER BY seq')).map((row) => row.seq);
    const until = async (expected: number[]) => {
      for (let tries = 0; tries < 200 && JSON.stringify(await checkpoints()) !== JSON.stringify(expected); tries++) await new Promise((r) => setTimeout(r, 10));
      return checkpoints();
    };
    const every = checkpointEvery(db, AUDIT_KEY, 10, createLogger('audit'));
    try {
      await audit.routes['/trail']([record(1), record(2)], TEST_AUDITOR);
      expect(await until([2])).toEqual([2]);
      // Ten intervals with no new record: no new checkpoint.
      await new Promise((r) => setTimeout(r, 100));
      expect(await checkpoints()).toEqual([2]);
      await audit.routes['/trail']([record(3)], TEST_AUDITOR);
      expect(await until([2, 3])).toEqual([2, 3]);
      await audit.routes['/trail']([record(4)], TEST_AUDITOR);
    } finally {
      await every.stop();
    }
    // The record of the last interval is covered by the checkpoint signed on stop.
    expect(await checkpoints()).toContain(4);
  });

  describe('over HTTP', () => {
    let server: Server;
    let url: string;
    let trail: Awaited<ReturnType<typeof auditedTrail>>;
    const keys = makeTestKeys();

    beforeAll(async () => {
      trail = untouched;
      server = subgraphHttpServer(trail.audit, (await keys).subgraphKey('audit'));
      url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    });
    afterAll(() => closeServer(server));

    it('anyone may read the checkpoints, without a token, a page at a time', async () => {
      const response = await fetch(`${url}/trail/checkpoints?after=3&limit=1`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ...(trail.published.body as object), checkpoints: [trail.second.body], next: null });
      const firstPage = await (await fetch(`${url}/trail/checkpoints?limit=1`)).json();
      expect(firstPage).toMatchObject({ checkpoints: [trail.first.body], next: 3 });
      // The CLI follows the pages and saves one file: the file the auditor verifies with.
      expect(await downloadCheckpoints(url, 1)).toEqual({ kid: AUDIT_KEY.kid, publicKey: AUDIT_KEY.publicKey, checkpoints: [trail.first.body, trail.second.body] });
    });

    it('refuses a bad page with 400 naming the parameter, and other methods with 405', async () => {
      const bad = await fetch(`${url}/trail/checkpoints?after=-1`);
      expect(bad.status).toBe(400);
      expect((await bad.json()).errors[0].message).toBe('"after" must be a whole number from 0 to 9007199254740991; received "-1"');
      const put = await fetch(`${url}/trail/checkpoints`, { method: 'PUT' });
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('POST, GET');
    });

    it('signs on demand only for a caller with the gateway token for that route', async () => {
      const anonymous = await fetch(`${url}/trail/checkpoints`, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      const target = 'audit/trail/checkpoints' as const;
      const token = await signInternalToken(targetKey((await keys).subgraphKey('audit').key, target), target, TEST_AUDITOR);
      const signed = await fetch(`${url}/trail/checkpoints`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      // The head has not moved since the last checkpoint: that one.
      expect(signed.status).toBe(200);
      expect(await signed.json()).toEqual(trail.second.body);
    });
  });
});

describe('the checkpoint keys', () => {
  const pair = generateKeyPairPem();

  it('production refuses to sign without AUDIT_SIGNING_KEY, and to verify without AUDIT_PUBLIC_KEY', () => {
    const production = loadConfig({ NODE_ENV: 'production' });
    expect(() => checkpointSigningKey(production)).toThrow(/^AUDIT_SIGNING_KEY must be configured when NODE_ENV=production/);
    expect(() => checkpointVerifyingKey(production)).toThrow(/^AUDIT_PUBLIC_KEY \(or --key FILE\) must name/);
  });

  it('configured keys are used as given, and a bad value is refused naming the variable', () => {
    const cfg = loadConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: pair.privateKey, AUDIT_PUBLIC_KEY: pair.publicKey });
    expect(checkpointSigningKey(cfg).kid).toBe(checkpointVerifyingKey(cfg).kid);
    expect(checkpointVerifyingKey(cfg).kid).toBe(keyId(verifyingKeyFrom(pair.publicKey).publicKey));
    expect(() => loadConfig({ AUDIT_SIGNING_KEY: pair.publicKey })).toThrow('AUDIT_SIGNING_KEY must be a PEM "PRIVATE KEY" block; received something else');
    expect(() => loadConfig({ TRAIL_CHECKPOINT_INTERVAL_MS: 'often' })).toThrow('TRAIL_CHECKPOINT_INTERVAL_MS must be an integer from 0 to 86400000; received "often"');
  });

  it('outside production, verify finds no development key until the service has made one', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-keys-'));
    try {
      const cfg = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir });
      expect(() => checkpointVerifyingKey(cfg)).toThrow(/^no key to verify checkpoints with: pass --key FILE .* does not exist/);
      const signing = checkpointSigningKey(cfg);
      expect(checkpointVerifyingKey(cfg).kid).toBe(signing.kid);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm run audit: checkpoint commands', () => {
  it('parses verify --checkpoints with a pinned key, and checkpoints --out', () => {
    expect(parseAuditArgs(['verify', '--checkpoints', 'cps.json', '--key', 'audit.pub'])).toEqual({ command: 'verify', batchSize: 1000, checkpoints: 'cps.json', key: 'audit.pub' });
    expect(parseAuditArgs(['checkpoints', '--out', 'cps.json', '--url', 'http://audit:4007'])).toEqual({ command: 'checkpoints', out: 'cps.json', url: 'http://audit:4007' });
    expect(parseAuditArgs(['checkpoint'])).toEqual({ command: 'checkpoint' });
  });

  it.each<[string[], RegExp]>([
    [['verify', '--key', 'audit.pub'], /--key is the key of the checkpoints: give it with --checkpoints FILE/],
    [['checkpoints'], /checkpoints needs --out FILE/],
    [['checkpoints', '--out', 'x.json', '--url', 'audit:4007'], /--url must be the audit service's http\(s\) URL; received "audit:4007"/],
    [['checkpoint', 'now'], /checkpoint takes no arguments; received now/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseAuditArgs(args)).toThrow(UsageError);
    expect(() => parseAuditArgs(args)).toThrow(message);
  });
});
