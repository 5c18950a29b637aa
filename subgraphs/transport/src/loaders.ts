import type { Db } from '../../../lib/db';
import { LoaderScope, byCitizenLoader, byIdLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; the licence loader answers every citizen of a batch, and the vehicle loader
 * every vehicle id (entity references and violations' foreign keys alike), with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    drivingLicence: byCitizenLoader((citizenIds) => repo.drivingLicencesByCitizen(db, citizenIds)),
    vehicles: pageLoader((ids, first, after) => repo.vehiclePages(db, ids, first, after), scope),
    violations: pageLoader((ids, first, after) => repo.violationPages(db, ids, first, after), scope),
    vehicle: byIdLoader((ids) => repo.vehiclesById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
