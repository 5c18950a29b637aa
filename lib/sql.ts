import type { Cursor } from './paging';

/**
 * The statement of a page read, which every department's page loader runs (lib/loaders.ts). A
 * repository declares its pages as `PageQuery` values (its statements); these only build the text,
 * so each department keeps its tables its own.
 */

export interface PageQuery {
  /** Table name, e.g. `encounters`. It must have `id`, the owner column and the sort column. */
  table: string;
  /** Whose pages these are: `citizen_id` (the default) or another key, e.g. `business_id`. */
  ownerColumn?: string;
  /** The select list, with camelCase aliases: the table's generated one, `ENCOUNTERS.select()`. */
  columns: string;
  /** The sort column (newest first), e.g. `occurred_at`. */
  sortColumn: string;
  /** Its SQL type, for the cursor comparison. */
  sortType: 'timestamptz' | 'date' | 'int' | 'text';
}

/**
 * The pages of a table of service records (every department's records have `occurred_at`):
 * newest first, under `citizen_id` unless `ownerColumn` names another owner (`business_id`).
 * `table` is the table's generated description (`VEHICLES`), whose select list it takes.
 */
export function recordPages(table: { table: string; select(): string }, ownerColumn?: string): PageQuery {
  const pages: PageQuery = { table: table.table, columns: table.select(), sortColumn: 'occurred_at', sortType: 'timestamptz' };
  return ownerColumn ? { ...pages, ownerColumn } : pages;
}

/**
 * A page read that is not one table's window (audit's access log, through its citizen index): the
 * repository writes the statement for many owners' pages itself. Its rows carry `pageOwner`, and
 * each owner has up to `first + 1` of them in page order.
 */
export interface PageStatement {
  text(after: Cursor | null): string;
  params(ownerIds: string[], first: number, after: Cursor | null): unknown[];
}

/**
 * One statement that returns, for every owner in `$1`, up to `$2` rows in page order (newest
 * first, then id), after the cursor if one is given. `row_number()` partitioned by the owner is
 * what makes a page of 50 citizens one query instead of 50. The index
 * `(<owner>, <sort> DESC, id DESC)` serves it. Each row carries `pageOwner`, the owner key it was
 * paged under.
 */
export function pageStatement(q: PageQuery, after: Cursor | null): string {
  const owner = q.ownerColumn ?? 'citizen_id';
  const cursorFilter = after ? ` AND (${q.sortColumn}, id) < ($3::${q.sortType}, $4::text)` : '';
  return `SELECT * FROM (
  SELECT ${q.columns}, ${owner} AS "pageOwner",
         row_number() OVER (PARTITION BY ${owner} ORDER BY ${q.sortColumn} DESC, id DESC) AS "pageRow"
  FROM ${q.table}
  WHERE ${owner} = ANY($1::text[])${cursorFilter}
) page WHERE "pageRow" <= $2 ORDER BY "pageOwner", "pageRow"`;
}

/** Parameters matching `pageStatement`. */
export function pageParams(ownerIds: string[], first: number, after: Cursor | null): unknown[] {
  const limit = first + 1; // one extra row tells whether a next page exists
  return after ? [ownerIds, limit, after.key, after.id] : [ownerIds, limit];
}

/** What every paged row carries besides its own columns. */
export interface PagedRow {
  pageOwner: string;
}
