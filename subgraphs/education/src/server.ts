import { join } from 'node:path';
import { APPLICATIONS_MIGRATIONS, applicationsRoute } from '../../../lib/applications';
import type { Db } from '../../../lib/db';
import { schoolEnrollment } from './applications';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The education department: enrollments, qualifications, exam results; owns `School`. */
export const education: SubgraphDefinition<Context> = {
  name: 'education',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
  // Education handles school enrollment: its applications are kept here (lib/applications).
  sharedMigrations: [APPLICATIONS_MIGRATIONS],
  routes: (db) => ({ '/applications': applicationsRoute('education', db, [schoolEnrollment]) }),
};

/** Builds the education subgraph over `db` (migrated on the way); opens no port. */
export const createEducationSubgraph = (db: Db) => createSubgraph(education, db);
