import { readFileSync } from 'node:fs';
import type { SubgraphName } from '../../lib/config';
import { subgraphSdlPath } from '../../tools/compose';
import { committedText } from '../../tools/schema-check';

/**
 * A subgraph's SDL as committed (what `schema:check` composes the others from), or the file on
 * disk outside git. Tests change copies of it and never the subgraph's own file.
 */
export function committedSubgraphSdl(name: SubgraphName): string {
  return committedText(`subgraphs/${name}/schema.graphql`) ?? readFileSync(subgraphSdlPath(name), 'utf8');
}

/** `sdl` with `find` replaced once; fails loudly when the schema no longer has `find`. */
export function edit(sdl: string, find: string, replacement: string): string {
  if (!sdl.includes(find)) throw new Error(`expected the SDL to contain ${JSON.stringify(find)}; it does not (the test needs updating)`);
  return sdl.replace(find, replacement);
}
