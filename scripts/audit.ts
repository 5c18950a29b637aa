/**
 * The auditors' command line (DESIGN.md, "Persisted operations" and "Access trail"):
 *
 *   npm run audit -- run <AuditOperation> --var key=value ... [--purpose P] [--case C] [--url URL] [--sub ID]
 *   npm run audit -- verify [--batch-size N]
 *
 * Exit codes: 0 done (no errors, chain intact), 1 the operation returned errors or the chain is
 * broken (or the gateway or store could not be reached), 2 a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, parse, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { MANIFEST_FILE } from '../gateway/src/operation-registry';
import { devIssuerKey } from '../lib/auth/setup';
import { signUserToken } from '../lib/auth/tokens';
import { config } from '../lib/config';
import { openDb, resolveDbTarget } from '../lib/db';
import { hasTrail } from '../subgraphs/audit/src/db/repository';
import { verifyTrail } from '../subgraphs/audit/src/db/verify';

export const USAGE = `usage:
  npm run audit -- run <AuditOperation> [--var key=value ...] [--purpose P] [--case C] [--url URL] [--sub ID]
      Runs a registered Audit* operation (schema/operations/manifest.json) through the gateway
      as an auditor and prints the JSON result. A --var value is JSON when it parses as JSON
      (10, true, {"a":1}) and a string otherwise (--var id=cit_000001); ID and String variables
      are always sent as strings. --case names the case (x-case-id), --purpose says why
      (x-purpose). --url defaults to the local gateway. The token is AUDIT_TOKEN when set
      (production); otherwise a development auditor token for --sub (default auditor-cli).
  npm run audit -- verify [--batch-size N]
      Recomputes the access trail's hash chain in the audit store and names the first broken
      link. An embedded store (DATA_DIR/audit) can be opened by one process at a time: stop
      \`npm start\` first. A PostgreSQL store (AUDIT_DATABASE_URL or DATABASE_URL) can be
      verified at any time.
exit codes: 0 ok, 1 the operation returned errors / the chain is broken, 2 usage error`;

/** A mistake in the command line; exits 2 with the message. */
export class UsageError extends Error {}

export type AuditCommand =
  | {
      command: 'run';
      operation: string;
      /** `--var` values as typed, by name; `variableValues` turns them into JSON values. */
      vars: Record<string, string>;
      purpose?: string;
      caseId?: string;
      url?: string;
      sub: string;
    }
  | { command: 'verify'; batchSize: number }
  | { command: 'help' };

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** Parses the command line (without `node script`); throws UsageError. Pure: no I/O. */
export function parseAuditArgs(args: string[]): AuditCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        var: { type: 'string', multiple: true },
        purpose: { type: 'string' },
        case: { type: 'string' },
        url: { type: 'string' },
        sub: { type: 'string' },
        'batch-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (command === 'verify') {
    if (rest.length) throw new UsageError(`verify takes no arguments; received ${rest.join(' ')}`);
    const batchSize = Number(values['batch-size'] ?? 1000);
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
      throw new UsageError(`--batch-size must be a whole number from 1 to 100000; received ${JSON.stringify(values['batch-size'])}`);
    }
    return { command: 'verify', batchSize };
  }
  if (command !== 'run') throw new UsageError(`expected a command, run or verify; received ${JSON.stringify(command ?? '')}`);
  const [operation, ...extra] = rest;
  if (!operation) throw new UsageError('run needs the name of a registered Audit* operation, e.g. run AuditCitizenHistory');
  if (extra.length) throw new UsageError(`run takes one operation name; received also ${extra.join(' ')} (variables go in --var key=value)`);
  if (values.url !== undefined && !/^https?:\/\//.test(values.url)) {
    throw new UsageError(`--url must be an http(s) URL; received ${JSON.stringify(values.url)}`);
  }
  const vars: Record<string, string> = {};
  for (const entry of values.var ?? []) {
    const equals = entry.indexOf('=');
    const key = equals < 0 ? entry : entry.slice(0, equals);
    if (equals < 0 || !GRAPHQL_NAME.test(key)) throw new UsageError(`--var must be key=value with a variable name as key; received ${JSON.stringify(entry)}`);
    if (key in vars) throw new UsageError(`--var ${key} is given twice`);
    vars[key] = entry.slice(equals + 1);
  }
  return { command: 'run', operation, vars, purpose: values.purpose, caseId: values.case, url: values.url, sub: values.sub ?? 'auditor-cli' };
}

export interface ManifestOperation {
  /** sha256 of the document: what the gateway knows it by (`documentId`). */
  id: string;
  document: string;
  definition: OperationDefinitionNode;
}

/**
 * The registered operation `name` from the manifest (sha256 -> document). Only `Audit*`
 * operations: anything else is refused with the list of registered audit operations.
 */
export function findAuditOperation(manifest: Record<string, string>, name: string): ManifestOperation {
  const operations = Object.entries(manifest).flatMap(([id, document]) =>
    parse(document)
      .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && !!d.name)
      .map((definition) => ({ id, document, definition })),
  );
  const audits = operations.filter((op) => op.definition.name!.value.startsWith('Audit'));
  const registered = audits.length
    ? `registered audit operations: ${audits.map((op) => op.definition.name!.value).sort().join(', ')}`
    : 'no audit operation is registered yet (add schema/operations/Audit<Name>.graphql, then npm run codegen)';
  if (!name.startsWith('Audit')) throw new UsageError(`${name} is not an audit operation: only Audit* operations run as an auditor; ${registered}`);
  const found = audits.find((op) => op.definition.name!.value === name);
  if (!found) throw new UsageError(`no registered operation is named ${name}; ${registered}`);
  return found;
}

const typeName = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : typeName(type.type));
const printType = (type: TypeNode): string =>
  type.kind === Kind.NAMED_TYPE ? type.name.value : type.kind === Kind.LIST_TYPE ? `[${printType(type.type)}]` : `${printType(type.type)}!`;

/** One `--var` value: JSON when it parses, else the text; always text for ID and String. */
function valueOf(raw: string, type: TypeNode): unknown {
  const scalar = type.kind === Kind.NAMED_TYPE || (type.kind === Kind.NON_NULL_TYPE && type.type.kind === Kind.NAMED_TYPE);
  if (scalar && ['ID', 'String'].includes(typeName(type))) return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * The variables to send: each `--var` converted for its declared type; refuses a variable the
 * operation does not declare, and a missing one it requires (non-null without a default).
 */
export function variableValues(operation: ManifestOperation, vars: Record<string, string>): Record<string, unknown> {
  const declared = operation.definition.variableDefinitions ?? [];
  const signature = declared.map((v) => `$${v.variable.name.value}: ${printType(v.type)}`).join(', ') || 'no variables';
  const name = operation.definition.name!.value;
  const values: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(vars)) {
    const definition = declared.find((v) => v.variable.name.value === key);
    if (!definition) throw new UsageError(`${name} has no variable $${key}; it takes ${signature}`);
    values[key] = valueOf(raw, definition.type);
  }
  const missing = declared.filter((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue && !(v.variable.name.value in values));
  if (missing.length) {
    throw new UsageError(`${name} needs ${missing.map((v) => `--var ${v.variable.name.value}=<${printType(v.type)}>`).join(' ')}; it takes ${signature}`);
  }
  return values;
}

function readManifest(): Record<string, string> {
  if (!existsSync(MANIFEST_FILE)) throw new UsageError(`${MANIFEST_FILE} does not exist; run npm run codegen to register the operations`);
  return JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;
}

async function auditorToken(sub: string): Promise<string> {
  if (process.env.AUDIT_TOKEN) return process.env.AUDIT_TOKEN;
  const cfg = config();
  return signUserToken(await devIssuerKey(cfg), { sub, role: 'auditor' }, { ttlSeconds: 300, issuer: cfg.auth.issuer, audience: cfg.auth.audience });
}

async function run(cmd: Extract<AuditCommand, { command: 'run' }>): Promise<number> {
  const operation = findAuditOperation(readManifest(), cmd.operation);
  const variables = variableValues(operation, cmd.vars);
  const url = cmd.url ?? config().localUrl(config().port('gateway'), '/graphql');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${await auditorToken(cmd.sub)}`,
    ...(cmd.purpose ? { 'x-purpose': cmd.purpose } : {}),
    ...(cmd.caseId ? { 'x-case-id': cmd.caseId } : {}),
  };
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ documentId: operation.id, operationName: cmd.operation, variables }),
    });
  } catch (error) {
    const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
    console.error(`audit: could not reach the gateway at ${url} (${cause}); is it running (npm start)?`);
    return 1;
  }
  const text = await response.text();
  let body: { errors?: unknown[] };
  try {
    body = JSON.parse(text);
  } catch {
    console.error(`audit: the gateway answered HTTP ${response.status} with a body that is not JSON:\n${text}`);
    return 1;
  }
  console.log(JSON.stringify(body, null, 2));
  return response.ok && !body.errors?.length ? 0 : 1;
}

/** Refuses to open an embedded store that a running audit service holds (PGlite is single-process). */
async function assertNotServed(port: number, dataDir: string): Promise<void> {
  const answered = await fetch(config().localUrl(port, '/healthz'), { signal: AbortSignal.timeout(500) }).then(
    () => true,
    () => false,
  );
  if (answered) {
    throw new UsageError(`the audit service is running on port ${port} and holds the embedded store ${dataDir}; stop npm start first (a PostgreSQL store can be verified while it runs)`);
  }
}

async function verify(cmd: Extract<AuditCommand, { command: 'verify' }>): Promise<number> {
  const target = resolveDbTarget('audit');
  if (target.kind === 'pglite') {
    if (!target.dataDir || !existsSync(target.dataDir)) {
      console.error(`audit: there is no audit store at ${target.dataDir}; the audit service has not run with this DATA_DIR`);
      return 1;
    }
    await assertNotServed(config().port('audit'), target.dataDir);
  }
  const db = await openDb(target);
  try {
    if (!(await hasTrail(db))) {
      console.error(`audit: the store ${db.location} has no access trail; the audit service has not run on it`);
      return 1;
    }
    const progress = process.stderr.isTTY ? (count: number) => process.stderr.write(`\rverified ${count} records...`) : undefined;
    const result = await verifyTrail(db, { batchSize: cmd.batchSize, onProgress: progress });
    if (progress) process.stderr.write('\n');
    if (result.ok) {
      console.log(`verified ${result.count} records: the chain is intact`);
      return 0;
    }
    const { seq, id, reason } = result.brokenAt;
    console.log(`BROKEN at seq ${seq} (id ${id}): ${reason}; ${result.count} records verified before it`);
    return 1;
  } finally {
    await db.close();
  }
}

async function main(args: string[]): Promise<number> {
  const cmd = parseAuditArgs(args);
  if (cmd.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  return cmd.command === 'run' ? run(cmd) : verify(cmd);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      if (error instanceof UsageError) {
        console.error(`audit: ${error.message}\n(npm run audit -- help shows the usage)`);
        process.exit(2);
      }
      console.error(`audit: ${error.stack ?? error.message}`);
      process.exit(1);
    },
  );
}
