import type { Db } from '../../../../lib/db';
import type { Cursor } from '../../../../lib/paging';
import type { PageStatement } from '../../../../lib/sql';
import { TRAIL_COLUMNS } from '../../../../lib/trail';
import { TRAIL_CHECKPOINTS } from './generated/tables';
import type { AccessRecordRow, CheckpointRow, TrailFilter } from './tables';

// The select list over `access_trail t`, as AccessRecordRow names them: the record's columns, from
// its schema. (The generated ACCESS_TRAIL.select('t') would add recorded_at, the store's own clock,
// which is not part of the record.)
const RECORD = TRAIL_COLUMNS.map(({ column, key }) => (column === key ? `t.${column}` : `t.${column} AS "${key}"`)).join(', ');

/** Up to `limit` records after `afterSeq`, in chain order (verification streams with this). */
export function recordsAfter(db: Db, afterSeq: number, limit: number): Promise<AccessRecordRow[]> {
  return db.query<AccessRecordRow>(`SELECT ${RECORD} FROM access_trail t WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
}

/** Whether the store has the trail's table (it does once the audit service has started on it). */
export async function hasTrail(db: Db): Promise<boolean> {
  const [row] = await db.query<{ found: boolean }>(`SELECT to_regclass('access_trail') IS NOT NULL AS found`);
  return row.found;
}

/**
 * The first record in (`fromSeq`, `toSeq`] that lists a citizen the citizen index does not
 * (that citizen's log would not show it), or `null`. Primary-key lookups only.
 */
export async function firstUnindexedCitizen(db: Db, fromSeq: number, toSeq: number): Promise<{ seq: number; citizenId: string } | null> {
  const [row] = await db.query<{ seq: number; citizenId: string }>(
    // A lateral lookup with LIMIT 1 rather than NOT EXISTS: the planner turns NOT EXISTS into a
    // hash anti-join that reads the whole index for every batch (183 ms against 20 ms per 1000
    // records at 200k records, and growing with the trail).
    `SELECT t.seq, c.citizen_id AS "citizenId"
     FROM access_trail t
     CROSS JOIN LATERAL unnest(t.citizen_ids) AS c (citizen_id)
     LEFT JOIN LATERAL (
       SELECT true AS found FROM access_trail_citizens x WHERE x.citizen_id = c.citizen_id AND x.seq = t.seq LIMIT 1
     ) indexed ON true
     WHERE t.seq > $1 AND t.seq <= $2 AND indexed.found IS NULL
     ORDER BY t.seq LIMIT 1`,
    [fromSeq, toSeq],
  );
  return row ?? null;
}

/**
 * The first entry of the citizen index whose record does not list that citizen (it would show
 * the record in the wrong citizen's log), or `null`. Reads both tables once.
 */
export async function firstStrayIndexEntry(db: Db): Promise<{ seq: number; citizenId: string } | null> {
  const [row] = await db.query<{ seq: number; citizenId: string }>(
    // MATERIALIZED: one hash join over both tables. Left to itself, the planner walks seq in
    // order and probes the index by seq, which is not its leading column: quadratic (over 18
    // minutes at 200k records, against 0.4 s this way).
    `WITH stray AS MATERIALIZED (
       SELECT x.seq, x.citizen_id FROM access_trail_citizens x JOIN access_trail t ON t.seq = x.seq
       WHERE NOT (t.citizen_ids @> ARRAY[x.citizen_id])
     )
     SELECT seq, citizen_id AS "citizenId" FROM stray ORDER BY seq LIMIT 1`,
  );
  return row ?? null;
}

// Pages are newest first by seq. The cursor is lib/paging's (occurredAt, id); the id pins the
// position (ids are unique), and the statement looks its seq up.
const afterCursor = (seqColumn: string) => (param: number) => `${seqColumn} < (SELECT seq FROM access_trail WHERE id = $${param})`;

/**
 * The access logs of many citizens in one statement: for each id in `$1`, up to `first + 1` of
 * the records that touched them, newest first, tagged with `pageOwner`. Each lateral subquery is
 * a backward range scan of the citizen index's primary key.
 */
export const ACCESS_LOG_PAGES: PageStatement = {
  text: (after) => `SELECT log.*, owner AS "pageOwner"
     FROM unnest($1::text[]) AS owners (owner)
     CROSS JOIN LATERAL (
       SELECT ${RECORD} FROM access_trail_citizens c JOIN access_trail t ON t.seq = c.seq
       WHERE c.citizen_id = owner${after ? ` AND ${afterCursor('c.seq')(3)}` : ''}
       ORDER BY c.seq DESC LIMIT $2
     ) log
     ORDER BY owner, seq DESC`,
  params: (citizenIds, first, after) => (after ? [citizenIds, first + 1, after.id] : [citizenIds, first + 1]),
};

/**
 * Up to `first + 1` records of the whole trail matching `filter`, newest first. With a
 * citizen, the scan starts from the citizen index (that citizen's records only).
 */
export function trailPage(db: Db, filter: TrailFilter, first: number, after: Cursor | null): Promise<AccessRecordRow[]> {
  const seq = filter.citizenId ? 'c.seq' : 't.seq';
  const params: unknown[] = [first + 1];
  const where: string[] = [];
  const add = (condition: (param: number) => string, value: unknown) => where.push(condition(params.push(value)));
  if (filter.citizenId) add((p) => `c.citizen_id = $${p}`, filter.citizenId);
  if (filter.accessorId) add((p) => `t.principal_sub = $${p}`, filter.accessorId);
  if (filter.department) add((p) => `t.principal_department = $${p}`, filter.department);
  if (filter.from) add((p) => `t.occurred_at >= $${p}::timestamptz`, filter.from.toISOString());
  if (filter.to) add((p) => `t.occurred_at < $${p}::timestamptz`, filter.to.toISOString());
  if (after) add(afterCursor(seq), after.id);
  const source = filter.citizenId ? 'access_trail_citizens c JOIN access_trail t ON t.seq = c.seq' : 'access_trail t';
  return db.query<AccessRecordRow>(
    `SELECT ${RECORD} FROM ${source} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${seq} DESC LIMIT $1`,
    params,
  );
}

const CHECKPOINT = TRAIL_CHECKPOINTS.select();

/** The checkpoint with the highest seq, or `null` when none was signed yet. */
export async function lastCheckpoint(db: Db): Promise<CheckpointRow | null> {
  const [row] = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT} FROM trail_checkpoints ORDER BY seq DESC LIMIT 1`);
  return row ?? null;
}

/** The checkpoint of record `seq`, or `null`. */
export async function checkpointAt(db: Db, seq: number): Promise<CheckpointRow | null> {
  const [row] = await db.query<CheckpointRow>(`SELECT ${CHECKPOINT} FROM trail_checkpoints WHERE seq = $1`, [seq]);
  return row ?? null;
}

/** The hash of record `seq` as stored now, or `null` when there is no such record. */
export async function hashAt(db: Db, seq: number): Promise<string | null> {
  const [row] = await db.query<{ hash: string }>('SELECT hash FROM access_trail WHERE seq = $1', [seq]);
  return row?.hash ?? null;
}

/**
 * Stores a signed checkpoint, unless its seq has one already (another replica signed the same
 * head first). Whether it was stored.
 */
export async function insertCheckpoint(db: Db, checkpoint: CheckpointRow): Promise<boolean> {
  const stored = await db.query(
    `INSERT INTO trail_checkpoints (seq, hash, signed_at, kid, jws) VALUES ($1::bigint, $2, $3::timestamptz, $4, $5)
     ON CONFLICT (seq) DO NOTHING RETURNING seq`,
    [checkpoint.seq, checkpoint.hash, checkpoint.signedAt.toISOString(), checkpoint.kid, checkpoint.jws],
  );
  return stored.length === 1;
}

/** Up to `limit` checkpoints after seq `afterSeq`, oldest first. */
export function checkpointsAfter(db: Db, afterSeq: number, limit: number): Promise<CheckpointRow[]> {
  return db.query<CheckpointRow>(`SELECT ${CHECKPOINT} FROM trail_checkpoints WHERE seq > $1 ORDER BY seq LIMIT $2`, [afterSeq, limit]);
}

/** How many reads `Application.evidenceReads` shows at most. */
export const MAX_CASE_READS = 50;

/** The reads departments made as themselves under case `caseId` (an application), newest first. */
export function departmentReadsForCase(db: Db, caseId: string): Promise<AccessRecordRow[]> {
  return db.query<AccessRecordRow>(
    `SELECT ${RECORD} FROM access_trail t WHERE t.case_id = $1 AND t.principal_sub LIKE 'department:%' ORDER BY t.seq DESC LIMIT $2`,
    [caseId, MAX_CASE_READS],
  );
}
