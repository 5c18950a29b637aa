import type { Db } from './db';

/** What every subgraph's resolvers receive: the store and this request's loaders. */
export interface SubgraphContext<Loaders> {
  db: Db;
  loaders: Loaders;
}
