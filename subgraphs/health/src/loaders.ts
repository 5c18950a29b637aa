import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, byKeyListLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; each id loader answers every foreign key of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    encounters: pageLoader((ids, first, after) => repo.encounterPages(db, ids, first, after), scope),
    prescriptions: pageLoader((ids, first, after) => repo.prescriptionPages(db, ids, first, after), scope),
    vaccinations: pageLoader((ids, first, after) => repo.vaccinationPages(db, ids, first, after), scope),
    insuranceClaims: pageLoader((ids, first, after) => repo.insuranceClaimPages(db, ids, first, after), scope),
    facility: byIdLoader((ids) => repo.facilitiesById(db, ids), scope),
    encounter: byIdLoader((ids) => repo.encountersById(db, ids), scope),
    vaccinationHistory: byKeyListLoader((ids) => repo.vaccinationHistories(db, ids), (row) => row.citizenId, scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
