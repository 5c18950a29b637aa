/**
 * Loads the code a department's manifest names (`path#export`, relative to its folder), in Node.
 * The registry itself stays data (see subgraphs/manifest.ts); this is for what runs departments:
 * the seed and the in-process test graph.
 */
import { join } from 'node:path';
import type { SubgraphDefinition } from '../lib/subgraph';
import type { DepartmentSeed } from '../seed/types';
import { REGISTRY, type DepartmentManifest } from './registry';

/** The export `ref` (`./src/server#transport`) of department `manifest`'s folder; throws, saying what the module does export, if it is not there. */
export function loadExport(manifest: DepartmentManifest, ref: string): unknown {
  const [path, name] = ref.split('#');
  if (!path || !name) throw new Error(`subgraphs/${manifest.name}/department.ts: expected "path#export"; received ${JSON.stringify(ref)}`);
  const module = require(join(__dirname, manifest.name, path)) as Record<string, unknown>;
  if (!(name in module)) {
    throw new Error(`subgraphs/${manifest.name}/department.ts names ${ref}, but ${path} exports only ${Object.keys(module).join(', ') || 'nothing'}`);
  }
  return module[name];
}

/** The subgraph definition a department's manifest names (what `createSubgraph` builds a server from). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function subgraphDefinition(manifest: DepartmentManifest): SubgraphDefinition<any> {
  const definition = loadExport(manifest, manifest.server) as SubgraphDefinition<object>;
  if (definition?.name !== manifest.name) {
    throw new Error(`subgraphs/${manifest.name}/department.ts: ${manifest.server} is the definition of ${JSON.stringify(definition?.name)}, not of ${manifest.name}`);
  }
  return definition;
}

/** Every department's seed generator, in registry order (the departments that seed nothing left out). */
export function departmentSeeds(): DepartmentSeed[] {
  return REGISTRY.flatMap((manifest) => {
    if (!manifest.seed) return [];
    const seed = loadExport(manifest, manifest.seed) as DepartmentSeed;
    if (seed?.service !== manifest.name) {
      throw new Error(`subgraphs/${manifest.name}/department.ts: ${manifest.seed} seeds ${JSON.stringify(seed?.service)}, not ${manifest.name}`);
    }
    return [seed];
  });
}
