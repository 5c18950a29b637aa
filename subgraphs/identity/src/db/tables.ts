/**
 * Rows as the repository returns them (camelCase); resolvers shape them into graph types. Each
 * is its table's row as the migrations define it (generated/tables.ts, `npm run codegen`).
 */
import type { CitizensRow, ConsentsRow, HouseholdsRow } from './generated/tables';

export type CitizenRow = CitizensRow;
export type HouseholdRow = HouseholdsRow;
export type ConsentRow = ConsentsRow;
