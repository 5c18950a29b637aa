/**
 * Compile once: `npm start` runs each service from one JavaScript file that esbuild bundles from
 * its TypeScript entry point, instead of every process transpiling and hooking ~100 files with
 * tsx at every start. Packages stay external (loaded from node_modules as usual); source maps
 * make stack traces name the TypeScript files and lines.
 *
 * The bundles are kept in `node_modules/.cache/citizen-graph/services/` with a stamp holding the
 * sha256 of every source file they were built from (esbuild's list), so a start after an edit
 * rebuilds them (about 0.2 s) and any other start reuses them (hashing ~120 files, a few ms).
 *
 * Measured on the two-core development machine (CPU seconds of one process until it listens,
 * node 20): health 1.55 with tsx, 1.18 bundled, 1.10 bundled with the source-map switch below;
 * the gateway 1.71, 1.19, 1.07.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type * as Esbuild from 'esbuild';

const ROOT = join(__dirname, '..');
export const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'citizen-graph', 'services');
const STAMP = 'stamp.json';
/** Bump when the build options or the plugin below change what a bundle contains. */
const FORMAT = 1;

export interface ServiceBundles {
  /** The bundle of each entry, by the entry's name. */
  paths: Record<string, string>;
  /** False when every bundle was already built from the current sources. */
  built: boolean;
  ms: number;
}

interface Stamp {
  key: string;
  entries: Record<string, string>;
  /** sha256 of each input, by its path relative to the repository. */
  inputs: Record<string, string>;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function readStamp(dir: string): Stamp | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, STAMP), 'utf8')) as Stamp;
  } catch {
    return undefined;
  }
}

/** True when `stamp` was written for these entries by this build and no input changed since. */
function upToDate(stamp: Stamp | undefined, key: string, entries: Record<string, string>, dir: string): boolean {
  if (!stamp || stamp.key !== key || JSON.stringify(stamp.entries) !== JSON.stringify(entries)) return false;
  if (!Object.keys(entries).every((name) => existsSync(join(dir, `${name}.js`)))) return false;
  return Object.entries(stamp.inputs).every(([path, hash]) => existsSync(join(ROOT, path)) && sha256(join(ROOT, path)) === hash);
}

/**
 * What bundling would otherwise change for our own files (never for packages, which stay external):
 *
 * - `__dirname` and `__filename` keep naming the source file's folder and file (subgraphs find
 *   their `schema.graphql` and `migrations/` with them), not the bundle's;
 * - `require.main` is `undefined` in every file but the entry, so that a script's "run when
 *   executed directly" block (`if (require.main === module)`, e.g. portal/build.ts) stays off
 *   in the service that imports it.
 *
 * The declarations go in front of the file's first line, so line numbers in stack traces hold.
 * `read` gets the sha256 of each file as it was read, for the stamp.
 */
function fileVariables(entryFiles: Set<string>, read: Map<string, string>): Esbuild.Plugin {
  return {
    name: 'citizen-graph-file-variables',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = readFileSync(args.path);
        read.set(args.path, createHash('sha256').update(source).digest('hex'));
        let text = source.toString('utf8');
        if (!entryFiles.has(args.path)) text = text.replace(/\brequire\.main\b/g, 'undefined');
        const prelude = `const __dirname = ${JSON.stringify(dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
        return { contents: prelude + text, loader: 'ts' };
      });
    },
  };
}

/**
 * The bundle of each entry (name -> TypeScript file), built into `dir` when its sources changed
 * since the last build. Throws when esbuild is missing or a file does not compile.
 */
export async function serviceBundles(entries: Record<string, string>, dir = BUNDLE_DIR): Promise<ServiceBundles> {
  const started = Date.now();
  // A dependency of tsx, which `npm start` already runs on.
  const esbuild = require('esbuild') as typeof Esbuild;
  const key = JSON.stringify({ format: FORMAT, esbuild: esbuild.version, node: process.versions.node, root: ROOT });
  const paths = Object.fromEntries(Object.keys(entries).map((name) => [name, join(dir, `${name}.js`)]));
  if (upToDate(readStamp(dir), key, entries, dir)) return { paths, built: false, ms: Date.now() - started };

  const read = new Map<string, string>();
  const tsconfig = join(ROOT, 'tsconfig.json');
  const options = {
    absWorkingDir: ROOT,
    entryPoints: entries,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    // The root project's settings for every file, as tsx uses them (portal/tsconfig.json is the browser app's).
    tsconfig,
    sourcemap: 'linked',
    // Node 20 reads the source map of every module it loads while source maps are on (tsx turns
    // them on too), and most packages ship one: 0.07 s of CPU per service. The bundle's own map is
    // read when Node compiles it (`--enable-source-maps`); maps are then off while the bundle
    // loads its packages, and on again for stack traces (an error thrown synchronously while the
    // bundle's top level runs is printed with the bundle's lines).
    banner: { js: 'process.setSourceMapsEnabled(false);' },
    footer: { js: 'process.setSourceMapsEnabled(true);' },
    outdir: dir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // A require or import of a computed path (subgraphs/load.ts) cannot be bundled: it would load
    // a .ts file in plain Node and fail when the service starts. Refuse here instead, naming it.
    logOverride: { 'unsupported-require-call': 'error', 'unsupported-dynamic-import': 'error' },
    plugins: [fileVariables(new Set(Object.values(entries)), read)],
  } satisfies Esbuild.BuildOptions;
  // esbuild's service process is needed no more once the bundles are made.
  const result = await esbuild.build(options).finally(() => esbuild.stop());
  mkdirSync(dir, { recursive: true });
  // Each file is replaced in one step: a service starting meanwhile reads an old or a new bundle, never half of one.
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  // Hashes of what was compiled (JSON files esbuild read itself: as they are now).
  const inputs: Record<string, string> = { [relative(ROOT, tsconfig)]: sha256(tsconfig) };
  for (const input of Object.keys(result.metafile.inputs)) {
    const path = join(ROOT, input);
    inputs[input] = read.get(path) ?? sha256(path);
  }
  writeFileSync(join(dir, STAMP), JSON.stringify({ key, entries, inputs } satisfies Stamp, null, 1));
  return { paths, built: true, ms: Date.now() - started };
}
