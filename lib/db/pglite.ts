import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Db } from './index';
import { copyStatement, PARSERS } from './values';

/** The embedded engine (PGlite, in-process PostgreSQL): the zero-install default. */

export class PgliteDb implements Db {
  readonly kind = 'pglite' as const;
  constructor(
    private readonly pg: Pick<PGlite, 'query' | 'exec'> & Partial<Pick<PGlite, 'transaction' | 'close'>>,
    readonly location: string,
    readonly stats = { statements: 0 },
  ) {}

  async query<Row>(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    this.stats.statements++;
    const result = await this.pg.query<Row>(sql, params as unknown[]);
    return result.rows;
  }

  async exec(sql: string): Promise<void> {
    this.stats.statements++;
    await this.pg.exec(sql);
  }

  async copyCsv(table: string, columns: readonly string[], csv: string): Promise<void> {
    this.stats.statements++;
    await this.pg.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob([csv]) });
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (!this.pg.transaction) throw new Error('nested transactions are not supported');
    return this.pg.transaction((tx) => fn(new PgliteDb(tx, this.location, this.stats)));
  }

  async close(): Promise<void> {
    await this.pg.close?.();
  }
}

const ROOT = join(__dirname, '..', '..');
let emptyCluster: Promise<Blob | undefined> | undefined;

/**
 * A freshly initialised PGlite cluster, as the tarball of its data directory: a new store
 * starts from it instead of running initdb, which costs 1 to 2 s of CPU (measured: 1.3 s to
 * create against 0.4 s to load, on this project's 2-core machine), seven times for a graph. Made
 * once per PGlite version and kept in node_modules/.cache (written to a temporary name and
 * renamed, so processes starting together never read half a file); `undefined` when it cannot
 * be made or kept, and the store is then initialised the usual way.
 */
function freshCluster(): Promise<Blob | undefined> {
  emptyCluster ??= (async () => {
    try {
      const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
      const file = join(ROOT, 'node_modules', '.cache', 'citizen-graph', `pglite-${version}-initdb.tar`);
      if (!existsSync(file)) {
        const engine = await PGlite.create();
        const dump = await engine.dumpDataDir('none');
        await engine.close();
        mkdirSync(dirname(file), { recursive: true });
        const partial = `${file}.${process.pid}.partial`;
        writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
        renameSync(partial, file);
      }
      return new Blob([readFileSync(file)]);
    } catch {
      return undefined;
    }
  })();
  return emptyCluster;
}

/** Opens the embedded engine: in memory, or in `dataDir` (a new store starts from the initialised cluster). */
export async function openPglite(dataDir: string | undefined): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // A new store (in memory, or a directory without a cluster yet) starts from the initialised one.
  const isNew = !dataDir || !existsSync(join(dataDir, 'PG_VERSION'));
  const loadDataDir = isNew ? await freshCluster() : undefined;
  const engine = await PGlite.create(dataDir ?? 'memory://', { parsers: PARSERS, ...(loadDataDir ? { loadDataDir } : {}) });
  return new PgliteDb(engine, dataDir ?? 'memory');
}
