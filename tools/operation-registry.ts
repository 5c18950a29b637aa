/**
 * The registered operations: one named operation per `schema/operations/<Name>.graphql`, written
 * by the client that sends it (citizen portal `Citizen*`, officer desk `Officer*`, auditors
 * `Audit*`). Codegen turns them into typed documents and into the manifest the gateway serves
 * them from; `npm run schema:check` and `npm run codegen:check` validate them against the graph.
 *
 * The registered text of an operation is its file normalised by graphql-js,
 * `print(parse(source))`: comments and formatting go, the operation and its fragments stay in
 * the file's order. It is exactly what `print()` gives for the typed document codegen generates,
 * so a client that prints its document (as Apollo Client does) sends the registered text, and
 * the id is the sha256 (hex) of that text, as APQ clients compute it (`operationId`, which the
 * gateway shares). This file is build-time tooling: the gateway reads only the manifest
 * (gateway/src/operations.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import {
  GraphQLError,
  Kind,
  parse,
  print,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type OperationTypeNode,
} from 'graphql';
import { operationId } from '../gateway/src/operations';
import { OPERATIONS_DIR, ROOT } from '../lib/paths';

export interface RegisteredOperation {
  /** The operation's name, which is also the file's base name. */
  name: string;
  type: OperationTypeNode;
  /** The file, relative to the repository root. */
  file: string;
  /** The file as written (validation messages give line numbers in it). */
  source: string;
  /** The registered text: `print(parse(source))`. */
  document: string;
  /** sha256 (hex) of `document`: the operation's id in the manifest. */
  id: string;
}

/** Thrown for a file that is not one well-formed, named operation; the message names the file. */
export class OperationFileError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'OperationFileError';
  }
}

function at(error: GraphQLError): string {
  const location = error.locations?.[0];
  return location ? ` (line ${location.line}, column ${location.column})` : '';
}

/**
 * Reads one operation file's text (`file` relative to the repository root). It must hold exactly
 * one named operation, named after the file, plus the fragments it uses.
 */
export function readOperation(file: string, source: string): RegisteredOperation {
  let ast: DocumentNode;
  try {
    ast = parse(source);
  } catch (error) {
    throw new OperationFileError(file, `${(error as GraphQLError).message}${at(error as GraphQLError)}`);
  }
  const operations = ast.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const expected = basename(file, '.graphql');
  if (operations.length !== 1) {
    throw new OperationFileError(file, `expected exactly one operation (named ${expected}); found ${operations.length}`);
  }
  const [operation] = operations;
  if (!operation.name) throw new OperationFileError(file, `the operation has no name; expected it to be named ${expected}`);
  if (operation.name.value !== expected) {
    throw new OperationFileError(file, `the operation is named ${operation.name.value}; expected ${expected}, the file's name`);
  }
  const document = print(ast);
  return { name: expected, type: operation.operation, file, source, document, id: operationId(document) };
}

/** Every registered operation under `dir`, in file-name order. */
export function loadOperations(dir = OPERATIONS_DIR): RegisteredOperation[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readOperation(relative(ROOT, join(dir, name)), readFileSync(join(dir, name), 'utf8')));
}

const byFile = (a: RegisteredOperation, b: RegisteredOperation) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0);

/**
 * The manifest's text: a JSON object from each operation's id to its registered document, in
 * file-name order (stable diffs), ending with a newline. Two files with the same document would
 * share an id, and are refused.
 */
export function buildManifest(operations: readonly RegisteredOperation[]): string {
  const manifest: Record<string, string> = {};
  const owners = new Map<string, string>();
  for (const operation of [...operations].sort(byFile)) {
    const owner = owners.get(operation.id);
    if (owner) throw new OperationFileError(operation.file, `registers the same document as ${owner}`);
    owners.set(operation.id, operation.file);
    manifest[operation.id] = operation.document;
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Why `operation` would fail against `schema`: graphql-js validation messages with their line
 * in the operation's file; empty when it is valid.
 */
export function validateOperation(schema: GraphQLSchema, operation: RegisteredOperation): string[] {
  return validate(schema, parse(operation.source)).map((error) => `${error.message}${at(error)}`);
}

/**
 * The schema paths `operation` uses in `schema`: `Type.field` for each selected field and
 * `Type.field.argument` for each argument it passes (the paths @graphql-inspector gives its
 * changes). Used to say which registered operations a schema change touches.
 */
export function coordinatesUsed(schema: GraphQLSchema, operation: RegisteredOperation): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(operation.source),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && typeInfo.getFieldDef()) used.add(`${parent.name}.${node.name.value}`);
      },
      Argument(node) {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        // A directive's argument (`@include(if:)`) belongs to no field.
        if (parent && field && !typeInfo.getDirective()) used.add(`${parent.name}.${field.name}.${node.name.value}`);
      },
    }),
  );
  return used;
}
