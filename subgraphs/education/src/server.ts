import { join } from 'node:path';
import type { Db } from '../../../lib/db';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The education department: enrollments, qualifications, exam results; owns `School`. */
export const education: SubgraphDefinition<Context> = {
  name: 'education',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
};

/** Builds the education subgraph over `db` (migrated on the way); opens no port. */
export const createEducationSubgraph = (db: Db) => createSubgraph(education, db);
