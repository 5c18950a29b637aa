import type { Db } from '../../../lib/db';
import { pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { AccessRecordRow } from './db/tables';

/**
 * Per-request loaders. The access logs of every citizen in a batch (a page of 50 citizens) are
 * one statement.
 */
export function createLoaders(db: Db) {
  return {
    accessLog: pageLoader<AccessRecordRow>(db, repo.ACCESS_LOG_PAGES),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
