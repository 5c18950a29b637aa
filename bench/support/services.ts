/**
 * The processes a benchmark run starts: the seven subgraphs on the real PostgreSQL server, and
 * one gateway at a time (ours, plain Apollo, Hive Gateway, Hive Gateway on its Rust query planner).
 * Every process gets the probe preloaded (support/probe.mjs: request, statement and memory counters
 * on a side port) and production-like settings: NODE_ENV=production, configured keys, warn-level
 * logs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serviceKey } from '../../lib/auth/internal-keys';
import { generateKeyPairPem } from '../../lib/auth/keys';
import { EVIDENCE_ISSUERS } from '../../lib/procedures';
import { envPrefix, SUBGRAPHS, type SubgraphName } from '../../lib/config';
import { hiveGatewayBin } from './dependencies';
import { GATEWAYS, type GatewayName } from './types';

export const ROOT = join(__dirname, '..', '..');
export const PROBE = join(__dirname, 'probe.mjs');
export const BENCH_DATA_DIR = join(ROOT, 'data', 'bench');

export interface Ports {
  subgraph(name: SubgraphName): number;
  gateway(name: GatewayName): number;
  /** The probe's side port for a process of the run. */
  probe(process: SubgraphName | GatewayName): number;
}

/** Ports from `base`: subgraphs base+1..7 (in their usual order), gateways base+10..13 (in GATEWAYS' order), probes base+20..30. */
export function portsFrom(base: number): Ports {
  const gateways: readonly GatewayName[] = GATEWAYS;
  const order = [...SUBGRAPHS, ...gateways] as const;
  return {
    subgraph: (name) => base + 1 + SUBGRAPHS.indexOf(name),
    gateway: (name) => base + 10 + gateways.indexOf(name),
    probe: (name) => base + 20 + order.indexOf(name as never),
  };
}

export const subgraphUrl = (ports: Ports, name: SubgraphName) => `http://127.0.0.1:${ports.subgraph(name)}/graphql`;

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  probePort: number;
  /** The last lines it wrote (for errors). */
  tail: string[];
  stop(): Promise<void>;
}

function launch(name: string, args: string[], env: Record<string, string>, probePort: number, quiet: boolean): Proc {
  const child = spawn(process.execPath, ['--import', PROBE, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, BENCH_PROBE_PORT: String(probePort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      if (!quiet) process.stderr.write(`[${name}] ${line}\n`);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    pid: child.pid!,
    probePort,
    tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until `check` resolves true; fails if the process exits first or after `timeoutMs`. */
export async function waitUntil(proc: Proc, what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) {
      throw new Error(`${proc.name} exited before ${what}:\n${proc.tail.join('\n')}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${proc.name} was not ${what} within ${timeoutMs / 1000} s:\n${proc.tail.join('\n')}`);
}

const ok = (url: string, init?: RequestInit) =>
  fetch(url, { ...init, signal: AbortSignal.timeout(2000) }).then((response) => response.ok);

export interface Keys {
  issuer: { privateKey: string; publicKey: string };
  /** The gateway's master secret of internal tokens; each subgraph is given only its own key, derived from it. */
  internalSecret: Uint8Array;
  /** The longest internal-token lifetime the subgraphs accept (the peers' fixed tokens last the whole run). */
  internalTokenTtl: number;
  /** The audit service's checkpoint-signing pair (NODE_ENV=production refuses to start without AUDIT_SIGNING_KEY). */
  checkpoint: { privateKey: string; publicKey: string };
}

export interface StartOptions {
  ports: Ports;
  databaseUrl: string;
  keys: Keys;
  quiet: boolean;
  /** Extra environment for the subgraphs (e.g. BENCH_PROBE_SQL=1). */
  env?: Record<string, string>;
  /** When set, each subgraph writes a V8 CPU profile into `<profileDir>/<subgraph>/` when it stops. */
  profileDir?: string;
}

/** Starts the subgraphs (each its own process) and waits until each answers /readyz. */
export async function startSubgraphs(options: StartOptions): Promise<Map<SubgraphName, Proc>> {
  const procs = new Map<SubgraphName, Proc>();
  for (const name of SUBGRAPHS) {
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATA_DIR: BENCH_DATA_DIR,
      DATABASE_URL: options.databaseUrl,
      INTERNAL_TOKEN_KEY: Buffer.from(serviceKey(options.keys.internalSecret, name)).toString('base64url'),
      INTERNAL_TOKEN_TTL: String(options.keys.internalTokenTtl),
      [`${envPrefix(name)}_PORT`]: String(options.ports.subgraph(name)),
      // Only the audit service signs checkpoints, so only it is given the private key.
      ...(name === 'audit' ? { AUDIT_SIGNING_KEY: options.keys.checkpoint.privateKey } : {}),
      // Each department signs its evidence with its own key (production refuses to start without it).
      ...((EVIDENCE_ISSUERS as readonly string[]).includes(name) ? { [`${envPrefix(name)}_SIGNING_KEY`]: generateKeyPairPem().privateKey } : {}),
      ...options.env,
    };
    const entry = join(ROOT, 'subgraphs', name, 'src', 'index.ts');
    const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, name)}`] : [];
    procs.set(name, launch(name, [...profile, '--import', 'tsx', entry], env, options.ports.probe(name), options.quiet));
  }
  try {
    await Promise.all(
      [...procs].map(([name, proc]) =>
        waitUntil(proc, 'ready', () => ok(`http://127.0.0.1:${options.ports.subgraph(name)}/readyz`), 600_000),
      ),
    );
  } catch (error) {
    await Promise.all([...procs.values()].map((p) => p.stop()));
    throw error;
  }
  return procs;
}

/** The supergraph with every subgraph's URL pointing at this run's ports (for the peers). */
export function writeBenchSupergraph(ports: Ports): string {
  let sdl = readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8');
  for (const name of SUBGRAPHS) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`), `$1${subgraphUrl(ports, name)}$2`);
  }
  mkdirSync(BENCH_DATA_DIR, { recursive: true });
  const path = join(BENCH_DATA_DIR, 'supergraph.graphql');
  writeFileSync(path, sdl);
  return path;
}

export interface GatewayStart extends StartOptions {
  /** The gateway's token for each subgraph, for the peers (they send them as they are). */
  peerSubgraphTokens: Record<SubgraphName, string>;
  supergraphPath: string;
  /** Extra node flags (e.g. --expose-gc in soak mode). */
  nodeFlags?: string[];
}

/** Starts one gateway and waits until it serves. */
export async function startGateway(gateway: GatewayName, options: GatewayStart): Promise<Proc> {
  const port = options.ports.gateway(gateway);
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATA_DIR: BENCH_DATA_DIR };
  const flags = options.nodeFlags ?? [];
  let proc: Proc;
  if (gateway === 'citizen-graph') {
    const env: Record<string, string> = {
      ...common,
      GATEWAY_PORT: String(port),
      AUTH_PUBLIC_KEY: options.keys.issuer.publicKey,
      INTERNAL_TOKEN_SECRET: Buffer.from(options.keys.internalSecret).toString('base64url'),
      // As in a production deployment on one server: the gateway appends the access trail into the
      // audit store itself (TRAIL_WRITER=auto: the store, a PostgreSQL server), no hop to the audit service.
      DATABASE_URL: options.databaseUrl,
      // The limiter stays on (its cost is measured) with limits above anything the benchmark sends from one address and principal.
      RATE_LIMIT_PER_PRINCIPAL: '100000000',
      RATE_LIMIT_PER_ADDRESS: '100000000',
    };
    for (const name of SUBGRAPHS) env[`${envPrefix(name)}_URL`] = subgraphUrl(options.ports, name);
    proc = launch(gateway, [...flags, '--import', 'tsx', join(ROOT, 'gateway', 'src', 'index.ts')], env, options.ports.probe(gateway), options.quiet);
    await waitUntil(proc, 'ready', () => ok(`http://127.0.0.1:${port}/readyz`));
    return proc;
  }
  const peerEnv = {
    ...common,
    BENCH_SUPERGRAPH_PATH: options.supergraphPath,
    BENCH_SUBGRAPH_TOKENS: JSON.stringify(options.peerSubgraphTokens),
    PORT: String(port),
  };
  if (gateway === 'apollo-gateway') {
    proc = launch(gateway, [...flags, '--import', 'tsx', join(__dirname, '..', 'peers', 'apollo-gateway.ts')], peerEnv, options.ports.probe(gateway), options.quiet);
  } else {
    // Both Hive peers: the same CLI and flags; hive-router-runtime's config adds the Rust query planner.
    const config = join(__dirname, '..', 'peers', `${gateway}.config.ts`);
    proc = launch(
      gateway,
      [...flags, hiveGatewayBin(), 'supergraph', options.supergraphPath, '--config-path', config, '--port', String(port), '--host', '127.0.0.1', '--fork', '1'],
      peerEnv,
      options.ports.probe(gateway),
      options.quiet,
    );
  }
  // Serving: any HTTP answer to a GraphQL POST (the warm-up then brings it up to speed).
  await waitUntil(proc, 'serving', () =>
    fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(2000),
    }).then((response) => response.status < 500),
  );
  return proc;
}

export interface ProbeCounters {
  pid: number;
  requests: Record<string, number>;
  statements: number;
  connections: number;
  memory: NodeJS.MemoryUsage;
}

export async function probe(proc: Proc, path = '/'): Promise<ProbeCounters> {
  const response = await fetch(`http://127.0.0.1:${proc.probePort}${path}`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as ProbeCounters;
}
