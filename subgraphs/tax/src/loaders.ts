import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, byKeyListLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every owner in a batch (a
 * citizen, or a business for `Business.exportRebates`) with one statement; each id loader
 * answers every foreign key of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    taxReturns: pageLoader((ids, first, after) => repo.taxReturnPages(db, ids, first, after), scope),
    taxPayments: pageLoader((ids, first, after) => repo.taxPaymentPages(db, ids, first, after), scope),
    exportRebatesByCitizen: pageLoader((ids, first, after) => repo.exportRebatePagesByCitizen(db, ids, first, after), scope),
    exportRebatesByBusiness: pageLoader((ids, first, after) => repo.exportRebatePagesByBusiness(db, ids, first, after), scope),
    businessesByOwner: byKeyListLoader((citizenIds) => repo.businessesByOwner(db, citizenIds), (row) => row.ownerId, scope),
    business: byIdLoader((ids) => repo.businessesById(db, ids), scope),
    taxReturn: byIdLoader((ids) => repo.taxReturnsById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
