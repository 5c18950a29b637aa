/**
 * `npm start`: the whole graph on this machine. Seeds the stores on first start, runs every
 * subgraph, the gateway and then the portal as separate processes, waits until the graph
 * answers, prints how long that took and where to send queries, and stops them all on Ctrl-C
 * (or when any of them dies).
 *
 * Start-up is CPU-bound (eight Node processes on two cores here), so this process loads only
 * what it needs before the graph is up, services run from bundles compiled once
 * (service-bundles.ts), the gateway starts beside the subgraphs (its supergraph is a file; it
 * asks no subgraph anything until a request comes), and the portal, a client of the graph,
 * starts once the graph answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { config, SUBGRAPHS, type ServiceName, type SubgraphName } from '../lib/config';
import { noteSeeded, seededCitizens } from '../seed/seeded';
import { serviceBundles } from './service-bundles';
import type { SubgraphWatcher } from './watch';

const ROOT = join(__dirname, '..');
const READY_TIMEOUT_MS = 120_000;
/** How often a service's /readyz is asked while it starts. */
const POLL_MS = 100;
const EXAMPLE_PATH = join(ROOT, 'schema', 'operations', 'CitizenFullHistory.graphql');

/** The graph's services, and the citizen portal (portal/), a web app on the gateway. */
type Process = ServiceName | 'portal';

const entryPoint = (service: Process) =>
  service === 'portal'
    ? join(ROOT, 'portal', 'index.ts')
    : service === 'gateway'
      ? join(ROOT, 'gateway', 'src', 'index.ts')
      : join(ROOT, 'subgraphs', service, 'src', 'index.ts');
const portOf = (service: Process) => (service === 'portal' ? config().portalPort : config().port(service));

const children = new Map<Process, ChildProcess>();
let stopping = false;
/** `--watch <subgraph>`: that subgraph restarts and the graph recomposes as its files change (see watch.ts). */
let watched: SubgraphName | undefined;
let watcher: SubgraphWatcher | undefined;
/** Each service's bundle (see service-bundles.ts); none when they could not be built (then tsx runs the sources). */
let bundles: Record<string, string> | undefined;

function say(message: string): void {
  console.log(`[start] ${message}`);
}

/** The citizens in the identity store, counted there (migrating it first if it is new). */
async function countCitizens(): Promise<number> {
  const { openDb, resolveDbTarget } = require('../lib/db') as typeof import('../lib/db');
  const { migrate } = require('../lib/migrate') as typeof import('../lib/migrate');
  const { migrationsDir } = require('../seed/run') as typeof import('../seed/run');
  const identity = await openDb(resolveDbTarget('identity'));
  try {
    await migrate(identity, migrationsDir('identity'));
    const [row] = await identity.query<{ count: number }>('SELECT count(*)::int AS count FROM citizens');
    return row.count;
  } finally {
    await identity.close();
  }
}

/**
 * Seeds every store when the registry is empty (first start). Whether it is empty is known
 * without opening it when the embedded identity store does not exist yet, or from the note an
 * earlier start or seed left (seed/seeded.ts); otherwise the store is asked. The stores' modules
 * (PGlite, the seed) are loaded only when a store is opened.
 */
async function seedIfEmpty(): Promise<void> {
  const known = seededCitizens();
  const citizens = known ?? (await countCitizens());
  if (citizens > 0) {
    if (known === undefined) noteSeeded(citizens);
    say(`stores hold ${citizens.toLocaleString('en-US')} citizens; not seeding (npm run seed to re-seed)`);
    return;
  }
  const { openStores, progressLine } = require('../seed') as typeof import('../seed');
  const { seedStores } = require('../seed/run') as typeof import('../seed/run');
  const total = config().defaultSeedCitizens;
  say(`first start: seeding ${total.toLocaleString('en-US')} citizens (SEED_CITIZENS to change)`);
  const stores = await openStores();
  try {
    const result = await seedStores(stores, { citizens: total, batchSize: 500, onProgress: (p) => say(`seed ${progressLine(p)}`) });
    noteSeeded(result.citizens);
  } finally {
    await Promise.all(Object.values(stores).map((db) => db.close()));
  }
}

/**
 * When the user's command began, in ms since the epoch: the start of the `npm` process that ran
 * this one (npm, its shell and tsx's launcher take ~0.5 s before this process starts), read from
 * /proc; this process's own start where that cannot be told (not run by npm, not Linux).
 */
function commandStartedAt(): number {
  const own = performance.timeOrigin;
  try {
    // Field 4 of /proc/<pid>/stat is the parent; field 22 the start, in clock ticks (100 a second) since boot.
    const stat = (pid: number | 'self') => readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    const lifecycle = (pid: number) => /(?:^|\0)npm_lifecycle_event=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, 'latin1'))?.[1];
    const event = process.env.npm_lifecycle_event;
    if (!event) return own;
    // Up through the processes npm ran for this script (they carry its npm_lifecycle_event), to npm itself.
    let pid = Number(stat('self')[1]);
    while (pid > 1 && lifecycle(pid) === event) pid = Number(stat(pid)[1]);
    if (pid <= 1 || !/npm/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))) return own;
    const ticksBefore = Number(stat('self')[19]) - Number(stat(pid)[19]);
    return ticksBefore >= 0 ? own - ticksBefore * 10 : own;
  } catch {
    return own;
  }
}

/**
 * V8 flags for a subgraph process. Its embedded PostgreSQL (PGlite) is WebAssembly, and V8
 * recompiles a WebAssembly function with its optimising compiler once the function has run
 * enough (the tiering budget); opening a store runs enough of PostgreSQL's start-up code to make
 * that ~0.2 s of CPU per subgraph, for code that then hardly runs again. A budget 100 times the
 * default (1,800,000) leaves the optimising compiler to what a running service keeps executing.
 * Measured, `npm start` on the two-core machine, four runs each way: 11.4-11.7 s of CPU until
 * the gateway answered without it, 8.6-9.5 s with it.
 */
const SUBGRAPH_V8_FLAGS = ['--wasm-tiering-budget=180000000'];

/** Runs a service from its bundle, or its sources with tsx (the --watch subgraph, or when there is no bundle). */
function commandOf(service: Process): string[] {
  const flags = (SUBGRAPHS as readonly string[]).includes(service) ? SUBGRAPH_V8_FLAGS : [];
  const bundle = service === watched ? undefined : bundles?.[service];
  return [...flags, ...(bundle ? ['--enable-source-maps', bundle] : ['--import', 'tsx', entryPoint(service)])];
}

function launch(service: Process): void {
  const child = spawn(process.execPath, commandOf(service), {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(service, child);
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => console.log(`[${service}] ${line}`));
  }
  child.on('exit', (code, signal) => {
    if (children.get(service) !== child) return; // replaced by a --watch restart
    children.delete(service);
    if (stopping) return;
    if (watcher && service === watched) {
      say(`${service} exited (${signal ?? `code ${code}`}); fix it and save a file to restart it`);
      return;
    }
    if (service === 'portal') {
      // A client of the graph, not part of it: the graph keeps serving without it.
      say(`portal exited (${signal ?? `code ${code}`}); the graph keeps running without it (PORTAL_PORT to use another port)`);
      return;
    }
    say(`${service} exited (${signal ?? `code ${code}`}); stopping the graph`);
    void stopAll(1);
  });
}

/**
 * True when `url` answers 2xx within a second. node:http rather than fetch: this runs ten times a
 * second for each starting service, and a refused connection costs fetch several times more.
 */
function answersOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

/** Waits for `service` to answer /readyz; fails at once if `child` (its process) exits first. */
async function waitReady(service: Process, child?: ChildProcess): Promise<void> {
  const url = config().localUrl(portOf(service), '/readyz');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopping');
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`it exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready`);
    }
    if (await answersOk(url)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`${service} was not ready at ${url} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopAll(exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping every service...');
  watcher?.close();
  await Promise.all([...children.values()].map(stopChild));
  say('stopped');
  process.exit(exitCode);
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** --watch: replaces a subgraph's process with a fresh one and waits until it is ready. */
async function restart(service: SubgraphName): Promise<void> {
  const previous = children.get(service);
  children.delete(service); // so that its exit is not taken for a crash
  if (previous) await stopChild(previous);
  launch(service);
  await waitReady(service, children.get(service));
}

/**
 * --watch: the gateway follows a development supergraph under DATA_DIR, never the committed one.
 * Call before the gateway is launched; returns what starts following the subgraph's folder,
 * to call once the subgraph has been launched.
 */
function prepareWatching(service: SubgraphName): () => void {
  const { watchSubgraph, writeLiveSupergraph } = require('./watch') as typeof import('./watch');
  const supergraphPath = join(config().dataDir, 'watch', 'supergraph.graphql');
  writeLiveSupergraph(supergraphPath, say);
  // Read by the gateway (gateway/src/supergraph-source.ts), which inherits this environment.
  process.env.SUPERGRAPH_PATH = supergraphPath;
  process.env.SUPERGRAPH_WATCH = '1';
  return () => {
    watcher = watchSubgraph({ subgraph: service, supergraphPath, restart: () => restart(service), say });
  };
}

/** A short query to paste; the full one is the registered CitizenFullHistory operation. */
const EXAMPLE_QUERY = `{ citizen(id: "cit_000001") { name { full } birthDate
  health { encounters(first: 3) { edges { node { title occurredAt } } } }
  education { enrollments(first: 3) { edges { node { title } } } }
  transport { drivingLicence { title } vehicles(first: 3) { edges { node { title } } } }
  tax { returns(first: 3) { edges { node { title } } } }
  socialSecurity { contributions(first: 3) { edges { node { title } } } pension { title } } } }`;

/** Development tokens for the example: the citizen themself, and a health officer. */
async function exampleTokens(): Promise<{ citizen: string; officer: string }> {
  // Loaded once the graph is up: nothing before it waits for them.
  const { devIssuerKey } = require('../lib/auth/setup') as typeof import('../lib/auth/setup');
  const { signUserToken } = require('../lib/auth/tokens') as typeof import('../lib/auth/tokens');
  const cfg = config();
  const key = await devIssuerKey(cfg);
  const options = { ttlSeconds: 12 * 3600, issuer: cfg.auth.issuer, audience: cfg.auth.audience };
  return {
    citizen: await signUserToken(key, { sub: 'cit_000001', role: 'citizen' }, options),
    officer: await signUserToken(key, { sub: 'officer-1', role: 'officer', department: 'HEALTH' }, options),
  };
}

async function banner(portal: string | undefined): Promise<void> {
  const url = config().localUrl(config().port('gateway'), '/graphql');
  const body = JSON.stringify({ query: EXAMPLE_QUERY.replace(/\s+/g, ' ') });
  const tokens = await exampleTokens();
  const { listeningOn } = require('../lib/http') as typeof import('../lib/http');
  console.log(`
Citizen Graph is up: ${url}  (Apollo Sandbox in a browser)${portal ? `\nCitizen portal:      ${portal}  (in a browser; sign in as a seeded citizen, e.g. cit_000001)` : ''}

A citizen across all five departments, in one request:

${EXAMPLE_QUERY}

As the citizen cit_000001 (development token, valid 12 hours):

CITIZEN_TOKEN=${tokens.citizen}
curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer $CITIZEN_TOKEN" \\
  --data '${body}'

As a health officer (their own section and identity basics; a purpose is required):

OFFICER_TOKEN=${tokens.officer}
curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer $OFFICER_TOKEN" -H 'x-purpose: HEALTH_CARE' \\
  --data '${body}'

More tokens: npm run --silent token -- <citizen|officer|auditor> [--sub ID] [--department D]
The whole history, every record type: ${relative(ROOT, EXAMPLE_PATH)} (variables: {"id": "cit_000001"})
Services: ${[...SUBGRAPHS, 'gateway'].map((s) => `${s} :${config().port(s as ServiceName)}`).join(', ')}, all ${listeningOn(config().host)}
Press Ctrl-C to stop them all.
`);
}

/** The portal's URL once it is ready, or undefined (said why) if it did not start. */
async function portalReady(child: ChildProcess | undefined): Promise<string | undefined> {
  try {
    await waitReady('portal', child);
    return config().localUrl(config().portalPort, '/');
  } catch (error) {
    if (stopping) throw error;
    say(`the citizen portal did not start: ${(error as Error).message}`);
    return undefined;
  }
}

/** The bundle of every service, or undefined (said why) when they cannot be built: tsx then runs the sources. */
async function bundleServices(): Promise<Record<string, string> | undefined> {
  const services: Process[] = [...SUBGRAPHS, 'gateway', 'portal'];
  try {
    const result = await serviceBundles(Object.fromEntries(services.map((service) => [service, entryPoint(service)])));
    if (result.built) say(`compiled the services in ${(result.ms / 1000).toFixed(1)} s (${relative(ROOT, dirname(result.paths.gateway))}; again when a source file changes)`);
    return result.paths;
  } catch (error) {
    const why = (error as Error).message.split('\n').filter(Boolean).slice(0, 3).join(' ');
    say(`could not compile the services (${why}); running their TypeScript with tsx instead`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const startedAt = commandStartedAt();
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  // Only `--watch` loads the watcher (and Apollo's composition with it).
  const args = process.argv.slice(2);
  if (args.length) watched = (require('./watch') as typeof import('./watch')).watchOptionOrExit(args);
  // esbuild compiles (in its own process) while the stores are checked and, on first start, seeded.
  const compiled = bundleServices();
  await seedIfEmpty();
  bundles = await compiled;
  const watch = watched ? prepareWatching(watched) : undefined;
  say(`starting ${SUBGRAPHS.length} subgraphs and the gateway...`);
  for (const service of SUBGRAPHS) launch(service);
  launch('gateway');
  watch?.();
  await Promise.all(SUBGRAPHS.map(async (service) => {
    await waitReady(service);
    say(`${service} ready on :${config().port(service)}`);
  }));
  await waitReady('gateway');
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  say(`graph ready in ${seconds} s (from the start of the command until the gateway on :${config().port('gateway')} answered, every subgraph ready)`);
  // The portal builds its app (when its sources changed) and serves it; a client of the graph, it starts last.
  launch('portal');
  await banner(await portalReady(children.get('portal')));
  if (watched) say(`watching subgraphs/${watched}/: a change restarts ${watched}; a schema change also recomposes the graph`);
}

main().catch((error: Error) => {
  if (!stopping) {
    console.error(`[start] failed: ${error.message}`);
    void stopAll(1);
  }
});
