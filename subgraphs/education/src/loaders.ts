import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; the school loader answers every school reference of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    enrollments: pageLoader((ids, first, after) => repo.enrollmentPages(db, ids, first, after), scope),
    qualifications: pageLoader((ids, first, after) => repo.qualificationPages(db, ids, first, after), scope),
    examResults: pageLoader((ids, first, after) => repo.examResultPages(db, ids, first, after), scope),
    school: byIdLoader((ids) => repo.schoolsById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
