import type { Db } from '../lib/db';
import { LoaderScope, byIdLoader, pageLoader, type PagedRecord } from '../lib/loaders';
import type { PagedRow, PageQuery } from '../lib/sql';

/**
 * The statement counts of the subgraph tests rest on LoaderScope: lookups that follow from pages
 * go in one batch however far apart the pages arrive. These cases make the pages arrive apart on
 * purpose, with timers, so that they do not depend on the database's timing.
 */
interface Row extends PagedRecord, PagedRow {
  refId: string;
}

const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

function rowsFor(owners: string[], table: string): Row[] {
  return owners.map((owner, i) => ({
    id: `${table}-${owner}`,
    occurredAt: new Date(Date.UTC(2020, 0, 1 + i)),
    pageOwner: owner,
    refId: `ref-${table}-${i % 3}`,
  }));
}

/** A store whose every statement answers with `answer(owners)`, the owner ids of its page statement ($1). */
const store = (answer: (owners: string[]) => Promise<Row[]>) =>
  ({ query: (_text: string, params: unknown[]) => answer(params[0] as string[]) }) as unknown as Db;
const PAGES: PageQuery = { table: 't', columns: 'id', sortColumn: 'occurred_at', sortType: 'timestamptz' };

function setUp(scope: LoaderScope | undefined, delays: number[]) {
  const byIdBatches: string[][] = [];
  const pages = delays.map((delay, table) =>
    pageLoader<Row>(store((owners) => later(delay, rowsFor(owners, `t${table}`))), PAGES, scope),
  );
  const refs = byIdLoader<{ id: string }>(async (ids) => {
    byIdBatches.push(ids);
    return ids.map((id) => ({ id }));
  }, scope);
  /** What a resolver chain does: load each owner's page of each table, then each row's reference. */
  const resolve = (owners: string[]) =>
    Promise.all(
      pages.flatMap((loader) =>
        owners.map(async (owner) => {
          const page = await loader.load({ owner, first: 5 });
          return Promise.all(page.edges.map((edge) => refs.load(edge.node.refId)));
        }),
      ),
    );
  return { byIdBatches, resolve };
}

describe('LoaderScope', () => {
  it('sends the references of pages that arrive apart in one batch', async () => {
    const { byIdBatches, resolve } = setUp(new LoaderScope(), [1, 15, 40]);
    const result = await resolve(['a', 'b', 'c', 'd']);
    expect(result.flat(2)).toHaveLength(12);
    expect(byIdBatches).toHaveLength(1);
    expect(new Set(byIdBatches[0])).toEqual(new Set(['ref-t0-0', 'ref-t1-0', 'ref-t2-0', 'ref-t0-1', 'ref-t1-1', 'ref-t2-1', 'ref-t0-2', 'ref-t1-2', 'ref-t2-2']));
  });

  it('without a scope, the same pages make one lookup per arrival (what the scope prevents)', async () => {
    const { byIdBatches, resolve } = setUp(undefined, [1, 15, 40]);
    await resolve(['a', 'b', 'c', 'd']);
    expect(byIdBatches).toHaveLength(3);
  });

  it('answers a lookup at once when no page is in flight', async () => {
    const batches: string[][] = [];
    const refs = byIdLoader<{ id: string }>(async (ids) => {
      batches.push(ids);
      return ids.map((id) => ({ id }));
    }, new LoaderScope());
    await expect(Promise.all([refs.load('x'), refs.load('y')])).resolves.toEqual([{ id: 'x' }, { id: 'y' }]);
    expect(batches).toEqual([['x', 'y']]);
  });

  it('a failed page still releases the lookups waiting on the scope', async () => {
    const scope = new LoaderScope();
    const failing = pageLoader<Row>(store(() => later(5, null).then(() => Promise.reject(new Error('store down')))), PAGES, scope);
    const slow = pageLoader<Row>(store((owners) => later(1, rowsFor(owners, 'ok'))), PAGES, scope);
    const refs = byIdLoader<{ id: string }>(async (ids) => ids.map((id) => ({ id })), scope);
    const [failed, references] = await Promise.allSettled([
      failing.load({ owner: 'a', first: 5 }),
      slow.load({ owner: 'a', first: 5 }).then((page) => Promise.all(page.edges.map((edge) => refs.load(edge.node.refId)))),
    ]);
    expect(failed.status).toBe('rejected');
    expect(references).toEqual({ status: 'fulfilled', value: [{ id: 'ref-ok-0' }] });
  });
});
