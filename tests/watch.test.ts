import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Composition } from '../tools/compose';
import { watchSubgraph, writeLiveSupergraph, type SubgraphWatcher } from '../scripts/watch';

/**
 * `npm start -- --watch health` on a stand-in subgraph folder: composition and the restart are
 * fakes that record what they were asked, so the tests see exactly what the watcher does.
 */
describe('npm start -- --watch <subgraph>', () => {
  let dir: string;
  let supergraphPath: string;
  let said: string[];
  let restarts: number;
  let startFailure: Error | undefined;
  let composition: Composition;
  let watcher: SubgraphWatcher;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'watch-'));
    mkdirSync(join(dir, 'health', 'src'), { recursive: true });
    writeFileSync(join(dir, 'health', 'schema.graphql'), 'type Query { a: String }\n');
    writeFileSync(join(dir, 'health', 'src', 'resolvers.ts'), 'export {};\n');
    supergraphPath = join(dir, 'live', 'supergraph.graphql');
    said = [];
    restarts = 0;
    startFailure = undefined;
    composition = { ok: true, supergraphSdl: 'the new supergraph', hints: [], subgraphs: [] };
    watcher = watchSubgraph({
      subgraph: 'health',
      dir: join(dir, 'health'),
      supergraphPath,
      restart: async () => {
        restarts++;
        if (startFailure) throw startFailure;
      },
      say: (message) => said.push(message),
      compose: () => composition,
      debounceMs: 50,
    });
    // Let the watcher settle before the first change.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterEach(() => {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts the subgraph when a resolver changes, and leaves the supergraph alone', async () => {
    writeFileSync(join(dir, 'health', 'src', 'resolvers.ts'), 'export const changed = true;\n');
    await watcher.idle();
    expect(restarts).toBe(1);
    expect(existsSync(supergraphPath)).toBe(false);
    expect(said).toEqual(['restarting health...', 'health restarted']);
  });

  it('recomposes on a schema change, restarts the subgraph, then hands the gateway the new supergraph', async () => {
    writeFileSync(join(dir, 'health', 'schema.graphql'), 'type Query { a: String b: String }\n');
    await watcher.idle();
    expect(restarts).toBe(1);
    expect(readFileSync(supergraphPath, 'utf8')).toBe('the new supergraph');
    expect(said.at(-1)).toBe('health restarted on its new schema; the gateway is switching to the recomposed supergraph');
  });

  it("keeps the running subgraph and the last good supergraph when the graph does not compose, and prints Apollo's errors", async () => {
    composition = { ok: false, errors: [{ code: 'FIELD_TYPE_MISMATCH', message: 'Type of field "School.name" is incompatible across subgraphs' }] };
    writeFileSync(join(dir, 'health', 'schema.graphql'), 'type School { name: Int! }\n');
    await watcher.idle();
    expect(restarts).toBe(0);
    expect(existsSync(supergraphPath)).toBe(false);
    expect(said).toEqual([
      'the graph does not compose (1 error(s), as Apollo reports them):',
      '  FIELD_TYPE_MISMATCH: Type of field "School.name" is incompatible across subgraphs',
      'health keeps running its previous version; the gateway keeps the last good supergraph',
    ]);

    // A later resolver change still waits for a schema that composes.
    writeFileSync(join(dir, 'health', 'src', 'resolvers.ts'), 'export const again = true;\n');
    await watcher.idle();
    expect(restarts).toBe(0);

    // Fixed: restarted, and the gateway gets the supergraph.
    composition = { ok: true, supergraphSdl: 'fixed', hints: [], subgraphs: [] };
    writeFileSync(join(dir, 'health', 'schema.graphql'), 'type Query { a: String }\n');
    await watcher.idle();
    expect(restarts).toBe(1);
    expect(readFileSync(supergraphPath, 'utf8')).toBe('fixed');
  });

  it('keeps the last good supergraph when the new subgraph does not start, and tries again on the next save', async () => {
    startFailure = new Error('it exited (code 1) before it was ready');
    writeFileSync(join(dir, 'health', 'schema.graphql'), 'type Query { a: String b: String }\n');
    await watcher.idle();
    expect(said.at(-1)).toBe('health did not start: it exited (code 1) before it was ready; save a file to try again');
    expect(existsSync(supergraphPath)).toBe(false);

    startFailure = undefined;
    writeFileSync(join(dir, 'health', 'src', 'resolvers.ts'), 'export const fixed = true;\n');
    await watcher.idle();
    expect(restarts).toBe(2);
    // The schema change is still pending, so the gateway now gets its supergraph.
    expect(readFileSync(supergraphPath, 'utf8')).toBe('the new supergraph');
  });

  it('starts the gateway from the committed supergraph, saying why, when the working copies do not compose', () => {
    const path = join(dir, 'start', 'supergraph.graphql');
    writeLiveSupergraph(path, (message) => said.push(message), () => ({ ok: false, errors: [{ code: 'INVALID_GRAPHQL', message: '[health] Syntax Error' }] }));
    expect(readFileSync(path, 'utf8')).toMatch(/^schema\n/);
    expect(said).toContain('  INVALID_GRAPHQL: [health] Syntax Error');
    expect(said.at(-1)).toBe('the gateway starts from the committed schema/supergraph.graphql');
  });
});
