import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { DEFAULT_PORTS, SUBGRAPHS, type SubgraphName } from '../../lib/config';

export const ROOT = join(__dirname, '..', '..');
export const SUPERGRAPH_PATH = join(ROOT, 'schema', 'supergraph.graphql');

export const subgraphSdlPath = (name: SubgraphName) => join(ROOT, 'subgraphs', name, 'schema.graphql');

/**
 * The URL written into the supergraph for a subgraph: its default local address. Deployments
 * override it at run time with `<SERVICE>_URL` (see gateway/src/server.ts), so the committed
 * supergraph is the same everywhere.
 */
const defaultUrl = (name: SubgraphName) => `http://localhost:${DEFAULT_PORTS[name]}/graphql`;

export type Composition =
  | { ok: true; supergraphSdl: string; hints: string[]; subgraphs: SubgraphName[] }
  | { ok: false; errors: string[] };

/** Composes the subgraphs' SDL as found on disk (`sdl` overrides one subgraph's text). */
export function composeSubgraphs(sdl: Partial<Record<SubgraphName, string>> = {}): Composition {
  const services = SUBGRAPHS.map((name) => ({
    name,
    url: defaultUrl(name),
    typeDefs: parse(sdl[name] ?? readFileSync(subgraphSdlPath(name), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => hint.toString()),
    subgraphs: [...SUBGRAPHS],
  };
}

export function readSupergraph(): string {
  return readFileSync(SUPERGRAPH_PATH, 'utf8');
}
