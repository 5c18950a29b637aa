/**
 * The benchmark's own packages: the peer gateways it measures ours against and the load generator
 * (bench/package.json, locked by bench/package-lock.json). The product does not need them, so the
 * root's `npm ci` leaves them out; the benchmark installs them into bench/node_modules on first
 * use. A peer that needs a package of its own adds one line to bench/package.json's dependencies
 * (then `npm install` in bench/ updates the lock).
 *
 * Which copy code loads: Node looks in the nearest node_modules first, so code under bench/ finds
 * bench/node_modules, then the root's (pg, tsx, @apollo/*, and lib/'s own imports). bench/.npmrc
 * keeps only bench/package.json's own names at the top of bench/node_modules, so that none of the
 * peers' transitive packages shadows the product's copy for bench/ code. Hive Gateway runs in its
 * own process with bench's graphql; our gateway, plain Apollo and the orchestrator use the root's.
 * No process must load both copies (graphql refuses a schema from the other one), so no file under
 * bench/ imports 'graphql' itself: GraphQL work goes through lib/ or a peer process.
 *
 * Run as a script (`tsx bench/support/dependencies.ts`) it installs them and exits; `npm run
 * bench:trail` does that first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const BENCH_DIR = join(__dirname, '..');
const ROOT = join(BENCH_DIR, '..');

/** Installed, and no older than the lock (npm writes node_modules/.package-lock.json last). */
function installedAndCurrent(): boolean {
  const installed = join(BENCH_DIR, 'node_modules', '.package-lock.json');
  if (!existsSync(installed)) return false;
  const at = statSync(installed).mtimeMs;
  return ['package.json', 'package-lock.json'].every((file) => statSync(join(BENCH_DIR, file)).mtimeMs <= at);
}

const dependencyVersion = (dir: string, name: string): string | undefined =>
  (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies?.[name];

/**
 * Hive Gateway is given the same graphql as the gateways it is compared with (it runs its own
 * copy, being its own process). Two hand-kept pins, so this catches drift between them.
 */
function checkGraphqlPin(): void {
  const ours = dependencyVersion(ROOT, 'graphql');
  const bench = dependencyVersion(BENCH_DIR, 'graphql');
  if (ours !== bench) {
    throw new Error(
      `bench/package.json pins graphql ${bench ?? '(none)'}; the product (package.json) has ${ours}. ` +
        'Make them equal, so that the peers run the same graphql as our gateway, then run `npm install` in bench/.',
    );
  }
}

/** Path of a file inside one of the benchmark's own packages; fails naming the package when it is missing. */
function benchPackageFile(name: string, file: (manifest: Record<string, unknown>) => string): string {
  const dir = join(BENCH_DIR, 'node_modules', name);
  const manifestPath = join(dir, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`${name} is not in bench/node_modules; expected it there after installing bench/package.json. Run \`npm ci\` in bench/.`);
  }
  const path = join(dir, file(JSON.parse(readFileSync(manifestPath, 'utf8'))));
  if (!existsSync(path)) throw new Error(`${name}: expected ${path}; it is missing (a broken install? \`rm -rf bench/node_modules\` and run again)`);
  return path;
}

/** Hive Gateway's command-line entry (its package's `hive-gateway` bin). */
export function hiveGatewayBin(): string {
  return benchPackageFile('@graphql-hive/gateway', (manifest) => (manifest.bin as Record<string, string>)['hive-gateway']);
}

/**
 * Makes sure bench/node_modules holds exactly bench/package-lock.json: runs `npm ci` in bench/
 * when it is missing or older than the lock, printing npm's own output to stderr. Throws when npm
 * fails or a peer does not resolve afterwards.
 */
export function ensureBenchDependencies(say: (line: string) => void): void {
  checkGraphqlPin();
  if (!installedAndCurrent()) {
    // 916 packages, 570 MB (810 and 517 MB before @graphql-hive/router-runtime: 24 s on two quiet cores, 45 s on two busy ones,
    // npm's cache warm; a first download takes longer).
    say("installing the benchmark's own dependencies into bench/node_modules (first use, or bench/package-lock.json changed; about 30 s)...");
    const started = Date.now();
    // --prefix as well as cwd: under `npm run`, npm's environment names the root as the project.
    const result = spawnSync('npm', ['ci', '--prefix', BENCH_DIR, '--no-audit', '--no-fund'], { cwd: BENCH_DIR, stdio: ['ignore', 2, 2] });
    if (result.error) throw new Error(`could not run npm to install the benchmark's dependencies: ${result.error.message}`);
    if (result.status !== 0) throw new Error(`\`npm ci\` in bench/ failed (exit status ${result.status}); its output is above`);
    say(`installed in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  hiveGatewayBin();
  // The hive-router-runtime peer's Rust query planner (its config imports it; the Node-API addon ships in the package).
  benchPackageFile('@graphql-hive/router-runtime', (manifest) => (manifest.main as string | undefined) ?? 'dist/index.js');
  benchPackageFile('autocannon', (manifest) => (manifest.main as string | undefined) ?? 'index.js');
}

if (require.main === module) {
  try {
    ensureBenchDependencies((line) => process.stderr.write(`[bench] ${line}\n`));
  } catch (error) {
    console.error(`[bench] failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
