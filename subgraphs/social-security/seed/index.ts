import { addDays, instantBetween, instantInYear, isoDate, plusYears, recordId } from '../../../seed/dates';
import type { Random } from '../../../seed/random';
import type { DepartmentSeed, Row } from '../../../seed/types';
import { CURRENCY, HISTORY_YEARS, REFERENCE_DATE, REFERENCE_YEAR, type Job, type Person } from '../../../seed/world';

const FIRST_YEAR = REFERENCE_YEAR - HISTORY_YEARS;
/** Months of the reference year that have contributions so far. */
const MONTHS_SO_FAR = Number(REFERENCE_DATE.slice(5, 7));
/** Shares of salary paid into pension insurance by the employee and by the employer. */
const EMPLOYEE_RATE = 0.08;
const EMPLOYER_RATE = 0.16;
/** Employees retire between 55 and 63 (`world.ts` ends their jobs then); residents draw a pension from 60. */
const MIN_RETIREMENT_AGE = 55;
const MAX_RETIREMENT_AGE = 63;
const RESIDENT_PENSION_AGE = 60;
/** The national childcare subsidy: 3,600 a year for each child under three, paid from 2025. */
const CHILDCARE_SUBSIDY_FROM = '2025-01-01';
const CHILDCARE_SUBSIDY_MONTHLY = '300.00';
/** Statutory maternity leave in most provinces, in days. */
const MATERNITY_LEAVE_DAYS = 158;
/** Below this annual salary (or out of work) a resident may get a housing allowance. */
const HOUSING_INCOME_LIMIT = 60_000;

/** 10:00 in China Standard Time on `date`: when a record dated that day was made. */
const officeMorning = (date: string) => new Date(`${date}T02:00:00Z`);

interface Grant {
  kind: 'CHILD' | 'UNEMPLOYMENT' | 'DISABILITY' | 'HOUSING' | 'MATERNITY';
  monthly: string;
  start: Date;
  /** The last day it is due; `null` when open-ended. A last day after REFERENCE_DATE means it is still paid. */
  lastDay: string | null;
  suspended?: boolean;
}

const jobIn = (p: Person, year: number): Job | undefined =>
  p.jobs.find((job) => job.fromYear <= year && year <= (job.toYear ?? REFERENCE_YEAR));

/** One row a year for each job: 8% and 16% of the salary, for the months worked that year. */
function contributions(p: Person): Row[] {
  const rows: Row[] = [];
  for (const job of p.jobs) {
    for (let year = job.fromYear; year <= (job.toYear ?? REFERENCE_YEAR); year++) {
      const inProgress = year === REFERENCE_YEAR;
      const months = inProgress ? MONTHS_SO_FAR : 12;
      const salary = (job.annualSalary * months) / 12;
      const recordedAt = officeMorning(inProgress ? REFERENCE_DATE : `${year}-12-31`);
      rows.push([
        recordId('con', p.index, rows.length + 1), p.id, recordedAt.toISOString(), job.businessId, 'PENSION_INSURANCE',
        year, months, (salary * EMPLOYEE_RATE).toFixed(2), (salary * EMPLOYER_RATE).toFixed(2), CURRENCY,
      ]);
    }
  }
  return rows;
}

/**
 * The last year worked, when the final job ended at retirement age; `null` while still working,
 * out of work before retirement age, or with no job on record.
 */
function retiredAfter(p: Person, birthYear: number): number | null {
  const last = p.jobs.at(-1);
  if (!last || last.toYear === null) return null;
  return last.toYear + 1 - birthYear >= MIN_RETIREMENT_AGE ? last.toYear : null;
}

/** Unemployment benefit for each spell out of work: after a job that ended before retirement. */
function unemployment(p: Person, retired: number | null, rng: Random): Grant[] {
  const grants: Grant[] = [];
  p.jobs.forEach((job, i) => {
    if (job.toYear === null || job.toYear === retired) return;
    const lastOutOfWork = i + 1 < p.jobs.length ? p.jobs[i + 1].fromYear - 1 : REFERENCE_YEAR;
    if (lastOutOfWork <= job.toYear) return;
    const start = instantBetween(rng, `${job.toYear + 1}-01-02`, `${job.toYear + 1}-03-31`);
    const due = isoDate(addDays(start, rng.int(3, 12) * 30 - 1));
    const spellEnd = `${lastOutOfWork}-12-31`;
    grants.push({ kind: 'UNEMPLOYMENT', monthly: rng.amount(1600, 2400), start, lastDay: due < spellEnd ? due : spellEnd });
  });
  return grants;
}

/** The childcare subsidy, paid for the child from 2025 (or birth) until their third birthday. */
function childcare(p: Person): Grant[] {
  const lastDay = isoDate(addDays(officeMorning(plusYears(p.birthDate, 3)), -1));
  if (lastDay < CHILDCARE_SUBSIDY_FROM) return [];
  const from = p.birthDate > CHILDCARE_SUBSIDY_FROM ? p.birthDate : CHILDCARE_SUBSIDY_FROM;
  return [{ kind: 'CHILD', monthly: CHILDCARE_SUBSIDY_MONTHLY, start: officeMorning(from), lastDay }];
}

/** Maternity allowance for employed women of child-bearing age: their salary during the leave. */
function maternity(p: Person, birthYear: number, rng: Random): Grant[] {
  if (p.sex !== 'FEMALE') return [];
  const grants: Grant[] = [];
  for (const job of p.jobs) {
    for (let year = job.fromYear; year <= (job.toYear ?? REFERENCE_YEAR); year++) {
      const age = year - birthYear;
      if (age < 22 || age > 40 || !rng.chance(0.05)) continue;
      const start = instantInYear(rng, year);
      const lastDay = isoDate(addDays(start, MATERNITY_LEAVE_DAYS - 1));
      grants.push({ kind: 'MATERNITY', monthly: (job.annualSalary / 12).toFixed(2), start, lastDay });
    }
  }
  return grants;
}

/** A housing allowance, granted in a year the adult was out of work or on a low salary. */
function housing(p: Person, birthYear: number, rng: Random): Grant[] {
  const years: number[] = [];
  for (let year = Math.max(FIRST_YEAR, birthYear + 25); year <= REFERENCE_YEAR; year++) {
    if ((jobIn(p, year)?.annualSalary ?? 0) < HOUSING_INCOME_LIMIT) years.push(year);
  }
  if (!years.length || !rng.chance(0.1)) return [];
  const start = instantInYear(rng, rng.pick(years));
  const lastDay = isoDate(addDays(start, rng.int(1, 3) * 365 - 1));
  return [{ kind: 'HOUSING', monthly: rng.amount(400, 1200), start, lastDay }];
}

/** A disability allowance for a few adults: open-ended, sometimes suspended for review. */
function disability(p: Person, birthYear: number, rng: Random): Grant[] {
  if (p.age < 18 || !rng.chance(0.015)) return [];
  const start = instantBetween(rng, `${Math.max(FIRST_YEAR, birthYear + 18)}-01-01`, REFERENCE_DATE);
  return [{ kind: 'DISABILITY', monthly: rng.amount(300, 1200), start, lastDay: null, suspended: rng.chance(0.1) }];
}

function benefitRow(p: Person, n: number, grant: Grant): Row {
  const ended = grant.lastDay !== null && grant.lastDay <= REFERENCE_DATE;
  const status = ended ? 'ENDED' : grant.suspended ? 'SUSPENDED' : 'ACTIVE';
  return [
    recordId('ben', p.index, n), p.id, grant.start.toISOString(), grant.kind, status, grant.monthly, CURRENCY,
    isoDate(grant.start), ended ? grant.lastDay : null,
  ];
}

/**
 * The pension, from 1 January after the year the citizen retired. With a job on record it is
 * the employees' pension, about half the last salary. Without one, either they retired before
 * the records begin (an employees' pension of unknown salary) or never worked (the residents'
 * pension, from 60).
 */
function pension(p: Person, birthYear: number, retired: number | null, rng: Random): Row[] {
  const row = (scheme: string, retiredIn: number, monthly: string): Row[] => {
    const start = `${retiredIn + 1}-01-01`;
    return [[recordId('pen', p.index, 1), p.id, officeMorning(start).toISOString(), scheme, start, monthly, CURRENCY]];
  };
  if (retired !== null) {
    const salary = p.jobs[p.jobs.length - 1].annualSalary;
    return row('EMPLOYEE_BASIC', retired, ((salary / 12) * (0.45 + rng.next() * 0.15)).toFixed(2));
  }
  if (p.jobs.length) return [];
  const retiredIn = birthYear + rng.int(MIN_RETIREMENT_AGE, MAX_RETIREMENT_AGE);
  if (retiredIn < FIRST_YEAR) return row('EMPLOYEE_BASIC', retiredIn, rng.amount(2500, 5500));
  const residentFrom = birthYear + RESIDENT_PENSION_AGE;
  return residentFrom < REFERENCE_YEAR ? row('RESIDENT_BASIC', residentFrom, rng.amount(180, 450)) : [];
}

export const socialSecuritySeed: DepartmentSeed = {
  service: 'social-security',
  tables: {
    contributions: ['id', 'citizen_id', 'occurred_at', 'employer_id', 'scheme', 'year', 'months', 'employee_amount', 'employer_amount', 'currency'],
    benefits: ['id', 'citizen_id', 'occurred_at', 'kind', 'status', 'monthly_amount', 'currency', 'start_date', 'end_date'],
    pensions: ['id', 'citizen_id', 'occurred_at', 'scheme', 'start_date', 'monthly_amount', 'currency'],
  },
  shared: () => ({}),
  person: (p, _world, rng) => {
    const birthYear = Number(p.birthDate.slice(0, 4));
    const retired = retiredAfter(p, birthYear);
    const grants = [
      ...childcare(p),
      ...unemployment(p, retired, rng),
      ...maternity(p, birthYear, rng),
      ...housing(p, birthYear, rng),
      ...disability(p, birthYear, rng),
    ];
    return {
      contributions: contributions(p),
      benefits: grants.map((grant, i) => benefitRow(p, i + 1, grant)),
      pensions: pension(p, birthYear, retired, rng),
    };
  },
};
