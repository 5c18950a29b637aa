import type { Db } from '../../../lib/db';
import { LoaderScope, byIdLoader, pageLoader } from '../../../lib/loaders';
import * as repo from './db/repository';
import type { EnrollmentRow, ExamResultRow, QualificationRow } from './db/tables';

/**
 * Per-request loaders. Each connection loader answers the pages of every citizen in a batch with
 * one statement; the school loader answers every school reference of a batch with one statement.
 */
export function createLoaders(db: Db) {
  const scope = new LoaderScope();
  return {
    enrollments: pageLoader<EnrollmentRow>(db, repo.ENROLLMENT_PAGES, scope),
    qualifications: pageLoader<QualificationRow>(db, repo.QUALIFICATION_PAGES, scope),
    examResults: pageLoader<ExamResultRow>(db, repo.EXAM_RESULT_PAGES, scope),
    school: byIdLoader((ids) => repo.schoolsById(db, ids), scope),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
