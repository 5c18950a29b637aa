import { makeNationalId } from '../lib/national-id';
import { Random } from './random';

/**
 * The synthetic population every department's records are drawn from. Everything is a pure
 * function of (seed, number of citizens): the same arguments give the same people, the same
 * households, employers and businesses, so each department's data agrees with the others'.
 */

/** Ages and record dates are computed at this fixed day, so a seed does not drift with the clock. */
export const REFERENCE_DATE = '2026-06-30';
export const REFERENCE_YEAR = 2026;
export const CURRENCY = 'CNY';
/** How far back department histories go (years): keeps row counts per citizen bounded. */
export const HISTORY_YEARS = 12;

export const CITIES = [
  { city: 'Beijing', province: 'Beijing', region: '110101', postal: '100010' },
  { city: 'Shanghai', province: 'Shanghai', region: '310101', postal: '200001' },
  { city: 'Guangzhou', province: 'Guangdong', region: '440103', postal: '510140' },
  { city: 'Shenzhen', province: 'Guangdong', region: '440303', postal: '518001' },
  { city: 'Chengdu', province: 'Sichuan', region: '510104', postal: '610021' },
  { city: "Xi'an", province: 'Shaanxi', region: '610102', postal: '710001' },
  { city: 'Hangzhou', province: 'Zhejiang', region: '330102', postal: '310002' },
  { city: 'Wuhan', province: 'Hubei', region: '420102', postal: '430014' },
  { city: 'Nanjing', province: 'Jiangsu', region: '320102', postal: '210008' },
  { city: 'Chongqing', province: 'Chongqing', region: '500103', postal: '400010' },
] as const;
export type City = (typeof CITIES)[number];

const FAMILY_NAMES = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Gao', 'Luo', 'Zheng', 'Liang', 'Xie', 'Song', 'Tang', 'Han', 'Feng', 'Deng', 'Cao', 'Peng'];
const GIVEN_FEMALE = ['Fang', 'Na', 'Min', 'Jing', 'Li', 'Yan', 'Juan', 'Xiuying', 'Hui', 'Xin', 'Ting', 'Lan', 'Mei', 'Yue', 'Qian', 'Xue', 'Yuxuan', 'Zihan', 'Shuang', 'Ling'];
const GIVEN_MALE = ['Wei', 'Qiang', 'Lei', 'Jun', 'Yang', 'Yong', 'Jie', 'Tao', 'Ming', 'Chao', 'Hao', 'Peng', 'Bin', 'Gang', 'Hui', 'Zhiqiang', 'Haoran', 'Yuchen', 'Jian', 'Long'];
const STREETS = ['Renmin Road', 'Jiefang Road', 'Zhongshan Road', 'Heping Street', 'Jianshe Road', 'Xinhua Street', 'Chang\'an Avenue', 'Dongfeng Road', 'Wenhua Road', 'Huaihai Road'];
const SECTORS = ['MANUFACTURING', 'RETAIL', 'SOFTWARE', 'LOGISTICS', 'CONSTRUCTION', 'AGRICULTURE', 'HEALTHCARE', 'EDUCATION', 'FINANCE', 'HOSPITALITY'] as const;
const COMPANY_WORDS = ['Huaxia', 'Jinlong', 'Tianyu', 'Hengda', 'Xinghe', 'Dongfang', 'Changjiang', 'Kunlun', 'Baiyun', 'Zhongxing', 'Ruixiang', 'Fuxing'];
const COMPANY_KINDS: Record<(typeof SECTORS)[number], string> = {
  MANUFACTURING: 'Precision Manufacturing Co., Ltd.',
  RETAIL: 'Trading Co., Ltd.',
  SOFTWARE: 'Information Technology Co., Ltd.',
  LOGISTICS: 'Logistics Co., Ltd.',
  CONSTRUCTION: 'Construction Engineering Co., Ltd.',
  AGRICULTURE: 'Agricultural Products Co., Ltd.',
  HEALTHCARE: 'Medical Devices Co., Ltd.',
  EDUCATION: 'Education Consulting Co., Ltd.',
  FINANCE: 'Financial Services Co., Ltd.',
  HOSPITALITY: 'Hotel Management Co., Ltd.',
};

export interface Business {
  id: string;
  registrationNumber: string;
  name: string;
  sector: (typeof SECTORS)[number];
  city: string;
  foundedOn: string;
  /** Whether it exports goods (and so can claim export tax rebates). */
  exporter: boolean;
}

export interface Facility {
  id: string;
  name: string;
  kind: 'HOSPITAL' | 'CLINIC' | 'COMMUNITY_HEALTH_CENTRE';
  city: string;
}

export interface School {
  id: string;
  name: string;
  kind: 'PRIMARY' | 'SECONDARY' | 'UNIVERSITY' | 'VOCATIONAL';
  city: string;
}

export interface Job {
  businessId: string;
  fromYear: number;
  /** Last year worked, included; `null` while it lasts. */
  toYear: number | null;
  annualSalary: number;
}

export interface Household {
  id: string;
  line1: string;
  city: City;
}

export interface Person {
  index: number;
  id: string;
  nationalId: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: 'FEMALE' | 'MALE';
  /** Whole years at REFERENCE_DATE. */
  age: number;
  household: Household;
  /** The first person generated for their household (identity writes the household then). */
  firstInHousehold: boolean;
  /** Jobs within the last HISTORY_YEARS, oldest first (tax and social security both use them). */
  jobs: Job[];
  /** A business the person runs, if any (its export rebates are filed by them). */
  ownsBusinessId: string | null;
}

export interface World {
  seed: string;
  citizens: number;
  businesses: Business[];
  facilities: Facility[];
  schools: School[];
}

export const citizenId = (index: number) => `cit_${String(index + 1).padStart(6, '0')}`;
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The shared entities, sized to the population. */
export function buildWorld(citizens: number, seed: string): World {
  const rng = new Random(seed, 'world');
  const businesses: Business[] = [];
  for (let i = 0; i < Math.max(20, Math.ceil(citizens / 40)); i++) {
    const sector = rng.pick(SECTORS);
    const city = rng.pick(CITIES);
    businesses.push({
      id: `biz_${pad(i + 1, 6)}`,
      // Unified social credit code shape: 18 characters, unique by construction (index inside).
      registrationNumber: `91${city.region}${pad(i + 1, 8)}${rng.int(0, 9)}${rng.pick([...'0123456789ABCDEFGHJKLMNPQRTUWXY'])}`,
      name: `${city.city} ${rng.pick(COMPANY_WORDS)} ${COMPANY_KINDS[sector]}`,
      sector,
      city: city.city,
      foundedOn: `${rng.int(1985, 2022)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`,
      exporter: sector === 'MANUFACTURING' || sector === 'AGRICULTURE' ? rng.chance(0.7) : rng.chance(0.15),
    });
  }
  const facilities: Facility[] = [];
  for (let i = 0; i < Math.max(12, Math.ceil(citizens / 200)); i++) {
    const city = CITIES[i % CITIES.length];
    const kind = rng.weighted([['HOSPITAL', 2], ['CLINIC', 3], ['COMMUNITY_HEALTH_CENTRE', 5]] as const);
    const label = kind === 'HOSPITAL' ? `${rng.pick(['First', 'Second', 'Third', 'People\'s', 'Central'])} People's Hospital` : kind === 'CLINIC' ? `${rng.pick(STREETS)} Clinic` : `${rng.pick(STREETS)} Community Health Centre`;
    facilities.push({ id: `fac_${pad(i + 1, 5)}`, name: `${city.city} ${label}`, kind, city: city.city });
  }
  // Kinds cycle fastest and cities next, so that even a small world has every kind of school
  // in every city (children go to school where they live; a degree needs a university).
  const schools: School[] = [];
  const SCHOOL_KINDS = ['PRIMARY', 'SECONDARY', 'UNIVERSITY', 'VOCATIONAL'] as const;
  for (let i = 0; i < Math.max(SCHOOL_KINDS.length * CITIES.length, Math.ceil(citizens / 150)); i++) {
    const kind = SCHOOL_KINDS[i % SCHOOL_KINDS.length];
    const city = CITIES[Math.floor(i / SCHOOL_KINDS.length) % CITIES.length];
    const number = Math.floor(i / (SCHOOL_KINDS.length * CITIES.length)) + 1;
    const name =
      kind === 'PRIMARY' ? `${city.city} No. ${number} Primary School`
      : kind === 'SECONDARY' ? `${city.city} No. ${number} Middle School`
      : kind === 'UNIVERSITY' ? `${city.city} ${rng.pick(['Normal', 'Jiaotong', 'Technology', 'Medical', 'Finance'])} University${number > 1 ? ` (Campus ${number})` : ''}`
      : `${city.city} Vocational and Technical College${number > 1 ? ` No. ${number}` : ''}`;
    schools.push({ id: `sch_${pad(i + 1, 5)}`, name, kind, city: city.city });
  }
  return { seed, citizens, businesses, facilities, schools };
}

function birthDateFor(rng: Random, age: number): string {
  // A day within the year that makes the person `age` at REFERENCE_DATE.
  const ref = Date.UTC(REFERENCE_YEAR, 5, 30);
  const latest = Date.UTC(REFERENCE_YEAR - age, 5, 30);
  const earliest = Date.UTC(REFERENCE_YEAR - age - 1, 6, 1);
  const day = earliest + rng.int(0, Math.floor((latest - earliest) / 86_400_000)) * 86_400_000;
  return new Date(Math.min(day, ref)).toISOString().slice(0, 10);
}

/** Whole years between `birthDate` and REFERENCE_DATE. */
export function ageAt(birthDate: string, on = REFERENCE_DATE): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function jobsFor(rng: Random, world: World, age: number): Job[] {
  const startAge = rng.int(18, 24);
  if (age < startAge || !rng.chance(0.88)) return [];
  const birthYear = REFERENCE_YEAR - age;
  const retireYear = birthYear + rng.int(55, 63);
  const firstYear = Math.max(birthYear + startAge, REFERENCE_YEAR - HISTORY_YEARS);
  const lastYear = Math.min(retireYear, REFERENCE_YEAR);
  const jobs: Job[] = [];
  let year = firstYear;
  while (year <= lastYear) {
    const length = rng.int(2, 10);
    const end = year + length - 1;
    const ageThen = year - birthYear;
    jobs.push({
      businessId: rng.pick(world.businesses).id,
      fromYear: year,
      toYear: end >= lastYear ? (lastYear === REFERENCE_YEAR ? null : lastYear) : end,
      annualSalary: Math.round((40_000 + ageThen * 1_500 + rng.int(0, 120_000)) / 100) * 100,
    });
    year = end + 1 + (rng.chance(0.15) ? 1 : 0); // sometimes a year out of work between jobs
  }
  return jobs;
}

/**
 * Generates the population in order, a household at a time, and calls `emit` for each person.
 * Households fit together: a head, maybe a partner of similar age, children younger by 20 to 40
 * years, sometimes an elderly parent.
 */
export function* population(world: World): Generator<Person> {
  const sequences = new Map<string, number>();
  let index = 0;
  let householdIndex = 0;
  while (index < world.citizens) {
    const rng = new Random(world.seed, 'household', householdIndex);
    const city = rng.pick(CITIES);
    const household: Household = {
      id: `hh_${pad(householdIndex + 1, 6)}`,
      line1: `Room ${rng.int(1, 30)}0${rng.int(1, 4)}, Building ${rng.int(1, 40)}, ${rng.int(1, 999)} ${rng.pick(STREETS)}`,
      city,
    };
    householdIndex++;
    const familyName = rng.pick(FAMILY_NAMES);
    const headAge = rng.int(22, 88);
    const members: Array<{ age: number; sex: 'FEMALE' | 'MALE'; familyName: string }> = [];
    const headSex = rng.chance(0.5) ? 'FEMALE' : 'MALE';
    members.push({ age: headAge, sex: headSex, familyName });
    if (rng.chance(0.65)) {
      members.push({ age: Math.max(20, headAge + rng.int(-5, 5)), sex: headSex === 'MALE' ? 'FEMALE' : 'MALE', familyName: rng.pick(FAMILY_NAMES) });
    }
    if (headAge >= 22 && headAge <= 60) {
      const children = rng.weighted([[0, 3], [1, 5], [2, 3], [3, 1]] as const);
      for (let c = 0; c < children; c++) {
        const age = headAge - rng.int(20, 40);
        if (age >= 0) members.push({ age, sex: rng.chance(0.5) ? 'FEMALE' : 'MALE', familyName });
      }
    }
    if (headAge >= 30 && headAge <= 55 && rng.chance(0.1)) {
      members.push({ age: Math.min(100, headAge + rng.int(22, 35)), sex: rng.chance(0.6) ? 'FEMALE' : 'MALE', familyName });
    }
    for (const [position, member] of members.entries()) {
      if (index >= world.citizens) break;
      const personRng = new Random(world.seed, 'person', index);
      const birthDate = birthDateFor(personRng, member.age);
      const key = `${city.region}${birthDate}`;
      const count = sequences.get(key) ?? 0;
      sequences.set(key, count + 1);
      // Odd sequence for men, even for women; up to 500 people of one sex per place and birthday.
      const sequence = count * 2 + (member.sex === 'MALE' ? 1 : 0);
      const jobs = jobsFor(personRng, world, member.age);
      yield {
        index,
        id: citizenId(index),
        nationalId: makeNationalId(city.region, birthDate, sequence % 1000),
        givenName: personRng.pick(member.sex === 'FEMALE' ? GIVEN_FEMALE : GIVEN_MALE),
        familyName: member.familyName,
        birthDate,
        sex: member.sex,
        age: ageAt(birthDate),
        household,
        firstInHousehold: position === 0,
        jobs,
        ownsBusinessId: member.age >= 25 && member.age <= 70 && personRng.chance(0.04) ? personRng.pick(world.businesses).id : null,
      };
      index++;
    }
  }
}
