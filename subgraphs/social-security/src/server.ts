import { join } from 'node:path';
import { APPLICATIONS_MIGRATIONS, applicationsRoute } from '../../../lib/applications';
import type { Db } from '../../../lib/db';
import { medicalInsuranceVoucher } from './applications';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/**
 * The social security department: contributions, benefits and pensions; adds employers'
 * contributions to `Business` (owned by tax).
 */
export const socialSecurity: SubgraphDefinition<Context> = {
  name: 'social-security',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
  // It handles applications (lib/procedures.ts): they are kept here (lib/applications).
  sharedMigrations: [APPLICATIONS_MIGRATIONS],
  routes: (db) => ({ '/applications': applicationsRoute('social-security', db, [medicalInsuranceVoucher]) }),
};

/** Builds the social security subgraph over `db` (migrated on the way); opens no port. */
export const createSocialSecuritySubgraph = (db: Db) => createSubgraph(socialSecurity, db);
