/**
 * What `npm run codegen:check` looks for, without running codegen (tests call these): generated
 * schema files out of date with the subgraphs, registered operations that do not validate
 * against the composed API schema, and generated files that differ from codegen's output.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { OPERATIONS_DIR, ROOT, SUPERGRAPH_PATH } from '../lib/paths';
import { API_SCHEMA_PATH, apiSchema, composeSubgraphs, formatCompositionError, printApiSchema, readSupergraph } from '../tools/compose';
import { loadOperations, OperationFileError, validateOperation } from '../tools/operation-registry';

export interface Problem {
  /** The file at fault, relative to the repository root. */
  file: string;
  problem: string;
  fix: string;
}

const COMPOSE = 'run `npm run compose`, then `npm run codegen`, and commit the result';
const CODEGEN = 'run `npm run codegen` and commit the result';
const GENERATED_DIR = join(OPERATIONS_DIR, 'generated');

const rel = (path: string) => relative(ROOT, path);
const readIfExists = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/** The supergraph and API schema against the subgraphs' SDL. */
export function schemaProblems(): Problem[] {
  const composition = composeSubgraphs();
  if (!composition.ok) {
    return composition.errors.map((error) => ({
      file: 'subgraphs/*/schema.graphql',
      problem: `the subgraphs do not compose: ${formatCompositionError(error)}`,
      fix: 'fix the subgraph schemas (`npm run schema:check -- <subgraph>` explains)',
    }));
  }
  const problems: Problem[] = [];
  if (readIfExists(SUPERGRAPH_PATH) !== composition.supergraphSdl) {
    problems.push({ file: rel(SUPERGRAPH_PATH), problem: "is stale: it is not the composition of the subgraphs' schema.graphql", fix: COMPOSE });
  }
  if (readIfExists(API_SCHEMA_PATH) !== printApiSchema(composition.supergraphSdl)) {
    problems.push({ file: rel(API_SCHEMA_PATH), problem: 'is stale: it is not the API schema of the composed supergraph', fix: COMPOSE });
  }
  return problems;
}

/** Each registered operation: one named operation per file, valid against the committed supergraph's API schema. */
export function operationProblems(): Problem[] {
  let operations;
  try {
    operations = loadOperations();
  } catch (error) {
    if (!(error instanceof OperationFileError)) throw error;
    return [{ file: error.file, problem: error.problem, fix: 'make the file one operation named after it, with the fragments it uses' }];
  }
  const schema = apiSchema(readSupergraph());
  return operations.flatMap((operation) =>
    validateOperation(schema, operation).map((message) => ({
      file: operation.file,
      problem: `${operation.name} does not validate against the composed API schema: ${message}`,
      fix: 'change the operation, or keep what it uses in the subgraph',
    })),
  );
}

/**
 * What codegen would write now, compared with what is committed: files that differ, that are
 * missing, and files in the generated documents' folder that codegen no longer writes.
 */
export function staleOutputs(outputs: readonly Types.FileOutput[], generatedDir = GENERATED_DIR): Problem[] {
  const problems: Problem[] = [];
  for (const output of outputs) {
    const committed = readIfExists(join(ROOT, output.filename));
    if (committed === undefined) problems.push({ file: output.filename, problem: 'is missing', fix: CODEGEN });
    else if (committed !== output.content) {
      problems.push({ file: output.filename, problem: 'is stale: it differs from what codegen generates now', fix: CODEGEN });
    }
  }
  const written = new Set(outputs.map((output) => join(ROOT, output.filename)));
  for (const name of existsSync(generatedDir) ? readdirSync(generatedDir) : []) {
    const path = join(generatedDir, name);
    if (!written.has(path)) problems.push({ file: rel(path), problem: 'is no longer generated', fix: 'delete it' });
  }
  return problems;
}

