import type { SubgraphName } from '../lib/config';
import type { Random } from './random';
import type { Person, World } from './world';

/** One row of a table, its values in the order of the table's `columns`. */
export type Row = Array<string | number | boolean | null>;

/** Rows to add, by table name. */
export type Rows = Record<string, Row[]>;

/**
 * How the seed fills one department's store. The department's migrations define the tables;
 * this says which columns the seed writes and derives every row from the shared `World` and
 * `Person`, so that all departments describe the same people.
 */
export interface DepartmentSeed {
  service: SubgraphName;
  /** Tables and the columns the seed writes, parents before children (the load order). */
  tables: Record<string, readonly string[]>;
  /** Rows that do not belong to one citizen (facilities, schools, businesses). */
  shared(world: World): Rows;
  /** One citizen's rows. `rng` is this department's own stream for this citizen. */
  person(person: Person, world: World, rng: Random): Rows;
}
