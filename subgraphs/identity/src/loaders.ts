import DataLoader from 'dataloader';
import type { Db } from '../../../lib/db';
import { byIdLoader, byKeyListLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { CitizenRow } from './db/tables';

/** Per-request loaders: one statement per batch for every key the graph looks up. */
export function createLoaders(db: Db) {
  return {
    citizen: byIdLoader((ids) => repo.citizensById(db, ids)),
    household: byIdLoader((ids) => repo.householdsById(db, ids)),
    citizenByNationalId: new DataLoader<string, CitizenRow | null>(async (nationalIds) => {
      const rows = await repo.citizensByNationalId(db, [...nationalIds]);
      const byNationalId = new Map(rows.map((row) => [row.nationalId, row]));
      return nationalIds.map((id) => byNationalId.get(id) ?? null);
    }),
    consents: byKeyListLoader((citizenIds) => repo.consentsByCitizen(db, citizenIds), (row) => row.citizenId),
    householdMembers: byKeyListLoader(
      (householdIds) => repo.citizensByHousehold(db, householdIds),
      (row) => row.householdId ?? '',
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
