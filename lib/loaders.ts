import DataLoader from 'dataloader';
import type { Db } from './db';
import { pageArgs, recordCursor, toConnection, type Connection, type Cursor, type PageArgs } from './paging';
import { pageParams, pageStatement, type PagedRow, type PageQuery, type PageStatement } from './sql';

/**
 * The per-request DataLoader factories every department's `src/loaders.ts` builds its loaders
 * with. A page loader runs its repository's page query itself (loader -> `db.query`); the others
 * take the repository function that holds the statement. One statement per batch in each.
 */

export interface PageKey extends PageArgs {
  /** Whose records: a citizen id for a citizen's section, a business id for a business's. */
  owner: string;
}

/**
 * One request's loaders, so that lookups which follow from pages wait for every page.
 *
 * A page of enrollments and a page of qualifications both name schools. The pages are separate
 * statements that finish at different times, so a plain DataLoader would send one school lookup
 * after each page: the number of statements would depend on timing. Page loaders made with a scope
 * report their batches to it; by-id loaders made with the same scope dispatch only once no page
 * batch is in flight, so all the schools of a request's pages go in one statement.
 */
export class LoaderScope {
  private inFlight = 0;
  private waiting: Array<() => void> = [];

  /** Counts a page batch as in flight until it settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight++;
    return work.finally(() => {
      this.inFlight--;
      if (this.inFlight === 0) setImmediate(() => this.release());
    });
  }

  /**
   * A DataLoader `batchScheduleFn`: dispatch after the current turn's loads have been collected
   * and no page batch is in flight. The turn ends with `setImmediate`, after every promise job, so
   * resolvers that run when the last page arrives still add their keys to the batch.
   */
  readonly afterPages = (dispatch: () => void): void => {
    setImmediate(() => {
      if (this.inFlight === 0) dispatch();
      else this.waiting.push(dispatch);
    });
  };

  private release(): void {
    if (this.inFlight > 0) return;
    const ready = this.waiting;
    this.waiting = [];
    for (const dispatch of ready) dispatch();
  }
}

/** A batch function whose batches the scope, if any, counts as pages in flight. */
function trackedBy<K, V>(scope: LoaderScope | undefined, load: (keys: readonly K[]) => Promise<V[]>) {
  return scope ? (keys: readonly K[]) => scope.track(load(keys)) : load;
}

/** Rows grouped under the key `keyOf` gives each, in the order they came. */
function groupBy<Row>(rows: Iterable<Row>, keyOf: (row: Row) => string): Map<string, Row[]> {
  const grouped = new Map<string, Row[]>();
  for (const row of rows) {
    const list = grouped.get(keyOf(row));
    if (list) list.push(row);
    else grouped.set(keyOf(row), [row]);
  }
  return grouped;
}

/** A record as a page holds it: ordered newest first by when it happened, then id. */
export interface PagedRecord {
  id: string;
  occurredAt: Date;
}

/**
 * Pages of many owners' records (`load({ owner, first, after })`), one statement per distinct
 * (first, after) in a batch: the repository's page query (`repo.VEHICLE_PAGES`), run here with
 * every owner id of the batch. It returns, for each owner, up to `first + 1` rows in page order.
 */
export function pageLoader<Row extends PagedRecord>(
  db: Db,
  pages: PageQuery | PageStatement,
  scope?: LoaderScope,
): DataLoader<PageKey, Connection<Row>, string> {
  const read = (ownerIds: string[], first: number, after: Cursor | null) =>
    'table' in pages
      ? db.query<Row & PagedRow>(pageStatement(pages, after), pageParams(ownerIds, first, after))
      : db.query<Row & PagedRow>(pages.text(after), pages.params(ownerIds, first, after));
  return new DataLoader<PageKey, Connection<Row>, string>(
    trackedBy(scope, (keys: readonly PageKey[]) => loadPages(read, keys)),
    { cacheKeyFn: (key) => `${key.owner}|${key.first ?? ''}|${key.after ?? ''}` },
  );
}

async function loadPages<Row extends PagedRecord>(
  read: (ownerIds: string[], first: number, after: Cursor | null) => Promise<Array<Row & PagedRow>>,
  keys: readonly PageKey[],
): Promise<Array<Connection<Row>>> {
  const groups = new Map<string, { first: number; after: Cursor | null; owners: Set<string> }>();
  const parsed = keys.map((key) => {
    const args = pageArgs(key);
    const group = `${args.first}|${key.after ?? ''}`;
    const entry = groups.get(group) ?? { ...args, owners: new Set<string>() };
    entry.owners.add(key.owner);
    groups.set(group, entry);
    return { group, ...args };
  });
  const rowsByGroup = new Map<string, Map<string, Row[]>>();
  await Promise.all(
    [...groups].map(async ([group, { first, after, owners }]) => {
      rowsByGroup.set(group, groupBy(await read([...owners], first, after), (row) => row.pageOwner));
    }),
  );
  return keys.map((key, index) =>
    toConnection(rowsByGroup.get(parsed[index].group)?.get(key.owner) ?? [], parsed[index].first, recordCursor),
  );
}

/**
 * Loads rows by primary key in one statement per batch; returns them in key order with `null`
 * for a key that has no row.
 */
export function byIdLoader<Row extends { id: string }>(
  fetch: (ids: string[]) => Promise<Row[]>,
  /** When given, the batch waits for the scope's pages (see `LoaderScope`). */
  scope?: LoaderScope,
): DataLoader<string, Row | null> {
  return new DataLoader<string, Row | null>(
    async (ids) => {
      const rows = await fetch([...ids]);
      const byId = new Map(rows.map((row) => [row.id, row]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    scope ? { batchScheduleFn: scope.afterPages } : {},
  );
}

/** Loads the one row a citizen has (a licence, a pension) in one statement per batch. */
export function byCitizenLoader<Row extends { citizenId: string }>(
  fetch: (citizenIds: string[]) => Promise<Row[]>,
): DataLoader<string, Row | null> {
  return new DataLoader<string, Row | null>(async (citizenIds) => {
    const rows = await fetch([...citizenIds]);
    const byCitizen = new Map(rows.map((row) => [row.citizenId, row]));
    return citizenIds.map((id) => byCitizen.get(id) ?? null);
  });
}

/** Loads the rows that belong to each key (a household's members) in one statement per batch. */
export function byKeyListLoader<Row>(
  fetch: (keys: string[]) => Promise<Row[]>,
  keyOf: (row: Row) => string,
  /** When given, the scope counts these batches as pages: by-id lookups wait for them. */
  scope?: LoaderScope,
): DataLoader<string, Row[]> {
  return new DataLoader<string, Row[]>(
    trackedBy(scope, async (keys: readonly string[]) => {
      const grouped = groupBy(await fetch([...keys]), keyOf);
      return keys.map((key) => grouped.get(key) ?? []);
    }),
  );
}

