import type { Principal } from '../../../lib/auth/principal';
import type { Db } from '../../../lib/db';
import { chainHash, parseTrailRecord, TrailWriter, type ParsedTrailRecord, type TrailRecordInput } from '../../../lib/trail';
import { findAuditOperation, parseAuditArgs, UsageError, variableValues } from '../../../scripts/audit';
import { recordsAfter } from '../src/db/repository';
import { trailRecordOf } from '../src/db/tables';
import { verifyTrail } from '../src/db/verify';
import { createAuditSubgraph } from '../src/server';
import { BACKENDS, closeTestDbs, openTestDb } from '../../../tests/support/db';
import { execute } from '../../../tests/support/graphql';

const OP_ID = 'a'.repeat(64);
const OFFICER: Principal = { sub: 'officer-7', role: 'officer', department: 'TAX', purpose: 'ASSET_CHECK', scope: [] };
const citizen = (id: string): Principal => ({ sub: id, role: 'citizen', scope: [] });

/** A record as the gateway sends it; `over` changes some fields. */
function record(over: Partial<TrailRecordInput> = {}): TrailRecordInput {
  return {
    occurredAt: '2025-01-15T10:00:00.000Z',
    principal: { sub: 'officer-7', role: 'officer', department: 'TAX' },
    purpose: 'ASSET_CHECK',
    caseId: null,
    operationId: OP_ID,
    operationName: 'OfficerTaxView',
    citizenIds: ['cit_000001'],
    departments: ['identity', 'tax'],
    outcome: 'complete',
    durationMs: 12,
    ...over,
  };
}

/** The same record as `POST /trail` hands it to the writer: parsed. */
const parsed = (over: Partial<TrailRecordInput> = {}): ParsedTrailRecord => parseTrailRecord(record(over));

/** Changes the store behind the triggers' backs, as the tables' owner could. */
async function tamperWith(db: Db, sql: string): Promise<void> {
  await db.exec('ALTER TABLE access_trail DISABLE TRIGGER USER; ALTER TABLE access_trail_citizens DISABLE TRIGGER USER');
  try {
    await db.exec(sql);
  } finally {
    await db.exec('ALTER TABLE access_trail ENABLE TRIGGER USER; ALTER TABLE access_trail_citizens ENABLE TRIGGER USER');
  }
}

const idAt = async (db: Db, seq: number) => (await db.query<{ id: string }>('SELECT id FROM access_trail WHERE seq = $1', [seq]))[0].id;

const count = async (db: Db) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM access_trail'))[0].n;

describe.each(BACKENDS)('audit service (%s)', (backend) => {
  afterAll(closeTestDbs);

  /** A fresh, migrated audit store and its subgraph. */
  async function freshAudit() {
    const db = await openTestDb(backend, 'audit');
    return { db, audit: await createAuditSubgraph(db) };
  }

  describe('the trail writer', () => {
    let db: Db;
    beforeAll(async () => ({ db } = await freshAudit()));

    it('writes 50 concurrent appends in a few transactions, as one unbroken chain', async () => {
      const writer = new TrailWriter(db);
      const stored = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.append(parsed({ durationMs: i }))));
      expect(await count(db)).toBe(50);
      expect(writer.stats.batches).toBeLessThan(50);
      expect(writer.stats.batches).toBeGreaterThanOrEqual(1);
      // Each caller gets its own record, numbered in arrival order, 1..50 without gaps.
      expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(stored.map((r) => r.durationMs)).toEqual(Array.from({ length: 50 }, (_, i) => i));
      expect(stored[0].id).toMatch(/^acc_[0-9a-f-]{36}$/);
      expect(stored[1].prevHash).toBe(stored[0].hash);
      expect(await verifyTrail(db, { batchSize: 7 })).toEqual({ ok: true, count: 50 });
    });

    /** `db`, watching its trail inserts (one per batch); `fail` makes them throw before they reach the store. */
    function watchInserts(options: { fail?: () => Error | undefined } = {}) {
      const seen = { inFlight: 0, most: 0, inserts: 0 };
      const watched: Db = Object.create(db);
      watched.query = async <Row,>(sql: string, params?: readonly unknown[]) => {
        if (!sql.includes('INSERT INTO access_trail')) return db.query<Row>(sql, params);
        const error = options.fail?.();
        if (error) throw error;
        seen.inserts++;
        seen.most = Math.max(seen.most, ++seen.inFlight);
        try {
          return await db.query<Row>(sql, params);
        } finally {
          seen.inFlight--;
        }
      };
      return { watched, seen };
    }

    it('never has two batches in flight, and caps a batch at maxBatch', async () => {
      const { watched, seen } = watchInserts();
      const writer = new TrailWriter(watched, { windowMs: 1, maxBatch: 8 });
      const waves = [];
      for (let wave = 0; wave < 5; wave++) {
        waves.push(...Array.from({ length: 20 }, () => writer.append(parsed())));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.all(waves);
      expect(seen.most).toBe(1);
      expect(writer.stats.records).toBe(100);
      expect(writer.stats.batches).toBeGreaterThanOrEqual(100 / 8);
      expect(seen.inserts).toBe(writer.stats.batches);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: 150 });
    });

    it('writes a batch in one statement, reading the chain head only when it does not know it', async () => {
      const writer = new TrailWriter(db);
      await writer.append(parsed());
      const before = db.stats.statements;
      await writer.append(parsed());
      await Promise.all([writer.append(parsed()), writer.append(parsed())]);
      expect(db.stats.statements - before).toBe(2);
    });

    it('rejects every caller of a batch whose insert fails, and stores none of it', async () => {
      const { watched } = watchInserts({ fail: () => new Error('the disk is full') });
      const writer = new TrailWriter(watched);
      const before = await count(db);
      const results = await Promise.allSettled([writer.append(parsed()), writer.append(parsed()), writer.append(parsed())]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
      expect(await count(db)).toBe(before);
      // The chain goes on from where it was, without a gap.
      const next = await new TrailWriter(db).append(parsed());
      expect(next.seq).toBe(before + 1);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: before + 1 });
    });

    it('keeps one chain when replicas write to one store: a stale head is a duplicate seq, chained again', async () => {
      const before = await count(db);
      // Two writers (two audit processes) that each know the head, then write in turns and at once.
      const [a, b] = [new TrailWriter(db), new TrailWriter(db)];
      await a.append(parsed());
      await b.append(parsed());
      // a's head is stale now (b wrote after it): its next batch collides with b's seq and is chained onto it.
      const interleaved = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).append(parsed({ durationMs: i }))));
      expect(await count(db)).toBe(before + 32);
      expect(new Set(interleaved.map((r) => r.seq)).size).toBe(30);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: before + 32 });
      expect(a.stats.failedBatches + b.stats.failedBatches).toBe(0);
      expect(a.stats.rechained).toBeGreaterThan(0);
    });

    it('takes only parsed records: a bad record is refused when parsed, before it can join a batch', () => {
      // `append` takes a ParsedTrailRecord; `POST /trail` parses each record once (see the 207 test).
      expect(() => parseTrailRecord(record({ durationMs: -1 }))).toThrow(/"durationMs" must be a whole number of milliseconds, 0 or more .*received -1/);
    });

    it('refuses UPDATE, DELETE and TRUNCATE from the application', async () => {
      await expect(db.query(`UPDATE access_trail SET purpose = 'hidden' WHERE seq = 1`)).rejects.toThrow(/access_trail is append-only: UPDATE is refused/);
      await expect(db.query('DELETE FROM access_trail WHERE seq = 1')).rejects.toThrow(/access_trail is append-only: DELETE is refused/);
      await expect(db.query('TRUNCATE access_trail CASCADE')).rejects.toThrow(/append-only: TRUNCATE is refused/);
      await expect(db.query(`DELETE FROM access_trail_citizens WHERE citizen_id = 'cit_000001'`)).rejects.toThrow(/access_trail_citizens is append-only: DELETE is refused/);
      expect((await verifyTrail(db)).ok).toBe(true);
    });
  });

  describe('verification', () => {
    let db: Db;
    beforeAll(async () => {
      ({ db } = await freshAudit());
      const writer = new TrailWriter(db);
      for (let i = 0; i < 10; i++) await writer.append(parsed({ durationMs: i }));
    });

    const tamper = (sql: string) => tamperWith(db, sql);
    const idOf = (seq: number) => idAt(db, seq);

    it('finds a record whose contents were changed', async () => {
      await tamper(`UPDATE access_trail SET purpose = 'nothing to see' WHERE seq = 7`);
      expect(await verifyTrail(db, { batchSize: 3 })).toEqual({
        ok: false,
        count: 6,
        brokenAt: { seq: 7, id: await idOf(7), reason: 'hash does not match its contents' },
      });
    });

    it("finds a changed record that was re-hashed, at the next record's link", async () => {
      // Make record 7 consistent with its new contents again: only the chain gives it away.
      const [row] = await recordsAfter(db, 6, 1);
      await tamper(`UPDATE access_trail SET hash = '${chainHash(row.prevHash, trailRecordOf(row))}' WHERE seq = 7`);
      expect(await verifyTrail(db, { batchSize: 4 })).toEqual({
        ok: false,
        count: 7,
        brokenAt: { seq: 8, id: await idOf(8), reason: "prev_hash does not match the previous record's hash" },
      });
    });

    it('finds a removed record by the gap it leaves', async () => {
      await tamper('DELETE FROM access_trail_citizens WHERE seq = 5; DELETE FROM access_trail WHERE seq = 5');
      expect(await verifyTrail(db)).toEqual({
        ok: false,
        count: 4,
        brokenAt: { seq: 6, id: await idOf(6), reason: 'seq 6 follows seq 4' },
      });
    });
  });

  describe('verification of the citizen index', () => {
    let db: Db;
    beforeAll(async () => {
      ({ db } = await freshAudit());
      const writer = new TrailWriter(db);
      for (let i = 0; i < 6; i++) await writer.append(parsed({ citizenIds: ['cit_000001', `cit_00010${i}`] }));
    });

    it("finds a record hidden from a citizen's log", async () => {
      await tamperWith(db, `DELETE FROM access_trail_citizens WHERE seq = 4 AND citizen_id = 'cit_000001'`);
      expect(await verifyTrail(db, { batchSize: 2 })).toEqual({
        ok: false,
        count: 3,
        brokenAt: { seq: 4, id: await idAt(db, 4), reason: 'citizen cit_000001 is missing from the citizen index, so their access log does not show this record' },
      });
      await db.query(`INSERT INTO access_trail_citizens (citizen_id, seq) VALUES ('cit_000001', 4)`);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: 6 });
    });

    it("finds a record put into the log of a citizen it does not list", async () => {
      await db.query(`INSERT INTO access_trail_citizens (citizen_id, seq) VALUES ('cit_999999', 2)`);
      expect(await verifyTrail(db)).toEqual({
        ok: false,
        count: 1,
        brokenAt: { seq: 2, id: await idAt(db, 2), reason: 'the citizen index puts this record in the access log of cit_999999, whom it does not list' },
      });
    });
  });

  describe('the graph', () => {
    let audit: Awaited<ReturnType<typeof createAuditSubgraph>>;
    const A = 'cit_000001';
    const B = 'cit_000002';

    beforeAll(async () => {
      ({ audit } = await freshAudit());
      const trail = audit.routes['/trail'];
      const add = (over: Partial<TrailRecordInput>) => trail(record(over), OFFICER);
      await add({ citizenIds: [A, B], occurredAt: '2025-01-01T09:00:00.000Z' }); // seq 1
      await add({ citizenIds: [A], occurredAt: '2025-02-01T09:00:00.000Z', principal: { sub: A, role: 'citizen', department: null }, purpose: null, operationName: 'CitizenOverview' }); // seq 2
      // Written before purposes were codes: free text.
      await add({ citizenIds: [B], occurredAt: '2025-03-01T09:00:00.000Z', principal: { sub: 'officer-9', role: 'officer', department: 'HEALTH' }, purpose: 'treatment' }); // seq 3
      await add({ citizenIds: [A], occurredAt: '2025-04-01T09:00:00.000Z', outcome: 'partial', caseId: 'case-42' }); // seq 4
      await add({ citizenIds: [], occurredAt: '2025-05-01T09:00:00.000Z', principal: { sub: 'auditor-1', role: 'auditor', department: null }, operationName: 'AuditTrail' }); // seq 5
    });

    const LOG = `query ($representations: [_Any!]!, $first: Int, $after: String) {
      _entities(representations: $representations) { ... on Citizen { id accessLog(first: $first, after: $after) {
        edges { cursor node { seq occurredAt role department accessorId purpose purposeMeaning caseId operationName operationId services outcome durationMs citizenIds hash prevHash } }
        pageInfo { hasNextPage endCursor }
      } } }
    }`;
    const logOf = (id: string, principal?: Principal, args: { first?: number; after?: string } = {}) =>
      execute(audit, LOG, { representations: [{ __typename: 'Citizen', id }], ...args }, principal);

    it("shows a citizen who read their data and why, newest first, without other citizens' ids, hashes or case ids", async () => {
      const result = await logOf(A, citizen(A));
      expect(result.errors).toBeUndefined();
      const edges = result.data!._entities[0].accessLog.edges;
      expect(edges.map((e: any) => e.node.seq)).toEqual([4, 2, 1]);
      expect(edges[0].node).toEqual({
        seq: 4,
        occurredAt: '2025-04-01T09:00:00.000Z',
        role: 'OFFICER',
        department: 'TAX',
        accessorId: 'officer-7',
        purpose: 'ASSET_CHECK',
        purposeMeaning: 'Checking declared income and assets',
        // The officer's own reference: for their department and auditors, not for the citizen.
        caseId: null,
        operationName: 'OfficerTaxView',
        operationId: OP_ID,
        services: ['identity', 'tax'],
        outcome: 'PARTIAL',
        durationMs: 12,
        citizenIds: null,
        hash: null,
        prevHash: null,
      });
      expect(edges[1].node).toMatchObject({ role: 'CITIZEN', department: null, accessorId: A });
      expect((result as any).extensions?.accessed).toEqual([A]);
    });

    it("refuses a citizen another citizen's log, and officers any log, with FORBIDDEN from AUDIT", async () => {
      for (const principal of [citizen(A), OFFICER, { sub: 'auditor-1', role: 'auditor', scope: [] } as Principal]) {
        const result = await logOf(B, principal);
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'AUDIT' });
        expect(result.errors?.[0].message).toMatch(/Forbidden: .*(own access log|only the citizen|registered audit operations)/);
      }
    });

    it('shows an audit operation every citizen a record touched, and the chain', async () => {
      const result = await logOf(B); // TEST_AUDITOR: inside a registered audit operation
      expect(result.errors).toBeUndefined();
      const nodes = result.data!._entities[0].accessLog.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => n.seq)).toEqual([3, 1]);
      expect(nodes[1].citizenIds).toEqual([A, B]);
      expect(nodes[1].prevHash).toBe('0'.repeat(64));
      expect(nodes[1].hash).toMatch(/^[0-9a-f]{64}$/);
      expect((result as any).extensions?.accessed).toEqual([A, B]);
    });

    it('pages a log with cursors without repeating a record', async () => {
      const seen: number[] = [];
      let after: string | undefined;
      for (;;) {
        const result = await logOf(A, citizen(A), { first: 1, after });
        const log = result.data!._entities[0].accessLog;
        seen.push(...log.edges.map((e: any) => e.node.seq));
        if (!log.pageInfo.hasNextPage) break;
        after = log.pageInfo.endCursor;
      }
      expect(seen).toEqual([4, 2, 1]);
    });

    it('loads the logs of 50 citizens with one statement', async () => {
      const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'Citizen', id: `cit_${String(i + 1).padStart(6, '0')}` }));
      audit.db.stats.statements = 0;
      const result = await execute(audit, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { accessLog(first: 5) { edges { node { seq } } } } } }`, { r: representations });
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities[0].accessLog.edges.map((e: any) => e.node.seq)).toEqual([4, 2, 1]);
      expect(result.data!._entities[2].accessLog.edges).toEqual([]);
      expect(audit.db.stats.statements).toBe(1);
    });

    const TRAIL = `query ($filter: AccessTrailFilter, $first: Int, $after: String) {
      accessTrail(filter: $filter, first: $first, after: $after) { edges { node { seq accessorId citizenIds } } pageInfo { hasNextPage endCursor } }
    }`;
    const seqs = async (variables: Record<string, unknown>, principal?: Principal) => {
      const result = await execute(audit, TRAIL, variables, principal);
      expect(result.errors).toBeUndefined();
      return result.data!.accessTrail.edges.map((e: any) => e.node.seq);
    };

    it('gives an audit operation the whole trail, newest first, filtered', async () => {
      expect(await seqs({})).toEqual([5, 4, 3, 2, 1]);
      expect(await seqs({ filter: { citizenId: B } })).toEqual([3, 1]);
      expect(await seqs({ filter: { accessorId: 'officer-7' } })).toEqual([4, 1]);
      expect(await seqs({ filter: { department: 'HEALTH' } })).toEqual([3]);
      expect(await seqs({ filter: { from: '2025-02-01T09:00:00Z', to: '2025-04-01T09:00:00Z' } })).toEqual([3, 2]);
      expect(await seqs({ filter: { citizenId: A, accessorId: 'officer-7', from: '2025-03-01T00:00:00Z' } })).toEqual([4]);
    });

    it('pages the trail with cursors', async () => {
      const first = await execute(audit, TRAIL, { first: 2 });
      expect(first.data!.accessTrail.edges.map((e: any) => e.node.seq)).toEqual([5, 4]);
      expect(first.data!.accessTrail.pageInfo.hasNextPage).toBe(true);
      expect(await seqs({ first: 2, after: first.data!.accessTrail.pageInfo.endCursor })).toEqual([3, 2]);
      expect(await seqs({ first: 2, after: first.data!.accessTrail.edges[0].cursor, filter: { citizenId: A } })).toEqual([4, 2]);
    });

    it('shows an audit operation the case id and free-text purposes of old records; a citizen sees neither', async () => {
      const asAuditor = (await logOf(A)).data!._entities[0].accessLog.edges.map((e: any) => e.node);
      expect(asAuditor.find((n: any) => n.seq === 4)).toMatchObject({ caseId: 'case-42', purpose: 'ASSET_CHECK' });
      const legacy = async (principal?: Principal) => (await logOf(B, principal)).data!._entities[0].accessLog.edges.find((e: any) => e.node.seq === 3).node;
      expect(await legacy()).toMatchObject({ purpose: 'treatment', purposeMeaning: null });
      expect(await legacy(citizen(B))).toMatchObject({ purpose: null, purposeMeaning: null });
    });

    it("lists an officer only their own department's records, with the case ids they wrote", async () => {
      const HEALTH_OFFICER: Principal = { sub: 'officer-3', role: 'officer', department: 'HEALTH', purpose: 'ACCESS_REVIEW', scope: [] };
      const CASES = `query ($filter: AccessTrailFilter) { accessTrail(filter: $filter, first: 10) { edges { node { seq department caseId citizenIds } } } }`;
      const tax = await execute(audit, CASES, {}, { ...OFFICER, sub: 'officer-8', purpose: 'ACCESS_REVIEW' });
      expect(tax.errors).toBeUndefined();
      expect(tax.data!.accessTrail.edges.map((e: any) => e.node)).toEqual([
        { seq: 4, department: 'TAX', caseId: 'case-42', citizenIds: null },
        { seq: 1, department: 'TAX', caseId: null, citizenIds: null },
      ]);
      const health = await execute(audit, CASES, {}, HEALTH_OFFICER);
      expect(health.data!.accessTrail.edges.map((e: any) => e.node.seq)).toEqual([3]);
      const another = await execute(audit, CASES, { filter: { department: 'TAX' } }, HEALTH_OFFICER);
      expect(another.errors?.[0]).toMatchObject({ message: expect.stringMatching(/officers of HEALTH read only their own department's records/), extensions: { code: 'FORBIDDEN' } });
    });

    it('refuses the trail to citizens and to auditors outside an audit operation, and a backwards time range', async () => {
      for (const principal of [citizen(A), { sub: 'auditor-1', role: 'auditor', scope: [] } as Principal]) {
        const result = await execute(audit, TRAIL, {}, principal);
        expect(result.data).toBeNull();
        expect(result.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', department: 'AUDIT' });
      }
      const backwards = await execute(audit, TRAIL, { filter: { from: '2025-05-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } });
      expect(backwards.errors?.[0]).toMatchObject({ message: expect.stringMatching(/filter.from must be before filter.to/), extensions: { code: 'BAD_USER_INPUT' } });
    });
  });

  describe('POST /trail', () => {
    let trail: (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>;
    beforeAll(async () => {
      trail = (await freshAudit()).audit.routes['/trail'];
    });

    it('appends a record and answers 201 with its id, seq and hash', async () => {
      const answer = await trail(record(), OFFICER);
      expect(answer).toEqual({ status: 201, body: { id: expect.stringMatching(/^acc_/), seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      expect((await trail({ ...record(), purpose: undefined, caseId: undefined }, OFFICER)).body).toMatchObject({ seq: 2 });
    });

    it.each<[string, unknown, RegExp]>([
      ['a body that is not JSON', 'occurredAt=now', /takes a JSON object \(content-type: application\/json\)/],
      ['an empty array', [], /takes 1 to 256 records; received 0/],
      ['too many records', Array.from({ length: 257 }, () => record()), /takes 1 to 256 records; received 257/],
      ['a missing time', { ...record(), occurredAt: undefined }, /"occurredAt" must be an ISO 8601 instant .* received nothing/],
      ['a time without an offset', record({ occurredAt: '2025-01-15 10:00' }), /"occurredAt" must be an ISO 8601 instant.*received "2025-01-15 10:00"/],
      ['an unknown role', record({ principal: { sub: 'x', role: 'admin' as 'citizen', department: null } }), /"principal.role" must be one of citizen, officer, auditor; received "admin"/],
      ['an officer without a department', record({ principal: { sub: 'x', role: 'officer', department: null } }), /"principal.department" must be one of HEALTH, .* for an officer; received null/],
      ['a citizen with a department', record({ principal: { sub: 'x', role: 'citizen', department: 'TAX' } }), /"principal.department" must be null for a citizen/],
      ['an operation id that is not a sha256', record({ operationId: 'abc' }), /"operationId" must be a sha256 in lowercase hex.*received "abc"/],
      ['citizen ids that are not strings', record({ citizenIds: ['cit_1', 7 as unknown as string] }), /"citizenIds\[1\]" must be a non-empty string.*received 7/],
      ['an unknown service', record({ departments: ['health', 'library' as 'health'] }), /"departments\[1\]" must be one of identity, health, .*audit; received "library"/],
      ['an unknown outcome', record({ outcome: 'ok' as 'complete' }), /"outcome" must be one of complete, partial; received "ok"/],
      ['a fractional duration', record({ durationMs: 1.5 }), /"durationMs" must be a whole number of milliseconds.*received 1.5/],
      ['a misspelt field', { ...record(), services: ['health'] }, /"services" is not a field of a trail record; expected only occurredAt, principal, /],
    ])('refuses %s with 400 naming the field', async (_name, body, message) => {
      await expect(trail(body, OFFICER)).rejects.toMatchObject({ status: 400, code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    });

    it('appends an array of records in one transaction and answers with a receipt for each, in order', async () => {
      const { audit, db } = await freshAudit();
      const statementsBefore = db.stats.statements;
      const answer = await audit.routes['/trail']([record({ caseId: 'a' }), record({ caseId: 'b' }), record({ caseId: 'c' })], OFFICER);
      const statements = db.stats.statements - statementsBefore;
      expect(answer.status).toBe(201);
      expect((answer.body as Array<{ seq: number }>).map((receipt) => receipt.seq)).toEqual([1, 2, 3]);
      const cases = await db.query<{ case_id: string }>('SELECT case_id FROM access_trail ORDER BY seq');
      expect(cases.map((row) => row.case_id)).toEqual(['a', 'b', 'c']);
      // One batch of the writer: the same statements as for one record (see 'the trail writer').
      const oneRecord = await freshAudit();
      const before = oneRecord.db.stats.statements;
      await oneRecord.audit.routes['/trail'](record(), OFFICER);
      expect(statements).toBe(oneRecord.db.stats.statements - before);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: 3 });
    });

    it('refuses the one bad record of an array, naming its index, and stores the others (207)', async () => {
      const { audit, db } = await freshAudit();
      const answer = await audit.routes['/trail']([record(), record({ outcome: 'ok' as 'complete' }), record()], OFFICER);
      expect(answer.status).toBe(207);
      const entries = answer.body as Array<{ seq?: number; error?: { code: string; message: string } }>;
      expect(entries.map((entry) => (entry.error ? entry.error.code : 'stored'))).toEqual(['stored', 'BAD_REQUEST', 'stored']);
      expect(entries[1].error!.message).toMatch(/trail record \[1\] refused: "outcome" must be one of complete, partial/);
      expect(await count(db)).toBe(2);
      expect(await verifyTrail(db)).toEqual({ ok: true, count: 2 });
    });

    it('refuses a lone bad record with 400 and stores nothing', async () => {
      const { audit, db } = await freshAudit();
      await expect(audit.routes['/trail'](record({ outcome: 'ok' as 'complete' }), OFFICER)).rejects.toMatchObject({ status: 400 });
      expect(await count(db)).toBe(0);
    });

    it('stores the record normalised: ids sorted and unique, the time in UTC', async () => {
      const { db } = await freshAudit();
      const stored = await new TrailWriter(db).append(parsed({ citizenIds: ['cit_3', 'cit_1', 'cit_3'], departments: ['tax', 'identity'], occurredAt: '2025-01-15T12:00:00+02:00' }));
      expect(stored).toMatchObject({ citizenIds: ['cit_1', 'cit_3'], departments: ['identity', 'tax'], occurredAt: '2025-01-15T10:00:00.000Z' });
      expect(await verifyTrail(db)).toEqual({ ok: true, count: 1 });
    });
  });
});

describe('npm run audit: the command line', () => {
  const MANIFEST = {
    ['1'.repeat(64)]: 'query AuditCitizenHistory($id: ID!, $first: Int = 50) { citizen(id: $id) { id } }',
    ['2'.repeat(64)]: 'query AuditTrail($filter: AccessTrailFilter, $first: Int!) { accessTrail(filter: $filter, first: $first) { edges { node { id } } } }',
    ['3'.repeat(64)]: 'query CitizenOverview { me { id } }',
  };

  it('parses run with its variables, purpose, case and gateway', () => {
    expect(parseAuditArgs(['run', 'AuditCitizenHistory', '--var', 'id=cit_000001', '--var=first=10', '--case', 'case-7', '--purpose', 'complaint', '--url', 'http://gw:4000/graphql'])).toEqual({
      command: 'run',
      operation: 'AuditCitizenHistory',
      vars: { id: 'cit_000001', first: '10' },
      purpose: 'complaint',
      caseId: 'case-7',
      url: 'http://gw:4000/graphql',
      sub: 'auditor-cli',
    });
    expect(parseAuditArgs(['verify', '--batch-size', '500'])).toEqual({ command: 'verify', batchSize: 500 });
    expect(parseAuditArgs(['--help'])).toEqual({ command: 'help' });
  });

  it.each<[string[], RegExp]>([
    [[], /expected a command: run, verify, checkpoints or checkpoint; received ""/],
    [['fly'], /expected a command: run, verify, checkpoints or checkpoint; received "fly"/],
    [['run'], /run needs the name of a registered Audit\* operation/],
    [['run', 'AuditX', 'id=1'], /variables go in --var key=value/],
    [['run', 'AuditX', '--var', 'id'], /--var must be key=value .*received "id"/],
    [['run', 'AuditX', '--var', 'a=1', '--var', 'a=2'], /--var a is given twice/],
    [['run', 'AuditX', '--colour', 'red'], /Unknown option '--colour'/],
    [['verify', '--batch-size', '0'], /--batch-size must be a whole number from 1 to 100000; received "0"/],
  ])('refuses %j with a usage error', (args, message) => {
    expect(() => parseAuditArgs(args)).toThrow(UsageError);
    expect(() => parseAuditArgs(args)).toThrow(message);
  });

  it('finds a registered audit operation by name, and refuses any other with the list of audit operations', () => {
    expect(findAuditOperation(MANIFEST, 'AuditTrail').id).toBe('2'.repeat(64));
    expect(() => findAuditOperation(MANIFEST, 'CitizenOverview')).toThrow(
      'CitizenOverview is not an audit operation: only Audit* operations run as an auditor; registered audit operations: AuditCitizenHistory, AuditTrail',
    );
    expect(() => findAuditOperation(MANIFEST, 'AuditNothing')).toThrow('no registered operation is named AuditNothing; registered audit operations: AuditCitizenHistory, AuditTrail');
  });

  it('sends --var values as JSON when they parse, as text for ID and String, and checks them against the operation', () => {
    const history = findAuditOperation(MANIFEST, 'AuditCitizenHistory');
    expect(variableValues(history, { id: '123', first: '10' })).toEqual({ id: '123', first: 10 });
    const trail = findAuditOperation(MANIFEST, 'AuditTrail');
    expect(variableValues(trail, { first: '5', filter: '{"citizenId":"cit_000001"}' })).toEqual({ first: 5, filter: { citizenId: 'cit_000001' } });
    expect(() => variableValues(history, {})).toThrow('AuditCitizenHistory needs --var id=<ID!>; it takes $id: ID!, $first: Int');
    expect(() => variableValues(history, { id: 'x', colour: 'red' })).toThrow('AuditCitizenHistory has no variable $colour; it takes $id: ID!, $first: Int');
  });
});
