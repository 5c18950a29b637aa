import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, byKeyListLoader, pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { EncounterRow, InsuranceClaimRow, PrescriptionRow, VaccinationRow } from './db/tables';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; each id loader answers every foreign key of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    encounters: pageLoader<EncounterRow>(db, repo.ENCOUNTER_PAGES, scope),
    prescriptions: pageLoader<PrescriptionRow>(db, repo.PRESCRIPTION_PAGES, scope),
    vaccinations: pageLoader<VaccinationRow>(db, repo.VACCINATION_PAGES, scope),
    insuranceClaims: pageLoader<InsuranceClaimRow>(db, repo.INSURANCE_CLAIM_PAGES, scope),
    facility: byIdLoader((ids) => repo.facilitiesById(db, ids), scope),
    encounter: byIdLoader((ids) => repo.encountersById(db, ids), scope),
    vaccinationHistory: byKeyListLoader((ids) => repo.vaccinationHistories(db, ids), (row) => row.citizenId, scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
