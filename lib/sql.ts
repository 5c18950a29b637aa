import type { Cursor } from './paging';
import type { Db } from './db';

/**
 * SQL shapes that every department's repository uses. Repositories stay the only place that
 * runs SQL; these only build the text, so each department keeps its tables its own.
 */

export interface CitizenPageQuery {
  /** Table name, e.g. `encounters`. It must have `id`, the owner column and the sort column. */
  table: string;
  /** Whose pages these are: `citizen_id` (the default) or another key, e.g. `business_id`. */
  ownerColumn?: string;
  /** The select list, with camelCase aliases: `id, citizen_id AS "citizenId", ...`. */
  columns: string;
  /** The sort column (newest first), e.g. `occurred_at`. */
  sortColumn: string;
  /** Its SQL type, for the cursor comparison. */
  sortType: 'timestamptz' | 'date' | 'int' | 'text';
}

/**
 * One statement that returns, for every owner (citizen) in `$1`, up to `$2` rows in page order
 * (newest first, then id), after the cursor if one is given. `row_number()` partitioned by the
 * owner is what makes a page of 50 citizens one query instead of 50. The index
 * `(<owner>, <sort> DESC, id DESC)` serves it.
 */
export function citizenPageStatement(q: CitizenPageQuery, after: Cursor | null): string {
  const owner = q.ownerColumn ?? 'citizen_id';
  const cursorFilter = after ? ` AND (${q.sortColumn}, id) < ($3::${q.sortType}, $4::text)` : '';
  return `SELECT * FROM (
  SELECT ${q.columns}, ${owner} AS "pageOwner",
         row_number() OVER (PARTITION BY ${owner} ORDER BY ${q.sortColumn} DESC, id DESC) AS "pageRow"
  FROM ${q.table}
  WHERE ${owner} = ANY($1::text[])${cursorFilter}
) page WHERE "pageRow" <= $2 ORDER BY "pageOwner", "pageRow"`;
}

/** Parameters matching `citizenPageStatement`. */
export function citizenPageParams(ownerIds: string[], first: number, after: Cursor | null): unknown[] {
  const limit = first + 1; // one extra row tells whether a next page exists
  return after ? [ownerIds, limit, after.key, after.id] : [ownerIds, limit];
}

/**
 * Runs a `citizenPageStatement`: the rows of many owners' pages in one statement. Each row
 * carries `pageOwner`, the owner key it was paged under.
 */
export function fetchCitizenPages<Row>(
  db: Db,
  q: CitizenPageQuery,
  ownerIds: string[],
  first: number,
  after: Cursor | null,
): Promise<Array<Row & PagedRow>> {
  return db.query<Row & PagedRow>(citizenPageStatement(q, after), citizenPageParams(ownerIds, first, after));
}

/** What every paged row carries besides its own columns. */
export interface PagedRow {
  pageOwner: string;
}
