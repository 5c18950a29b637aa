/**
 * Builds the citizen portal (React + Apollo Client, `portal/src/`) with Vite's JavaScript API
 * into a directory of static files that `portal/server.ts` serves. A build is skipped when the
 * sources are what the last build in that directory was made from (a content hash in
 * `.source-hash`), so a restart of `npm start` costs nothing when the portal did not change.
 *
 * Run alone: `tsx portal/build.ts [outDir]` (default `DATA_DIR/portal`; `--force` rebuilds).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSchema, isAbstractType } from 'graphql';
import type { Plugin } from 'vite' with { 'resolution-mode': 'import' };
import { config } from '../lib/config';

export const PORTAL_DIR = __dirname;
const ROOT = join(__dirname, '..');
const MANIFEST = join(ROOT, 'schema', 'operations', 'persisted-query-manifest.json');
const API_SCHEMA = join(ROOT, 'schema', 'api.graphql');
const GENERATED = join(ROOT, 'schema', 'operations', 'generated');
const STAMP = '.source-hash';

/** The virtual module the app imports its operation ids and possible types from. */
export const VIRTUAL_MODULE = 'virtual:registered-operations';

/**
 * `virtual:registered-operations`, made at build time: `possibleTypes`, each interface's
 * implementations from the API schema, so that Apollo Client's cache can match fragments on
 * `ServiceRecord`. (Operation ids come from Apollo's own manifest, imported by src/apollo.ts.)
 */
export function registeredOperations(): Plugin {
  const resolved = `\0${VIRTUAL_MODULE}`;
  return {
    name: 'citizen-graph-registered-operations',
    resolveId: (id) => (id === VIRTUAL_MODULE ? resolved : undefined),
    load(id) {
      if (id !== resolved) return undefined;
      this.addWatchFile(API_SCHEMA);
      const schema = buildSchema(readFileSync(API_SCHEMA, 'utf8'));
      const possibleTypes: Record<string, string[]> = {};
      for (const type of Object.values(schema.getTypeMap())) {
        if (isAbstractType(type)) possibleTypes[type.name] = schema.getPossibleTypes(type).map((t) => t.name).sort();
      }
      return `export const possibleTypes = ${JSON.stringify(possibleTypes)};\n`;
    },
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** A hash of everything the bundle is made from: the app, this file, the operations and schema, Vite's version. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...filesUnder(join(PORTAL_DIR, 'src')),
    ...filesUnder(join(PORTAL_DIR, 'public')),
    join(PORTAL_DIR, 'index.html'),
    __filename,
    MANIFEST,
    API_SCHEMA,
    ...filesUnder(GENERATED),
    join(ROOT, 'node_modules', 'vite', 'package.json'),
    join(ROOT, 'node_modules', '@apollo', 'client', 'package.json'),
  ].sort();
  for (const file of inputs) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export interface BuildResult {
  outDir: string;
  /** False when the last build in `outDir` was made from the same sources. */
  built: boolean;
  ms: number;
}

/** Builds the portal into `outDir` unless it already holds a build of the current sources. */
export async function buildPortal(options: { outDir: string; force?: boolean }): Promise<BuildResult> {
  const started = Date.now();
  const outDir = resolve(options.outDir);
  const hash = sourceHash();
  const stamp = join(outDir, STAMP);
  if (!options.force && existsSync(join(outDir, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    return { outDir, built: false, ms: Date.now() - started };
  }
  // Vite is an ES module; a dynamic import loads it from this CommonJS file.
  const { build } = await import('vite');
  await build({
    configFile: false,
    root: PORTAL_DIR,
    base: '/',
    mode: 'production',
    logLevel: 'warn',
    // No React plugin: Vite 8 transforms TSX itself (oxc), with React's automatic JSX runtime.
    oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
    plugins: [registeredOperations()],
    build: { outDir, emptyOutDir: true, target: 'es2022', sourcemap: true, reportCompressedSize: false, chunkSizeWarningLimit: 1024 },
  });
  writeFileSync(stamp, hash);
  return { outDir, built: true, ms: Date.now() - started };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outArg = args.find((arg) => !arg.startsWith('--'));
  const outDir = outArg ?? join(config().dataDir, 'portal');
  buildPortal({ outDir, force: args.includes('--force') })
    .then(({ built, ms }) => console.log(`portal: ${built ? `built in ${(ms / 1000).toFixed(1)} s` : 'up to date'} (${relative(process.cwd(), outDir) || '.'})`))
    .catch((error: Error) => {
      console.error(`portal: build failed: ${error.message}`);
      process.exit(1);
    });
}
