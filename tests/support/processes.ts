/**
 * The real graph as separate processes, started the way `npm start` starts it
 * (`node --import tsx <entry point>`), for fault tests that kill, pause, restart and stop
 * services: every service on a free port, over a temporary DATA_DIR whose stores are seeded
 * first, each process waited on at `/readyz`, its output kept for failure messages. And a
 * private PostgreSQL cluster (initdb + pg_ctl in a temporary directory, on a free port) that a
 * test may stop and start without touching the machine's shared server.
 *
 * Everything started here is registered for clean-up: `stop()` in `afterAll`, and, should the
 * test process die first, a synchronous kill on its exit.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Socket, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyLike } from 'jose';
import { devKeyPair, devSecret, importPrivateKey } from '../../lib/auth/keys';
import { DEV_ISSUER_KEY, INTERNAL_SECRET } from '../../lib/auth/setup';
import { signUserToken, type UserTokenClaims } from '../../lib/auth/tokens';
import { envPrefix, SUBGRAPHS, type ServiceName, type SubgraphName } from '../../lib/config';
import { openDb, type Db } from '../../lib/db';
import { seedStores } from '../../seed/run';

const ROOT = join(__dirname, '..', '..');
const SERVICES: readonly ServiceName[] = [...SUBGRAPHS, 'gateway'];
const READY_TIMEOUT_MS = 90_000;
/** Output kept per process (the tail), for failure messages. */
const LOG_LIMIT = 256 * 1024;

export const entryPoint = (service: ServiceName) =>
  service === 'gateway' ? join(ROOT, 'gateway', 'src', 'index.ts') : join(ROOT, 'subgraphs', service, 'src', 'index.ts');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Free TCP ports on 127.0.0.1, all held open together so that they are distinct. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Polls `check` every `everyMs` until it returns a value that is not `undefined`/`false`; throws `describe()` after `timeoutMs`. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  options: { timeoutMs?: number; everyMs?: number; describe?: () => string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${options.timeoutMs ?? 30_000} ms waiting for ${what}${options.describe ? `\n${options.describe()}` : ''}`);
    await sleep(options.everyMs ?? 50);
  }
}

/** True while a process with this id exists (a stopped one included). */
export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether a TCP connection to 127.0.0.1:`port` is refused (nothing listens), accepted, or reset
 * (the listener closed while the connection waited to be accepted).
 */
export function probePort(port: number): Promise<'refused' | 'accepted' | 'reset'> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else if (error.code === 'ECONNRESET') resolve('reset');
      else reject(error);
    });
    socket.connect(port, '127.0.0.1');
  });
}

/**
 * Bytes the kernel holds for `port`'s listening service that it has not read yet (Linux,
 * /proc/net/tcp*), on open connections and on those the client has since closed: a request sent
 * to a stopped (SIGSTOP) process waits there. Lets a test know that a request has reached a
 * service, or that none has, without guessing with a sleep.
 */
export function unreadBytesAt(port: number): number {
  let total = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 5) continue;
      const localPort = parseInt(fields[1].split(':').pop()!, 16);
      const state = fields[3];
      const rxQueue = parseInt(fields[4].split(':')[1], 16);
      if (localPort === port && (state === '01' || state === '08')) total += rxQueue; // ESTABLISHED, CLOSE_WAIT
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Clean-up of everything started here, even when the test process exits without afterAll.

const livePids = new Set<number>();
const liveClusters = new Set<PostgresCluster>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of livePids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const cluster of liveClusters) cluster.destroy();
  });
}

// ---------------------------------------------------------------------------------------------
// A private PostgreSQL cluster.

export interface PostgresCluster {
  readonly port: number;
  readonly dir: string;
  /** A connection URL for `database` on this cluster (created by the services if missing). */
  url(database: string): string;
  /** `pg_ctl start` (waits until it accepts connections). */
  start(): void;
  /** `pg_ctl stop -m fast`: terminates every session and shuts down (waits until it has). */
  stop(): void;
  running(): boolean;
  /** The server's log, for failure messages. */
  log(): string;
  /** Stops it (immediate) and removes its directory; synchronous, so that an exit hook can call it. */
  destroy(): void;
}

/** The directory holding `initdb` and `pg_ctl`: the newest /usr/lib/postgresql/<version>/bin, or `pg_config --bindir`. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')) && existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length) return join(base, versions[0], 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // fall through to the message below
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/<version>/bin or `pg_config --bindir`. ' +
      'The fault tests start a private PostgreSQL cluster to stop and start it; install the server package (e.g. apt-get install postgresql).',
  );
}

/**
 * initdb + pg_ctl start in a new temporary directory, listening on 127.0.0.1 on a free port,
 * trust authentication for the `postgres` role. As root the server runs as the `postgres` OS
 * user (it refuses to run as root), which owns the directory.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  installExitHook();
  const bin = postgresBinDir();
  const [port] = await freePorts(1);
  const dir = mkdtempSync(join(tmpdir(), 'citizen-graph-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    try {
      return execFileSync(command, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${tool} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${readLog()}`);
    }
  };
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-8000) : '');
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  let up = false;
  let destroyed = false;
  const cluster: PostgresCluster = {
    port,
    dir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start() {
      run('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '60', 'start']);
      up = true;
    },
    stop() {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
      up = false;
    },
    running: () => up,
    log: readLog,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      liveClusters.delete(cluster);
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // not running
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  liveClusters.add(cluster);
  cluster.start();
  return cluster;
}

// ---------------------------------------------------------------------------------------------
// The graph's processes.

export interface ServiceProcess {
  readonly service: ServiceName;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited: its code, or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

export interface ProcessGraphOptions {
  /** Citizens seeded into every store before the services start. */
  citizens: number;
  /** PostgreSQL URLs for some subgraphs' stores (`<SERVICE>_DATABASE_URL`); the others are embedded (PGlite) under DATA_DIR. */
  databaseUrls?: Partial<Record<SubgraphName, string>>;
  /** Extra environment for every process (e.g. SUBGRAPH_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export interface ProcessGraph {
  readonly dataDir: string;
  /** The gateway's GraphQL URL. */
  readonly url: string;
  readonly ports: Readonly<Record<ServiceName, number>>;
  /** The running (or last) process of a service. */
  process(service: ServiceName): ServiceProcess;
  /** `http://127.0.0.1:<port><path>` of a service. */
  endpoint(service: ServiceName, path: string): string;
  /** The output a service's processes have written (the tail). */
  logs(service: ServiceName): string;
  /** The tail of every service's output, for failure messages. */
  allLogs(lines?: number): string;
  /** SIGKILL, and wait until the process is gone. */
  kill(service: ServiceName): Promise<void>;
  /** SIGSTOP: the process hangs (its port still accepts connections; nothing answers). */
  pause(service: ServiceName): void;
  /** SIGCONT after `pause`. */
  resume(service: ServiceName): void;
  /** Sends SIGTERM (graceful shutdown); resolves with how the process exited. */
  terminate(service: ServiceName): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts a service's process again (after kill or terminate) and waits until it is ready. */
  restart(service: ServiceName): Promise<ServiceProcess>;
  /** GET `/readyz` of a service: its HTTP status, or `refused` when nothing listens. */
  readyz(service: ServiceName): Promise<number | 'refused'>;
  /** GET `/healthz`: 200 while the process is up and serving. */
  healthz(service: ServiceName): Promise<number | 'refused'>;
  /** A development bearer token, signed with the issuer key under DATA_DIR/keys as `npm run token` does. */
  token(claims: UserTokenClaims, ttlSeconds?: number): Promise<string>;
  /** Stops every process (SIGCONT, SIGTERM, SIGKILL after 5 s) and removes DATA_DIR. */
  stop(): Promise<void>;
}

async function getStatus(url: string): Promise<number | 'refused'> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
}

/**
 * Seeds the stores (embedded under a fresh DATA_DIR, or the given PostgreSQL databases), makes
 * the development keys, starts every subgraph and then the gateway as their own processes, and
 * waits until the gateway's `/readyz` (every subgraph ready) answers 200.
 */
export async function startProcessGraph(options: ProcessGraphOptions): Promise<ProcessGraph> {
  installExitHook();
  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-faults-'));
  const portList = await freePorts(SERVICES.length);
  const ports = Object.fromEntries(SERVICES.map((service, i) => [service, portList[i]])) as Record<ServiceName, number>;
  const endpoint = (service: ServiceName, path: string) => `http://127.0.0.1:${ports[service]}${path}`;

  const env: NodeJS.ProcessEnv = { ...process.env };
  // Nothing from the surrounding environment decides where a store is, which supergraph is
  // served, or shares the rate-limit counters (REDIS_URL) with other suites.
  for (const name of Object.keys(env)) {
    if (name === 'DATABASE_URL' || name.endsWith('_DATABASE_URL') || name.startsWith('SUPERGRAPH_') || name === 'REDIS_URL') delete env[name];
  }
  Object.assign(env, {
    NODE_ENV: 'development',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The tests send hundreds of requests from one address and one principal in a minute.
    RATE_LIMIT_PER_PRINCIPAL: '0',
    RATE_LIMIT_PER_ADDRESS: '0',
  });
  for (const service of SERVICES) env[`${envPrefix(service)}_PORT`] = String(ports[service]);
  for (const service of SUBGRAPHS) env[`${envPrefix(service)}_URL`] = endpoint(service, '/graphql');
  for (const [service, url] of Object.entries(options.databaseUrls ?? {})) env[`${envPrefix(service)}_DATABASE_URL`] = url;
  Object.assign(env, options.env ?? {});

  // The stores, seeded as `npm run seed` does, before any service opens them.
  const stores = {} as Record<SubgraphName, Db>;
  try {
    await Promise.all(
      SUBGRAPHS.map(async (service) => {
        const url = options.databaseUrls?.[service];
        stores[service] = await openDb(url ? { kind: 'postgres', url, poolSize: 4 } : { kind: 'pglite', dataDir: join(dataDir, service) });
      }),
    );
    await seedStores(stores, { citizens: options.citizens, batchSize: 500 });
  } finally {
    await Promise.all(Object.values(stores).map((db) => db.close()));
  }
  // The development keys, made once here (the services would make the same on first use).
  const issuerPem = devKeyPair(dataDir, DEV_ISSUER_KEY);
  devSecret(dataDir, INTERNAL_SECRET);
  const issuerKey: KeyLike = await importPrivateKey(issuerPem.privateKey);

  const current = new Map<ServiceName, ServiceProcess>();
  const output = new Map<ServiceName, string>();
  const append = (service: ServiceName, text: string) => {
    const all = (output.get(service) ?? '') + text;
    output.set(service, all.length > LOG_LIMIT ? all.slice(-LOG_LIMIT) : all);
  };
  const logs = (service: ServiceName) => output.get(service) ?? '';
  const allLogs = (lines = 30) =>
    SERVICES.map((service) => `--- ${service} (last ${lines} lines) ---\n${logs(service).split('\n').slice(-lines - 1).join('\n')}`).join('\n');

  const launch = (service: ServiceName): ServiceProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', entryPoint(service)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (!child.pid) throw new Error(`${service} did not start`);
    const pid = child.pid;
    livePids.add(pid);
    child.stdout!.on('data', (chunk: Buffer) => append(service, chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => append(service, chunk.toString()));
    let done = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => {
        done = true;
        livePids.delete(pid);
        append(service, `\n[${service} exited: ${signal ?? `code ${code}`}]\n`);
        resolve({ code, signal });
      }),
    );
    const proc: ServiceProcess = { service, child, pid, exited, hasExited: () => done };
    current.set(service, proc);
    return proc;
  };

  const waitReady = async (service: ServiceName, proc: ServiceProcess) => {
    await waitUntil(
      async () => {
        if (proc.hasExited()) throw new Error(`${service} exited before it was ready:\n${logs(service)}`);
        return (await getStatus(endpoint(service, '/readyz')).catch(() => 'refused')) === 200;
      },
      `${service} to answer /readyz`,
      { timeoutMs: READY_TIMEOUT_MS, everyMs: 200, describe: () => logs(service) },
    );
  };

  const processOf = (service: ServiceName) => {
    const proc = current.get(service);
    if (!proc) throw new Error(`${service} was never started`);
    return proc;
  };

  const stopOne = async (proc: ServiceProcess) => {
    if (proc.hasExited()) return;
    try {
      process.kill(proc.pid, 'SIGCONT');
      process.kill(proc.pid, 'SIGTERM');
    } catch {
      // gone already
    }
    const timer = setTimeout(() => proc.child.kill('SIGKILL'), 5000);
    await proc.exited;
    clearTimeout(timer);
  };

  const graph: ProcessGraph = {
    dataDir,
    url: endpoint('gateway', '/graphql'),
    ports,
    process: processOf,
    endpoint,
    logs,
    allLogs,
    async kill(service) {
      const proc = processOf(service);
      proc.child.kill('SIGKILL');
      await proc.exited;
    },
    pause(service) {
      process.kill(processOf(service).pid, 'SIGSTOP');
    },
    resume(service) {
      process.kill(processOf(service).pid, 'SIGCONT');
    },
    async terminate(service) {
      const proc = processOf(service);
      proc.child.kill('SIGTERM');
      return proc.exited;
    },
    async restart(service) {
      const previous = processOf(service);
      if (!previous.hasExited()) throw new Error(`${service} is still running (pid ${previous.pid}); kill or terminate it first`);
      const proc = launch(service);
      await waitReady(service, proc);
      return proc;
    },
    readyz: (service) => getStatus(endpoint(service, '/readyz')),
    healthz: (service) => getStatus(endpoint(service, '/healthz')),
    token: (claims, ttlSeconds = 3600) => signUserToken(issuerKey, claims, { ttlSeconds }),
    async stop() {
      await Promise.all([...current.values()].map(stopOne));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  try {
    const subgraphs = SUBGRAPHS.map((service) => [service, launch(service)] as const);
    await Promise.all(subgraphs.map(([service, proc]) => waitReady(service, proc)));
    await waitReady('gateway', launch('gateway'));
  } catch (error) {
    await graph.stop();
    throw error;
  }
  return graph;
}

