/**
 * National identity numbers: 18 characters, `RRRRRR YYYYMMDD SSS C` — a 6-digit region code,
 * the birth date, a 3-digit sequence (odd for men, even for women) and a check character
 * computed with ISO 7064 MOD 11-2 (`0`-`9` or `X`).
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

/** The check character for the first 17 digits. */
export function nationalIdCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error(`expected 17 digits; received ${JSON.stringify(first17)}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

/** Why `value` is not a valid national id, or `null` when it is. */
export function nationalIdProblem(value: string): string | null {
  if (!/^\d{17}[\dX]$/.test(value)) return 'must be 17 digits followed by a digit or X';
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  if (month < 1 || month > 12 || day < 1 || day > 31) return 'has no valid birth date in characters 7-14';
  if (nationalIdCheckDigit(value.slice(0, 17)) !== value[17]) return 'has a wrong check character';
  return null;
}

export function makeNationalId(region: string, birthDate: string, sequence: number): string {
  const first17 = `${region}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + nationalIdCheckDigit(first17);
}
