import { join } from 'node:path';

/**
 * Where the repository's committed files are, for the code that reads them at run time (the
 * gateway reads the supergraph and the operation manifests) and for the build-time tools in
 * `tools/` that write them. Paths are absolute, from this file's place, never from the working
 * directory.
 */

/** The repository root. */
export const ROOT = join(__dirname, '..');
/** The composed supergraph (`npm run compose`), which the gateway serves. */
export const SUPERGRAPH_PATH = join(ROOT, 'schema', 'supergraph.graphql');
/** The registered operations, one `<Name>.graphql` each, and the manifests codegen writes from them. */
export const OPERATIONS_DIR = join(ROOT, 'schema', 'operations');
/** Registered operations by id: sha256 of the registered text -> that text (`npm run codegen`). */
export const MANIFEST_FILE = join(OPERATIONS_DIR, 'manifest.json');
/** The same operations in Apollo's persisted query manifest format, as Apollo Client sends them (`__typename` added). */
export const APOLLO_MANIFEST_FILE = join(OPERATIONS_DIR, 'persisted-query-manifest.json');
