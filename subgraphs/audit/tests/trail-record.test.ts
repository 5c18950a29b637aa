import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCESS_TRAIL_COLUMNS, chainHash, GENESIS_HASH, parseTrailRecord, TRAIL_RECORD_FIELDS } from '../../../lib/trail';
import { trailRecordOf, type AccessRecordRow } from '../src/db/tables';

/** A record as a gateway might send it: an offset time, ids unsorted and repeated. */
const SENT = {
  occurredAt: '2025-01-15T11:00:00+01:00',
  principal: { sub: 'off_tax_1', role: 'officer', department: 'TAX' },
  purpose: 'tax-assessment',
  caseId: 'CASE-2025-0042',
  operationId: 'a'.repeat(64),
  operationName: 'CitizenTax',
  citizenIds: ['cit_000002', 'cit_000001', 'cit_000002'],
  departments: ['tax', 'identity'],
  outcome: 'partial',
  durationMs: 42,
};
const PLACE = { seq: 7, id: 'acc_00000000-0000-4000-8000-000000000007' };

describe('the trail record, written once (lib/trail/record.ts)', () => {
  // These hashes were computed with the code before the schema (the hand-written validator
  // subgraphs/audit/src/trail-input.ts and the field-by-field canonicalRecord of commit 54250dc).
  // Records already in stores were hashed that way: if this fails, `verify` fails on them.
  it('hashes a record exactly as before the schema existed, so stored chains still verify', () => {
    const record = parseTrailRecord(SENT);
    expect(chainHash(GENESIS_HASH, { ...record, ...PLACE })).toBe('dcdef4043d527b1ba5532e791d1c2fd4fa269bc3ba3c2cc0d4bb521dc8bd0a8e');
    const citizenReadingOwn = parseTrailRecord({
      ...SENT,
      principal: { sub: 'cit_000001', role: 'citizen' },
      purpose: null,
      caseId: undefined,
      operationName: null,
      citizenIds: [],
      departments: [],
    });
    expect(chainHash('b'.repeat(64), { ...citizenReadingOwn, ...PLACE })).toBe('fcc9601e5141e727e3c82003beeb2f184e9ebcb4e8a65accb33974c35c7042ac');
  });

  it('is stored normalised: the time in UTC with milliseconds, ids sorted and unique, left-out fields null', () => {
    expect(parseTrailRecord({ ...SENT, caseId: undefined })).toEqual({
      ...SENT,
      occurredAt: '2025-01-15T10:00:00.000Z',
      caseId: null,
      citizenIds: ['cit_000001', 'cit_000002'],
      departments: ['identity', 'tax'],
    });
  });

  it('names an unknown field inside the principal by its path', () => {
    expect(() => parseTrailRecord({ ...SENT, principal: { ...SENT.principal, team: 'x' } })).toThrow(
      '"principal.team" is not a field of a trail record; expected only sub, role, department',
    );
  });

  it('refuses a body that is not an object, naming the body', () => {
    expect(() => parseTrailRecord([SENT])).toThrow(/^"body" must be a JSON object; received \[/);
  });

  it('reads a stored row (its type derived from the schema) back as the record that was hashed', () => {
    // The row as the repository's select list names the columns, written out by hand.
    const row: AccessRecordRow = {
      seq: PLACE.seq,
      id: PLACE.id,
      occurredAt: new Date('2025-01-15T10:00:00.000Z'),
      principalSub: 'off_tax_1',
      principalRole: 'officer',
      principalDepartment: 'TAX',
      purpose: 'tax-assessment',
      caseId: 'CASE-2025-0042',
      operationId: 'a'.repeat(64),
      operationName: 'CitizenTax',
      citizenIds: ['cit_000001', 'cit_000002'],
      departments: ['identity', 'tax'],
      outcome: 'partial',
      durationMs: 42,
      prevHash: GENESIS_HASH,
      hash: 'dcdef4043d527b1ba5532e791d1c2fd4fa269bc3ba3c2cc0d4bb521dc8bd0a8e',
    };
    const record = trailRecordOf(row);
    expect(record).toEqual({ ...parseTrailRecord(SENT), ...PLACE, prevHash: row.prevHash, hash: row.hash });
    expect(chainHash(record.prevHash, record)).toBe(row.hash);
  });

  it("has a column in migration 0001 for each of its fields, in the schema's order", () => {
    const sql = readFileSync(join(__dirname, '../migrations/0001_access_trail.sql'), 'utf8');
    const table = sql.slice(sql.indexOf('CREATE TABLE access_trail ('), sql.indexOf('\n);', sql.indexOf('CREATE TABLE access_trail (')));
    // Column lines start with a lower-case name then a type; comments and CHECK lines do not.
    const declared = [...table.matchAll(/^\s+([a-z_]+)\s+(?:bigint|text|timestamptz|integer)\b/gm)].map((match) => match[1]);
    // recorded_at is the store's own clock: filled by its DEFAULT, not hashed, not in the record.
    expect(declared.filter((column) => column !== 'recorded_at')).toEqual(ACCESS_TRAIL_COLUMNS);
    expect(ACCESS_TRAIL_COLUMNS).toHaveLength(TRAIL_RECORD_FIELDS.length + 4); // seq, id, prev_hash, hash
  });
});
