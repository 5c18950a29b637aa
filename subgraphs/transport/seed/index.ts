import { addDays, instantBetween, isoDate, plusYears, recordId } from '../../../seed/dates';
import type { Random } from '../../../seed/random';
import type { DepartmentSeed, Row, Rows } from '../../../seed/types';
import { CITIES, CURRENCY, HISTORY_YEARS, REFERENCE_DATE, REFERENCE_YEAR, type City, type Person } from '../../../seed/world';

/** The plate prefix of each city: its province's one-character abbreviation and the city letter. */
const PLATE_PREFIX: Record<City['city'], string> = {
  Beijing: '京A',
  Shanghai: '沪A',
  Guangzhou: '粤A',
  Shenzhen: '粤B',
  Chengdu: '川A',
  "Xi'an": '陕A',
  Hangzhou: '浙A',
  Wuhan: '鄂A',
  Nanjing: '苏A',
  Chongqing: '渝A',
};
/** Plates use digits and letters without I and O, which read as 1 and 0. */
const PLATE_SYMBOLS = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PLATE_SERIALS = PLATE_SYMBOLS.length ** 5;
const MAX_VEHICLES = 3;

type FuelType = 'PETROL' | 'DIESEL' | 'HYBRID' | 'ELECTRIC';
/** Make, model, the fuel types it is sold with, and the first model year on the Chinese market. */
const MODELS: ReadonlyArray<readonly [string, string, readonly FuelType[], number]> = [
  ['Volkswagen', 'Santana', ['PETROL'], 1985],
  ['Volkswagen', 'Jetta', ['PETROL'], 1991],
  ['Volkswagen', 'Lavida', ['PETROL'], 2008],
  ['Buick', 'Excelle', ['PETROL'], 2004],
  ['Toyota', 'Corolla', ['PETROL', 'HYBRID'], 2007],
  ['Honda', 'Accord', ['PETROL', 'HYBRID'], 2008],
  ['Nissan', 'Sylphy', ['PETROL'], 2006],
  ['Geely', 'Emgrand', ['PETROL'], 2009],
  ['Haval', 'H6', ['PETROL', 'DIESEL'], 2011],
  ['JMC', 'Transit', ['DIESEL'], 2006],
  ['Changan', 'CS75', ['PETROL'], 2014],
  ['Tesla', 'Model 3', ['ELECTRIC'], 2019],
  ['BYD', 'Han', ['HYBRID', 'ELECTRIC'], 2020],
  ['Wuling', 'Hongguang Mini EV', ['ELECTRIC'], 2020],
  ['BYD', 'Qin PLUS', ['HYBRID', 'ELECTRIC'], 2021],
  ['Li Auto', 'L7', ['HYBRID'], 2023],
];

type ViolationKind = 'SPEEDING' | 'RED_LIGHT' | 'PARKING' | 'NO_SEATBELT' | 'PHONE_WHILE_DRIVING' | 'FAILURE_TO_YIELD';
/** Kind, fine (CNY) and penalty points as the national schedule sets them for a private car; weighted by how common. */
const OFFENCES: ReadonlyArray<readonly [readonly [ViolationKind, number, number], number]> = [
  [['PARKING', 150, 0], 8],
  [['SPEEDING', 100, 1], 4], // less than 20% over the limit
  [['SPEEDING', 200, 3], 2], // 20-50% over the limit
  [['NO_SEATBELT', 50, 1], 1.5],
  [['RED_LIGHT', 200, 6], 1],
  [['PHONE_WHILE_DRIVING', 100, 3], 1],
  [['FAILURE_TO_YIELD', 200, 3], 1],
];
const ROADS = ['2nd Ring Road', '3rd Ring Road', 'Airport Expressway', 'Century Avenue', 'Renmin Road', 'Zhongshan Road', 'Jiefang Road', 'Jianshe Road', 'Xinhua Street', 'Dongfeng Road'];

/** Registrations older than this have mostly been scrapped or deregistered: the register is current state. */
const VEHICLE_YEARS = 15;
const HISTORY_START = Date.parse(`${REFERENCE_YEAR - HISTORY_YEARS}-01-01`);
const REFERENCE_MS = Date.parse(REFERENCE_DATE);
const DAY = 86_400_000;

/**
 * The licence file number: the issuing city's 4-digit prefix and the person's 8-digit serial, so
 * numbers never repeat below 100 million citizens.
 */
const licenceNumber = (p: Person) => `${p.household.city.region.slice(0, 4)}${String(p.index + 1).padStart(8, '0')}`;

/**
 * A first licence is valid for 6 years and each renewal for 10. A holder who `letsLapse` skips
 * the renewal due before REFERENCE_DATE, so the licence is left expired.
 */
function expiryOf(issuedOn: string, letsLapse: boolean): string {
  let expiresOn = plusYears(issuedOn, 6);
  while (expiresOn < REFERENCE_DATE) {
    const renewed = plusYears(expiresOn, 10);
    if (letsLapse && renewed > REFERENCE_DATE) break;
    expiresOn = renewed;
  }
  return expiresOn;
}

/** Points are counted per 12-month cycle starting on each anniversary of the first issue. */
function scoringCycleStart(issuedOn: string): string {
  const years = REFERENCE_YEAR - Number(issuedOn.slice(0, 4));
  const anniversary = plusYears(issuedOn, years);
  return anniversary > REFERENCE_DATE ? plusYears(issuedOn, years - 1) : anniversary;
}

/**
 * A plate for the `n`th vehicle (1-based) of a person. Multiplying the serial by a constant
 * coprime to 34^5 scatters neighbours across the plate space and stays one-to-one, so plates
 * never repeat below 34^5 / MAX_VEHICLES (about 15 million) citizens.
 */
function plateOf(p: Person, n: number, fuel: FuelType): string {
  let serial = ((p.index * MAX_VEHICLES + n) * 7_654_321) % PLATE_SERIALS;
  let characters = '';
  for (let i = 0; i < 5; i++) {
    characters = PLATE_SYMBOLS[serial % PLATE_SYMBOLS.length] + characters;
    serial = Math.floor(serial / PLATE_SYMBOLS.length);
  }
  // New-energy vehicles have green plates with D (battery electric) or F (hybrid) in front.
  const energy = fuel === 'ELECTRIC' ? 'D' : fuel === 'HYBRID' ? 'F' : '';
  return `${PLATE_PREFIX[p.household.city.city]}·${energy}${characters}`;
}

interface SeededVehicle {
  id: string;
  registered: Date;
  row: Row;
}

interface SeededViolation {
  occurredAt: Date;
  points: number;
  status: 'PAID' | 'UNPAID' | 'CONTESTED';
  row: Row;
}

/** The `n`th vehicle registered to `p`, at `registered`: new, or now and then second-hand. */
function seedVehicle(p: Person, rng: Random, n: number, registered: Date): SeededVehicle {
  const firstRegistered = rng.chance(0.2) ? addDays(registered, -rng.int(365, 5 * 365)) : registered;
  const modelYear = firstRegistered.getUTCFullYear() - (rng.chance(0.3) ? 1 : 0);
  const [make, model, fuels] = rng.pick(MODELS.filter(([, , , since]) => since <= modelYear));
  const fuel = rng.pick(fuels);
  const id = recordId('veh', p.index, n);
  return {
    id,
    registered,
    row: [id, p.id, registered.toISOString(), plateOf(p, n, fuel), make, model, modelYear, fuel, isoDate(firstRegistered)],
  };
}

/** The `n`th violation of `p`, on `vehicle` at `when`, mostly in the owner's home city. */
function seedViolation(p: Person, rng: Random, n: number, vehicle: SeededVehicle, when: Date): SeededViolation {
  const [kind, fine, points] = rng.weighted(OFFENCES);
  const city = rng.chance(0.85) ? p.household.city.city : rng.pick(CITIES).city;
  // Recent fines are often still open; older ones were settled long ago.
  const recent = REFERENCE_MS - when.getTime() < 60 * DAY;
  const status = rng.weighted(
    recent ? ([['UNPAID', 6], ['PAID', 3], ['CONTESTED', 1]] as const) : ([['PAID', 95], ['UNPAID', 4], ['CONTESTED', 1]] as const),
  );
  const location = `${rng.pick(ROADS)}, ${city}`;
  return {
    occurredAt: when,
    points,
    status,
    row: [recordId('vio', p.index, n), p.id, when.toISOString(), vehicle.id, kind, location, fine.toFixed(2), CURRENCY, points, status],
  };
}

/**
 * A few violations a year on each vehicle, within the history window and only while the vehicle
 * is registered to `p` (a draw before its registration is dropped, so a partial year has fewer).
 */
function seedViolations(p: Person, rng: Random, vehicles: SeededVehicle[]): SeededViolation[] {
  const violations: SeededViolation[] = [];
  for (const vehicle of vehicles) {
    const since = Math.max(vehicle.registered.getTime(), HISTORY_START);
    for (let year = new Date(since).getUTCFullYear(); year <= REFERENCE_YEAR; year++) {
      const count = rng.weighted([[0, 3], [1, 3], [2, 2], [3, 1.5], [4, 0.5]] as const);
      for (let v = 0; v < count; v++) {
        const when = instantBetween(rng, `${year}-01-01`, `${year + 1}-01-01`);
        if (when.getTime() >= since) violations.push(seedViolation(p, rng, violations.length + 1, vehicle, when));
      }
    }
  }
  return violations;
}

export const transportSeed: DepartmentSeed = {
  service: 'transport',
  tables: {
    driving_licences: ['id', 'citizen_id', 'occurred_at', 'licence_number', 'categories', 'issued_on', 'expires_on', 'penalty_points', 'status'],
    vehicles: ['id', 'citizen_id', 'occurred_at', 'plate', 'make', 'model', 'model_year', 'fuel_type', 'first_registered_on'],
    violations: ['id', 'citizen_id', 'occurred_at', 'vehicle_id', 'kind', 'location', 'fine', 'currency', 'points', 'status'],
  },
  shared: () => ({}),
  person: (p, _world, rng): Rows => {
    if (p.age < 18 || !rng.chance(p.age < 65 ? 0.6 : 0.3)) return {};
    // Licences are taken between 18 and 35: within the year after the birthday of that age.
    const issueAge = rng.int(18, Math.min(35, p.age));
    const issued = instantBetween(rng, plusYears(p.birthDate, issueAge), plusYears(p.birthDate, issueAge + 1));
    const issuedOn = isoDate(issued);
    const expiresOn = expiryOf(issuedOn, p.age >= 70 && rng.chance(0.5));
    const categories: string[] = [rng.weighted([['C1', 70], ['C2', 15], ['B2', 8], ['A1', 2], ['A2', 2]] as const)];
    if (rng.chance(0.08)) categories.push('E');

    // A holder who let the licence lapse has stopped driving: no vehicle, so no violations.
    const vehicles: SeededVehicle[] = [];
    if (expiresOn >= REFERENCE_DATE && rng.chance(0.75)) {
      const from = Math.max(issued.getTime(), Date.parse(`${REFERENCE_YEAR - VEHICLE_YEARS}-01-01`));
      const count = rng.weighted([[1, 6], [2, 3], [MAX_VEHICLES, 1]] as const);
      for (let n = 1; n <= count; n++) vehicles.push(seedVehicle(p, rng, n, instantBetween(rng, from, REFERENCE_DATE)));
    }
    const violations = seedViolations(p, rng, vehicles);

    const cycleStart = Date.parse(scoringCycleStart(issuedOn));
    const penaltyPoints = violations
      .filter((v) => v.occurredAt.getTime() >= cycleStart && v.status !== 'CONTESTED')
      .reduce((sum, v) => sum + v.points, 0);
    const status = expiresOn < REFERENCE_DATE ? 'EXPIRED' : penaltyPoints >= 12 ? 'SUSPENDED' : 'VALID';
    const licence: Row = [recordId('dl', p.index, 1), p.id, issued.toISOString(), licenceNumber(p), `{${categories.join(',')}}`, issuedOn, expiresOn, penaltyPoints, status];
    return { driving_licences: [licence], vehicles: vehicles.map((v) => v.row), violations: violations.map((v) => v.row) };
  },
};
