import { randomBytes } from 'node:crypto';
import type { Principal } from '../auth/principal';
import type { Db } from '../db';
import { keyring } from '../evidence/keyring';
import { verifyEvidence } from '../evidence/document';
import { GraphQLError } from 'graphql';
import { pageArgs } from '../paging';
import { EVIDENCE_TYPES, procedureByCode, proceduresOf, type EvidenceType, type HandlingService, type Procedure } from '../procedures';
import { fetchEvidence, type EvidenceAnswer } from './evidence-sources';
import {
  APPLICATION_STATUSES,
  ApplicationError,
  SEEN_BY_DEPARTMENT,
  type ApplicationRow,
  type ApplicationStatus,
  type ApplicationView,
  type ConnectionView,
} from './model';
import * as store from './store';

/**
 * A handling department's `POST /applications` (the desk's only way in; its token is for this
 * route alone). One JSON body per call, `{ op, ... }`, on behalf of the caller the desk names
 * (the principal in the token): the citizen who applies, or an officer who decides. Each step is
 * one transaction in the department's store; an evidence fetch goes through the gateway as the
 * department itself (gateway-client.ts).
 */

/** What a department adds for each procedure it handles. */
export interface ProcedureHandler {
  procedure: Procedure['code'];
  /**
   * The details the applicant chose (`input` minus procedure, subject and request id), checked:
   * returns what to keep, or throws ApplicationError BAD_USER_INPUT naming the field.
   */
  details(db: Db, input: Record<string, unknown>): Promise<Record<string, string>>;
  /**
   * Whether the applicant may apply for this subject, where the procedure's subject is not the
   * applicant themself (a child of their household, a business they represent): throws
   * FORBIDDEN if not. `applicationId` is the case of any read it makes through the gateway.
   */
  checkSubject?(db: Db, args: { applicantId: string; subjectId: string; applicationId: string }): Promise<void>;
  /**
   * On approval, in the decision's transaction: writes the department's own record and returns
   * its id and a one-line summary the applicant reads (the record may be a child's).
   */
  approve(tx: Db, application: ApplicationRow, officer: Principal): Promise<{ id: string; summary: string }>;
}

const SUBJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const MAX_REASON = 500;
/**
 * How many applications one applicant may have open (not yet submitted) with one department: a
 * real family has a few; the bound keeps one caller from making the department fetch evidence for
 * thousands of drafts.
 */
export const MAX_OPEN_APPLICATIONS = 20;

const badInput = (field: string, message: string) => new ApplicationError('BAD_USER_INPUT', `${field}: ${message}`, field);

/** 26 characters of base32 (lower case) from 128 random bits. */
function randomId(): string {
  const bytes = randomBytes(17);
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let out = '';
  for (let i = 0; i < 26; i++) out += alphabet[Number((bits >> BigInt(i * 5)) & 31n)];
  return out;
}

function text(body: Record<string, unknown>, field: string, pattern: RegExp, what: string): string {
  const value = body[field];
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw badInput(field, `must be ${what}; received ${typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value}`);
  }
  return value;
}

/**
 * `first` and `after` of a list, checked as every connection checks them (lib/paging.ts
 * `pageArgs`), and the cursor's key a time, as this list sorts by: a refusal, never a failed statement.
 */
function pageOf(body: Record<string, unknown>) {
  const { first: rawFirst = null, after: rawAfter = null } = body;
  if (rawFirst !== null && typeof rawFirst !== 'number') throw badInput('first', 'must be a number between 1 and 100');
  if (rawAfter !== null && (typeof rawAfter !== 'string' || rawAfter.length > 200)) throw badInput('after', 'must be a cursor this connection returned');
  try {
    const page = pageArgs({ first: rawFirst, after: rawAfter });
    if (page.after && Number.isNaN(Date.parse(page.after.key))) throw new Error('not a time');
    return page;
  } catch (error) {
    const field = error instanceof GraphQLError && error.extensions.argument === 'first' ? 'first' : 'after';
    throw badInput(field, field === 'first' ? 'must be between 1 and 100' : 'must be a cursor this connection returned');
  }
}

export interface ApplicationsRoute {
  (body: unknown, principal: Principal): Promise<{ status: number; body: unknown }>;
}

/**
 * The route for `service` over its store, with a handler per procedure it handles. The answer
 * carries `accessed`: the citizens whose data it returns, for the access trail.
 */
export function applicationsRoute(service: HandlingService, db: Db, handlers: readonly ProcedureHandler[]): ApplicationsRoute {
  const handlerOf = new Map(handlers.map((h) => [h.procedure, h]));
  for (const procedure of proceduresOf(service)) {
    if (!handlerOf.has(procedure.code)) throw new Error(`${service} handles ${procedure.code} (lib/procedures.ts) but has no handler for it`);
  }
  const now = () => new Date();

  /** The application, if this principal may see it (else NOT_FOUND: nothing tells a stranger it exists). */
  async function visible(principal: Principal, id: unknown, dbOrTx: Db = db): Promise<ApplicationRow> {
    if (typeof id !== 'string' || !id.startsWith(`app_${service}_`) || id.length > 80) throw badInput('id', `must be an application id of ${service}`);
    const row = await store.findApplication(dbOrTx, id);
    if (row && mayRead(principal, row)) return row;
    throw new ApplicationError('NOT_FOUND', `no application ${id} that you may see`);
  }

  function mayRead(principal: Principal, row: ApplicationRow): boolean {
    const procedure = procedureByCode(row.procedure)!;
    switch (principal.role) {
      case 'citizen':
        return row.applicantId === principal.sub || (procedure.subject !== 'REPRESENTED_BUSINESS' && row.subjectId === principal.sub);
      case 'officer':
        return principal.department === procedure.handler && !principal.scope.includes('department') && SEEN_BY_DEPARTMENT.has(row.status);
      case 'auditor':
        return !!principal.auditOperation;
    }
  }

  async function views(rows: readonly ApplicationRow[]): Promise<ApplicationView[]> {
    const ids = rows.map((r) => r.id);
    const [events, evidence] = await Promise.all([store.eventsOf(db, ids), store.evidenceOf(db, ids)]);
    return rows.map((row) => {
      const procedure = procedureByCode(row.procedure)!;
      const mine = evidence.filter((e) => e.applicationId === row.id);
      return {
        id: row.id,
        procedure: row.procedure,
        service,
        applicantId: row.applicantId,
        subjectId: row.subjectId,
        clientRequestId: row.clientRequestId,
        status: row.status,
        details: row.details,
        createdAt: row.createdAt.toISOString(),
        submittedAt: row.submittedAt?.toISOString() ?? null,
        decidedAt: row.decidedAt?.toISOString() ?? null,
        decidedBy: row.decidedBy,
        decisionReason: row.decisionReason,
        recordId: row.recordId,
        recordSummary: row.recordSummary,
        history: events.filter((e) => e.applicationId === row.id).map((e) => ({ status: e.status, at: e.at.toISOString(), actor: e.actor })),
        evidence: procedure.evidence.map((type) => {
          const piece = mine.find((e) => e.type === type);
          return {
            type,
            issuer: EVIDENCE_TYPES[type].issuer,
            status: piece?.status ?? 'MISSING',
            document: piece?.document ?? null,
            error: piece?.error ?? null,
            updatedAt: piece?.updatedAt.toISOString() ?? null,
          };
        }),
      };
    });
  }

  /** Citizens whose data these answers carry (applicants, and subjects that are citizens). */
  const accessedBy = (rows: readonly ApplicationRow[]) =>
    [...new Set(rows.flatMap((r) => (procedureByCode(r.procedure)!.subject === 'REPRESENTED_BUSINESS' ? [r.applicantId] : [r.applicantId, r.subjectId])))];

  const one = async (row: ApplicationRow) => ({ application: (await views([row]))[0], accessed: accessedBy([row]) });
  const many = async (connection: { edges: Array<{ cursor: string; node: ApplicationRow }>; pageInfo: ConnectionView['pageInfo'] }) => {
    const rows = connection.edges.map((e) => e.node);
    const nodes = await views(rows);
    return { connection: { edges: connection.edges.map((e, i) => ({ cursor: e.cursor, node: nodes[i] })), pageInfo: connection.pageInfo }, accessed: accessedBy(rows) };
  };

  function asCitizen(principal: Principal, op: string): string {
    if (principal.role !== 'citizen') throw new ApplicationError('FORBIDDEN', `only the citizen who applies may ${op}`);
    return principal.sub;
  }

  function asApplicant(principal: Principal, row: ApplicationRow, op: string): void {
    if (asCitizen(principal, op) !== row.applicantId) throw new ApplicationError('FORBIDDEN', `only the applicant may ${op}`);
  }

  const ops: Record<string, (body: Record<string, unknown>, principal: Principal) => Promise<unknown>> = {
    async start(body, principal) {
      const applicantId = asCitizen(principal, 'start an application');
      const code = typeof body.procedure === 'string' ? body.procedure : '';
      const procedure = procedureByCode(code);
      if (!procedure || procedure.service !== service) throw badInput('procedure', `${JSON.stringify(code.slice(0, 64))} is not a procedure ${service} handles`);
      const subjectId = text(body, 'subjectId', SUBJECT_ID, '1 to 64 letters, digits, _ or -');
      const clientRequestId = text(body, 'clientRequestId', CLIENT_REQUEST_ID, '1 to 64 letters, digits or . _ : -');
      const handler = handlerOf.get(procedure.code)!;
      const details = await handler.details(db, (body.details ?? {}) as Record<string, unknown>);
      // A retry finds the first one before anything is checked or fetched again.
      const again = await store.findByRequest(db, applicantId, clientRequestId);
      if (again) return sameRequest(again, procedure, subjectId);
      if ((await store.countOpen(db, applicantId)) >= MAX_OPEN_APPLICATIONS) {
        throw new ApplicationError('CONFLICT', `you have ${MAX_OPEN_APPLICATIONS} applications with ${service} not yet submitted; submit one of them before you start another`);
      }
      const id = `app_${service}_${randomId()}`;
      if (procedure.subject === 'SELF' && subjectId !== applicantId) {
        throw new ApplicationError('FORBIDDEN', `${procedure.code} is for the applicant themself; subjectId must be your own id`);
      }
      if (procedure.subject !== 'SELF') await handler.checkSubject!(db, { applicantId, subjectId, applicationId: id });
      const at = now();
      const { row, created } = await db.transaction(async (tx) => {
        const result = await store.insertDraft(tx, { id, procedure: procedure.code, applicantId, subjectId, clientRequestId, details, createdAt: at });
        if (result.created) await store.appendEvent(tx, id, 'DRAFT', at, applicantId);
        return result;
      });
      return created ? one(row) : sameRequest(row, procedure, subjectId);
    },

    async requestEvidence(body, principal) {
      const row = await visible(principal, body.id);
      asApplicant(principal, row, 'request the evidence');
      if (row.status !== 'DRAFT') return one(row); // already complete: nothing to fetch again
      const procedure = procedureByCode(row.procedure)!;
      const have = new Set((await store.evidenceOf(db, [row.id])).filter((e) => e.status === 'RECEIVED').map((e) => e.type));
      const wanted = procedure.evidence.filter((type) => !have.has(type));
      const answers = await Promise.all(wanted.map((type) => obtain(type, row, procedure)));
      const at = now();
      const updated = await db.transaction(async (tx) => {
        const current = await store.lockApplication(tx, row.id);
        if (!current || current.status !== 'DRAFT') return current!;
        for (const answer of answers) await store.saveEvidence(tx, row.id, answer, at);
        if (answers.every((a) => a.document)) {
          await store.moveStatus(tx, row.id, ['DRAFT'], 'EVIDENCE_READY');
          await store.appendEvent(tx, row.id, 'EVIDENCE_READY', at, `department:${service}`);
        }
        return (await store.findApplication(tx, row.id))!;
      });
      return one(updated);
    },

    async submit(body, principal) {
      const row = await visible(principal, body.id);
      asApplicant(principal, row, 'submit the application');
      if (row.status === 'DRAFT') {
        const missing = (await views([row]))[0].evidence.filter((e) => e.status !== 'RECEIVED').map((e) => e.type);
        throw new ApplicationError('EVIDENCE_INCOMPLETE', `the evidence is not complete: ${missing.join(', ')} missing; call requestEvidence again`);
      }
      if (row.status !== 'EVIDENCE_READY') return one(row); // submitted before: the same answer
      const at = now();
      const updated = await db.transaction(async (tx) => {
        if (await store.moveStatus(tx, row.id, ['EVIDENCE_READY'], 'SUBMITTED', { submittedAt: at })) {
          await store.appendEvent(tx, row.id, 'SUBMITTED', at, row.applicantId);
        }
        return (await store.findApplication(tx, row.id))!;
      });
      return one(updated);
    },

    async decide(body, principal) {
      const seenApplication = await visible(principal, body.id).catch((error) => {
        if (principal.role !== 'officer') throw new ApplicationError('FORBIDDEN', 'only officers of the handling department decide applications');
        throw error;
      });
      const procedure = procedureByCode(seenApplication.procedure)!;
      if (principal.role !== 'officer' || principal.department !== procedure.handler || principal.scope.includes('department')) {
        throw new ApplicationError('FORBIDDEN', `only officers of ${procedure.handler} decide ${procedure.code} applications`);
      }
      const decision = body.decision;
      if (decision !== 'APPROVE' && decision !== 'REJECT') throw badInput('decision', 'must be APPROVE or REJECT');
      const reason = body.reason ?? null;
      if (reason !== null && (typeof reason !== 'string' || reason.length > MAX_REASON)) throw badInput('reason', `must be text of at most ${MAX_REASON} characters`);
      if (decision === 'REJECT' && !(typeof reason === 'string' && reason.trim())) throw badInput('reason', 'a rejection must say why');
      const handler = handlerOf.get(procedure.code)!;
      const at = now();
      const decided = await db.transaction(async (tx) => {
        const row = await store.lockApplication(tx, seenApplication.id);
        if (!row || row.status !== 'SUBMITTED') {
          throw new ApplicationError('CONFLICT', `application ${seenApplication.id} is ${row?.status ?? 'gone'}${row?.decidedBy ? `, decided by ${row.decidedBy} at ${row.decidedAt?.toISOString()}` : ''}; only a SUBMITTED application can be decided`);
        }
        const record = decision === 'APPROVE' ? await handler.approve(tx, row, principal) : null;
        const status: ApplicationStatus = decision === 'APPROVE' ? 'APPROVED' : 'REJECTED';
        await store.moveStatus(tx, row.id, ['SUBMITTED'], status, {
          decidedAt: at,
          decidedBy: principal.sub,
          decisionReason: reason,
          recordId: record?.id ?? null,
          recordSummary: record?.summary ?? null,
        });
        await store.appendEvent(tx, row.id, status, at, principal.sub);
        return (await store.findApplication(tx, row.id))!;
      });
      return one(decided);
    },

    async get(body, principal) {
      return one(await visible(principal, body.id));
    },

    async list(body, principal) {
      if (principal.role !== 'officer' || principal.scope.includes('department')) throw new ApplicationError('FORBIDDEN', 'only officers list the applications addressed to their department');
      const handled = proceduresOf(service).map((p) => p.handler);
      if (!principal.department || !handled.includes(principal.department)) throw new ApplicationError('FORBIDDEN', `${service} handles no application for ${principal.department}`);
      const status = body.status ?? null;
      if (status !== null && !(APPLICATION_STATUSES as readonly unknown[]).includes(status)) throw badInput('status', `must be one of ${APPLICATION_STATUSES.join(', ')}`);
      if (status !== null && !SEEN_BY_DEPARTMENT.has(status as ApplicationStatus)) {
        throw badInput('status', `a department sees an application only once it is submitted: one of ${[...SEEN_BY_DEPARTMENT].join(', ')}`);
      }
      const { first, after } = pageOf(body);
      return many(await store.pageByStatus(db, status ? [status as ApplicationStatus] : [...SEEN_BY_DEPARTMENT], first, after));
    },

    async listForCitizen(body, principal) {
      const citizenId = text(body, 'citizenId', SUBJECT_ID, 'a citizen id');
      const { first, after } = pageOf(body);
      let statuses: ApplicationStatus[] | null = null;
      if (principal.role === 'citizen') {
        if (principal.sub !== citizenId) throw new ApplicationError('FORBIDDEN', 'citizens may list only their own applications');
      } else if (principal.role === 'officer') {
        if (!proceduresOf(service).some((p) => p.handler === principal.department) || principal.scope.includes('department')) {
          return { connection: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } }, accessed: [] };
        }
        statuses = [...SEEN_BY_DEPARTMENT];
      } else if (!principal.auditOperation) {
        throw new ApplicationError('FORBIDDEN', 'auditors read applications through registered audit operations only');
      }
      return many(await store.pageForCitizen(db, citizenId, statuses, first, after));
    },
  };

  /** A retried start: the same application if it is the same request, else the key was reused for another. */
  async function sameRequest(row: ApplicationRow, procedure: Procedure, subjectId: string) {
    if (row.procedure !== procedure.code || row.subjectId !== subjectId) {
      throw new ApplicationError('CONFLICT', `clientRequestId was already used for application ${row.id} (${row.procedure} for ${row.subjectId}); use a new one for a new application`);
    }
    return one(row);
  }

  /** One piece of evidence from its issuer, verified; or why it could not be had. */
  async function obtain(type: EvidenceType, row: ApplicationRow, procedure: Procedure) {
    const issuer = EVIDENCE_TYPES[type].issuer;
    const answer: EvidenceAnswer = await fetchEvidence(service, type, procedure, row);
    if (!answer.document) return { type, issuer, document: null, error: answer.error ?? `${issuer} gave no document` };
    const check = await verifyEvidence(answer.document, (who) => keyring().verifier(who));
    if (!check.valid) return { type, issuer, document: null, error: `${issuer}'s document did not verify: ${check.reason}` };
    const s = check.statement;
    if (s.type !== type || s.issuer !== issuer || s.subject !== row.subjectId || s.application !== row.id || s.procedure !== procedure.code) {
      return { type, issuer, document: null, error: `${issuer}'s document is about something else (${s.type} for ${s.subject}, application ${s.application})` };
    }
    return { type, issuer, document: answer.document, error: null };
  }

  return async (body, principal) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return refusal(badInput('body', 'must be a JSON object with "op"'));
    const request = body as Record<string, unknown>;
    const op = typeof request.op === 'string' && Object.hasOwn(ops, request.op) ? ops[request.op] : undefined;
    if (!op) return refusal(badInput('op', `must be one of ${Object.keys(ops).join(', ')}`));
    try {
      return { status: 200, body: await op(request, principal) };
    } catch (error) {
      if (error instanceof ApplicationError) return refusal(error);
      throw error;
    }
  };
}

function refusal(error: ApplicationError) {
  return { status: error.status, body: { error: { code: error.code, message: error.message, field: error.field } } };
}
