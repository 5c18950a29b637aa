/** Display helpers. Dates are shown in UTC, as the registry records them; money keeps its exact decimal. */

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });

/** `2024-03-01` or an ISO instant -> `1 Mar 2024`. */
export function formatDate(value: string): string {
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? value : DATE.format(date);
}

export function formatDateTime(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : DATE_TIME.format(date);
}

/** `{ amount: "12345.50", currency: "CNY" }` -> `CNY 12,345.50`, without going through a float. */
export function formatMoney(money: { amount: string; currency: string }): string {
  const negative = money.amount.startsWith('-');
  const [whole, fraction] = money.amount.replace(/^[-+]/, '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '−' : ''}${money.currency} ${grouped}${fraction !== undefined ? `.${fraction.padEnd(2, '0')}` : ''}`;
}

/** `GP_VISIT` -> `GP visit`; `SOCIAL_SECURITY` -> `Social security`. Short all-capital words (GP, CET) stay. */
export function humanize(value: string): string {
  const words = value.split('_').map((word, i) => {
    if (word.length <= 2 && !['IN', 'ON', 'OF', 'TO', 'BY'].includes(word)) return word;
    const lower = word.toLowerCase();
    return i === 0 ? lower[0].toUpperCase() + lower.slice(1) : lower;
  });
  return words.join(' ');
}

/** `3 records`, `1 record`. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** Whole years from `birthDate` to today. */
export function age(birthDate: string, today = new Date()): number {
  const [y, m, d] = birthDate.split('-').map(Number);
  let years = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d)) years--;
  return years;
}
