import { GraphQLError } from 'graphql';
import type { ApplicationView, ConnectionView, EvidenceView } from '../../../lib/applications/model';
import { decodeJwt } from 'jose';
import { verifyEvidence, type EvidenceVerification } from '../../../lib/evidence/document';
import { keyring } from '../../../lib/evidence/keyring';
import { EVIDENCE_TYPES, HANDLING_SERVICES, PROCEDURES, procedureByCode, serviceOfApplication, type HandlingService } from '../../../lib/procedures';
import { scalarResolvers } from '../../../lib/scalars';
import type { Context } from './context';
import { forward } from './forward';
import type { Resolvers } from './generated/resolvers';

/**
 * The desk's resolvers: each forwards to the handling department (forward.ts) and shows what it
 * answers; `Citizen.applications` merges the three departments' pages.
 */

const DAY_MS = 86_400_000;
const MAX_DOCUMENT = 16_384;

function applicationService(id: string, field = 'id'): HandlingService {
  const service = serviceOfApplication(id);
  if (!service) {
    throw new GraphQLError(`${field}: ${JSON.stringify(id.slice(0, 80))} is not an application id (app_<department>_<26 characters>)`, {
      extensions: { code: 'BAD_USER_INPUT', field },
    });
  }
  return service;
}

/** Records the citizens a department's answer carries, for the access trail, and returns the application. */
function seen<T extends { accessed: string[] }>(ctx: Context, answer: T): T {
  for (const id of answer.accessed) ctx.accessed.add(id);
  return answer;
}

/** The attributes of a statement as name/value pairs (values that are not strings as JSON). */
function attributesOf(claims: Record<string, unknown>) {
  return Object.entries(claims).map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}

function claimsOf(document: string | null): Record<string, unknown> {
  if (!document) return {};
  try {
    return ((decodeJwt(document).evidence as { claims?: Record<string, unknown> } | undefined)?.claims ?? {}) as Record<string, unknown>;
  } catch {
    return {};
  }
}

const verifier = (issuer: Parameters<ReturnType<typeof keyring>['verifier']>[0]) => keyring().verifier(issuer);

type Page = { connection: ConnectionView; accessed: string[] };

/** Newest first across the departments, the same order each department pages in. */
function newestFirst(a: { node: ApplicationView }, b: { node: ApplicationView }) {
  return b.node.createdAt.localeCompare(a.node.createdAt) || b.node.id.localeCompare(a.node.id);
}

/**
 * A cursor of the merged list: each department's own cursor after what this page showed of it,
 * so the next page asks each one for what comes after its own last shown row.
 */
function encodeMerged(cursors: Partial<Record<HandlingService, string | null>>): string {
  return Buffer.from(JSON.stringify(cursors)).toString('base64url');
}
function decodeMerged(after: string | null | undefined): Partial<Record<HandlingService, string | null>> {
  if (!after) return {};
  try {
    if (after.length > 2048) throw new Error('too long');
    const value = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.entries(value).every(([k, v]) => (HANDLING_SERVICES as readonly string[]).includes(k) && (v === null || typeof v === 'string'))) {
      return value as Partial<Record<HandlingService, string | null>>;
    }
  } catch {
    // the error below
  }
  throw new GraphQLError('"after" must be a cursor returned by this connection', { extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
}

export const resolvers: Resolvers = {
  ...scalarResolvers,

  Query: {
    procedures: () => [...PROCEDURES],
    applications: async (_root, { status, first, after }, ctx) => {
      const department = ctx.principal.department;
      const service = PROCEDURES.find((p) => p.handler === department)?.service;
      if (ctx.principal.role !== 'officer' || !service) {
        throw new GraphQLError(`Forbidden: applications are listed for officers of ${[...new Set(PROCEDURES.map((p) => p.handler))].join(', ')}, who handle them`, {
          extensions: { code: 'FORBIDDEN' },
        });
      }
      const answer = seen(ctx, await forward<{ connection: ConnectionView }>(service, ctx.principal, { op: 'list', status, first, after }));
      return answer.connection;
    },
    application: async (_root, { id }, ctx) => {
      try {
        return seen(ctx, await forward<{ application: ApplicationView }>(applicationService(id), ctx.principal, { op: 'get', id })).application;
      } catch (error) {
        // Not there, or not theirs to see: the same answer, so that nothing tells a stranger it exists.
        if (error instanceof GraphQLError && error.extensions.code === 'NOT_FOUND') return null;
        throw error;
      }
    },
    verifyEvidence: async (_root, { document }) => {
      if (document.length > MAX_DOCUMENT) {
        throw new GraphQLError(`document: at most ${MAX_DOCUMENT} characters; received ${document.length}`, { extensions: { code: 'BAD_USER_INPUT', field: 'document' } });
      }
      return verifyEvidence(document, verifier);
    },
  },

  Mutation: {
    startApplication: async (_root, { input }, ctx) => {
      const procedure = procedureByCode(input.procedure)!;
      const { procedure: code, subjectId, clientRequestId, ...details } = input;
      const clean = Object.fromEntries(Object.entries(details).filter(([, v]) => v !== null && v !== undefined));
      const answer = await forward<{ application: ApplicationView }>(procedure.service, ctx.principal, { op: 'start', procedure: code, subjectId, clientRequestId, details: clean });
      return seen(ctx, answer).application;
    },
    requestEvidence: async (_root, { applicationId }, ctx) =>
      seen(ctx, await forward<{ application: ApplicationView }>(applicationService(applicationId, 'applicationId'), ctx.principal, { op: 'requestEvidence', id: applicationId })).application,
    submitApplication: async (_root, { id }, ctx) =>
      seen(ctx, await forward<{ application: ApplicationView }>(applicationService(id), ctx.principal, { op: 'submit', id })).application,
    decideApplication: async (_root, { id, decision, reason }, ctx) =>
      seen(ctx, await forward<{ application: ApplicationView }>(applicationService(id), ctx.principal, { op: 'decide', id, decision, reason })).application,
  },

  Citizen: {
    __resolveReference: (ref) => ref,
    applications: async (citizen, { first, after }, ctx) => {
      const n = first ?? 20;
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new GraphQLError('"first" must be between 1 and 100', { extensions: { code: 'BAD_USER_INPUT', field: 'first' } });
      const cursors = decodeMerged(after);
      // A department whose cursor is null was exhausted on an earlier page.
      const asked = HANDLING_SERVICES.filter((s) => cursors[s] !== null);
      const pages = await Promise.all(
        asked.map(async (service) => [service, await forward<Page>(service, ctx.principal, { op: 'listForCitizen', citizenId: citizen.id, first: n, after: cursors[service] ?? undefined })] as const),
      );
      const merged = pages.flatMap(([service, page]) => page.connection.edges.map((edge) => ({ ...edge, service })));
      merged.sort(newestFirst);
      const shown = merged.slice(0, n);
      const next: Partial<Record<HandlingService, string | null>> = {};
      for (const [service, page] of pages) {
        const fetched = page.connection.edges.length;
        const mine = shown.filter((e) => e.service === service);
        const exhausted = mine.length === fetched && !page.connection.pageInfo.hasNextPage;
        if (exhausted) next[service] = null;
        else if (mine.length) next[service] = mine[mine.length - 1].cursor;
        else if (cursors[service]) next[service] = cursors[service];
      }
      for (const service of HANDLING_SERVICES) if (cursors[service] === null) next[service] = null;
      for (const edge of shown) {
        ctx.accessed.add(edge.node.applicantId);
        if (procedureByCode(edge.node.procedure)!.subject !== 'REPRESENTED_BUSINESS') ctx.accessed.add(edge.node.subjectId);
      }
      const hasNextPage = merged.length > n || pages.some(([, p]) => p.connection.pageInfo.hasNextPage);
      const endCursor = encodeMerged(next);
      return {
        edges: shown.map((e, i) => {
          // Where a client resuming after this edge starts in each department.
          const state: Partial<Record<HandlingService, string | null>> = { ...cursors };
          for (const earlier of shown.slice(0, i + 1)) state[earlier.service] = earlier.cursor;
          return { cursor: i === shown.length - 1 ? endCursor : encodeMerged(state), node: e.node };
        }),
        pageInfo: { hasNextPage, endCursor: shown.length ? endCursor : null },
      };
    },
  },

  Procedure: {
    handlingDepartment: (p) => p.handler,
    evidence: (p) => [...p.evidence],
    completion: (p) => p.completion ?? null,
  },

  EvidenceRequirement: {
    type: (type) => type,
    title: (type) => EVIDENCE_TYPES[type].title,
    issuer: (type) => EVIDENCE_TYPES[type].issuer,
    attributes: (type) => [...EVIDENCE_TYPES[type].attributes],
  },

  Application: {
    // Another subgraph names an application (the trail's reads for it): fetched from its department for this caller.
    __resolveReference: async (ref, ctx) => {
      const answer = await forward<{ application: ApplicationView }>(applicationService(ref.id), ctx.principal, { op: 'get', id: ref.id });
      return seen(ctx, answer).application;
    },
    procedure: (a) => procedureByCode(a.procedure)!,
    applicant: (a) => ({ id: a.applicantId }),
    subjectKind: (a) => procedureByCode(a.procedure)!.subject,
    subject: (a) => (procedureByCode(a.procedure)!.subject === 'REPRESENTED_BUSINESS' ? null : { id: a.subjectId }),
    business: (a) => (procedureByCode(a.procedure)!.subject === 'REPRESENTED_BUSINESS' ? { id: a.subjectId } : null),
    schoolId: (a) => a.details.schoolId ?? null,
    exportGoods: (a) => a.details.exportGoods ?? null,
    rebateAmount: (a) => a.details.rebateAmount ?? null,
    missingEvidence: (a) => a.evidence.filter((e) => e.status !== 'RECEIVED').map((e) => e.type),
    decision: (a) => (a.status === 'REJECTED' ? 'REJECT' : a.decidedAt ? 'APPROVE' : null),
    serviceTime: (a) => {
      const standardDays = procedureByCode(a.procedure)!.serviceTimeDays;
      if (!a.submittedAt) return { standardDays, dueBy: null, elapsedDays: null, withinStandard: null };
      const submitted = Date.parse(a.submittedAt);
      const end = a.decidedAt ? Date.parse(a.decidedAt) : Date.now();
      const elapsedDays = Math.round(((end - submitted) / DAY_MS) * 100) / 100;
      return { standardDays, dueBy: new Date(submitted + standardDays * DAY_MS), elapsedDays, withinStandard: elapsedDays <= standardDays };
    },
  },

  ApplicationEvidence: {
    title: (e: EvidenceView) => EVIDENCE_TYPES[e.type].title,
    attributes: (e) => attributesOf(claimsOf(e.document)),
    verified: async (e) => !!e.document && (await verifyEvidence(e.document, verifier)).valid,
  },

  EvidenceVerification: {
    reason: (v: EvidenceVerification) => (v.valid ? null : v.reason),
    issuer: (v) => (v.valid ? v.statement.issuer : (v.issuer ?? null)),
    type: (v) => (v.valid ? v.statement.type : null),
    subject: (v) => (v.valid ? v.statement.subject : null),
    procedure: (v) => (v.valid ? v.statement.procedure : null),
    application: (v) => (v.valid ? v.statement.application : null),
    issuedAt: (v) => (v.valid ? v.issuedAt : null),
    keyId: (v) => (v.valid ? v.kid : null),
    attributes: (v) => (v.valid ? attributesOf(v.statement.claims) : []),
  },
};

