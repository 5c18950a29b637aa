import type { Principal } from './auth/principal';
import type { Db } from './db';

/** What every subgraph's resolvers receive: who asks, the store, and this request's loaders. */
export interface SubgraphContext<Loaders> {
  principal: Principal;
  db: Db;
  loaders: Loaders;
  /**
   * Citizens whose data this response carries. Resolvers add an id when they return that
   * citizen's data; the subgraph reports the set to the gateway, which writes the access trail.
   */
  accessed: Set<string>;
}

/** A subgraph's context factory: a request's principal, the store, fresh loaders, nothing accessed yet. */
export function contextFactory<Loaders>(createLoaders: (db: Db) => Loaders) {
  return (db: Db, principal: Principal): SubgraphContext<Loaders> => ({
    principal,
    db,
    loaders: createLoaders(db),
    accessed: new Set(),
  });
}
