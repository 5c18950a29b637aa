import type { EvidenceIssuer, EvidenceType, Procedure } from '../procedures';
import type { ApplicationEventsRow, ApplicationEvidenceRow, ApplicationsRow } from './generated/tables';

/**
 * An application's statuses, in the order it moves through them (DESIGN.md, "Applications and
 * evidence"): a draft, its evidence all received, submitted by the citizen, decided, and for
 * some procedures completed afterwards (a rebate paid, a voucher redeemed).
 */
export const APPLICATION_STATUSES = ['DRAFT', 'EVIDENCE_READY', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID', 'REDEEMED'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Statuses from which a handling department's officers may see an application (after the citizen submitted it). */
export const SEEN_BY_DEPARTMENT: ReadonlySet<ApplicationStatus> = new Set(['SUBMITTED', 'APPROVED', 'REJECTED', 'PAID', 'REDEEMED']);

export type Decision = 'APPROVE' | 'REJECT';

/** A row of `applications` (generated from the migration), with the procedure and details typed as the route writes them. */
export type ApplicationRow = Omit<ApplicationsRow, 'procedure' | 'details'> & {
  procedure: Procedure['code'];
  /** What the applicant chose, checked by the department (the school; the goods and amount). */
  details: Record<string, string>;
};

export type EventRow = Omit<ApplicationEventsRow, 'status'> & { status: ApplicationStatus };

export type EvidenceRow = Omit<ApplicationEvidenceRow, 'type' | 'issuer'> & { type: EvidenceType; issuer: EvidenceIssuer };

/** What a department's `/applications` route answers about one application (the desk shows it). */
export interface ApplicationView {
  id: string;
  procedure: Procedure['code'];
  service: string;
  applicantId: string;
  subjectId: string;
  clientRequestId: string;
  status: ApplicationStatus;
  details: Record<string, string>;
  createdAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
  recordId: string | null;
  /** What the approval wrote, in one line for the applicant. */
  recordSummary: string | null;
  history: Array<{ status: ApplicationStatus; at: string; actor: string }>;
  /** One entry per evidence type the procedure requires, received or not. */
  evidence: EvidenceView[];
}

export interface EvidenceView {
  type: EvidenceType;
  issuer: EvidenceIssuer;
  status: 'MISSING' | 'RECEIVED' | 'UNAVAILABLE';
  document: string | null;
  error: string | null;
  updatedAt: string | null;
}

export interface ConnectionView {
  edges: Array<{ cursor: string; node: ApplicationView }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** A refusal the route answers with (and the desk turns into a GraphQL error with this code). */
export class ApplicationError extends Error {
  constructor(
    readonly code: 'BAD_USER_INPUT' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'EVIDENCE_INCOMPLETE' | 'SERVICE_UNAVAILABLE',
    message: string,
    /** For BAD_USER_INPUT: the input field at fault. */
    readonly field?: string,
  ) {
    super(message);
  }

  get status(): number {
    return { BAD_USER_INPUT: 400, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, EVIDENCE_INCOMPLETE: 409, SERVICE_UNAVAILABLE: 503 }[this.code];
  }
}
