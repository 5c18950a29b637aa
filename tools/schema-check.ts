/**
 * The check behind `npm run schema:check`: does the graph still compose with one subgraph's new
 * SDL, how does the API schema change against the committed supergraph, and which registered
 * operations would fail. Pure apart from what `committedCheckInput` reads, so tests give it
 * their own SDL and never touch a subgraph's files.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import { ROOT, SUPERGRAPH_PATH } from '../lib/paths';
import { apiSchema, composeSubgraphs, subgraphSdlPath, type CompositionError } from './compose';
import { coordinatesUsed, loadOperations, validateOperation, type RegisteredOperation } from './operation-registry';

export interface SchemaCheckInput {
  subgraph: SubgraphName;
  /** The subgraph's new SDL: its working copy, or another file a developer points at. */
  sdl: string;
  /** The SDL of every other subgraph, as committed. */
  others: Partial<Record<SubgraphName, string>>;
  /** The supergraph the change is compared with: the committed one. */
  baseSupergraphSdl: string;
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

export type SchemaCheckResult =
  | { subgraph: SubgraphName; verdict: 'composition-error'; compositionErrors: CompositionError[] }
  | {
      subgraph: SubgraphName;
      /** `breaking` when a change is breaking or a registered operation would fail. */
      verdict: 'safe' | 'breaking';
      changes: SchemaChange[];
      operationsChecked: number;
      failingOperations: FailingOperation[];
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
 * Composes `input.sdl` as the new version of `input.subgraph` with the others; if that works,
 * classifies every API schema change against the base supergraph and validates every registered
 * operation against the new API schema. Never throws for a finding, only for unusable input.
 */
export async function checkSubgraph(input: SchemaCheckInput): Promise<SchemaCheckResult> {
  const { subgraph } = input;
  const composition = composeSubgraphs({ ...input.others, [subgraph]: input.sdl });
  if (!composition.ok) return { subgraph, verdict: 'composition-error', compositionErrors: composition.errors };

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
  };
}

/**
 * The exit status of `npm run schema:check`: 0 safe, 1 breaking, 2 composition error. With
 * `allowBreaking`, breaking changes exit 0, but a registered operation that would fail still
 * exits 1: CI refuses it anyway (`npm run codegen:check`), so the operation has to change in the
 * same commit.
 */
export function exitCode(result: SchemaCheckResult, options: { allowBreaking: boolean }): 0 | 1 | 2 {
  if (result.verdict === 'composition-error') return 2;
  if (result.failingOperations.length > 0) return 1;
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
 * What the command checks `subgraph`'s new `sdl` against: the other subgraphs and the supergraph
 * as committed at HEAD (the files on disk where git has none), and the registered operations in
 * the working tree. Unrelated local edits in other subgraphs do not change the answer.
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
    operations: loadOperations(),
    base: committedSupergraph === undefined ? 'the working tree' : 'HEAD',
  };
}
