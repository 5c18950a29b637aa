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

/** The cursor of a service record: newest first by `occurredAt`, then id. */
export function recordCursor(row: { id: string; occurredAt: Date }): Cursor {
  return { key: row.occurredAt.toISOString(), id: row.id };
}
