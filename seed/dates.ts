import type { Random } from './random';
import { REFERENCE_DATE, REFERENCE_YEAR } from './world';

const DAY = 86_400_000;
const REFERENCE_MS = Date.parse(`${REFERENCE_DATE}T23:59:59Z`);

/** A timestamp in [from, to] (ISO dates or timestamps), never after REFERENCE_DATE, in office hours UTC+8. */
export function instantBetween(rng: Random, from: string | number, to: string | number): Date {
  const start = typeof from === 'number' ? from : Date.parse(from);
  const end = Math.min(typeof to === 'number' ? to : Date.parse(to), REFERENCE_MS);
  const day = start + Math.floor(rng.next() * Math.max(1, (end - start) / DAY)) * DAY;
  const midnightUtc = day - (day % DAY);
  // 08:00-18:00 in China Standard Time is 00:00-10:00 UTC.
  const instant = midnightUtc + rng.int(0, 10 * 60 - 1) * 60_000;
  return new Date(Math.min(instant, REFERENCE_MS));
}

/** A timestamp within `year` (never after REFERENCE_DATE). */
export function instantInYear(rng: Random, year: number): Date {
  return instantBetween(rng, `${year}-01-01`, year === REFERENCE_YEAR ? REFERENCE_DATE : `${year}-12-31`);
}

export const addDays = (instant: Date, days: number) => new Date(instant.getTime() + days * DAY);
export const isoDate = (instant: Date) => instant.toISOString().slice(0, 10);
/** The date `years` after `date` (YYYY-MM-DD); 29 February becomes 28 February. */
export function plusYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${y + years}-${String(m).padStart(2, '0')}-${String(m === 2 && d === 29 ? 28 : d).padStart(2, '0')}`;
}
/** `prefix_000123_04`: unique per citizen and record number, and stable across seeds of the same world. */
export const recordId = (prefix: string, personIndex: number, n: number) =>
  `${prefix}_${String(personIndex + 1).padStart(6, '0')}_${String(n).padStart(2, '0')}`;
