import type { Db } from '../../../lib/db';
import { LoaderScope, byCitizenLoader, byIdLoader, pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { VehicleRow, ViolationRow } from './db/tables';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; the licence loader answers every citizen of a batch, and the vehicle loader
 * every vehicle id (entity references and violations' foreign keys alike), with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    drivingLicence: byCitizenLoader((citizenIds) => repo.drivingLicencesByCitizen(db, citizenIds)),
    vehicles: pageLoader<VehicleRow>(db, repo.VEHICLE_PAGES, scope),
    violations: pageLoader<ViolationRow>(db, repo.VIOLATION_PAGES, scope),
    vehicle: byIdLoader((ids) => repo.vehiclesById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
