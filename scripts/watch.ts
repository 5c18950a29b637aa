/**
 * `npm start -- --watch <subgraph>`: live development of one department. When a file under
 * `subgraphs/<subgraph>/` changes, the subgraph is restarted; when its `schema.graphql` changed,
 * the graph is recomposed first, and once the new subgraph is ready the new supergraph is written
 * to a development copy the gateway follows (`SUPERGRAPH_PATH`, `SUPERGRAPH_WATCH=1`; see
 * gateway/src/supergraph-source.ts), so the gateway serves it without a restart.
 *
 * If the graph does not compose, Apollo's errors are printed, the subgraph keeps running its
 * previous version and the gateway keeps the last good supergraph. The committed
 * `schema/supergraph.graphql` is never written here: `npm run compose` does that, on purpose.
 */
import { watch, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import { ROOT } from '../lib/paths';
import { composeSubgraphs, formatCompositionError, readSupergraph, type Composition } from '../tools/compose';

/** The subgraph named by `--watch <subgraph>`, if any; exits 64 (usage) on anything else. */
export function watchOptionOrExit(argv: string[]): SubgraphName | undefined {
  let watched: string | undefined;
  try {
    watched = parseArgs({ args: argv, options: { watch: { type: 'string' } } }).values.watch;
  } catch (error) {
    console.error(`[start] ${(error as Error).message}\nusage: npm start [-- --watch <subgraph>]`);
    process.exit(64);
  }
  if (watched !== undefined && !(SUBGRAPHS as readonly string[]).includes(watched)) {
    console.error(`[start] --watch expects one of ${SUBGRAPHS.join(', ')}; received ${JSON.stringify(watched)}`);
    process.exit(64);
  }
  return watched as SubgraphName | undefined;
}

/** Replaces `path` in one step, so the gateway never reads a half-written supergraph. */
function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

const sayErrors = (say: (message: string) => void, result: Extract<Composition, { ok: false }>) => {
  say(`the graph does not compose (${result.errors.length} error(s), as Apollo reports them):`);
  for (const error of result.errors) say(`  ${formatCompositionError(error)}`);
};

/**
 * Writes the development supergraph the gateway starts from: the composition of the subgraphs'
 * working copies, or the committed supergraph (saying why) when they do not compose.
 */
export function writeLiveSupergraph(path: string, say: (message: string) => void, compose = composeSubgraphs): void {
  const result = compose();
  if (result.ok) {
    writeAtomically(path, result.supergraphSdl);
    return;
  }
  sayErrors(say, result);
  say('the gateway starts from the committed schema/supergraph.graphql');
  writeAtomically(path, readSupergraph());
}

export interface SubgraphWatchOptions {
  subgraph: SubgraphName;
  /** The development supergraph the gateway follows. */
  supergraphPath: string;
  /** Replaces the subgraph's process with a fresh one: resolves once it is ready, rejects if it dies. */
  restart(): Promise<void>;
  say(message: string): void;
  /** The folder to watch; default `subgraphs/<subgraph>`. */
  dir?: string;
  compose?: () => Composition;
  /** Quiet time after the last change before acting, so that one save of many files is one restart. */
  debounceMs?: number;
}

export interface SubgraphWatcher {
  close(): void;
  /** Resolves when no change is waiting and no restart is running (tests wait on it). */
  idle(): Promise<void>;
}

/** Editors' swap and backup files, and anything hidden. */
const ignored = (file: string) => /^\.|~$|\.swp$|\.tmp$/.test(basename(file));

export function watchSubgraph(options: SubgraphWatchOptions): SubgraphWatcher {
  const { subgraph, supergraphPath, restart, say, compose = composeSubgraphs, debounceMs = 300 } = options;
  const dir = options.dir ?? join(ROOT, 'subgraphs', subgraph);
  /** The schema changed since the gateway last got a supergraph composed from it. */
  let schemaChanged = false;
  let pending = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  async function apply(): Promise<void> {
    pending = false;
    let supergraphSdl: string | undefined;
    if (schemaChanged) {
      const result = compose();
      if (!result.ok) {
        sayErrors(say, result);
        say(`${subgraph} keeps running its previous version; the gateway keeps the last good supergraph`);
        return;
      }
      supergraphSdl = result.supergraphSdl;
    }
    say(`restarting ${subgraph}...`);
    try {
      await restart();
    } catch (error) {
      say(`${subgraph} did not start: ${(error as Error).message}; save a file to try again`);
      return;
    }
    if (supergraphSdl === undefined) {
      say(`${subgraph} restarted`);
      return;
    }
    writeAtomically(supergraphPath, supergraphSdl);
    schemaChanged = false;
    say(`${subgraph} restarted on its new schema; the gateway is switching to the recomposed supergraph`);
  }

  function run(): void {
    if (running) return; // the running pass starts another when it ends
    running = apply().finally(() => {
      running = undefined;
      if (pending) run();
    });
  }

  const watcher = watch(dir, { recursive: true }, (_event, file) => {
    if (!file || ignored(file)) return;
    if (file === 'schema.graphql') schemaChanged = true;
    pending = true;
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  });

  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
    idle: async () => {
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, debounceMs * 2));
        if (running) await running;
        else if (!pending) return;
      }
    },
  };
}
