/**
 * `npm run codegen:check` (CI runs it before the tests): fails when a committed generated file is
 * stale or a registered operation does not validate against the composed API schema, naming
 * each file, what is wrong and the command that fixes it. Writes nothing.
 *
 * Generated files: `schema/supergraph.graphql` and `schema/api.graphql` (`npm run compose`), the
 * resolver types, typed documents and operation manifest (`npm run codegen`). First, the copies
 * that cannot be generated: the department registry against lib/ (tools/departments.ts) and each
 * subgraph's copy of the shared SDL prelude against schema/prelude.graphql (tools/prelude.ts).
 */
import { generate } from '@graphql-codegen/cli';
import codegenConfig from '../codegen';
import { ROOT } from '../lib/paths';
import { registryProblems } from '../tools/departments';
import { preludeProblems } from '../tools/prelude';
import { operationProblems, schemaProblems, staleOutputs, type Problem } from './codegen-problems';

/** What codegen would write now (nothing is written), against the committed files. */
async function generatedFileProblems(): Promise<Problem[]> {
  const outputs = await generate({ ...codegenConfig, cwd: ROOT, silent: true }, false);
  return staleOutputs(outputs);
}

async function main(): Promise<void> {
  const problems = [...registryProblems(), ...preludeProblems(), ...schemaProblems(), ...operationProblems()];
  // Codegen itself refuses invalid operations, with a less precise message: report ours alone.
  if (problems.length === 0) problems.push(...(await generatedFileProblems()));
  if (problems.length === 0) {
    console.log('codegen:check: the registry agrees with lib/, every subgraph copies the prelude as written, every generated file is current and every registered operation validates');
    return;
  }
  console.error(`codegen:check: ${problems.length} problem(s)`);
  for (const { file, problem, fix } of problems) console.error(`  ${file} ${problem}\n    fix: ${fix}`);
  process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(`codegen:check failed: ${error.message}`);
  process.exitCode = 1;
});
