import type { SubgraphContext } from '../../../lib/context';
import type { Db } from '../../../lib/db';
import { createLoaders, type Loaders } from './loaders';

export type Context = SubgraphContext<Loaders>;

export const createContext = (db: Db): Context => ({ db, loaders: createLoaders(db) });
