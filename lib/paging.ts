import DataLoader from 'dataloader';
import { badInput } from './errors';

/**
 * Cursor connections, shared by every subgraph. A page of a citizen's records is ordered newest
 * first by (`occurredAt`, `id`); the cursor is that pair, opaque to clients (base64url JSON).
 */
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Cursor {
  /** The sort value of the row: an ISO timestamp, a date, or a string key. */
  key: string;
  id: string;
}

export interface Connection<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.key, cursor.id])).toString('base64url');
}

export function decodeCursor(after: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return { key: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(`"after" must be a cursor returned by this connection; received ${JSON.stringify(after)}`, 'after');
}

/** Validates `first` (1..MAX_PAGE_SIZE, default `fallback`) and decodes `after`. */
export function pageArgs(args: PageArgs, fallback = 20): { first: number; after: Cursor | null } {
  const first = args.first ?? fallback;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`"first" must be between 1 and ${MAX_PAGE_SIZE}; received ${first}`, 'first');
  }
  return { first, after: args.after ? decodeCursor(args.after) : null };
}

/**
 * Builds a connection from up to `first + 1` rows (the extra row only says a next page exists).
 */
export function toConnection<Row>(rows: Row[], first: number, cursorOf: (row: Row) => Cursor): Connection<Row> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
  };
}

/** A sort key as the cursor stores it: timestamps as ISO strings, dates and text as they are. */
export function sortKey(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value;
}

/** A department record as a page holds it: ordered by when it happened, under its owner key. */
export interface PagedRecord {
  id: string;
  occurredAt: Date;
  /** The key the page was loaded under (a citizen id, a business id); see `fetchCitizenPages`. */
  pageOwner: string;
}

/**
 * Loads pages of many owners' records in one statement per distinct (first, after): the
 * repository function receives every owner id of the batch and returns, for each owner, up to
 * `first + 1` rows in page order (a window function does that in SQL).
 */
export type PageFetcher<Row extends PagedRecord> = (
  ownerIds: string[],
  first: number,
  after: Cursor | null,
) => Promise<Row[]>;

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

export function pageLoader<Row extends PagedRecord>(
  fetch: PageFetcher<Row>,
  scope?: LoaderScope,
): DataLoader<PageKey, Connection<Row>, string> {
  return new DataLoader<PageKey, Connection<Row>, string>(
    trackedBy(scope, (keys: readonly PageKey[]) => loadPages(fetch, keys)),
    { cacheKeyFn: (key) => `${key.owner}|${key.first ?? ''}|${key.after ?? ''}` },
  );
}

async function loadPages<Row extends PagedRecord>(
  fetch: PageFetcher<Row>,
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
      rowsByGroup.set(group, groupBy(await fetch([...owners], first, after), (row) => row.pageOwner));
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

/** The cursor of a service record: newest first by `occurredAt`, then id. */
export function recordCursor(row: { id: string; occurredAt: Date }): Cursor {
  return { key: row.occurredAt.toISOString(), id: row.id };
}
