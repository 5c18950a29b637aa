import { join } from 'node:path';
import type { SubgraphName } from '../lib/config';
import type { Db } from '../lib/db';
import { migrate } from '../lib/migrate';
import { departmentSeeds } from '../subgraphs/load';
import { csvField, suspendConstraints } from './bulk-load';
import { Random } from './random';
import type { DepartmentSeed, Row, Rows } from './types';
import { buildWorld, population } from './world';

export interface SeedOptions {
  citizens: number;
  seed?: string;
  /** Citizens generated and loaded per round of COPY statements. */
  batchSize?: number;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  /** `loading` while rows are generated and copied; `indexing` while indexes and keys are rebuilt; absent at the end. */
  phase?: 'loading' | 'indexing';
  citizens: number;
  total: number;
  rows: number;
  elapsedMs: number;
}

export interface SeedResult extends SeedProgress {
  rowsByTable: Record<string, number>;
}

export const DEFAULT_SEED = 'citizen-graph';

/** The migrations folder of a subgraph (the seed builds stores exactly as the services do). */
export const migrationsDir = (service: SubgraphName) => join(__dirname, '..', 'subgraphs', service, 'migrations');

function toCsv(rows: Row[]): string {
  let out = '';
  for (const row of rows) out += row.map(csvField).join(',') + '\n';
  return out;
}

async function flush(db: Db, department: DepartmentSeed, pending: Rows, rowsByTable: Record<string, number>): Promise<number> {
  let written = 0;
  // Parents before children: the load order is the order of `tables`.
  for (const [table, columns] of Object.entries(department.tables)) {
    const rows = pending[table];
    if (!rows?.length) continue;
    await db.copyCsv(table, columns, toCsv(rows));
    rowsByTable[`${department.service}.${table}`] = (rowsByTable[`${department.service}.${table}`] ?? 0) + rows.length;
    written += rows.length;
    pending[table] = [];
  }
  return written;
}

/**
 * Fills every given store with the same synthetic population: migrates it, empties the seeded
 * tables, then generates citizens in batches and bulk-loads each batch with COPY. Deterministic:
 * the same `citizens` and `seed` give the same rows.
 */
export async function seedStores(stores: Partial<Record<SubgraphName, Db>>, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const seed = options.seed ?? DEFAULT_SEED;
  const batchSize = options.batchSize ?? 5000;
  const world = buildWorld(options.citizens, seed);
  const departments = departmentSeeds().filter((d) => stores[d.service]);
  const rowsByTable: Record<string, number> = {};
  const restores: Array<() => Promise<void>> = [];
  let rows = 0;
  let done = 0;

  async function generateAndLoad(): Promise<void> {
    // Generation (this process's CPU) and COPY (the database's) overlap: while one batch is being
    // loaded the next is generated; at most one batch waits in memory.
    let pending = new Map<DepartmentSeed, Rows>(departments.map((d) => [d, {}]));
    let loading: Promise<void> = Promise.resolve();
    const write = async (batch: Map<DepartmentSeed, Rows>) => {
      const counts = await Promise.all(departments.map((d) => flush(stores[d.service]!, d, batch.get(d)!, rowsByTable)));
      rows += counts.reduce((a, b) => a + b, 0);
    };
    const startLoad = async () => {
      await loading;
      const batch = pending;
      pending = new Map(departments.map((d) => [d, {}]));
      loading = write(batch);
      // A failed COPY is raised at the next `await loading`; until then it is not unhandled.
      loading.catch(() => undefined);
    };
    for (const person of population(world)) {
      for (const department of departments) {
        const produced = department.person(person, world, new Random(seed, department.service, person.index));
        const target = pending.get(department)!;
        for (const [table, tableRows] of Object.entries(produced)) {
          if (!tableRows.length) continue;
          const list = (target[table] ??= []);
          for (const row of tableRows) list.push(row);
        }
      }
      done++;
      if (done % batchSize === 0) {
        await startLoad();
        options.onProgress?.({ citizens: done, total: options.citizens, rows, elapsedMs: Date.now() - started, phase: 'loading' });
      }
    }
    await startLoad();
    await loading;
  }

  try {
    const sharedRows = await Promise.all(
      departments.map(async (department) => {
        const db = stores[department.service]!;
        await migrate(db, migrationsDir(department.service));
        const tables = Object.keys(department.tables);
        await db.exec(`TRUNCATE ${[...tables].reverse().join(', ')} CASCADE`);
        restores.push(await suspendConstraints(db, tables));
        return flush(db, department, department.shared(world), rowsByTable);
      }),
    );
    rows += sharedRows.reduce((a, b) => a + b, 0);
    await generateAndLoad();
  } finally {
    // Even after a failed load the stores get their indexes and foreign keys back.
    options.onProgress?.({ citizens: done, total: options.citizens, rows, elapsedMs: Date.now() - started, phase: 'indexing' });
    await Promise.all(restores.map((restore) => restore()));
  }
  const result = { citizens: done, total: options.citizens, rows, elapsedMs: Date.now() - started, rowsByTable };
  options.onProgress?.(result);
  return result;
}

