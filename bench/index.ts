/**
 * `npm run bench [-- options]`: our gateway against plain `@apollo/gateway` + `@apollo/server`,
 * Hive Gateway, and Hive Gateway on its Rust query planner (`@graphql-hive/router-runtime`) on
 * the same subgraphs, data and machine, in one run.
 *
 *   --scenario a|b|c|citizen-history|citizen-page|employer-deep|all  (comma list; default all)
 *   --citizens N        population (default 10000); seeded once into PostgreSQL and reused
 *   --duration S        measured seconds per gateway and scenario (default 15)
 *   --warmup S          warm-up seconds before each measured run (default 5)
 *   --connections N     autocannon concurrency (default 16)
 *   --gateways list     which gateways, of citizen-graph, apollo-gateway, hive-gateway, hive-router-runtime
 *                       (default all four; scale and soak: citizen-graph)
 *   --pool N            distinct requests (citizens, pages, businesses) cycled (default 1000)
 *   --rounds N          measure every gateway N times, alternating, and report each one's median round (default 1)
 *   --sample N          sequential requests that count fetches and SQL and give the one-at-a-time p50 (default 200)
 *   --scale N,M,...     scale mode: the scenario (default a) at each population, then p50 growth
 *   --soak S            soak mode: scenario a on our gateway for S seconds; RSS and heap over time
 *   --label TEXT        names the result files (bench/results/<date>-<label>.{json,md})
 *   --json              the last line of output is one JSON object {"<scenario>": {"<gateway>": {rps, p50, p99, errors}}}
 *   --explain           EXPLAIN (ANALYZE) every statement the scenarios send: bench/results/<date>-explain-<N>.md
 *   --profile           write each gateway's and subgraph's CPU profile to data/bench/profiles/ (V8 .cpuprofile)
 *   --verbose           show the services' own output
 *
 * Subgraphs are started once per population (separate processes, NODE_ENV=production) on
 * postgres://postgres@127.0.0.1:5432/cg_bench_<N>_<service> (BENCH_DATABASE_URL to change the
 * server), on ports from --port-base (default 4100); then the gateways one after another.
 *
 * The peers and the load generator are the benchmark's own dependencies (bench/package.json), not
 * the product's: the first run installs them into bench/node_modules (support/dependencies.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { gatewayTargetKeys } from '../lib/auth/internal-keys';
import { generateKeyPairPem, importPrivateKey } from '../lib/auth/keys';
import type { Principal } from '../lib/auth/principal';
import { signInternalToken } from '../lib/auth/tokens';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import { SCENARIO_INFO, SCENARIOS, scenarioNamed, variantsFor, type ScenarioName } from './scenarios';
import { ensureBenchDependencies } from './support/dependencies';
import { explainMarkdown, explainScenario } from './support/explain';
import { measureGateway } from './support/measure';
import { analyzePopulation, ensurePopulation, populationUrl, seedRecord } from './support/population';
import { BENCH_DATA_DIR, probe, portsFrom, startGateway, startSubgraphs, writeBenchSupergraph, type Keys, type Ports, type Proc } from './support/services';
import { consoleTable, markdown, ratio, summary, type RunReport } from './support/report';
import { GATEWAYS, type GatewayName, type GatewayRun } from './support/types';

const say = (line: string) => process.stderr.write(`[bench] ${line}\n`);

function int(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}; received ${JSON.stringify(raw)}`);
  return value;
}

function options() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      citizens: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      gateways: { type: 'string' },
      pool: { type: 'string' },
      rounds: { type: 'string' },
      sample: { type: 'string' },
      scale: { type: 'string' },
      soak: { type: 'string' },
      label: { type: 'string' },
      'port-base': { type: 'string' },
      json: { type: 'boolean' },
      profile: { type: 'boolean' },
      explain: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const soak = values.soak === undefined ? undefined : int('soak', values.soak, 600, 10);
  const scale = values.scale?.split(',').map((n) => int('scale', n.trim(), 0));
  // Scale and soak default to scenario (a) on our gateway; --explain to every scenario.
  const special = (soak !== undefined || scale !== undefined) && !values.explain;
  const scenarios: ScenarioName[] =
    !values.scenario || values.scenario === 'all'
      ? special ? ['citizen-history'] : [...SCENARIOS]
      : values.scenario.split(',').map((s) => scenarioNamed(s.trim()));
  const gateways = (values.gateways?.split(',').map((g) => g.trim()) ?? (special ? ['citizen-graph'] : [...GATEWAYS])) as GatewayName[];
  for (const g of gateways) if (!GATEWAYS.includes(g)) throw new Error(`--gateways: unknown gateway ${JSON.stringify(g)}; expected ${GATEWAYS.join(', ')}`);
  return {
    help: values.help,
    scenarios,
    gateways,
    citizens: int('citizens', values.citizens, 10_000),
    duration: soak ?? int('duration', values.duration, 15),
    warmup: int('warmup', values.warmup, 5, 0),
    connections: int('connections', values.connections, 16),
    pool: int('pool', values.pool, 1000),
    rounds: int('rounds', values.rounds, 1),
    sample: int('sample', values.sample, 200),
    scale,
    soak,
    label: values.label ?? (soak !== undefined ? 'soak' : scale ? 'scale' : undefined),
    portBase: int('port-base', values['port-base'], 4100),
    json: values.json ?? false,
    profile: values.profile ?? false,
    explain: values.explain ?? false,
    verbose: values.verbose ?? false,
  };
}
type Options = ReturnType<typeof options>;

async function postgresVersion(url: string): Promise<string> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return (await client.query('SHOW server_version')).rows[0].server_version as string;
  } finally {
    await client.end();
  }
}

function environment(pgVersion: string): Record<string, string | number> {
  return {
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    'load average at start (1/5/15 min)': loadavg().map((n) => n.toFixed(2)).join(' / '),
    postgresql: pgVersion,
  };
}

interface Running {
  ports: Ports;
  keys: Keys;
  issuerKey: Awaited<ReturnType<typeof importPrivateKey>>;
  /** The peers' fixed token for each subgraph (every subgraph refuses another's). */
  peerTokens: Record<SubgraphName, string>;
  supergraphPath: string;
  subgraphs: Map<SubgraphName, Proc>;
  citizens: number;
  /** Set once the subgraphs have served their first measured gateway (see `FIRST_WARMUP_SECONDS`). */
  warmed?: boolean;
  stop(): Promise<void>;
}

/**
 * Extra warm-up before the first gateway measured on freshly started subgraphs. Measured
 * 2026-12-01 (citizen-history, one run each order): the subgraphs spent 13.9 ms/req under our
 * gateway and 10.0 under plain Apollo when ours went first, 8.6 and 12.6 when Apollo went first;
 * whoever came first paid the subgraphs' (and PostgreSQL's) warm-up, 5 s was not enough.
 */
const FIRST_WARMUP_SECONDS = 20;

/** Seeds (if needed) and starts the subgraphs over one population. */
async function startPopulation(opts: Options, citizens: number, ttlSeconds: number): Promise<Running> {
  await ensurePopulation(citizens, say);
  await analyzePopulation(citizens, say);
  const keys: Keys = { issuer: generateKeyPairPem(), internalSecret: new Uint8Array(randomBytes(32)), internalTokenTtl: ttlSeconds, checkpoint: generateKeyPairPem() };
  const ports = portsFrom(opts.portBase);
  say(`starting ${SUBGRAPHS.length} subgraphs over ${citizens.toLocaleString('en-US')} citizens (ports ${ports.subgraph(SUBGRAPHS[0])}-${ports.subgraph(SUBGRAPHS[SUBGRAPHS.length - 1])})...`);
  const subgraphs = await startSubgraphs({
    ports,
    databaseUrl: populationUrl(citizens),
    keys,
    quiet: !opts.verbose,
    env: opts.explain ? { BENCH_PROBE_SQL: '1' } : undefined,
    profileDir: opts.profile ? join(BENCH_DATA_DIR, 'profiles', `subgraphs-${Date.now()}`) : undefined,
  });
  const keyOf = gatewayTargetKeys(keys.internalSecret);
  // The peers' fixed principal: an auditor inside an audit operation, which may read everything the scenarios read.
  const peer: Principal = { sub: 'bench-peer', role: 'auditor', scope: [], auditOperation: 'BenchPeer' };
  const peerTokens = Object.fromEntries(
    await Promise.all(SUBGRAPHS.map(async (name) => [name, await signInternalToken(keyOf(name), name, peer, ttlSeconds)])),
  ) as Record<SubgraphName, string>;
  return {
    ports,
    keys,
    issuerKey: await importPrivateKey(keys.issuer.privateKey),
    peerTokens,
    supergraphPath: writeBenchSupergraph(ports),
    subgraphs,
    citizens,
    async stop() {
      await Promise.all([...subgraphs.values()].map((p) => p.stop()));
    },
  };
}

async function runScenario(opts: Options, running: Running, scenario: ScenarioName, tick?: (gw: Proc, ms: number) => Promise<void>) {
  const ttlSeconds = opts.duration + opts.warmup + 3600;
  const byGateway = new Map<GatewayName, GatewayRun[]>(opts.gateways.map((g) => [g, []]));
  for (let round = 0; round < opts.rounds; round++) {
    // Each round starts with the next gateway, so that drift in the machine's other load does not favour one.
    const order = opts.gateways.map((_, i) => opts.gateways[(i + round) % opts.gateways.length]);
    for (const gateway of order) {
      const roundText = opts.rounds > 1 ? ` (round ${round + 1} of ${opts.rounds})` : '';
      say(`${scenario} on ${gateway}${roundText}: starting the gateway...`);
      const proc = await startGateway(gateway, {
        ports: running.ports,
        databaseUrl: populationUrl(running.citizens),
        keys: running.keys,
        quiet: !opts.verbose,
        peerSubgraphTokens: running.peerTokens,
        supergraphPath: running.supergraphPath,
        nodeFlags: [
          ...(opts.soak !== undefined ? ['--expose-gc'] : []),
          // One directory per run (Node names each thread's profile; the largest is the main thread's).
          ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(BENCH_DATA_DIR, 'profiles', `${gateway}-${scenario}-${Date.now()}`)}`] : []),
        ],
      });
      try {
        const variants = await variantsFor(scenario, gateway, { citizens: running.citizens, pool: opts.pool, issuerKey: running.issuerKey, ttlSeconds });
        const run = await measureGateway({
          gateway,
          proc,
          url: `http://127.0.0.1:${running.ports.gateway(gateway)}/graphql`,
          subgraphs: running.subgraphs,
          postgresMarker: `${new URL(populationUrl(running.citizens)).pathname.slice(1)}_`,
          variants,
          connections: opts.connections,
          warmupSeconds: opts.warmup + (running.warmed ? 0 : FIRST_WARMUP_SECONDS),
          durationSeconds: opts.duration,
          sample: opts.sample,
          say,
          onTick: tick ? { everyMs: 30_000, tick: (ms) => tick(proc, ms) } : undefined,
        });
        running.warmed = true;
        say(`${scenario} on ${gateway}${roundText}: ${run.rps} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms, ${run.errors} errors, ${run.fetchesPerRequest} fetches and ${run.statementsPerRequest} SQL statements per request`);
        byGateway.get(gateway)!.push(run);
      } finally {
        await proc.stop();
      }
    }
  }
  // Several rounds: each gateway's median round by requests per second (every round is kept in `rounds`).
  const runs = opts.gateways.map((gateway) => {
    const all = byGateway.get(gateway)!;
    const middle = <T,>(values: T[], by: (value: T) => number) => [...values].sort((a, b) => by(a) - by(b))[Math.floor((values.length - 1) / 2)];
    const median = middle(all, (r) => r.rps);
    if (all.length === 1) return median;
    // One at a time is its own measurement: its median over the rounds, not the one of the median throughput round.
    const sequential = middle(all, (r) => r.sequentialP50 ?? 0);
    return {
      ...median,
      sequentialP50: sequential.sequentialP50,
      sequentialP99: sequential.sequentialP99,
      rounds: all.map((r) => ({ rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, sequentialP50: r.sequentialP50 })),
    };
  });
  return { scenario, description: SCENARIO_INFO[scenario].description, operation: SCENARIO_INFO[scenario].operation, runs };
}

function save(report: RunReport, notes: string[] = []): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const base = `${report.date.slice(0, 10)}${report.label ? `-${report.label}` : ''}`;
  writeFileSync(join(dir, `${base}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(dir, `${base}.md`), markdown(report, notes));
  return join('bench', 'results', `${base}.{json,md}`);
}

/** --explain: the plans of every statement each scenario sends, at each population. */
async function explain(opts: Options): Promise<void> {
  for (const citizens of opts.scale ?? [opts.citizens]) {
    const running = await startPopulation(opts, citizens, 3600);
    try {
      const proc = await startGateway('citizen-graph', {
        ports: running.ports,
        databaseUrl: populationUrl(citizens),
        keys: running.keys,
        quiet: !opts.verbose,
        peerSubgraphTokens: running.peerTokens,
        supergraphPath: running.supergraphPath,
      });
      const sections = [];
      try {
        for (const scenario of opts.scenarios) {
          say(`explaining the statements of ${scenario} at ${citizens.toLocaleString('en-US')} citizens...`);
          const variants = await variantsFor(scenario, 'citizen-graph', { citizens, pool: 50, issuerKey: running.issuerKey, ttlSeconds: 3600 });
          const statements = await explainScenario({
            url: `http://127.0.0.1:${running.ports.gateway('citizen-graph')}/graphql`,
            subgraphs: running.subgraphs,
            variants,
            requests: 10,
            databaseUrl: populationUrl(citizens),
          });
          for (const s of statements) say(`  ${s.service} x${s.perRequest}: ${s.indexes.join(', ') || 'no index'}${s.seqScans.length ? `; SEQ SCAN ${s.seqScans.join(', ')}` : ''}${s.executionMs ? ` (${s.executionMs} ms)` : ''}`);
          sections.push({ scenario: `${scenario} (${SCENARIO_INFO[scenario].operation})`, statements });
        }
      } finally {
        await proc.stop();
      }
      const dir = join(__dirname, 'results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `${new Date().toISOString().slice(0, 10)}-explain-${citizens}.md`);
      writeFileSync(file, explainMarkdown(`Query plans at ${citizens.toLocaleString('en-US')} citizens, ${new Date().toISOString()}`, sections));
      say(`written: ${file}`);
    } finally {
      await running.stop();
    }
  }
}

async function main(): Promise<void> {
  const opts = options();
  if (opts.help) {
    console.log(require('node:fs').readFileSync(__filename, 'utf8').split('*/')[0]);
    return;
  }
  if (opts.explain) return explain(opts);
  // The load generator and the peers come from bench/package.json, installed here on first use (--explain needs neither).
  ensureBenchDependencies(say);
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, '');
  const populations = opts.scale ?? [opts.citizens];
  const pgVersion = await postgresVersion(populationUrl(populations[0]));
  const reports: RunReport[] = [];
  const notes: string[] = [];
  const memorySeries: Array<{ seconds: number; rssMb: number; heapUsedMb: number; heapAfterGcMb?: number }> = [];

  for (const citizens of populations) {
    const running = await startPopulation(opts, citizens, opts.duration + opts.warmup + 3600);
    try {
      const report: RunReport = {
        date: new Date().toISOString(),
        command,
        label: opts.label,
        environment: environment(pgVersion),
        settings: { citizens, connections: opts.connections, durationSeconds: opts.duration, warmupSeconds: opts.warmup, pool: opts.pool, sample: opts.sample, rounds: opts.rounds },
        seed: seedRecord(citizens),
        scenarios: [],
      };
      for (const scenario of opts.scenarios) {
        // Soak: the gateway's memory every 30 s (read, then read again after a forced GC).
        const soakTick =
          opts.soak === undefined
            ? undefined
            : async (gw: Proc, ms: number) => {
                const before = await probe(gw);
                const after = await probe(gw, '/gc');
                const point = {
                  seconds: Math.round(ms / 1000),
                  rssMb: Math.round(before.memory.rss / 1048576),
                  heapUsedMb: Math.round(before.memory.heapUsed / 1048576),
                  heapAfterGcMb: Math.round(after.memory.heapUsed / 1048576),
                };
                memorySeries.push(point);
                say(`soak ${point.seconds} s: RSS ${point.rssMb} MB, heap ${point.heapUsedMb} MB (${point.heapAfterGcMb} MB after GC)`);
              };
        report.scenarios.push(await runScenario(opts, running, scenario, soakTick));
      }
      reports.push(report);
    } finally {
      await running.stop();
    }
  }

  // Scale: p50 at each population against the first.
  if (opts.scale && reports.length > 1) {
    const first = reports[0];
    for (const report of reports.slice(1)) {
      for (const scenario of report.scenarios) {
        const baseScenario = first.scenarios.find((s) => s.scenario === scenario.scenario)!;
        for (const run of scenario.runs) {
          const base = baseScenario.runs.find((r) => r.gateway === run.gateway)!;
          const growth = (p: number, q: number) => `${(((p - q) / q) * 100).toFixed(0)}%`;
          notes.push(
            `- ${scenario.scenario}, ${run.gateway}: ${first.settings.citizens.toLocaleString('en-US')} -> ${report.settings.citizens.toLocaleString('en-US')} citizens: ` +
              `p50 ${base.p50} -> ${run.p50} ms (${growth(run.p50, base.p50)}), one-at-a-time p50 ${base.sequentialP50} -> ${run.sequentialP50} ms (${growth(run.sequentialP50!, base.sequentialP50!)}), ` +
              `${base.rps} -> ${run.rps} req/s, SQL/request ${base.statementsPerRequest} -> ${run.statementsPerRequest}`,
          );
        }
      }
    }
  }
  if (opts.soak !== undefined) {
    notes.push('Soak: gateway memory every 30 s during the run (heap read, then read again after a forced GC; the gateway ran with --expose-gc).', '');
    notes.push('| seconds | RSS MB | heap used MB | heap after GC MB |', '|---:|---:|---:|---:|');
    for (const p of memorySeries) notes.push(`| ${p.seconds} | ${p.rssMb} | ${p.heapUsedMb} | ${p.heapAfterGcMb ?? ''} |`);
  }

  // One report (scale: the populations' scenarios side by side, labelled with their size).
  const report: RunReport =
    reports.length === 1
      ? reports[0]
      : {
          ...reports[0],
          settings: { ...reports[0].settings, citizens: reports[reports.length - 1].settings.citizens },
          scenarios: reports.flatMap((r) =>
            r.scenarios.map((s) => ({ ...s, scenario: `${s.scenario}@${r.settings.citizens}`, description: `${s.description}; ${r.settings.citizens.toLocaleString('en-US')} citizens` })),
          ),
          extra: { populations: reports.map((r) => ({ citizens: r.settings.citizens, seed: r.seed })) },
        };
  if (memorySeries.length) report.extra = { ...report.extra, memorySeries };
  const where = save(report, notes);

  console.log(consoleTable(report));
  const peers: Array<[GatewayName, string]> = [
    ['apollo-gateway', 'plain Apollo'],
    ['hive-gateway', 'Hive'],
    ['hive-router-runtime', 'Hive on the Rust planner'],
  ];
  for (const scenario of report.scenarios) {
    const ratios = peers.flatMap(([peer, name]) => {
      const r = ratio(scenario, peer);
      return r === undefined ? [] : [`${r}x ${name}`];
    });
    if (ratios.length) console.log(`${scenario.scenario}: ours ${ratios.join(', ')}`);
  }
  for (const note of notes) if (note.startsWith('- ')) console.log(note.slice(2));
  console.log(`written: ${where}`);
  if (opts.json) console.log(JSON.stringify(summary(report)));
}

main().catch((error) => {
  console.error(`[bench] failed: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});
