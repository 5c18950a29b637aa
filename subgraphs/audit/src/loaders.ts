import type { Db } from '../../../lib/db';
import { pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. The access logs of every citizen in a batch (a page of 50 citizens) are
 * one statement.
 */
export function createLoaders(db: Db) {
  return {
    accessLog: pageLoader((ids, first, after) => repo.accessLogPages(db, ids, first, after)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
