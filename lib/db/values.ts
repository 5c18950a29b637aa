/**
 * How values come back from either engine, and the COPY statement both use for bulk loads.
 */
// Values come back as the graph shows them: dates as `YYYY-MM-DD` strings (never shifted by a
// time zone), numerics as exact decimal strings, bigints as numbers (counts), timestamps as Date.
const OID = { INT8: 20, DATE: 1082, NUMERIC: 1700 } as const;
const identity = (value: string) => value;
export const PARSERS: Record<number, (value: string) => unknown> = {
  [OID.INT8]: (value: string) => Number(value),
  [OID.DATE]: identity,
  [OID.NUMERIC]: identity,
};

export function copyStatement(table: string, columns: readonly string[], source: string): string {
  return `COPY ${table} (${columns.join(', ')}) FROM ${source} WITH (FORMAT csv)`;
}
