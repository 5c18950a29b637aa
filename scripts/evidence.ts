/**
 * Checks evidence documents (DESIGN.md, "Applications and evidence"):
 *
 *   npm run evidence -- verify FILE [--jwks FILE_OR_URL]
 *   npm run evidence -- jwks SERVICE
 *
 * Exit codes: 0 valid (or done), 1 the document is not valid (or the keys could not be read),
 * 2 a usage error.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLocalJWKSet, createRemoteJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { issuerUri, verifyEvidence, type EvidenceVerification } from '../lib/evidence/document';
import { keyring } from '../lib/evidence/keyring';
import { EVIDENCE_ISSUERS, EVIDENCE_TYPES, type EvidenceIssuer } from '../lib/procedures';

export const USAGE = `usage:
  npm run evidence -- verify FILE [--jwks FILE_OR_URL]
      Verifies an evidence document: FILE holds the compact JWS, or JSON with a "document"
      field. The signature is checked against the issuer's public keys: --jwks names a JWKS
      JSON file (saved with \`jwks SERVICE\`, or from a department's /.well-known/jwks.json) or
      an http(s) URL; without it, this machine's department keys (the development keys under
      DATA_DIR/keys; in production, the configured ones). Prints what the document states and
      VALID, or NOT VALID: <reason>.
  npm run evidence -- jwks SERVICE
      Prints SERVICE's public keys (JWKS JSON), to save for offline checks with --jwks.
      SERVICE is one of ${EVIDENCE_ISSUERS.join(', ')}.
exit codes: 0 valid, 1 not valid (or the keys could not be read), 2 usage error`;

export class UsageError extends Error {}

export type EvidenceCommand =
  | { command: 'help' }
  | { command: 'verify'; file: string; jwks?: string }
  | { command: 'jwks'; service: EvidenceIssuer };

/** Parses the command line (without `node script`); throws UsageError. Pure: no I/O. */
export function parseEvidenceArgs(args: string[]): EvidenceCommand {
  let parsed: ReturnType<typeof parseArgs<{ options: { jwks: { type: 'string' }; help: { type: 'boolean'; short: 'h' } }; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args, options: { jwks: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { command: 'help' };
  if (command === 'verify') {
    if (rest.length !== 1) throw new UsageError(`verify takes one FILE; received ${rest.length ? rest.join(' ') : 'none'}`);
    if (values.jwks === '') throw new UsageError('--jwks needs a JWKS file or an http(s) URL');
    return { command: 'verify', file: rest[0], jwks: values.jwks };
  }
  if (command === 'jwks') {
    if (values.jwks !== undefined) throw new UsageError('--jwks belongs to verify');
    if (rest.length !== 1) throw new UsageError(`jwks takes one SERVICE (${EVIDENCE_ISSUERS.join(', ')}); received ${rest.length ? rest.join(' ') : 'none'}`);
    const service = rest[0] as EvidenceIssuer;
    if (!EVIDENCE_ISSUERS.includes(service)) throw new UsageError(`${JSON.stringify(rest[0])} issues no evidence; expected one of ${EVIDENCE_ISSUERS.join(', ')}`);
    return { command: 'jwks', service };
  }
  throw new UsageError(`expected a command: verify or jwks; received ${JSON.stringify(command ?? '')}`);
}

/** The document in `text`: a compact JWS as it is, or the `document` field of a JSON object. */
export function documentIn(text: string): string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`the file looks like JSON but is not: ${(error as Error).message}`);
  }
  const document = (json as { document?: unknown }).document;
  if (typeof document !== 'string') throw new Error('the JSON file has no "document" field holding the signed document');
  return document;
}

/** A key resolver over the JWKS at `source`: an http(s) URL, or a file of JWKS JSON. */
export function jwksFrom(source: string): JWTVerifyGetKey {
  if (/^https?:\/\//i.test(source)) return createRemoteJWKSet(new URL(source));
  let set: JSONWebKeySet;
  try {
    set = JSON.parse(readFileSync(source, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    throw new Error(`--jwks ${source}: not a readable JSON file: ${(error as Error).message}`);
  }
  if (!set || !Array.isArray(set.keys)) throw new Error(`--jwks ${source}: not a JWKS (no "keys" array)`);
  return createLocalJWKSet(set);
}

/** The lines `verify` prints for a valid document. */
export function describe(result: Extract<EvidenceVerification, { valid: true }>): string[] {
  const { statement } = result;
  const lines = [
    ['issuer', `${statement.issuer} (${issuerUri(statement.issuer)})`],
    ['type', `${statement.type} (${EVIDENCE_TYPES[statement.type].title})`],
    ['subject', statement.subject],
    ['procedure', statement.procedure],
    ['application', statement.application],
    ['issued at', result.issuedAt],
    ['key id', result.kid],
    ['evidence id', result.id],
    ...Object.entries(statement.claims).map(([name, value]) => [`claim ${name}`, JSON.stringify(value)]),
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return lines.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
}

async function verify(cmd: Extract<EvidenceCommand, { command: 'verify' }>): Promise<number> {
  let text: string;
  try {
    text = readFileSync(cmd.file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${cmd.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // Read the keys before the document: a JWKS that cannot be read is not the document's fault.
  const keys = cmd.jwks ? jwksFrom(cmd.jwks) : undefined;
  let document: string;
  try {
    document = documentIn(text);
  } catch (error) {
    console.log(`NOT VALID: ${(error as Error).message}`);
    return 1;
  }
  const result = await verifyEvidence(document, (issuer) => keys ?? keyring().verifier(issuer));
  if (!result.valid) {
    console.log(`NOT VALID: ${result.reason}`);
    return 1;
  }
  for (const line of describe(result)) console.log(line);
  console.log('VALID');
  return 0;
}

export async function main(args: string[]): Promise<number> {
  const cmd = parseEvidenceArgs(args);
  if (cmd.command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (cmd.command === 'jwks') {
    console.log(JSON.stringify(await keyring().jwks(cmd.service), null, 2));
    return 0;
  }
  return verify(cmd);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      if (error instanceof UsageError) {
        console.error(`evidence: ${error.message}\n\n${USAGE}`);
        process.exit(2);
      }
      console.error(`evidence: ${error.message}`);
      process.exit(1);
    },
  );
}
