import type { Db } from '../db';
import { sortKey, toConnection, type Cursor } from '../paging';
import type { EvidenceIssuer, EvidenceType } from '../procedures';
import { APPLICATION_EVENTS, APPLICATION_EVIDENCE, APPLICATIONS } from './generated/tables';
import type { ApplicationRow, ApplicationStatus, EventRow, EvidenceRow } from './model';

/**
 * The statements of a department's applications (tables in lib/applications/migrations). Each
 * function is one statement; the route (route.ts) puts the ones of one step in one transaction.
 */

const COLUMNS = APPLICATIONS.select();

export async function findApplication(db: Db, id: string): Promise<ApplicationRow | undefined> {
  const [row] = await db.query<ApplicationRow>(`SELECT ${COLUMNS} FROM applications WHERE id = $1`, [id]);
  return row;
}

/** The same, locked for the rest of the transaction (two deciders: the second waits, then sees the first's status). */
export async function lockApplication(tx: Db, id: string): Promise<ApplicationRow | undefined> {
  const [row] = await tx.query<ApplicationRow>(`SELECT ${COLUMNS} FROM applications WHERE id = $1 FOR UPDATE`, [id]);
  return row;
}

/**
 * Inserts a draft unless the applicant already has one under `clientRequestId`; returns the
 * application either way and whether it is new. Concurrent retries: the unique key lets one in.
 */
export async function insertDraft(tx: Db, row: Omit<ApplicationRow, 'submittedAt' | 'decidedAt' | 'decidedBy' | 'decisionReason' | 'recordId' | 'recordSummary' | 'status'>): Promise<{ row: ApplicationRow; created: boolean }> {
  const inserted = await tx.query<ApplicationRow>(
    `INSERT INTO applications (id, procedure, applicant_id, subject_id, client_request_id, status, details, created_at)
     VALUES ($1, $2, $3, $4, $5, 'DRAFT', $6, $7)
     ON CONFLICT (applicant_id, client_request_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [row.id, row.procedure, row.applicantId, row.subjectId, row.clientRequestId, JSON.stringify(row.details), row.createdAt],
  );
  if (inserted[0]) return { row: inserted[0], created: true };
  const [existing] = await tx.query<ApplicationRow>(`SELECT ${COLUMNS} FROM applications WHERE applicant_id = $1 AND client_request_id = $2`, [
    row.applicantId,
    row.clientRequestId,
  ]);
  return { row: existing, created: false };
}

/** Appends a status to the history (the next sequence number of that application). */
export async function appendEvent(tx: Db, applicationId: string, status: ApplicationStatus, at: Date, actor: string): Promise<void> {
  await tx.query(
    `INSERT INTO application_events (application_id, seq, status, at, actor)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4 FROM application_events WHERE application_id = $1`,
    [applicationId, status, at, actor],
  );
}

/** Moves an application from `from` to `to`, with the columns that go with it; false if it was not in `from`. */
export async function moveStatus(
  tx: Db,
  id: string,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  set: { submittedAt?: Date; decidedAt?: Date; decidedBy?: string; decisionReason?: string | null; recordId?: string | null; recordSummary?: string | null } = {},
): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE applications SET status = $3,
       submitted_at = coalesce($4, submitted_at), decided_at = coalesce($5, decided_at), decided_by = coalesce($6, decided_by),
       decision_reason = coalesce($7, decision_reason), record_id = coalesce($8, record_id), record_summary = coalesce($9, record_summary)
     WHERE id = $1 AND status = ANY($2::text[]) RETURNING id`,
    [id, from, to, set.submittedAt ?? null, set.decidedAt ?? null, set.decidedBy ?? null, set.decisionReason ?? null, set.recordId ?? null, set.recordSummary ?? null],
  );
  return rows.length === 1;
}

export async function eventsOf(db: Db, ids: readonly string[]): Promise<EventRow[]> {
  if (!ids.length) return [];
  return db.query<EventRow>(
    `SELECT ${APPLICATION_EVENTS.select()} FROM application_events WHERE application_id = ANY($1::text[]) ORDER BY application_id, seq`,
    [ids],
  );
}

export async function evidenceOf(db: Db, ids: readonly string[]): Promise<EvidenceRow[]> {
  if (!ids.length) return [];
  return db.query<EvidenceRow>(
    `SELECT ${APPLICATION_EVIDENCE.select()} FROM application_evidence WHERE application_id = ANY($1::text[]) ORDER BY application_id, type`,
    [ids],
  );
}

/** Records what one evidence fetch gave: the document, or why there is none (replacing an earlier failure). */
export async function saveEvidence(
  tx: Db,
  applicationId: string,
  piece: { type: EvidenceType; issuer: EvidenceIssuer; document: string | null; error: string | null },
  at: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO application_evidence (application_id, type, issuer, status, document, error, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (application_id, type) DO UPDATE SET status = excluded.status, document = excluded.document, error = excluded.error, updated_at = excluded.updated_at
     WHERE application_evidence.status <> 'RECEIVED'`,
    [applicationId, piece.type, piece.issuer, piece.document ? 'RECEIVED' : 'UNAVAILABLE', piece.document, piece.error, at],
  );
}

const cursorOf = (row: ApplicationRow): Cursor => ({ key: sortKey(row.createdAt), id: row.id });
const afterClause = (after: Cursor | null, n: number) => (after ? ` AND (created_at, id) < ($${n}::timestamptz, $${n + 1}::text)` : '');
const afterParams = (after: Cursor | null) => (after ? [after.key, after.id] : []);

/** A page of the applications addressed to the department, with one of `statuses`, newest first. */
export async function pageByStatus(db: Db, statuses: readonly ApplicationStatus[], first: number, after: Cursor | null) {
  const rows = await db.query<ApplicationRow>(
    `SELECT ${COLUMNS} FROM applications WHERE status = ANY($1::text[])${afterClause(after, 3)} ORDER BY created_at DESC, id DESC LIMIT $2`,
    [statuses, first + 1, ...afterParams(after)],
  );
  return toConnection(rows, first, cursorOf);
}

/** A page of the applications `citizenId` made or is the subject of, newest first (`statuses`: only those). */
export async function pageForCitizen(db: Db, citizenId: string, statuses: readonly ApplicationStatus[] | null, first: number, after: Cursor | null) {
  const params: unknown[] = [citizenId, first + 1];
  let where = '(applicant_id = $1 OR subject_id = $1)';
  if (statuses) {
    params.push(statuses);
    where += ` AND status = ANY($${params.length}::text[])`;
  }
  if (after) {
    params.push(after.key, after.id);
    where += ` AND (created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::text)`;
  }
  const rows = await db.query<ApplicationRow>(`SELECT ${COLUMNS} FROM applications WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $2`, params);
  return toConnection(rows, first, cursorOf);
}

/** The application `applicantId` started under `clientRequestId`, if any. */
export async function findByRequest(db: Db, applicantId: string, clientRequestId: string): Promise<ApplicationRow | undefined> {
  const [row] = await db.query<ApplicationRow>(`SELECT ${COLUMNS} FROM applications WHERE applicant_id = $1 AND client_request_id = $2`, [applicantId, clientRequestId]);
  return row;
}

/** A completed procedure's last step (a rebate paid, a voucher redeemed), in the caller's transaction; false if it was not APPROVED. */
export async function complete(tx: Db, id: string, to: 'PAID' | 'REDEEMED', at: Date, actor: string): Promise<boolean> {
  if (!(await moveStatus(tx, id, ['APPROVED'], to))) return false;
  await appendEvent(tx, id, to, at, actor);
  return true;
}

/** How many applications `applicantId` has not submitted yet (drafts, and drafts with all their evidence). */
export async function countOpen(db: Db, applicantId: string): Promise<number> {
  const [{ count }] = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM applications WHERE applicant_id = $1 AND status IN ('DRAFT', 'EVIDENCE_READY')`,
    [applicantId],
  );
  return count;
}
