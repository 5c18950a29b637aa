/**
 * The check behind `npm run schema:check`: does the graph still compose with one subgraph's new
 * SDL, does its copy of the shared prelude (schema/prelude.graphql) still agree with it, how does
 * the API schema change against the committed supergraph, and which registered operations would
 * fail. Pure apart from what `committedCheckInput` reads, so tests give it
 * their own SDL and never touch a subgraph's files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import { ROOT, SUPERGRAPH_PATH } from '../lib/paths';
import { REGISTRY } from '../subgraphs/registry';
import { apiSchema, composeSubgraphs, subgraphSdlPath, type CompositionError } from './compose';
import { coordinatesUsed, loadOperations, validateOperation, type RegisteredOperation } from './operation-registry';
import { PRELUDE_PATH, preludeProblems } from './prelude';

export interface SchemaCheckInput {
  subgraph: SubgraphName;
  /** The subgraph's new SDL: its working copy, or another file a developer points at. */
  sdl: string;
  /** The SDL of every other subgraph, as committed. */
  others: Partial<Record<SubgraphName, string>>;
  /** The supergraph the change is compared with: the committed one. */
  baseSupergraphSdl: string;
  /** schema/prelude.graphql, the shared definitions `sdl` must copy as written: the committed one. */
  prelude: string;
  operations: readonly RegisteredOperation[];
}

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  /** What changed, e.g. `Encounter.diagnosis` or `HealthProfile.encounters.first`. */
  path: string | null;
  message: string;
  /** Why it is breaking or dangerous, when the library says. */
  reason: string | null;
  /** The registered operations that use what changed. */
  usedBy: string[];
}

export interface FailingOperation {
  name: string;
  file: string;
  /** graphql-js validation messages against the new API schema. */
  errors: string[];
}

/** A way the subgraph's copy of the shared prelude differs from schema/prelude.graphql (tools/prelude.ts). */
export interface PreludeDrift {
  /** Names the definition, e.g. `enum Department differs from schema/prelude.graphql: - ...; + ...`. */
  problem: string;
  fix: string;
}

/**
 * `verdict` judges the composition and the API change; `preludeDrift` the subgraph's copy of the
 * prelude, which fails the check too (`exitCode`) whatever the verdict.
 */
export type SchemaCheckResult =
  | { subgraph: SubgraphName; verdict: 'composition-error'; compositionErrors: CompositionError[]; preludeDrift: PreludeDrift[] }
  | {
      subgraph: SubgraphName;
      /** `breaking` when a change is breaking or a registered operation would fail. */
      verdict: 'safe' | 'breaking';
      changes: SchemaChange[];
      operationsChecked: number;
      failingOperations: FailingOperation[];
      preludeDrift: PreludeDrift[];
    };

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** Whether a change at `path` touches something an operation uses (a type, field or argument). */
function touches(path: string, used: ReadonlySet<string>): boolean {
  if (used.has(path)) return true;
  for (const coordinate of used) if (coordinate.startsWith(`${path}.`)) return true;
  return false;
}

/** One of @graphql-inspector's changes, in our terms, with the registered operations it touches. */
function classify(change: Change, usage: ReadonlyMap<string, ReadonlySet<string>>): SchemaChange {
  const path = change.path ?? null;
  return {
    level: LEVELS[change.criticality.level],
    path,
    message: change.message,
    reason: change.criticality.reason ?? null,
    usedBy: path ? [...usage].filter(([, used]) => touches(path, used)).map(([name]) => name) : [],
  };
}

/**
 * Where `sdl`, as `subgraph`'s schema, has drifted from `prelude`: the check `codegen:check` makes
 * of every subgraph (tools/prelude.ts `preludeProblems`), for this one subgraph's new SDL. Problems
 * of the prelude itself (its `Department` against the registry) are codegen:check's to report.
 */
export function preludeDrift(subgraph: SubgraphName, sdl: string, prelude: string): PreludeDrift[] {
  const registry = REGISTRY.filter((manifest) => manifest.name === subgraph);
  const file = `subgraphs/${subgraph}/schema.graphql`;
  return preludeProblems({ prelude, registry, sdl: { [subgraph]: sdl } })
    .filter((problem) => problem.file === file)
    .map(({ problem, fix }) => ({ problem, fix }));
}

/**
 * Holds `input.sdl`'s copy of the prelude to `input.prelude`, and composes it as the new version
 * of `input.subgraph` with the others; if that works,
 * classifies every API schema change against the base supergraph and validates every registered
 * operation against the new API schema. Never throws for a finding, only for unusable input.
 */
export async function checkSubgraph(input: SchemaCheckInput): Promise<SchemaCheckResult> {
  const { subgraph } = input;
  const drift = preludeDrift(subgraph, input.sdl, input.prelude);
  const composition = composeSubgraphs({ ...input.others, [subgraph]: input.sdl });
  if (!composition.ok) return { subgraph, verdict: 'composition-error', compositionErrors: composition.errors, preludeDrift: drift };

  const before = apiSchema(input.baseSupergraphSdl);
  const after = apiSchema(composition.supergraphSdl);
  const usage = new Map(input.operations.map((operation) => [operation.name, coordinatesUsed(before, operation)]));
  const changes = (await diff(before, after)).map((change) => classify(change, usage));
  const failingOperations = input.operations
    .map((operation) => ({ name: operation.name, file: operation.file, errors: validateOperation(after, operation) }))
    .filter((operation) => operation.errors.length > 0);
  const breaking = failingOperations.length > 0 || changes.some((change) => change.level === 'breaking');
  return {
    subgraph,
    verdict: breaking ? 'breaking' : 'safe',
    changes,
    operationsChecked: input.operations.length,
    failingOperations,
    preludeDrift: drift,
  };
}

/**
 * The exit status of `npm run schema:check`: 0 safe, 1 breaking or drifted from the prelude,
 * 2 composition error. With `allowBreaking`, breaking changes exit 0, but a registered operation
 * that would fail, or a prelude definition that differs, still exits 1: CI refuses both anyway
 * (`npm run codegen:check`), so they have to be fixed in the same commit.
 */
export function exitCode(result: SchemaCheckResult, options: { allowBreaking: boolean }): 0 | 1 | 2 {
  if (result.verdict === 'composition-error') return 2;
  if (result.failingOperations.length > 0 || result.preludeDrift.length > 0) return 1;
  return result.verdict === 'breaking' && !options.allowBreaking ? 1 : 0;
}

/** A file's text at git's HEAD (`file` relative to the repository root); undefined if it has none. */
export function committedText(file: string): string | undefined {
  try {
    return execFileSync('git', ['show', `HEAD:${file}`], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined; // not a git checkout, or the file is new
  }
}

/** The check's input as `committedCheckInput` read it, and where the base graph came from. */
export interface CommittedCheckInput extends SchemaCheckInput {
  /** `HEAD`, or `the working tree` when git has no HEAD version of the supergraph. */
  base: string;
}

/**
 * What the command checks `subgraph`'s new `sdl` against: the other subgraphs, the supergraph and
 * the prelude as committed at HEAD (the files on disk where git has none), and the registered
 * operations in the working tree. Unrelated local edits in other subgraphs do not change the answer.
 */
export function committedCheckInput(subgraph: SubgraphName, sdl: string): CommittedCheckInput {
  const committedOrOnDisk = (path: string) => committedText(relative(ROOT, path)) ?? readFileSync(path, 'utf8');
  const others = Object.fromEntries(
    SUBGRAPHS.filter((name) => name !== subgraph).map((name) => [name, committedOrOnDisk(subgraphSdlPath(name))]),
  );
  const committedSupergraph = committedText(relative(ROOT, SUPERGRAPH_PATH));
  return {
    subgraph,
    sdl,
    others,
    baseSupergraphSdl: committedSupergraph ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
    prelude: committedOrOnDisk(PRELUDE_PATH),
    operations: loadOperations(),
    base: committedSupergraph === undefined ? 'the working tree' : 'HEAD',
  };
}
