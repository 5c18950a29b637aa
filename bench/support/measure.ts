/**
 * Measures one gateway on one scenario: the load generator (its own process) warms it up and
 * then drives it at fixed concurrency; around the measured run the orchestrator reads CPU time
 * from /proc for the gateway, the subgraphs, the PostgreSQL backends of the run's databases and
 * the load generator. Then a sequential sample of requests counts, through the probes, the
 * subgraph fetches and SQL statements each request makes, and checks each response in full.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { SubgraphName } from '../../lib/config';
import { checkResponse } from './check';
import { cpuMs, pidsWithCmdline, sampleRss, treeCpuMs, treeRssBytes } from './proc';
import { BENCH_DATA_DIR, probe, ROOT, type ProbeCounters, type Proc } from './services';
import type { GatewayName, GatewayRun, LoadResult, LoadSpec, Variant } from './types';

export interface MeasureOptions {
  gateway: GatewayName;
  proc: Proc;
  url: string;
  subgraphs: Map<SubgraphName, Proc>;
  /** Text in the command line of this run's PostgreSQL backends (their database name prefix). */
  postgresMarker: string;
  variants: Variant[];
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Requests in the sequential counting sample. */
  sample: number;
  say: (line: string) => void;
  /** Called every `everyMs` during the measured run (soak mode samples memory with it). */
  onTick?: { everyMs: number; tick: (elapsedMs: number) => Promise<void> };
}

const mb = (bytes: number | undefined) => Math.round(((bytes ?? 0) / 1024 / 1024) * 10) / 10;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

interface CpuSnapshot {
  at: number;
  gateway: number;
  subgraphs: number;
  bySubgraph: Map<SubgraphName, number>;
  postgres: Map<number, number>;
}

function snapshot(options: MeasureOptions): CpuSnapshot {
  const postgres = new Map<number, number>();
  for (const pid of pidsWithCmdline(options.postgresMarker)) postgres.set(pid, cpuMs(pid) ?? 0);
  const bySubgraph = new Map<SubgraphName, number>();
  for (const [name, p] of options.subgraphs) bySubgraph.set(name, cpuMs(p.pid) ?? 0);
  return {
    at: Date.now(),
    bySubgraph,
    // The gateway's process tree: with a cluster mode its workers count too (tsx's loader thread is inside the process).
    gateway: treeCpuMs(options.proc.pid),
    subgraphs: [...options.subgraphs.values()].reduce((sum, p) => sum + (cpuMs(p.pid) ?? 0), 0),
    postgres,
  };
}

/** Runs the load generator; `onMeasuring` fires when its measured run starts. */
function runLoad(spec: LoadSpec, name: string, say: (line: string) => void, onMeasuring: () => void): Promise<LoadResult> {
  mkdirSync(BENCH_DATA_DIR, { recursive: true });
  const specPath = join(BENCH_DATA_DIR, `load-${name}.json`);
  writeFileSync(specPath, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load.ts'), specPath], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const errors: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (line.includes('measuring')) onMeasuring();
    if (line.startsWith('  ')) say(line.trim());
    else errors.push(line);
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      const last = output.trim().split('\n').pop();
      if (code !== 0 || !last) return reject(new Error(`load generator failed (exit ${code}): ${errors.slice(-10).join('\n')}`));
      resolve(JSON.parse(last) as LoadResult);
    });
  });
}

async function counters(subgraphs: Map<SubgraphName, Proc>): Promise<Map<SubgraphName, ProbeCounters>> {
  const entries = await Promise.all([...subgraphs].map(async ([name, proc]) => [name, await probe(proc)] as const));
  return new Map(entries);
}

/** Waits until no subgraph serves anything for a second: requests still queued from the load run have drained. */
async function waitQuiet(subgraphs: Map<SubgraphName, Proc>, timeoutMs = 60_000): Promise<void> {
  const total = (c: Map<SubgraphName, ProbeCounters>) =>
    [...c.values()].reduce((sum, p) => sum + p.statements + Object.values(p.requests).reduce((a, b) => a + b, 0), 0);
  const deadline = Date.now() + timeoutMs;
  let last = total(await counters(subgraphs));
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = total(await counters(subgraphs));
    if (now === last) return;
    last = now;
  }
}

export interface SampleResult {
  fetchesPerRequest: number;
  fetchesBySubgraph: Record<string, number>;
  trailWritesPerRequest: number;
  statementsPerRequest: number;
  statementsBySubgraph: Record<string, number>;
  /** One request at a time: latency without queueing (ms). */
  sequentialP50: number;
  sequentialP99: number;
  failures: string[];
}

/** Sends `count` requests one after another and counts what each one cost the subgraphs. */
export async function countingSample(options: Pick<MeasureOptions, 'url' | 'subgraphs' | 'variants'> & { proc?: Proc }, count: number, offset = 0): Promise<SampleResult> {
  await waitQuiet(options.subgraphs);
  const before = await counters(options.subgraphs);
  // The gateway's own statements: ours appends the access trail into the audit store itself.
  const gatewayBefore = options.proc ? await probe(options.proc).catch(() => undefined) : undefined;
  const latencies: number[] = [];
  const failures: string[] = [];
  for (let i = 0; i < count; i++) {
    const variant = options.variants[(offset + i) % options.variants.length];
    const started = performance.now();
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...variant.headers },
      body: variant.body,
    });
    const text = await response.text();
    latencies.push(performance.now() - started);
    const problem = response.ok ? checkResponse(variant, text) : `HTTP ${response.status}: ${text.slice(0, 300)}`;
    if (problem && failures.length < 3) failures.push(problem);
  }
  const after = await counters(options.subgraphs);
  const gatewayAfter = options.proc ? await probe(options.proc).catch(() => undefined) : undefined;
  const fetchesBySubgraph: Record<string, number> = {};
  const statementsBySubgraph: Record<string, number> = {};
  let trail = 0;
  for (const [name, end] of after) {
    const start = before.get(name)!;
    const fetches = (end.requests['/graphql'] ?? 0) - (start.requests['/graphql'] ?? 0);
    const statements = end.statements - start.statements;
    if (fetches) fetchesBySubgraph[name] = round(fetches / count);
    if (statements) statementsBySubgraph[name] = round(statements / count);
    trail += (end.requests['/trail'] ?? 0) - (start.requests['/trail'] ?? 0);
  }
  const gatewayStatements = gatewayBefore && gatewayAfter ? gatewayAfter.statements - gatewayBefore.statements : 0;
  if (gatewayStatements) {
    statementsBySubgraph.gateway = round(gatewayStatements / count);
    // Each is a batch of the access trail appended into the audit store (the gateway sends no other SQL).
    trail += gatewayStatements;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))], 1);
  return {
    fetchesPerRequest: round(Object.values(fetchesBySubgraph).reduce((a, b) => a + b, 0)),
    fetchesBySubgraph,
    trailWritesPerRequest: round(trail / count),
    statementsPerRequest: round(Object.values(statementsBySubgraph).reduce((a, b) => a + b, 0)),
    statementsBySubgraph,
    sequentialP50: at(0.5),
    sequentialP99: at(0.99),
    failures,
  };
}

export async function measureGateway(options: MeasureOptions): Promise<GatewayRun> {
  const rssStart = treeRssBytes(options.proc.pid);
  const spec: LoadSpec = {
    url: options.url,
    connections: options.connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    sampleEvery: 20,
    variants: options.variants,
  };
  let start: CpuSnapshot | undefined;
  let connectionsAtStart: Promise<Map<SubgraphName, ProbeCounters>> | undefined;
  let rss: ReturnType<typeof sampleRss> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const result = await runLoad(spec, options.gateway, options.say, () => {
    start = snapshot(options);
    connectionsAtStart = counters(options.subgraphs);
    rss = sampleRss(options.proc.pid);
    if (options.onTick) {
      const began = Date.now();
      const { everyMs, tick } = options.onTick;
      void tick(0).catch(() => undefined);
      ticker = setInterval(() => void tick(Date.now() - began).catch(() => undefined), everyMs);
    }
  });
  if (ticker) clearInterval(ticker);
  const end = snapshot(options);
  const connectionsAtEnd = await counters(options.subgraphs);
  const before = (await connectionsAtStart) ?? connectionsAtEnd;
  let newConnections = 0;
  for (const [name, c] of connectionsAtEnd) newConnections += c.connections - (before.get(name)?.connections ?? c.connections);
  const memory = rss?.stop() ?? { peakRss: treeRssBytes(options.proc.pid) ?? 0, lastRss: treeRssBytes(options.proc.pid) ?? 0 };
  const begin = start ?? end;
  const wallMs = Math.max(1, end.at - begin.at);
  let postgres = 0;
  for (const [pgPid, ms] of end.postgres) postgres += ms - (begin.postgres.get(pgPid) ?? 0);
  const requests = Math.max(1, result.requests);
  options.say(`  counting subgraph fetches and SQL statements over ${options.sample} sequential requests...`);
  const sample = await countingSample(options, options.sample, 7);
  const heap = await probe(options.proc).catch(() => undefined);
  return {
    gateway: options.gateway,
    ...result,
    fetchesPerRequest: sample.fetchesPerRequest,
    fetchesBySubgraph: sample.fetchesBySubgraph,
    trailWritesPerRequest: sample.trailWritesPerRequest,
    subgraphConnectionsPerRequest: Math.round((newConnections / requests) * 1000) / 1000,
    statementsPerRequest: sample.statementsPerRequest,
    statementsBySubgraph: sample.statementsBySubgraph,
    gatewayCpuCores: round((end.gateway - begin.gateway) / wallMs),
    gatewayCpuMsPerRequest: round((end.gateway - begin.gateway) / requests),
    subgraphsCpuMsPerRequest: round((end.subgraphs - begin.subgraphs) / requests),
    subgraphCpuMsPerRequest: Object.fromEntries([...end.bySubgraph].map(([name, ms]) => [name, round((ms - (begin.bySubgraph.get(name) ?? ms)) / requests)])),
    postgresCpuMsPerRequest: round(postgres / requests),
    loadGeneratorCpuMsPerRequest: round(result.loadCpuMs / requests),
    gatewayRssStartMb: mb(rssStart),
    gatewayRssPeakMb: mb(memory.peakRss),
    gatewayRssEndMb: mb(memory.lastRss),
    gatewayHeapEndMb: heap ? mb(heap.memory.heapUsed) : undefined,
    sequentialP50: sample.sequentialP50,
    sequentialP99: sample.sequentialP99,
    sampleProblems: sample.failures,
  };
}
