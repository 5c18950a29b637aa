/**
 * The benchmark's populations on the real PostgreSQL server: one base database per size
 * (`<base>_<N>`, so each service's store is `<base>_<N>_<service>`), seeded once with
 * `npm run seed -- --citizens N` and reused while it still holds N citizens and every
 * department's records.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { serviceDatabaseName } from '../../lib/db';
import { REGISTRY, SECTIONS } from '../../subgraphs/registry';
import { BENCH_DATA_DIR, ROOT } from './services';

/** `BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/cg_bench) plus `_<N>`. */
export function populationUrl(citizens: number): string {
  const base = new URL(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/cg_bench');
  const name = decodeURIComponent(base.pathname.replace(/^\//, '')) || 'cg_bench';
  base.pathname = `/${name}_${citizens}`;
  return base.toString();
}

function serviceUrl(url: string, service: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${serviceDatabaseName(url, service)}`;
  return parsed.toString();
}

async function scalar<T>(url: string, sql: string): Promise<T | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch {
    return undefined; // no such database yet
  }
  try {
    const result = await client.query(sql);
    return result.rows[0]?.value as T;
  } catch {
    return undefined; // no such table yet
  } finally {
    await client.end();
  }
}

/** One table per department that a complete seed fills: the rows of its section's fixed connection. */
const SEEDED_TABLES: Record<string, string> = Object.fromEntries(SECTIONS.map(({ name, section }) => [name, section.records.table]));

/** True when the population's stores hold exactly `citizens` citizens and every department's records. */
export async function isSeeded(citizens: number): Promise<boolean> {
  const url = populationUrl(citizens);
  const count = await scalar<number>(serviceUrl(url, 'identity'), 'SELECT count(*)::int AS value FROM citizens');
  if (count !== citizens) return false;
  for (const [service, table] of Object.entries(SEEDED_TABLES)) {
    if (!(await scalar<boolean>(serviceUrl(url, service), `SELECT EXISTS (SELECT 1 FROM ${table}) AS value`))) return false;
  }
  return true;
}

export interface SeedRecord {
  citizens: number;
  seconds: number;
  date: string;
  /** The seed's own summary line ("Done: N rows in S s"). */
  summary?: string;
}

const recordPath = (citizens: number) => join(BENCH_DATA_DIR, `seeded-${citizens}.json`);

/** How long seeding this population took, when the benchmark seeded it. */
export function seedRecord(citizens: number): SeedRecord | undefined {
  const path = recordPath(citizens);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as SeedRecord) : undefined;
}

/**
 * Gives the planner statistics: `ANALYZE` on every service database with a table that holds rows
 * but has never been analyzed. A bulk load (the seed's COPY) leaves none, and with autovacuum off
 * (as on this server) nothing would make them: the planner then assumes 0.5% of a table matches
 * `citizen_id = ANY($1)` and, at a million citizens, picks parallel plans with JIT compilation for
 * a one-citizen page (see bench/results/*-explain-*). Returns the seconds it took, or 0.
 */
export async function analyzePopulation(citizens: number, say: (line: string) => void): Promise<number> {
  const url = populationUrl(citizens);
  const started = Date.now();
  let analyzed = 0;
  for (const { name: service } of REGISTRY) {
    const client = new pg.Client({ connectionString: serviceUrl(url, service) });
    try {
      await client.connect();
    } catch {
      continue; // not created yet: the service creates it
    }
    try {
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE n_live_tup > 0 AND last_analyze IS NULL AND last_autoanalyze IS NULL`,
      );
      if (rows[0].n > 0) {
        say(`ANALYZE ${serviceDatabaseName(url, service)} (${rows[0].n} tables without planner statistics)...`);
        await client.query('ANALYZE');
        analyzed++;
      }
    } finally {
      await client.end();
    }
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (analyzed) say(`planner statistics made for ${analyzed} databases in ${seconds} s`);
  return analyzed ? seconds : 0;
}

/** Seeds the population unless it is already there; progress goes to stderr. */
export async function ensurePopulation(citizens: number, say: (line: string) => void): Promise<SeedRecord | undefined> {
  if (await isSeeded(citizens)) {
    say(`population of ${citizens.toLocaleString('en-US')} citizens already seeded (${populationUrl(citizens)}_*)`);
    return seedRecord(citizens);
  }
  say(`seeding ${citizens.toLocaleString('en-US')} citizens into ${populationUrl(citizens)}_* (once; reused by later runs)...`);
  const started = Date.now();
  let summary: string | undefined;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'seed', 'index.ts'), '--citizens', String(citizens)], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: populationUrl(citizens), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = 0;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) {
        if (line.startsWith('Done:')) summary = line;
        // Progress about every 10 s, and every line that is not a progress line.
        if (!/^\s*\d+%/.test(line) || Date.now() - last > 10_000) {
          last = Date.now();
          say(`seed: ${line.trim()}`);
        }
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seeding failed (exit ${code})`))));
  });
  const record: SeedRecord = { citizens, seconds: Math.round((Date.now() - started) / 100) / 10, date: new Date().toISOString(), summary };
  mkdirSync(BENCH_DATA_DIR, { recursive: true });
  writeFileSync(recordPath(citizens), JSON.stringify(record, null, 2) + '\n');
  say(`seeded ${citizens.toLocaleString('en-US')} citizens in ${record.seconds} s`);
  return record;
}
