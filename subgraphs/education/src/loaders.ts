import type { Db } from '../../../lib/db';
import { byIdLoader, pageLoader } from '../../../lib/paging';
import * as repo from './db/repository';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; the school loader answers every school reference of a batch with one statement.
 */
export function createLoaders(db: Db) {
  return {
    enrollments: pageLoader((ids, first, after) => repo.enrollmentPages(db, ids, first, after)),
    qualifications: pageLoader((ids, first, after) => repo.qualificationPages(db, ids, first, after)),
    examResults: pageLoader((ids, first, after) => repo.examResultPages(db, ids, first, after)),
    school: byIdLoader((ids) => repo.schoolsById(db, ids)),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
