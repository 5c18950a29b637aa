/**
 * `npm run schema:check -- <subgraph> [--sdl FILE] [--json] [--allow-breaking]`: before a
 * department deploys, holds the working copy of its subgraph's shared definitions to
 * schema/prelude.graphql, composes it with the others as committed, classifies every change of
 * the API schema against the committed supergraph, and validates each registered operation
 * against the new schema.
 *
 * Exit status: 0 safe (dangerous changes are listed), 1 breaking change, failing registered
 * operation or drift from the prelude, 2 composition error; 64 usage error, 70 a fault of the
 * tool. `--allow-breaking` turns a breaking change into 0, never a failing registered operation
 * or a drifted prelude definition (see `exitCode`).
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import {
  checkSubgraph,
  committedCheckInput,
  exitCode,
  type ChangeLevel,
  type SchemaCheckResult,
} from '../tools/schema-check';
import { ROOT } from '../lib/paths';
import { formatCompositionError, subgraphSdlPath } from '../tools/compose';

const USAGE = `usage: npm run schema:check -- <subgraph> [--sdl FILE] [--json] [--allow-breaking]
  <subgraph>        one of ${SUBGRAPHS.join(', ')}
  --sdl FILE        check FILE as the subgraph's new SDL instead of subgraphs/<subgraph>/schema.graphql
  --json            print one JSON object instead of the report
  --allow-breaking  exit 0 on breaking changes (registered operations must still validate)`;

// sysexits(3): the outcomes of a check are 0, 1 and 2; these are the command's own failures.
const EX_USAGE = 64;
const EX_SOFTWARE = 70;

function usageError(message: string): never {
  console.error(`schema:check: ${message}\n\n${USAGE}`);
  process.exit(EX_USAGE);
}

interface Options {
  subgraph: SubgraphName;
  sdlFile: string;
  json: boolean;
  allowBreaking: boolean;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { sdl: { type: 'string' }, json: { type: 'boolean' }, 'allow-breaking': { type: 'boolean' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    usageError((error as Error).message);
  }
  if (parsed.values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const [subgraph, ...extra] = parsed.positionals;
  if (!subgraph) usageError('expected the name of the subgraph to check');
  if (extra.length > 0) usageError(`expected one subgraph; received ${parsed.positionals.join(' ')}`);
  if (!(SUBGRAPHS as readonly string[]).includes(subgraph)) {
    usageError(`unknown subgraph ${JSON.stringify(subgraph)}; expected one of ${SUBGRAPHS.join(', ')}`);
  }
  // npm runs scripts from the package root; a relative --sdl is relative to where the user typed it.
  const sdlFile = parsed.values.sdl
    ? resolve(process.env.INIT_CWD ?? process.cwd(), parsed.values.sdl)
    : subgraphSdlPath(subgraph as SubgraphName);
  return { subgraph: subgraph as SubgraphName, sdlFile, json: parsed.values.json ?? false, allowBreaking: parsed.values['allow-breaking'] ?? false };
}

/** A path as the user would type it: relative inside the repository, absolute outside. */
const shown = (path: string) => (relative(ROOT, path).startsWith('..') ? path : relative(ROOT, path));

/** The prelude lines of the report: OK, or each definition that differs and how to fix it. */
function preludeLines(result: SchemaCheckResult): string[] {
  const drift = result.preludeDrift;
  if (drift.length === 0) return ['Prelude: OK (the shared definitions are as schema/prelude.graphql writes them)'];
  const lines = [`Prelude: ${plural(drift.length, 'difference')} from schema/prelude.graphql`];
  for (const { problem, fix } of drift) lines.push(`  ${problem}`, `    fix: ${fix}`);
  return lines;
}

const HEADINGS: Record<ChangeLevel, string> = { breaking: 'Breaking changes', dangerous: 'Dangerous changes', safe: 'Safe changes' };
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The report for a person: a header, composition, changes by class, operations, the verdict. */
function report(result: SchemaCheckResult, options: Options & { base: string }, code: number): string {
  const lines = [`Schema check of ${result.subgraph}: ${shown(options.sdlFile)} against the graph at ${options.base}`, ''];
  if (result.verdict === 'composition-error') {
    lines.push(`Composition: FAILED with ${plural(result.compositionErrors.length, 'error')}, as Apollo reports them:`);
    for (const error of result.compositionErrors) lines.push(`  ${formatCompositionError(error)}`);
    lines.push('', ...preludeLines(result));
    lines.push('', `Verdict: COMPOSITION ERROR. The graph does not compose with this change; fix the errors above. Exit ${code}.`);
    return lines.join('\n');
  }
  lines.push('Composition: OK', ...preludeLines(result), '');
  for (const level of ['breaking', 'dangerous', 'safe'] as const) {
    const changes = result.changes.filter((change) => change.level === level);
    lines.push(`${HEADINGS[level]} (${changes.length})`);
    for (const change of changes) {
      lines.push(`  ${change.path ?? '(schema)'}: ${change.message}`);
      if (level !== 'safe' && change.reason) lines.push(`    why: ${change.reason}`);
      if (change.usedBy.length > 0) lines.push(`    used by: ${change.usedBy.join(', ')}`);
    }
  }
  const failing = result.failingOperations;
  lines.push('', `Registered operations: ${failing.length} of ${result.operationsChecked} would fail`);
  for (const operation of failing) {
    lines.push(`  ${operation.name} (${operation.file})`);
    for (const error of operation.errors) lines.push(`    ${error}`);
  }
  const breaking = result.changes.filter((change) => change.level === 'breaking').length;
  const dangerous = result.changes.filter((change) => change.level === 'dangerous').length;
  const drift = result.preludeDrift.length;
  lines.push('');
  if (drift > 0) {
    const also = [breaking && plural(breaking, 'breaking change'), failing.length && `${plural(failing.length, 'registered operation')} would fail`].filter(Boolean);
    lines.push(
      `Verdict: PRELUDE DRIFT (${plural(drift, 'difference')} from schema/prelude.graphql${also.length ? `; also ${also.join(', ')}` : ''}). ` +
        `Copy the shared definitions as the prelude writes them (npm run codegen:check checks every subgraph). Exit ${code}.`,
    );
  } else if (result.verdict === 'safe') {
    const review = dangerous > 0 ? `; review the ${plural(dangerous, 'dangerous change')}` : '';
    lines.push(`Verdict: SAFE${review}. Exit ${code}.`);
  } else {
    const what = [breaking && plural(breaking, 'breaking change'), failing.length && `${plural(failing.length, 'registered operation')} would fail`];
    const next =
      failing.length > 0
        ? 'Keep what the operations use (deprecate it first), or change the operations in the same commit.'
        : code === 0
          ? 'Allowed by --allow-breaking.'
          : 'Deprecate before removing, or pass --allow-breaking once the clients agree.';
    lines.push(`Verdict: BREAKING (${what.filter(Boolean).join(', ')}). ${next} Exit ${code}.`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  let sdl: string;
  try {
    sdl = readFileSync(options.sdlFile, 'utf8');
  } catch (error) {
    usageError(`cannot read the SDL to check: ${(error as Error).message}`);
  }
  const input = committedCheckInput(options.subgraph, sdl);
  const result = await checkSubgraph(input);
  const code = exitCode(result, { allowBreaking: options.allowBreaking });
  if (options.json) {
    console.log(JSON.stringify({ ...result, sdlFile: shown(options.sdlFile), base: input.base, exitCode: code }, null, 2));
  } else {
    console.log(report(result, { ...options, base: input.base }, code));
  }
  process.exitCode = code;
}

main().catch((error: Error) => {
  // A fault of the tool itself, not a finding about the schema.
  console.error(`schema:check failed: ${error.stack ?? error.message}`);
  process.exitCode = EX_SOFTWARE;
});
