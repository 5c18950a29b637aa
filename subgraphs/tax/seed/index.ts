import { addDays, instantBetween, instantInYear, recordId } from '../../../seed/dates';
import type { Random } from '../../../seed/random';
import type { DepartmentSeed, Row } from '../../../seed/types';
import { CURRENCY, HISTORY_YEARS, REFERENCE_DATE, REFERENCE_YEAR, type Business, type Job, type Person, type World } from '../../../seed/world';

/** The basic annual deduction of China's individual income tax (5,000 CNY a month). */
const BASIC_DEDUCTION = 60_000;
/** Annual brackets on taxable income: up to `limit`, `rate` less the quick deduction. */
const BRACKETS = [
  { limit: 36_000, rate: 0.03, quickDeduction: 0 },
  { limit: 144_000, rate: 0.1, quickDeduction: 2_520 },
  { limit: 300_000, rate: 0.2, quickDeduction: 16_920 },
  { limit: 420_000, rate: 0.25, quickDeduction: 31_920 },
  { limit: 660_000, rate: 0.3, quickDeduction: 52_920 },
  { limit: 960_000, rate: 0.35, quickDeduction: 85_920 },
  { limit: Infinity, rate: 0.45, quickDeduction: 181_920 },
] as const;

/** Owners start filing export rebates from this age (the world gives businesses to people 25 and over). */
const OWNER_MIN_AGE = 25;

const EXPORT_GOODS: Record<Business['sector'], readonly string[]> = {
  MANUFACTURING: ['Machined steel parts', 'Electric motors', 'LED lighting fixtures'],
  RETAIL: ['Household textiles', 'Ceramic tableware', 'Plastic toys'],
  SOFTWARE: ['Network switches', 'Embedded control boards'],
  LOGISTICS: ['Corrugated packaging', 'Steel shipping containers'],
  CONSTRUCTION: ['Steel scaffolding', 'Ceramic floor tiles'],
  AGRICULTURE: ['Green tea', 'Frozen vegetables', 'Dried shiitake mushrooms'],
  HEALTHCARE: ['Surgical masks', 'Diagnostic test kits'],
  EDUCATION: ['Printed textbooks', 'School stationery'],
  FINANCE: ['Banknote counting machines'],
  HOSPITALITY: ['Hotel linen', 'Commercial kitchen equipment'],
};

const DAY = 86_400_000;
const REFERENCE_MS = Date.parse(`${REFERENCE_DATE}T23:59:59Z`);

/** The year's tax on `taxable` income (the quick deduction makes one multiplication exact). */
function incomeTax(taxable: number): number {
  const bracket = BRACKETS.find((b) => taxable <= b.limit)!;
  return taxable * bracket.rate - bracket.quickDeduction;
}

interface WorkYear {
  /** The employer that paid the most that year: the one named on the return. */
  employerId: string;
  mainSalary: number;
  /** Wages from every job of the year. */
  grossIncome: number;
}

/**
 * The completed years within the history window in which the person drew wages. A year with
 * several jobs makes one return: the best-paid job's employer, the wages of all jobs summed.
 */
function workYears(jobs: readonly Job[]): Map<number, WorkYear> {
  const years = new Map<number, WorkYear>();
  const firstYear = REFERENCE_YEAR - HISTORY_YEARS;
  for (const job of jobs) {
    // The current year is not over, so it has no return yet.
    const lastYear = Math.min(job.toYear ?? REFERENCE_YEAR, REFERENCE_YEAR - 1);
    for (let year = Math.max(job.fromYear, firstYear); year <= lastYear; year++) {
      const known = years.get(year);
      if (!known) {
        years.set(year, { employerId: job.businessId, mainSalary: job.annualSalary, grossIncome: job.annualSalary });
      } else {
        known.grossIncome += job.annualSalary;
        if (job.annualSalary > known.mainSalary) {
          known.employerId = job.businessId;
          known.mainSalary = job.annualSalary;
        }
      }
    }
  }
  return new Map([...years].sort(([a], [b]) => a - b));
}

function returnStatus(rng: Random, taxYear: number, taxDue: number): string {
  // Last year's returns are still being assessed; only a return with tax to pay can be overdue.
  if (taxYear === REFERENCE_YEAR - 1) return rng.weighted([['FILED', 3], ['ASSESSED', 2]] as const);
  return rng.weighted([['ASSESSED', 20], ['AMENDED', 2], ['OVERDUE', taxDue > 0 ? 1 : 0]] as const);
}

/** A PAID rebate was paid this many days after it was filed (migration 0002_rebate_payments does the same for older rows). */
const REBATE_PAID_AFTER_DAYS = 30;

function rebateStatus(rng: Random, filed: Date): string {
  const days = (REFERENCE_MS - filed.getTime()) / DAY;
  if (days < 45) return 'SUBMITTED';
  return rng.weighted([[days < 120 ? 'APPROVED' : 'PAID', 9], ['REJECTED', 1]] as const);
}

// Looking up a business by id for every citizen must not rebuild an index a million times.
const businessIndex = new WeakMap<World, Map<string, Business>>();
function businessById(world: World, id: string): Business {
  let index = businessIndex.get(world);
  if (!index) {
    index = new Map(world.businesses.map((b) => [b.id, b]));
    businessIndex.set(world, index);
  }
  const business = index.get(id);
  if (!business) throw new Error(`person refers to business ${id}, which the world does not have`);
  return business;
}

/** One income tax return per year with wages, and the payment that settles its tax due. */
function returnsAndPayments(p: Person, rng: Random): { returns: Row[]; payments: Row[] } {
  const returns: Row[] = [];
  const payments: Row[] = [];
  for (const [year, work] of workYears(p.jobs)) {
    // The annual reconciliation is filed from 1 March to 30 June of the next year.
    const filed = instantBetween(rng, `${year + 1}-03-01`, `${year + 1}-06-30`);
    const taxable = Math.max(0, work.grossIncome - BASIC_DEDUCTION);
    const taxDue = incomeTax(taxable);
    const status = returnStatus(rng, year, taxDue);
    const id = recordId('txr', p.index, returns.length + 1);
    returns.push([id, p.id, filed.toISOString(), year, work.employerId, work.grossIncome.toFixed(2), taxable.toFixed(2), taxDue.toFixed(2), CURRENCY, status]);
    if (taxDue > 0 && status !== 'OVERDUE') {
      const paid = instantBetween(rng, addDays(filed, 1).getTime(), addDays(filed, 20).getTime());
      const method = rng.weighted([['ALIPAY', 4], ['WECHAT_PAY', 3], ['BANK_TRANSFER', 2], ['TAX_OFFICE_COUNTER', 1]] as const);
      payments.push([recordId('txp', p.index, payments.length + 1), p.id, paid.toISOString(), id, taxDue.toFixed(2), CURRENCY, method]);
    }
  }
  return { returns, payments };
}

/** One to three export rebate claims a year for an exporting business the person runs. */
function exportRebates(p: Person, business: Business, rng: Random): Row[] {
  const rebates: Row[] = [];
  if (!business.exporter) return rebates;
  // A business exports from the year after it is founded, and its owner files once of age to run it.
  const foundedYear = Number(business.foundedOn.slice(0, 4));
  const birthYear = Number(p.birthDate.slice(0, 4));
  const firstYear = Math.max(REFERENCE_YEAR - HISTORY_YEARS, foundedYear + 1, birthYear + OWNER_MIN_AGE);
  for (let year = firstYear; year <= REFERENCE_YEAR; year++) {
    const claims = rng.int(1, 3);
    for (let c = 0; c < claims; c++) {
      const filed = instantInYear(rng, year);
      // Drawn in this order (goods, amount, status) so the rows are the same as before paid_at.
      const goods = rng.pick(EXPORT_GOODS[business.sector]);
      const amount = rng.amount(5_000, 250_000);
      const status = rebateStatus(rng, filed);
      rebates.push([
        recordId('xrb', p.index, rebates.length + 1),
        p.id,
        business.id,
        filed.toISOString(),
        goods,
        amount,
        CURRENCY,
        status,
        // Paid a fixed 30 days after filing (no draw from rng: the other rows stay as they were).
        status === 'PAID' ? addDays(filed, REBATE_PAID_AFTER_DAYS).toISOString() : null,
      ]);
    }
  }
  return rebates;
}

export const taxSeed: DepartmentSeed = {
  service: 'tax',
  tables: {
    businesses: ['id', 'registration_number', 'name', 'sector', 'city', 'founded_on', 'exporter'],
    business_owners: ['citizen_id', 'business_id'],
    tax_returns: ['id', 'citizen_id', 'occurred_at', 'tax_year', 'employer_id', 'gross_income', 'taxable_income', 'tax_due', 'currency', 'status'],
    tax_payments: ['id', 'citizen_id', 'occurred_at', 'tax_return_id', 'amount', 'currency', 'method'],
    export_rebates: ['id', 'citizen_id', 'business_id', 'occurred_at', 'goods', 'amount', 'currency', 'status', 'paid_at'],
  },
  shared: (world) => ({
    businesses: world.businesses.map((b) => [b.id, b.registrationNumber, b.name, b.sector, b.city, b.foundedOn, b.exporter]),
  }),
  person: (p, world, rng) => {
    const { returns, payments } = returnsAndPayments(p, rng);
    const owned = p.ownsBusinessId ? businessById(world, p.ownsBusinessId) : null;
    return {
      business_owners: owned ? [[p.id, owned.id]] : [],
      tax_returns: returns,
      tax_payments: payments,
      export_rebates: owned ? exportRebates(p, owned, rng) : [],
    };
  },
};
