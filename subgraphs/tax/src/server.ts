import { join } from 'node:path';
import { APPLICATIONS_MIGRATIONS, applicationsRoute } from '../../../lib/applications';
import type { Db } from '../../../lib/db';
import { exportTaxRebate } from './applications';
import { createSubgraph, type SubgraphDefinition } from '../../../lib/subgraph';
import { createContext, type Context } from './context';
import { resolvers } from './resolvers';

/** The tax bureau: income tax returns, tax payments, export rebates; owns `Business`. */
export const tax: SubgraphDefinition<Context> = {
  name: 'tax',
  dir: join(__dirname, '..'),
  resolvers,
  createContext,
  // It handles applications (lib/procedures.ts): they are kept here (lib/applications).
  sharedMigrations: [APPLICATIONS_MIGRATIONS],
  routes: (db) => ({ '/applications': applicationsRoute('tax', db, [exportTaxRebate]) }),
};

/** Builds the tax subgraph over `db` (migrated on the way); opens no port. */
export const createTaxSubgraph = (db: Db) => createSubgraph(tax, db);
