import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { Kind, parse, print, visit, type DocumentNode } from 'graphql';
import { APOLLO_MANIFEST_FILE, MANIFEST_FILE } from '../../lib/paths';

/**
 * sha256 (hex) of a document's exact text: a registered operation's id (codegen writes the
 * manifest with it, tools/operation-registry.ts), the APQ hash, and the id the trail records.
 */
export const operationId = (document: string) => createHash('sha256').update(document).digest('hex');

/**
 * One registered operation as the gateway knows it under one of its ids. An operation has one
 * identity, its canonical `id` (the key in schema/operations/manifest.json); Apollo Client's form
 * of it (with `__typename` added, schema/operations/persisted-query-manifest.json) is a second id
 * for the same operation, whose `document` is that form, so that the response has the
 * `__typename` fields the client's cache asked for.
 */
export interface Registered {
  name: string;
  /** The operation's canonical id: sha256 of its registered text (the trail and metrics name it so). */
  id: string;
  /** The text that runs when the operation is asked for by this entry's key. */
  document: string;
}

/** Registered operations by id (sha256 hex): each canonical id, and each Apollo manifest id. */
export type Registry = ReadonlyMap<string, Registered>;

const namedOperation = (document: DocumentNode) => {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  return operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
};

/**
 * What makes two documents the same operation: the text graphql-js prints once every plain
 * `__typename` selection (no alias, arguments or directives) is dropped and the top-level
 * definitions are put in name order. Apollo Client adds such selections to every selection set
 * and its manifest sorts definitions; neither changes what the operation reads. Any other
 * difference (a field, an argument, an alias, a directive, a variable) gives another shape.
 */
export function operationShape(document: DocumentNode): string {
  const stripped = visit(document, {
    Field(node) {
      if (node.name.value === '__typename' && !node.alias && !node.arguments?.length && !node.directives?.length) return null;
      return undefined;
    },
  });
  const nameOf = (definition: DocumentNode['definitions'][number]) =>
    'name' in definition && definition.name ? `${definition.kind}:${definition.name.value}` : definition.kind;
  const definitions = [...stripped.definitions].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  return operationId(print({ ...stripped, definitions }));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not readable JSON (${(error as Error).message}); run npm run codegen`);
  }
}

/**
 * The registered operations, from the manifests codegen writes: ours (`sha256 -> document`) and
 * Apollo's (`{ format, version, operations: [{ id, name, type, body }] }`). Each entry is
 * checked: a key that is not the hash of its document, a document without a named operation, or
 * an Apollo entry that is not one of ours (same name, same shape) stops the gateway at start-up
 * rather than serving the wrong text.
 */
export function loadRegistry(path = MANIFEST_FILE, apolloPath = path === MANIFEST_FILE ? APOLLO_MANIFEST_FILE : undefined): Map<string, Registered> {
  const registry = new Map<string, Registered>();
  if (!existsSync(path)) return registry;
  const manifest = readJson(path) as Record<string, string>;
  const byShape = new Map<string, Registered>();
  for (const [hash, document] of Object.entries(manifest)) {
    if (operationId(document) !== hash) throw new Error(`${path}: key ${hash} is not the sha256 of its document`);
    const ast = parse(document);
    const name = namedOperation(ast);
    if (!name) throw new Error(`${path}: the document registered as ${hash} has no named operation`);
    const entry = { name, id: hash, document };
    registry.set(hash, entry);
    byShape.set(operationShape(ast), entry);
  }
  if (apolloPath && existsSync(apolloPath)) {
    const apollo = readJson(apolloPath) as { format?: unknown; operations?: Array<{ id: string; name: string; body: string }> };
    if (apollo.format !== 'apollo-persisted-query-manifest' || !Array.isArray(apollo.operations)) {
      throw new Error(`${apolloPath}: expected an Apollo persisted query manifest (format "apollo-persisted-query-manifest")`);
    }
    for (const { id, name, body } of apollo.operations) {
      const canonical = byShape.get(operationShape(parse(body)));
      if (!canonical || canonical.name !== name) {
        throw new Error(`${apolloPath}: operation ${name} (${id}) is not a registered operation of ${path}; run npm run codegen`);
      }
      registry.set(id, { name, id: canonical.id, document: body });
    }
  }
  return registry;
}

/** A registry of the given documents (tests register their own operations). */
export function registryOf(...documents: string[]): Map<string, Registered> {
  return new Map(
    documents.map((document) => {
      const name = namedOperation(parse(document));
      if (!name) throw new Error('a registered document needs a named operation');
      const id = operationId(document);
      return [id, { name, id, document }];
    }),
  );
}

const shapes = new WeakMap<Registry, Map<string, Registered>>();

/** The registry's canonical operations by shape, made once per registry. */
function byShape(registry: Registry): Map<string, Registered> {
  let map = shapes.get(registry);
  if (!map) {
    map = new Map();
    for (const entry of registry.values()) {
      if (registry.get(entry.id) !== entry) continue; // an Apollo id: its canonical entry stands for it
      map.set(operationShape(parse(entry.document)), entry);
    }
    shapes.set(registry, map);
  }
  return map;
}

/**
 * The registered operation `document` is, if any: the same operation whatever its formatting,
 * comments, definition order and plain `__typename` selections (see `operationShape`).
 */
export function findRegistered(registry: Registry, document: DocumentNode): Registered | undefined {
  return byShape(registry).get(operationShape(document));
}
