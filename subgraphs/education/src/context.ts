import { contextFactory, type SubgraphContext } from '../../../lib/context';
import { createLoaders, type Loaders } from './loaders';

export type Context = SubgraphContext<Loaders>;

export const createContext = contextFactory(createLoaders);
