import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, byKeyListLoader, pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { ExportRebateRow, TaxPaymentRow, TaxReturnRow } from './db/tables';

/**
 * Per-request loaders. Each connection loader answers the pages of every owner in a batch (a
 * citizen, or a business for `Business.exportRebates`) with one statement; each id loader
 * answers every foreign key of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    taxReturns: pageLoader<TaxReturnRow>(db, repo.TAX_RETURN_PAGES, scope),
    taxPayments: pageLoader<TaxPaymentRow>(db, repo.TAX_PAYMENT_PAGES, scope),
    exportRebatesByCitizen: pageLoader<ExportRebateRow>(db, repo.CITIZEN_EXPORT_REBATE_PAGES, scope),
    exportRebatesByBusiness: pageLoader<ExportRebateRow>(db, repo.BUSINESS_EXPORT_REBATE_PAGES, scope),
    businessesByOwner: byKeyListLoader((citizenIds) => repo.businessesByOwner(db, citizenIds), (row) => row.ownerId, scope),
    business: byIdLoader((ids) => repo.businessesById(db, ids), scope),
    taxReturn: byIdLoader((ids) => repo.taxReturnsById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
