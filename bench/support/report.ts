/** The benchmark's console table, JSON summary and markdown report. */
import type { GatewayName, ScenarioReport } from './types';

export interface RunReport {
  date: string;
  command: string;
  label?: string;
  environment: Record<string, string | number>;
  settings: { citizens: number; connections: number; durationSeconds: number; warmupSeconds: number; pool: number; sample: number; rounds?: number };
  seed?: { citizens: number; seconds: number; summary?: string };
  scenarios: ScenarioReport[];
  extra?: Record<string, unknown>;
}

const OURS: GatewayName = 'citizen-graph';

export function ratio(report: ScenarioReport, peer: GatewayName): number | undefined {
  const ours = report.runs.find((r) => r.gateway === OURS);
  const other = report.runs.find((r) => r.gateway === peer);
  if (!ours || !other || other.rps === 0) return undefined;
  return Math.round((ours.rps / other.rps) * 100) / 100;
}

/** `{"<scenario>": {"<gateway>": {rps, p50, p99, errors}}}`: the last line of `--json`. */
export function summary(report: RunReport): Record<string, Record<string, { rps: number; p50: number; p99: number; errors: number }>> {
  const out: Record<string, Record<string, { rps: number; p50: number; p99: number; errors: number }>> = {};
  for (const scenario of report.scenarios) {
    out[scenario.scenario] = {};
    for (const run of scenario.runs) out[scenario.scenario][run.gateway] = { rps: run.rps, p50: run.p50, p99: run.p99, errors: run.errors };
  }
  return out;
}

function row(cells: Array<string | number | undefined>): string {
  return `| ${cells.map((c) => (c === undefined ? '' : String(c))).join(' | ')} |`;
}

const fmt = (n: number | undefined, digits = 1) => (n === undefined ? '' : n.toFixed(digits).replace(/\.0+$/, ''));

/** One markdown table per scenario. */
export function scenarioTable(scenario: RunReport['scenarios'][number]): string {
  const lines = [
    row(['gateway', 'good req/s', 'ours vs this', 'p50 ms', 'p99 ms', 'errors', 'subgraph fetches/req', 'new subgraph connections/req', 'SQL/req', 'trail writes/req', 'gateway CPU ms/req', 'gateway cores', 'subgraphs CPU ms/req', 'postgres CPU ms/req', 'all bench processes CPU ms/req', 'gateway RSS MB (start/peak/end)']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  const ours = scenario.runs.find((r) => r.gateway === OURS);
  for (const run of scenario.runs) {
    lines.push(
      row([
        run.gateway === OURS ? `**${run.gateway}**` : run.gateway,
        fmt(run.rps),
        run.gateway === OURS || !ours || !run.rps ? '' : `${(ours.rps / run.rps).toFixed(2)}x`,
        fmt(run.p50, 0),
        fmt(run.p99, 0),
        run.errors ? `**${run.errors}** (of ${run.requests})` : 0,
        fmt(run.fetchesPerRequest, 2),
        fmt(run.subgraphConnectionsPerRequest, 3),
        fmt(run.statementsPerRequest, 2),
        fmt(run.trailWritesPerRequest, 2),
        fmt(run.gatewayCpuMsPerRequest, 2),
        fmt(run.gatewayCpuCores, 2),
        fmt(run.subgraphsCpuMsPerRequest, 2),
        fmt(run.postgresCpuMsPerRequest, 2),
        fmt(run.gatewayCpuMsPerRequest + run.subgraphsCpuMsPerRequest + run.postgresCpuMsPerRequest + run.loadGeneratorCpuMsPerRequest, 1),
        `${fmt(run.gatewayRssStartMb, 0)} / ${fmt(run.gatewayRssPeakMb, 0)} / ${fmt(run.gatewayRssEndMb, 0)}`,
      ]),
    );
  }
  return lines.join('\n');
}

/** The console table: one line per scenario and gateway. */
export function consoleTable(report: RunReport): string {
  const header = ['scenario', 'gateway', 'req/s', 'ours is', 'p50', 'p99', 'errors', 'fetch/req', 'SQL/req', 'gw ms/req', 'gw RSS MB'];
  const rows: string[][] = [header];
  for (const scenario of report.scenarios) {
    const ours = scenario.runs.find((r) => r.gateway === OURS);
    for (const run of scenario.runs) {
      rows.push([
        scenario.scenario,
        run.gateway,
        fmt(run.rps),
        run.gateway === OURS || !ours || !run.rps ? '' : `${(ours.rps / run.rps).toFixed(2)}x`,
        `${fmt(run.p50, 0)} ms`,
        `${fmt(run.p99, 0)} ms`,
        String(run.errors),
        fmt(run.fetchesPerRequest, 2),
        fmt(run.statementsPerRequest, 2),
        fmt(run.gatewayCpuMsPerRequest, 2),
        fmt(run.gatewayRssPeakMb, 0),
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

export function markdown(report: RunReport, notes: string[] = []): string {
  const s = report.settings;
  const out = [
    `# Gateway benchmark, ${report.date}${report.label ? ` (${report.label})` : ''}`,
    '',
    `Command: \`${report.command}\``,
    '',
    `Population ${s.citizens.toLocaleString('en-US')} citizens on PostgreSQL; ${s.connections} connections; ${s.warmupSeconds} s warm-up then ${s.durationSeconds} s measured per gateway and scenario; ${s.pool} distinct requests cycled per scenario; fetches and SQL counted over ${s.sample} sequential requests.${(s.rounds ?? 1) > 1 ? ` ${s.rounds} rounds per gateway, alternating the order; each row is that gateway's median round (all rounds in the JSON).` : ''}`,
    '',
    'All gateways ran one after another in this one run, on the same subgraph processes, data and machine. ' +
      'Load generator, gateway, the seven subgraphs and PostgreSQL share the same cores (and other work on the machine), so compare rows with each other, not with other runs or machines.',
    '',
    '| environment | |',
    '|---|---|',
    ...Object.entries(report.environment).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ];
  if (report.seed) out.push(`Seeding this population took ${report.seed.seconds} s${report.seed.summary ? ` (${report.seed.summary})` : ''}.`, '');
  for (const scenario of report.scenarios) {
    out.push(`## ${scenario.scenario}`, '', scenario.description, '', `Operation \`${scenario.operation}\` (schema/operations/${scenario.operation}.graphql).`, '', scenarioTable(scenario), '');
    const seq = scenario.runs.filter((r) => r.sequentialP50 !== undefined);
    if (seq.length) {
      out.push(`One request at a time (the counting sample${(seq[0].rounds?.length ?? 0) > 1 ? ', median over the rounds' : ''}): ${seq.map((r) => `${r.gateway} p50 ${fmt(r.sequentialP50)} ms, p99 ${fmt(r.sequentialP99)} ms`).join('; ')}.`, '');
    }
    const rounds = scenario.runs.filter((r) => r.rounds);
    if (rounds.length) out.push(`Rounds (req/s): ${rounds.map((r) => `${r.gateway} ${r.rounds!.map((x) => x.rps).join(', ')}`).join('; ')}.`, '');
    if (rounds.length) out.push(`Rounds (one at a time, p50 ms): ${rounds.map((r) => `${r.gateway} ${r.rounds!.map((x) => x.sequentialP50 ?? '-').join(', ')}`).join('; ')}.`, '');
    const bySubgraph = scenario.runs.map(
      (r) => `${r.gateway}: fetches ${JSON.stringify(r.fetchesBySubgraph)}, SQL ${JSON.stringify(r.statementsBySubgraph)}, CPU ms ${JSON.stringify(r.subgraphCpuMsPerRequest ?? {})}`,
    );
    out.push('Per subgraph, per request:', '', ...bySubgraph.map((l) => `- ${l}`), '');
    const problems = scenario.runs.flatMap((r) => [...(r.examples ?? []), ...(r.sampleProblems ?? [])].map((e) => `${r.gateway}: ${e}`));
    if (problems.length) out.push('Errors seen (first few):', '', ...problems.slice(0, 6).map((p) => `- \`${p.replace(/`/g, "'").slice(0, 300)}\``), '');
  }
  if (notes.length) out.push('## Notes', '', ...notes, '');
  out.push(
    '## Method',
    '',
    '- Each gateway is its own process (ours: `gateway/src/index.ts` with NODE_ENV=production, JWT auth, access checks, persisted operations, limits, resilience and the access trail on; `bench/peers/apollo-gateway.ts`: plain `@apollo/gateway` + `@apollo/server` standalone with defaults; Hive Gateway CLI with `bench/peers/hive-gateway.config.ts`, `--fork 1`; `hive-router-runtime`: the same with `bench/peers/hive-router-runtime.config.ts`, which hands query planning and execution to `@graphql-hive/router-runtime`, Hive Router\'s Rust query planner). Peers add only the internal token the subgraphs require: one fixed token (signed by the benchmark) for an auditor principal inside an audit operation, which may read everything the scenarios read; ours verifies each caller\'s JWT (a citizen reading their own history in (a), an auditor running registered Audit* operations in (b) and (c)) and signs its own. Ours gets each operation by `documentId`, the peers the registered text; rate limits on ours are set far above the load (RATE_LIMIT_PER_*=100000000), so the limiter runs but never refuses.',
    '- Load: autocannon in a separate process, fixed concurrency, warm-up first (the first gateway measured on freshly started subgraphs warms up 20 s longer, `FIRST_WARMUP_SECONDS` in bench/index.ts: otherwise it pays the subgraphs\' warm-up). Requests cycle through distinct variables (and, for ours, distinct callers\' tokens). Every response is checked for a non-2xx status or GraphQL `errors`; one in 20 is parsed and its data compared with what was asked for.',
    '- Fetches and SQL per request: every subgraph process runs with `bench/support/probe.mjs` preloaded, which counts served HTTP requests by path (diagnostics channel `http.server.request.start`), accepted connections (`net.server.socket`, counted over the measured run) and node-postgres `Client#query` calls; the counters are read before and after a sequential sample, whose latencies also give the one-at-a-time p50. `trail writes` are ours only: the audit service\'s `POST /trail`, or, as here, the gateway\'s own INSERTs into the audit store (TRAIL_WRITER=auto on a PostgreSQL server: the gateway process is probed too, its statements are the `gateway` entry of SQL per subgraph).',
    '- CPU: utime+stime from `/proc/<pid>/stat` at the start and end of the measured run, for the gateway, the subgraph processes and the PostgreSQL backends whose command line names the run\'s databases; memory: VmRSS from `/proc/<pid>/status` every second, heap from the probe.',
    '',
  );
  return out.join('\n');
}
