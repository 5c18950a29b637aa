import { existsSync, readFileSync } from 'node:fs';
import { Kind, parse, print } from 'graphql';
import { MANIFEST_FILE, operationId } from './operation-registry';

export interface Registered {
  name: string;
  document: string;
}

/** Registered operations by id (sha256 hex of the registered document text). */
export type Registry = ReadonlyMap<string, Registered>;

/**
 * The registered operations, from the manifest codegen writes (`sha256 -> document`). Each entry
 * is checked: a key that is not the hash of its document, or a document without a named
 * operation, stops the gateway at start-up rather than serving the wrong text.
 */
export function loadRegistry(path = MANIFEST_FILE): Map<string, Registered> {
  const registry = new Map<string, Registered>();
  if (!existsSync(path)) return registry;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  for (const [hash, document] of Object.entries(manifest)) {
    if (operationId(document) !== hash) throw new Error(`${path}: key ${hash} is not the sha256 of its document`);
    const operation = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || !operation.name) {
      throw new Error(`${path}: the document registered as ${hash} has no named operation`);
    }
    registry.set(hash, { name: operation.name.value, document });
  }
  return registry;
}

/** A registry of the given documents (tests register their own operations). */
export function registryOf(...documents: string[]): Map<string, Registered> {
  return new Map(
    documents.map((document) => {
      const operation = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      const name = operation?.kind === Kind.OPERATION_DEFINITION ? operation.name?.value : undefined;
      if (!name) throw new Error('a registered document needs a named operation');
      return [operationId(document), { name, document }];
    }),
  );
}

/**
 * The registered operation a document is, if any: by the hash of its exact text, or of its
 * normalised text (`print(parse(text))`, the manifest's form), so that a client may send the
 * file as written.
 */
export function findRegistered(registry: Registry, query: string): Registered | undefined {
  const exact = registry.get(operationId(query));
  if (exact) return exact;
  try {
    return registry.get(operationId(print(parse(query))));
  } catch {
    return undefined; // not parseable: Apollo Server reports the syntax error
  }
}
