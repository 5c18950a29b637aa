/**
 * The officer desk on the command line (docs/applications.md): an officer of the handling
 * department lists the applications addressed to it and decides one, each with one registered
 * operation (`OfficerApplications`, `OfficerDecideApplication`) sent by id to the gateway.
 *
 *   npm run --silent officer -- applications --department education [--status SUBMITTED] [--first N] [--after CURSOR]
 *   npm run --silent officer -- decide <applicationId> approve|reject [--reason TEXT]
 *
 * Common options: --sub ID (the officer, default officer-cli), --purpose P (default: the
 * procedure the department handles, e.g. SCHOOL_ENROLLMENT), --url URL (default GATEWAY_URL, else
 * the local gateway), --json (print the gateway's whole answer). The token is OFFICER_TOKEN when
 * set (production); otherwise a development officer token for the department and purpose, signed
 * as `npm run --silent token -- officer` does (refused when NODE_ENV=production).
 *
 * Exit codes: 0 done, 1 the gateway answered with errors (or could not be reached), 2 usage error.
 */
import { readFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { devIssuerKey } from '../lib/auth/setup';
import { DEPARTMENTS, parseDepartment, type Department } from '../lib/auth/principal';
import { signUserToken } from '../lib/auth/tokens';
import { config } from '../lib/config';
import { MANIFEST_FILE } from '../lib/paths';
import { PROCEDURES, type Procedure } from '../lib/procedures';

export const USAGE = `usage:
  npm run --silent officer -- applications --department <${DEPARTMENTS.map((d) => d.toLowerCase().replace(/_/g, '-')).join('|')}> [--status STATUS] [--first N] [--after CURSOR]
      Lists the applications addressed to the department (OfficerApplications), newest first;
      --status defaults to SUBMITTED (ALL lists every status the department sees).
  npm run --silent officer -- decide <applicationId> approve|reject [--reason TEXT]
      Decides one application (OfficerDecideApplication) as an officer of the department that
      handles it (from the id: app_<service>_...); approval writes the department's record.
options: --sub ID (default officer-cli)  --purpose P (default the department's procedure)
         --url URL (default GATEWAY_URL, else the local gateway)  --json (the whole answer)
The token is OFFICER_TOKEN when set; otherwise a development officer token.
exit codes: 0 ok, 1 the gateway answered with errors or could not be reached, 2 usage error`;

/** A mistake in the command line; exits 2 with the message. */
export class UsageError extends Error {}

const STATUSES = ['DRAFT', 'EVIDENCE_READY', 'SUBMITTED', 'APPROVED', 'REJECTED', 'PAID', 'REDEEMED'];

interface Common {
  department: Department;
  purpose: string;
  sub: string;
  url?: string;
  json: boolean;
}
export type OfficerCommand =
  | (Common & { command: 'applications'; status: string | null; first: number; after?: string })
  | (Common & { command: 'decide'; id: string; decision: 'APPROVE' | 'REJECT'; reason?: string });

/** The procedures a department handles (its purposes for the desk). */
const proceduresOf = (department: Department): Procedure[] => PROCEDURES.filter((p) => p.handler === department);

/** The department and default purpose for an application id `app_<service>_...`. */
function handlerOf(id: string): Procedure {
  const match = /^app_([a-z-]+)_[0-9a-z]+$/.exec(id);
  const procedure = match ? PROCEDURES.find((p) => p.service === match[1]) : undefined;
  if (!procedure) {
    const services = [...new Set(PROCEDURES.map((p) => p.service))].join(', ');
    throw new UsageError(`${JSON.stringify(id)} is not an application id (app_<service>_..., service one of ${services})`);
  }
  return procedure;
}

export function parseOfficerArgs(args: string[]): OfficerCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        department: { type: 'string' },
        status: { type: 'string' },
        first: { type: 'string' },
        after: { type: 'string' },
        reason: { type: 'string' },
        purpose: { type: 'string' },
        sub: { type: 'string' },
        url: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  const common = { sub: values.sub ?? 'officer-cli', url: values.url, json: values.json ?? false };
  if (command === 'applications') {
    if (rest.length) throw new UsageError(`applications takes no positional arguments; received ${rest.join(' ')}`);
    const department = parseDepartment(values.department);
    if (!department) throw new UsageError(`applications needs --department (one of ${DEPARTMENTS.join(', ')}); received ${JSON.stringify(values.department ?? '')}`);
    const handled = proceduresOf(department);
    if (!handled.length) throw new UsageError(`${department} handles no procedure (${PROCEDURES.map((p) => `${p.code}: ${p.handler}`).join(', ')})`);
    const status = (values.status ?? 'SUBMITTED').toUpperCase();
    if (status !== 'ALL' && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')} or ALL; received ${values.status}`);
    const first = Number(values.first ?? 20);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw new UsageError(`--first must be 1 to 100; received ${values.first}`);
    return { command, ...common, department, purpose: values.purpose ?? handled[0].code, status: status === 'ALL' ? null : status, first, after: values.after };
  }
  if (command === 'decide') {
    const [id, verdict, ...extra] = rest;
    if (!id || !verdict || extra.length) throw new UsageError(`decide needs <applicationId> approve|reject; received ${JSON.stringify(rest.join(' '))}`);
    const decision = verdict.toLowerCase() === 'approve' ? 'APPROVE' : verdict.toLowerCase() === 'reject' ? 'REJECT' : undefined;
    if (!decision) throw new UsageError(`the decision must be approve or reject; received ${JSON.stringify(verdict)}`);
    const procedure = handlerOf(id);
    if (values.department && parseDepartment(values.department) !== procedure.handler) {
      throw new UsageError(`${id} is handled by ${procedure.handler}, not ${values.department}`);
    }
    return { command, ...common, department: procedure.handler, purpose: values.purpose ?? procedure.code, id, decision, reason: values.reason };
  }
  throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}\n${USAGE}`);
}

/** The registered operation `name`'s id (schema/operations/manifest.json: sha256 -> document). */
export function operationIdOf(manifest: Record<string, string>, name: string): string {
  for (const [id, document] of Object.entries(manifest)) {
    const named = parse(document).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && (d as OperationDefinitionNode).name?.value === name);
    if (named) return id;
  }
  throw new UsageError(`${name} is not registered in ${MANIFEST_FILE}; run npm run codegen`);
}

async function officerToken(cmd: OfficerCommand): Promise<string> {
  if (process.env.OFFICER_TOKEN) return process.env.OFFICER_TOKEN;
  const cfg = config();
  return signUserToken(
    await devIssuerKey(cfg),
    { sub: cmd.sub, role: 'officer', department: cmd.department, purpose: cmd.purpose },
    { ttlSeconds: 300, issuer: cfg.auth.issuer, audience: cfg.auth.audience },
  );
}

interface Node {
  id: string;
  status: string;
  subjectId: string;
  applicant: { id: string };
  procedure: { code: string };
  submittedAt: string | null;
  decidedAt: string | null;
  recordId: string | null;
  decisionReason: string | null;
  serviceTime: { dueBy: string | null; withinStandard: boolean | null };
}

function summary(node: Node): string {
  const due = node.serviceTime.dueBy ? ` due ${node.serviceTime.dueBy}${node.serviceTime.withinStandard === false ? ' (late)' : ''}` : '';
  const record = node.recordId ? ` record ${node.recordId}` : '';
  const reason = node.decisionReason ? ` reason: ${node.decisionReason}` : '';
  return `${node.id}  ${node.status}  ${node.procedure.code} for ${node.subjectId} by ${node.applicant.id}${node.submittedAt ? ` submitted ${node.submittedAt}` : ''}${due}${record}${reason}`;
}

export async function runOfficer(cmd: OfficerCommand): Promise<number> {
  if (!existsSync(MANIFEST_FILE)) throw new UsageError(`${MANIFEST_FILE} does not exist; run npm run codegen`);
  const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
  const operationName = cmd.command === 'applications' ? 'OfficerApplications' : 'OfficerDecideApplication';
  const variables =
    cmd.command === 'applications'
      ? { status: cmd.status, first: cmd.first, ...(cmd.after ? { after: cmd.after } : {}) }
      : { id: cmd.id, decision: cmd.decision, ...(cmd.reason !== undefined ? { reason: cmd.reason } : {}) };
  const url = cmd.url ?? process.env.GATEWAY_URL ?? config().localUrl(config().port('gateway'), '/graphql');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${await officerToken(cmd)}`,
    'x-purpose': cmd.purpose,
    ...(cmd.command === 'decide' ? { 'x-case-id': cmd.id } : {}),
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ documentId: operationIdOf(manifest, operationName), operationName, variables }),
    });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    console.error(`officer: could not reach the gateway at ${url} (${cause}); is it running (npm start)?`);
    return 1;
  }
  const text = await response.text();
  let body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = JSON.parse(text);
  } catch {
    console.error(`officer: the gateway answered HTTP ${response.status} with a body that is not JSON:\n${text}`);
    return 1;
  }
  if (cmd.json) console.log(JSON.stringify(body, null, 2));
  for (const error of body.errors ?? []) console.error(`officer: ${error.extensions?.code ?? 'ERROR'}: ${error.message}`);
  if (!cmd.json && body.data) {
    if (cmd.command === 'applications') {
      const page = body.data.applications as { edges: Array<{ node: Node }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      const status = cmd.status ?? 'any status';
      console.log(page.edges.length ? page.edges.map((e) => summary(e.node)).join('\n') : `No ${cmd.department} applications with status ${status}.`);
      if (page.pageInfo.hasNextPage) console.log(`more: --after ${page.pageInfo.endCursor}`);
    } else if (body.data.decideApplication) {
      console.log(summary(body.data.decideApplication as Node));
    }
  }
  return response.ok && !body.errors?.length ? 0 : 1;
}

if (require.main === module) {
  (async () => runOfficer(parseOfficerArgs(process.argv.slice(2))))()
    .then((code) => process.exit(code))
    .catch((error: Error) => {
      console.error(`officer: ${error.message}`);
      if (error instanceof UsageError && !error.message.includes('usage:')) console.error(USAGE);
      process.exit(error instanceof UsageError ? 2 : 1);
    });
}
