import type { Db } from '../../../lib/db';
import { byCitizenLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every owner in a batch (a
 * citizen, or a business for its employees' contributions) with one statement; the pension
 * loader answers every citizen of a batch with one statement.
 */
export function createLoaders(db: Db) {
  return {
    contributions: pageLoader((ids, first, after) => repo.contributionPages(db, ids, first, after)),
    employerContributions: pageLoader((ids, first, after) => repo.employerContributionPages(db, ids, first, after)),
    benefits: pageLoader((ids, first, after) => repo.benefitPages(db, ids, first, after)),
    pension: byCitizenLoader((ids) => repo.pensionsByCitizen(db, ids)),
    vouchers: pageLoader((ids, first, after) => repo.voucherPages(db, ids, first, after)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
