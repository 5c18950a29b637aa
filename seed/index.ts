/**
 * `npm run seed -- --citizens N [--seed S] [--batch-size B]`: fills every department's store
 * with the same deterministic synthetic population, with progress. Embedded stores live under
 * DATA_DIR; with DATABASE_URL (or <SERVICE>_DATABASE_URL) the rows go to PostgreSQL by COPY.
 * Stop the services first when they run on the embedded stores (one process per store).
 */
import { parseArgs } from 'node:util';
import { SUBGRAPHS, type SubgraphName } from '../lib/config';
import { openDb, resolveDbTarget, type Db } from '../lib/db';
import { DEFAULT_SEED, seedStores, type SeedProgress } from './run';
import { forgetSeeded, noteSeeded } from './seeded';

const USAGE = 'usage: npm run seed -- --citizens N [--seed S] [--batch-size B]';

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/[_,]/g, ''));
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer; received ${JSON.stringify(raw)}\n${USAGE}`);
  }
  return value;
}

const n = (value: number) => value.toLocaleString('en-US');

export function progressLine(p: SeedProgress): string {
  const seconds = Math.max(p.elapsedMs / 1000, 0.001);
  if (p.phase === 'indexing') return `building indexes and checking foreign keys over ${n(p.rows)} rows...`;
  const pct = ((100 * p.citizens) / p.total).toFixed(0).padStart(3);
  return `${pct}%  ${n(p.citizens)} / ${n(p.total)} citizens  ${n(p.rows)} rows  ${n(Math.round(p.rows / seconds))} rows/s  ${seconds.toFixed(1)} s`;
}

/** Opens every subgraph's store where its configuration says it is. */
export async function openStores(): Promise<Record<SubgraphName, Db>> {
  const entries = await Promise.all(SUBGRAPHS.map(async (name) => [name, await openDb(resolveDbTarget(name))] as const));
  return Object.fromEntries(entries) as Record<SubgraphName, Db>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      citizens: { type: 'string' },
      seed: { type: 'string' },
      'batch-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const citizens = positiveInt('citizens', values.citizens, 1000);
  const batchSize = positiveInt('batch-size', values['batch-size'], 5000);
  const seed = values.seed ?? DEFAULT_SEED;
  const stores = await openStores();
  try {
    const where = [...new Set(Object.values(stores).map((db) => (db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL')))];
    console.log(`Seeding ${n(citizens)} citizens (seed "${seed}") into ${SUBGRAPHS.length} stores on ${where.join(' and ')}`);
    forgetSeeded();
    const result = await seedStores(stores, { citizens, seed, batchSize, onProgress: (p) => console.log(progressLine(p)) });
    noteSeeded(result.citizens);
    console.log('Rows by table:');
    for (const [table, count] of Object.entries(result.rowsByTable).sort()) console.log(`  ${table.padEnd(36)} ${n(count).padStart(12)}`);
    console.log(`Done: ${n(result.rows)} rows in ${(result.elapsedMs / 1000).toFixed(1)} s (${n(Math.round(result.rows / (result.elapsedMs / 1000)))} rows/s)`);
  } finally {
    await Promise.all(Object.values(stores).map((db) => db.close()));
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`seed failed: ${error.message}`);
    process.exit(1);
  });
}
