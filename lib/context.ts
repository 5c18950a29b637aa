import type { Principal } from './auth/principal';
import type { Db } from './db';

/** What every subgraph's resolvers receive: who asks, the store, and this request's loaders. */
export interface SubgraphContext<Loaders> {
  principal: Principal;
  db: Db;
  loaders: Loaders;
}
