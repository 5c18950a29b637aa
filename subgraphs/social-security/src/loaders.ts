import type { Db } from '../../../lib/db';
import { byCitizenLoader, pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { BenefitRow, ContributionRow, VoucherRow } from './db/tables';

/**
 * Per-request loaders. Each connection loader answers the pages of every owner in a batch (a
 * citizen, or a business for its employees' contributions) with one statement; the pension
 * loader answers every citizen of a batch with one statement.
 */
export function createLoaders(db: Db) {
  return {
    contributions: pageLoader<ContributionRow>(db, repo.CONTRIBUTION_PAGES),
    employerContributions: pageLoader<ContributionRow>(db, repo.EMPLOYER_CONTRIBUTION_PAGES),
    benefits: pageLoader<BenefitRow>(db, repo.BENEFIT_PAGES),
    pension: byCitizenLoader((ids) => repo.pensionsByCitizen(db, ids)),
    vouchers: pageLoader<VoucherRow>(db, repo.VOUCHER_PAGES),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
