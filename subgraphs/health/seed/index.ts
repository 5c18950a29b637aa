import { addDays, instantBetween, instantInYear, recordId } from '../../../seed/dates';
import type { Random } from '../../../seed/random';
import type { DepartmentSeed, Row } from '../../../seed/types';
import { CURRENCY, HISTORY_YEARS, REFERENCE_DATE, REFERENCE_YEAR, type Facility, type Person, type World } from '../../../seed/world';

const CHILD_DIAGNOSES = [
  ['J06.9', 'Upper respiratory infection'],
  ['H66.9', 'Otitis media'],
  ['A09', 'Gastroenteritis'],
  ['J45.909', 'Asthma'],
  ['L20.9', 'Atopic dermatitis'],
] as const;
const ADULT_DIAGNOSES = [
  ['J20.9', 'Acute bronchitis'],
  ['M54.5', 'Low back pain'],
  ['K21.9', 'Gastro-oesophageal reflux'],
  ['J30.9', 'Allergic rhinitis'],
  ['S93.4', 'Sprained ankle'],
  ['F41.1', 'Generalised anxiety disorder'],
] as const;
const OLDER_DIAGNOSES = [
  ['I10', 'Essential hypertension'],
  ['E11.9', 'Type 2 diabetes'],
  ['M17.9', 'Osteoarthritis of the knee'],
  ['I25.10', 'Coronary artery disease'],
  ['H25.9', 'Age-related cataract'],
  ['J44.9', 'Chronic obstructive pulmonary disease'],
] as const;
const MEDICATION: Record<string, readonly [string, string, number]> = {
  'J06.9': ['Paracetamol 500 mg', '1 tablet every 6 hours', 5],
  'H66.9': ['Amoxicillin 250 mg/5 ml', '5 ml three times a day', 7],
  A09: ['Oral rehydration salts', '1 sachet after each loose stool', 3],
  'J45.909': ['Salbutamol inhaler 100 µg', '2 puffs when needed', 30],
  'L20.9': ['Hydrocortisone cream 1%', 'apply twice a day', 14],
  'J20.9': ['Amoxicillin 500 mg', '1 capsule three times a day', 7],
  'M54.5': ['Ibuprofen 400 mg', '1 tablet three times a day with food', 10],
  'K21.9': ['Omeprazole 20 mg', '1 capsule each morning', 28],
  'J30.9': ['Loratadine 10 mg', '1 tablet a day', 30],
  'S93.4': ['Ibuprofen 400 mg', '1 tablet three times a day with food', 7],
  'F41.1': ['Sertraline 50 mg', '1 tablet a day', 30],
  I10: ['Amlodipine 5 mg', '1 tablet a day', 90],
  'E11.9': ['Metformin 500 mg', '1 tablet twice a day with meals', 90],
  'M17.9': ['Diclofenac gel 1%', 'apply three times a day', 30],
  'I25.10': ['Aspirin 100 mg', '1 tablet a day', 90],
  'H25.9': ['Levofloxacin eye drops 0.5%', '1 drop four times a day', 14],
  'J44.9': ['Tiotropium inhaler 18 µg', '1 inhalation a day', 30],
};
/** Childhood schedule: vaccine, dose number, age in days. */
const CHILD_SCHEDULE = [
  ['BCG', 1, 0], ['Hepatitis B', 1, 0], ['Hepatitis B', 2, 30], ['Polio (IPV)', 1, 60], ['Polio (IPV)', 2, 90],
  ['DTaP', 1, 90], ['DTaP', 2, 120], ['DTaP', 3, 150], ['Hepatitis B', 3, 180], ['MMR', 1, 240],
  ['Japanese encephalitis', 1, 240], ['MMR', 2, 540], ['DTaP', 4, 540], ['Polio (IPV)', 3, 1460], ['DT', 5, 2190],
] as const;

/** Facilities by city and wanted kinds, memoised per world (the seed makes millions of picks). */
const facilityChoices = new WeakMap<World, Map<string, Facility[]>>();

function localFacility(rng: Random, world: World, person: Person, kinds: readonly Facility['kind'][]): Facility {
  let choices = facilityChoices.get(world);
  if (!choices) facilityChoices.set(world, (choices = new Map()));
  const key = `${person.household.city.city}|${kinds.join()}`;
  let list = choices.get(key);
  if (!list) {
    const local = world.facilities.filter((f) => f.city === person.household.city.city && kinds.includes(f.kind));
    list = local.length ? local : world.facilities;
    choices.set(key, list);
  }
  return rng.pick(list);
}

export const healthSeed: DepartmentSeed = {
  service: 'health',
  tables: {
    facilities: ['id', 'name', 'kind', 'city'],
    encounters: ['id', 'citizen_id', 'occurred_at', 'facility_id', 'kind', 'diagnosis_code', 'diagnosis'],
    prescriptions: ['id', 'citizen_id', 'occurred_at', 'encounter_id', 'medication', 'dosage', 'days_supply'],
    vaccinations: ['id', 'citizen_id', 'occurred_at', 'facility_id', 'vaccine', 'dose_number'],
    insurance_claims: ['id', 'citizen_id', 'occurred_at', 'encounter_id', 'status', 'claimed', 'reimbursed', 'currency'],
  },
  shared: (world) => ({ facilities: world.facilities.map((f) => [f.id, f.name, f.kind, f.city]) }),
  person: (p, world, rng) => {
    const encounters: Row[] = [];
    const prescriptions: Row[] = [];
    const vaccinations: Row[] = [];
    const claims: Row[] = [];
    const birthYear = REFERENCE_YEAR - p.age;
    const firstYear = Math.max(birthYear, REFERENCE_YEAR - HISTORY_YEARS);
    for (let year = firstYear; year <= REFERENCE_YEAR; year++) {
      const ageThen = year - birthYear;
      const visits = rng.weighted(ageThen < 6 || ageThen >= 60 ? [[0, 3], [1, 4], [2, 3], [3, 1]] as const : [[0, 5], [1, 4], [2, 2]] as const);
      for (let v = 0; v < visits; v++) {
        const when = instantInYear(rng, year);
        if (when.getTime() < Date.parse(p.birthDate)) continue;
        const pool: ReadonlyArray<readonly [string, string]> = ageThen < 16 ? CHILD_DIAGNOSES : ageThen < 55 ? ADULT_DIAGNOSES : rng.chance(0.7) ? OLDER_DIAGNOSES : ADULT_DIAGNOSES;
        const [code, diagnosis] = rng.pick(pool);
        const kind = rng.weighted([['GP_VISIT', 10], ['SPECIALIST', 3], ['EMERGENCY', 1], ['INPATIENT', ageThen > 60 ? 1 : 0.3], ['TELEHEALTH', year >= 2020 ? 2 : 0]] as const);
        const facility = localFacility(rng, world, p, kind === 'INPATIENT' || kind === 'EMERGENCY' ? ['HOSPITAL'] : ['CLINIC', 'COMMUNITY_HEALTH_CENTRE', 'HOSPITAL']);
        const id = recordId('enc', p.index, encounters.length + 1);
        encounters.push([id, p.id, when.toISOString(), facility.id, kind, code, diagnosis]);
        if (rng.chance(0.5)) {
          const [medication, dosage, days] = MEDICATION[code];
          prescriptions.push([recordId('rx', p.index, prescriptions.length + 1), p.id, addDays(when, 0.01).toISOString(), id, medication, dosage, days]);
        }
        if (kind !== 'GP_VISIT' && kind !== 'TELEHEALTH') {
          const claimed = kind === 'INPATIENT' ? rng.amount(3000, 40000) : kind === 'EMERGENCY' ? rng.amount(400, 5000) : rng.amount(150, 1500);
          const status = rng.weighted([['APPROVED', 6], ['PARTIALLY_APPROVED', 3], ['REJECTED', 1], ['SUBMITTED', 1]] as const);
          const share = status === 'APPROVED' ? 0.7 : status === 'PARTIALLY_APPROVED' ? 0.4 : 0;
          claims.push([recordId('clm', p.index, claims.length + 1), p.id, addDays(when, rng.int(1, 10)).toISOString(), id, status, claimed, (Number(claimed) * share).toFixed(2), CURRENCY]);
        }
      }
      if (ageThen >= 18 && rng.chance(ageThen >= 60 ? 0.5 : 0.2)) {
        const when = instantBetween(rng, `${year}-10-01`, `${year}-12-15`);
        const facility = localFacility(rng, world, p, ['COMMUNITY_HEALTH_CENTRE', 'CLINIC']);
        vaccinations.push([recordId('vac', p.index, vaccinations.length + 1), p.id, when.toISOString(), facility.id, 'Influenza (seasonal)', 1]);
      }
    }
    const birth = Date.parse(`${p.birthDate}T01:00:00Z`);
    const windowStart = Date.parse(`${REFERENCE_YEAR - HISTORY_YEARS}-01-01`);
    for (const [vaccine, dose, days] of CHILD_SCHEDULE) {
      const when = birth + days * 86_400_000;
      if (when < windowStart || when > Date.parse(`${REFERENCE_DATE}T23:59:59Z`)) continue;
      const facility = localFacility(rng, world, p, ['COMMUNITY_HEALTH_CENTRE']);
      vaccinations.push([recordId('vac', p.index, vaccinations.length + 1), p.id, new Date(when).toISOString(), facility.id, vaccine, dose]);
    }
    return { encounters, prescriptions, vaccinations, insurance_claims: claims };
  },
};
