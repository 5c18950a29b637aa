import type { Principal } from '../../../lib/auth/principal';
import type { SubgraphContext } from '../../../lib/context';
import type { Db } from '../../../lib/db';
import { createLoaders, type Loaders } from './loaders';

export type Context = SubgraphContext<Loaders>;

export const createContext = (db: Db, principal: Principal): Context => ({
  principal,
  db,
  loaders: createLoaders(db),
  accessed: new Set(),
});
