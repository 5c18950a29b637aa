/**
 * `npm start`: the whole graph on this machine. Seeds the stores on first start, runs every
 * subgraph and then the gateway as separate processes, waits until each is ready, prints where
 * to send queries, and stops them all on Ctrl-C (or when any of them dies).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { config, SUBGRAPHS, type ServiceName, type SubgraphName } from '../lib/config';
import { listeningOn } from '../lib/http';
import { devIssuerKey } from '../lib/auth/setup';
import { signUserToken } from '../lib/auth/tokens';
import { resolveDbTarget, openDb } from '../lib/db';
import { migrate } from '../lib/migrate';
import { openStores, progressLine } from '../seed';
import { migrationsDir, seedStores } from '../seed/run';
import { watchOptionOrExit, watchSubgraph, writeLiveSupergraph, type SubgraphWatcher } from './watch';

const ROOT = join(__dirname, '..');
const READY_TIMEOUT_MS = 120_000;
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
const watched = watchOptionOrExit(process.argv.slice(2));
let watcher: SubgraphWatcher | undefined;

function say(message: string): void {
  console.log(`[start] ${message}`);
}

/** Seeds every store when the registry is empty (first start). */
async function seedIfEmpty(): Promise<void> {
  const identity = await openDb(resolveDbTarget('identity'));
  let citizens: number;
  try {
    await migrate(identity, migrationsDir('identity'));
    const [row] = await identity.query<{ count: number }>('SELECT count(*)::int AS count FROM citizens');
    citizens = row.count;
  } finally {
    await identity.close();
  }
  if (citizens > 0) {
    say(`stores hold ${citizens.toLocaleString('en-US')} citizens; not seeding (npm run seed to re-seed)`);
    return;
  }
  const total = config().defaultSeedCitizens;
  say(`first start: seeding ${total.toLocaleString('en-US')} citizens (SEED_CITIZENS to change)`);
  const stores = await openStores();
  try {
    await seedStores(stores, { citizens: total, batchSize: 500, onProgress: (p) => say(`seed ${progressLine(p)}`) });
  } finally {
    await Promise.all(Object.values(stores).map((db) => db.close()));
  }
}

function launch(service: Process): void {
  const child = spawn(process.execPath, ['--import', 'tsx', entryPoint(service)], {
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

/** Waits for `service` to answer /readyz; fails at once if `child` (its process) exits first. */
async function waitReady(service: Process, child?: ChildProcess): Promise<void> {
  const url = config().localUrl(portOf(service), '/readyz');
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('stopping');
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      throw new Error(`it exited (${child.signalCode ?? `code ${child.exitCode}`}) before it was ready`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
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

/** --watch: the gateway follows a development supergraph under DATA_DIR, never the committed one. */
function startWatching(service: SubgraphName): void {
  const supergraphPath = join(config().dataDir, 'watch', 'supergraph.graphql');
  writeLiveSupergraph(supergraphPath, say);
  // Read by the gateway (gateway/src/supergraph-source.ts), which inherits this environment.
  process.env.SUPERGRAPH_PATH = supergraphPath;
  process.env.SUPERGRAPH_WATCH = '1';
  watcher = watchSubgraph({ subgraph: service, supergraphPath, restart: () => restart(service), say });
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

async function main(): Promise<void> {
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  const started = Date.now();
  await seedIfEmpty();
  say(`starting ${SUBGRAPHS.length} subgraphs...`);
  for (const service of SUBGRAPHS) launch(service);
  // The portal builds its app (when its sources changed) while the subgraphs start.
  launch('portal');
  const portal = children.get('portal');
  await Promise.all(SUBGRAPHS.map(async (service) => {
    await waitReady(service);
    say(`${service} ready on :${config().port(service)}`);
  }));
  if (watched) startWatching(watched);
  launch('gateway');
  await waitReady('gateway');
  say(`gateway ready on :${config().port('gateway')} (${((Date.now() - started) / 1000).toFixed(1)} s in all)`);
  await banner(await portalReady(portal));
  if (watched) say(`watching subgraphs/${watched}/: a change restarts ${watched}; a schema change also recomposes the graph`);
}

main().catch((error: Error) => {
  if (!stopping) {
    console.error(`[start] failed: ${error.message}`);
    void stopAll(1);
  }
});
