import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { documentHash } from './auth';

export const MANIFEST_PATH = join(__dirname, '..', '..', 'schema', 'operations', 'manifest.json');

/**
 * The registered operations, from the manifest codegen writes (`sha256 -> document`), as
 * `sha256 -> operation name`. Each entry is checked: a manifest whose key is not the hash of its
 * document, or whose document has no named operation, is refused at start-up.
 */
export function loadRegisteredOperations(path = MANIFEST_PATH): Map<string, string> {
  const registered = new Map<string, string>();
  if (!existsSync(path)) return registered;
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string | { document: string }>;
  for (const [hash, entry] of Object.entries(manifest)) {
    const document = typeof entry === 'string' ? entry : entry.document;
    if (documentHash(document) !== hash) throw new Error(`${path}: key ${hash} is not the sha256 of its document`);
    const operation = parse(document).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (!operation || operation.kind !== Kind.OPERATION_DEFINITION || !operation.name) {
      throw new Error(`${path}: the document registered as ${hash} has no named operation`);
    }
    registered.set(hash, operation.name.value);
  }
  return registered;
}
