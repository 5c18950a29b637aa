/**
 * The auditors' command line (DESIGN.md, "Persisted operations" and "Access trail"):
 *
 *   npm run audit -- run <AuditOperation> --var key=value ... [--purpose P] [--case C] [--url URL] [--sub ID]
 *   npm run audit -- verify [--batch-size N] [--checkpoints FILE [--key PEM]]
 *   npm run audit -- checkpoints --out FILE [--url URL]
 *   npm run audit -- checkpoint
 *
 * Exit codes: 0 done (no errors, chain intact), 1 the operation returned errors or the chain is
 * broken (or the gateway or store could not be reached), 2 a usage error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Kind, parse, type OperationDefinitionNode, type TypeNode } from 'graphql';
import { devIssuerKey } from '../lib/auth/setup';
import { signUserToken } from '../lib/auth/tokens';
import { config } from '../lib/config';
import { openDb, resolveDbTarget, type Db } from '../lib/db';
import { MANIFEST_FILE } from '../lib/paths';
import {
  checkpointSigningKey,
  checkpointVerifyingKey,
  openCheckpoints,
  parseCheckpointsFile,
  verifyingKeyFrom,
  type CheckpointsFile,
  type CheckpointStatement,
  type CheckpointVerifyingKey,
} from '../subgraphs/audit/src/checkpoint';
import { CHECKPOINTS_PATH, MAX_CHECKPOINTS_PER_PAGE, type CheckpointsPage } from '../subgraphs/audit/src/checkpoint-routes';
import { CheckpointRefused, published, takeCheckpoint } from '../subgraphs/audit/src/checkpointer';
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
      With --checkpoints FILE (saved by \`checkpoints\`), it also proves the chain still reaches
      each checkpoint the audit service signed, and names the first that no longer holds (the
      trail was rewritten, even if every hash was recomputed). Signatures are checked with
      --key (the audit service's public key, SPKI PEM), else AUDIT_PUBLIC_KEY, else the
      development key under DATA_DIR/keys; never with the key the file carries.
  npm run audit -- checkpoints --out FILE [--url URL]
      Saves every signed checkpoint the audit service publishes (GET /trail/checkpoints; --url
      is the service, default the local one) to FILE. Keep it away from the audit database.
  npm run audit -- checkpoint
      Signs the trail's head now (AUDIT_SIGNING_KEY, or the development key) and stores the
      checkpoint in the audit store, which it opens as verify does.
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
  | {
      command: 'verify';
      batchSize: number;
      /** A checkpoints file (`checkpoints --out`) the chain must still reach. */
      checkpoints?: string;
      /** The audit service's public key (SPKI PEM file) to check the checkpoints with. */
      key?: string;
    }
  | { command: 'checkpoints'; out: string; url?: string }
  | { command: 'checkpoint' }
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
        checkpoints: { type: 'string' },
        key: { type: 'string' },
        out: { type: 'string' },
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
    if (values.key !== undefined && values.checkpoints === undefined) {
      throw new UsageError('--key is the key of the checkpoints: give it with --checkpoints FILE');
    }
    return { command: 'verify', batchSize, ...(values.checkpoints !== undefined ? { checkpoints: values.checkpoints, key: values.key } : {}) };
  }
  if (command === 'checkpoints') {
    if (rest.length) throw new UsageError(`checkpoints takes no arguments; received ${rest.join(' ')}`);
    if (!values.out) throw new UsageError('checkpoints needs --out FILE: where to save them (keep it away from the audit database)');
    if (values.url !== undefined && !/^https?:\/\//.test(values.url)) {
      throw new UsageError(`--url must be the audit service's http(s) URL; received ${JSON.stringify(values.url)}`);
    }
    return { command: 'checkpoints', out: values.out, ...(values.url !== undefined ? { url: values.url } : {}) };
  }
  if (command === 'checkpoint') {
    if (rest.length) throw new UsageError(`checkpoint takes no arguments; received ${rest.join(' ')}`);
    return { command: 'checkpoint' };
  }
  if (command !== 'run') {
    throw new UsageError(`expected a command: run, verify, checkpoints or checkpoint; received ${JSON.stringify(command ?? '')}`);
  }
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

/**
 * Runs `fn` over the audit store (embedded or server), or returns 1 with a message when there is
 * no trail to work on.
 */
async function withAuditStore(fn: (db: Db) => Promise<number>): Promise<number> {
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
    return await fn(db);
  } finally {
    await db.close();
  }
}

export interface VerifyStoreOptions {
  batchSize: number;
  /** A checkpoints file and the key its signatures must verify with. */
  checkpoints?: { file: string; key: CheckpointVerifyingKey };
  onProgress?: (count: number) => void;
}

/**
 * `verify` over an open store: the lines to print and the exit code (0 intact, 1 not). With a
 * checkpoints file, every checkpoint that does not verify with the key is named and the chain
 * is then checked against the ones that do; either failing is a 1.
 */
export async function verifyStore(db: Db, options: VerifyStoreOptions): Promise<{ code: 0 | 1; lines: string[] }> {
  const lines: string[] = [];
  let statements: CheckpointStatement[] | undefined;
  let refused = 0;
  if (options.checkpoints) {
    const { file, key } = options.checkpoints;
    if (!existsSync(file)) throw new UsageError(`--checkpoints ${file} does not exist; save one with npm run audit -- checkpoints --out ${file}`);
    const saved = parseCheckpointsFile(readFileSync(file, 'utf8'), file);
    if (saved.checkpoints.length === 0) {
      return { code: 1, lines: [`${file} holds no checkpoints: there is nothing to prove the trail against (the audit service signs one every TRAIL_CHECKPOINT_INTERVAL_MS once it has records)`] };
    }
    const opened = await openCheckpoints(saved, key);
    refused = opened.refused.length;
    for (const { index, seq, reason } of opened.refused) {
      lines.push(`CHECKPOINT REFUSED: ${file} checkpoints[${index}] (seq ${JSON.stringify(seq)}): ${reason}`);
    }
    statements = opened.statements;
  }
  const result = await verifyTrail(db, { batchSize: options.batchSize, onProgress: options.onProgress, checkpoints: statements });
  if (result.ok) {
    const last = statements?.[statements.length - 1];
    const reached = !statements ? '' : last ? `, and reaches all ${statements.length} checkpoints that verify (the last: seq ${last.seq}, signed at ${last.at})` : ', but no checkpoint of the file verifies';
    lines.push(`verified ${result.count} records: the chain is intact${reached}`);
  } else if ('brokenAt' in result) {
    const { seq, id, reason } = result.brokenAt;
    lines.push(`BROKEN at seq ${seq} (id ${id}): ${reason}; ${result.count} records verified before it`);
  } else {
    const { seq, at, reason } = result.checkpoint;
    lines.push(`CHECKPOINT NO LONGER HOLDS: seq ${seq}, signed at ${at}: ${reason}; ${result.count} records verified before it`);
  }
  return { code: result.ok && refused === 0 ? 0 : 1, lines };
}

async function verify(cmd: Extract<AuditCommand, { command: 'verify' }>): Promise<number> {
  let checkpoints: VerifyStoreOptions['checkpoints'];
  if (cmd.checkpoints) {
    try {
      const key = cmd.key ? verifyingKeyFrom(readFileSync(cmd.key, 'utf8'), `--key ${cmd.key}`) : checkpointVerifyingKey(config());
      checkpoints = { file: cmd.checkpoints, key };
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return withAuditStore(async (db) => {
    const progress = process.stderr.isTTY ? (count: number) => process.stderr.write(`\rverified ${count} records...`) : undefined;
    const { code, lines } = await verifyStore(db, { batchSize: cmd.batchSize, checkpoints, onProgress: progress });
    if (progress) process.stderr.write('\n');
    for (const line of lines) console.log(line);
    return code;
  });
}

/**
 * Every checkpoint the audit service at `serviceUrl` publishes (GET /trail/checkpoints, `pageSize`
 * at a time), as one file.
 */
export async function downloadCheckpoints(serviceUrl: string, pageSize = MAX_CHECKPOINTS_PER_PAGE): Promise<CheckpointsFile> {
  const file: CheckpointsFile = { kid: '', publicKey: '', checkpoints: [] };
  for (let after = 0; ; ) {
    const url = new URL(CHECKPOINTS_PATH, serviceUrl);
    url.searchParams.set('after', String(after));
    url.searchParams.set('limit', String(pageSize));
    let response: Response;
    try {
      response = await fetch(url);
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new Error(`could not reach the audit service at ${url.origin} (${cause}); is it running (npm start)?`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`GET ${url} answered HTTP ${response.status}; expected 200 with the checkpoints: ${text.slice(0, 300)}`);
    const page = JSON.parse(text) as CheckpointsPage;
    if (!file.kid) Object.assign(file, { kid: page.kid, publicKey: page.publicKey });
    file.checkpoints.push(...page.checkpoints);
    if (page.next === null) return file;
    if (!(page.next > after)) throw new Error(`GET ${url} gave next=${page.next}; expected a seq after ${after}`);
    after = page.next;
  }
}

async function saveCheckpoints(cmd: Extract<AuditCommand, { command: 'checkpoints' }>): Promise<number> {
  const file = await downloadCheckpoints(cmd.url ?? config().subgraphUrl('audit'));
  writeFileSync(cmd.out, `${JSON.stringify(file, null, 2)}\n`);
  const last = file.checkpoints[file.checkpoints.length - 1];
  console.log(`saved ${file.checkpoints.length} checkpoints signed by key ${file.kid} to ${cmd.out}${last ? ` (the last: seq ${last.seq}, signed at ${last.at})` : ''}`);
  return 0;
}

async function checkpoint(): Promise<number> {
  const key = checkpointSigningKey(config());
  return withAuditStore(async (db) => {
    let taken;
    try {
      taken = await takeCheckpoint(db, key);
    } catch (error) {
      if (!(error instanceof CheckpointRefused)) throw error;
      console.error(`audit: no checkpoint was signed: ${error.message}`);
      return 1;
    }
    if (!taken) {
      console.error('audit: the access trail has no record yet; a checkpoint signs the last record, so there is nothing to sign');
      return 1;
    }
    console.log(JSON.stringify({ created: taken.created, ...published(taken.checkpoint) }, null, 2));
    return 0;
  });
}

async function main(args: string[]): Promise<number> {
  const cmd = parseAuditArgs(args);
  if (cmd.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (cmd.command === 'run') return run(cmd);
  if (cmd.command === 'checkpoints') return saveCheckpoints(cmd);
  if (cmd.command === 'checkpoint') return checkpoint();
  return verify(cmd);
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
