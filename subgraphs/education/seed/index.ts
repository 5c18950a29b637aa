import { addDays, instantBetween, isoDate, recordId } from '../../../seed/dates';
import type { Random } from '../../../seed/random';
import type { DepartmentSeed, Row } from '../../../seed/types';
import { HISTORY_YEARS, REFERENCE_DATE, REFERENCE_YEAR, type Person, type School, type World } from '../../../seed/world';

type Level = 'PRIMARY' | 'JUNIOR_SECONDARY' | 'SENIOR_SECONDARY' | 'SECONDARY_VOCATIONAL' | 'HIGHER_VOCATIONAL' | 'BACHELOR';
/** One subject of an examination: its name and highest possible score. */
type Subject = readonly [name: string, maxScore: number];

/** The department's records start here: nothing older was carried over into its store. */
const HISTORY_START_MS = Date.parse(`${REFERENCE_YEAR - HISTORY_YEARS}-01-01`);

const ZHONGKAO = { exam: 'Zhongkao', days: ['06-16', '06-25'], subjects: [['Chinese', 120], ['Mathematics', 120], ['English', 120], ['Physics', 100], ['Chemistry', 100]] } as const;
const GAOKAO = { exam: 'Gaokao', days: ['06-07', '06-10'], subjects: [['Chinese', 150], ['Mathematics', 150], ['English', 150], ['Comprehensive', 300]] } as const;
const VOCATIONAL_FIELDS = ['Nursing', 'Mechatronics', 'Accounting', 'E-commerce', 'Automotive Maintenance', 'Software Technology', 'Hotel Management'];
/** Degrees by the university's specialism, read from its name (e.g. `Wuhan Medical University`). */
const DEGREES: ReadonlyArray<readonly [specialism: string, degrees: readonly string[]]> = [
  ['Medical', ['Bachelor of Medicine', 'Bachelor of Science']],
  ['Normal', ['Bachelor of Education', 'Bachelor of Arts', 'Bachelor of Science']],
  ['Finance', ['Bachelor of Economics', 'Bachelor of Management']],
  ['Technology', ['Bachelor of Engineering', 'Bachelor of Science']],
  ['Jiaotong', ['Bachelor of Engineering', 'Bachelor of Management']],
];
const OTHER_DEGREES = ['Bachelor of Arts', 'Bachelor of Science', 'Bachelor of Laws'];

interface Programme {
  /** The kind of school that runs it. */
  kind: School['kind'];
  years: number;
  /** What finishing it earns. */
  qualification(school: School, rng: Random): string;
  /** Subjects of the end-of-year examination, by school year (0 = first year); none if empty. */
  yearlySubjects?(year: number): readonly Subject[];
  /** The national examination that replaces the last end-of-year examination. */
  finalExam?: typeof ZHONGKAO | typeof GAOKAO;
  /** The share of students who sit the College English Test (CET) in their first year. */
  collegeEnglish?: number;
  /** Compulsory schooling is never left early; the later programmes sometimes are. */
  compulsory?: boolean;
}

const coreSubjects = (maxScore: number, english: boolean): readonly Subject[] =>
  english ? [['Chinese', maxScore], ['Mathematics', maxScore], ['English', maxScore]] : [['Chinese', maxScore], ['Mathematics', maxScore]];

const PROGRAMMES: Record<Level, Programme> = {
  PRIMARY: {
    kind: 'PRIMARY', years: 6, compulsory: true,
    qualification: () => 'Primary School Graduation Certificate',
    // English is taught from the third grade.
    yearlySubjects: (year) => coreSubjects(100, year >= 2),
  },
  JUNIOR_SECONDARY: {
    kind: 'SECONDARY', years: 3, compulsory: true,
    qualification: () => 'Junior Secondary School Certificate',
    yearlySubjects: () => coreSubjects(120, true),
    finalExam: ZHONGKAO,
  },
  SENIOR_SECONDARY: {
    kind: 'SECONDARY', years: 3,
    qualification: () => 'Senior Secondary School Certificate',
    yearlySubjects: () => coreSubjects(150, true),
    finalExam: GAOKAO,
  },
  SECONDARY_VOCATIONAL: {
    kind: 'VOCATIONAL', years: 3,
    qualification: (_school, rng) => `Secondary Vocational Diploma in ${rng.pick(VOCATIONAL_FIELDS)}`,
  },
  HIGHER_VOCATIONAL: {
    kind: 'VOCATIONAL', years: 3, collegeEnglish: 0.4,
    qualification: (_school, rng) => `Higher Vocational Diploma in ${rng.pick(VOCATIONAL_FIELDS)}`,
  },
  BACHELOR: {
    kind: 'UNIVERSITY', years: 4, collegeEnglish: 1,
    qualification: (school, rng) => rng.pick(DEGREES.find(([specialism]) => school.name.includes(specialism))?.[1] ?? OTHER_DEGREES),
  },
};

/** Where a student may go after finishing `level`, with weights; `null` is leaving education. */
function nextOptions(level: Level, ability: number): ReadonlyArray<readonly [Level | null, number]> {
  switch (level) {
    case 'PRIMARY':
      return [['JUNIOR_SECONDARY', 1]];
    case 'JUNIOR_SECONDARY':
      // The Zhongkao streams about seven in ten into general senior high school.
      return [['SENIOR_SECONDARY', 0.4 + 0.6 * ability], ['SECONDARY_VOCATIONAL', 0.6 - 0.6 * ability]];
    case 'SENIOR_SECONDARY':
      return [['BACHELOR', 0.2 + ability], ['HIGHER_VOCATIONAL', 0.45], [null, 0.3]];
    case 'SECONDARY_VOCATIONAL':
      return [['HIGHER_VOCATIONAL', 0.3], [null, 0.7]];
    default:
      return [[null, 1]];
  }
}

/** The programme after `level`, or `null` for leaving education, among those the world has schools for. */
function nextLevel(world: World, level: Level, ability: number, rng: Random): Level | null {
  const options = nextOptions(level, ability).filter(([next]) => !next || schoolsOf(world, PROGRAMMES[next].kind).length);
  return options.length ? rng.weighted(options) : null;
}

/** A national certificate examination adults sit outside any school: its results and, if passed, the certificate. */
type CertificateExam = (rng: Random, ability: number) => { exam: string; results: Array<readonly [Subject, number]>; certificate: string | null };
/** Putonghua Proficiency Test grades by lowest score; below 60 earns no certificate. */
const PUTONGHUA_GRADES: ReadonlyArray<readonly [minScore: number, grade: string]> = [[97, '1-A'], [92, '1-B'], [87, '2-A'], [80, '2-B'], [70, '3-A'], [60, '3-B']];

const CERTIFICATE_EXAMS: readonly CertificateExam[] = [
  (rng, ability) => {
    const subject = rng.pick(['Level 2: MS Office Advanced Applications', 'Level 2: Python Programming', 'Level 2: C Programming']);
    const score = scoreOf(rng, ability, 100);
    return {
      exam: 'National Computer Rank Examination',
      results: [[[subject, 100], score]],
      certificate: score >= 60 ? `National Computer Rank Examination Certificate (${subject})` : null,
    };
  },
  (rng, ability) => {
    const score = scoreOf(rng, ability, 100);
    const grade = PUTONGHUA_GRADES.find(([minScore]) => score >= minScore)?.[1];
    return {
      exam: 'Putonghua Proficiency Test',
      results: [[['Spoken Putonghua', 100], score]],
      certificate: grade ? `Putonghua Proficiency Certificate, Grade ${grade}` : null,
    };
  },
  (rng, ability) => {
    const results = (['Comprehensive Quality', 'Educational Knowledge and Ability'] as const).map((name) => [[name, 150], scoreOf(rng, ability, 150)] as const);
    return {
      exam: 'Teacher Qualification Examination',
      results,
      // Each paper is passed at 70 of 150.
      certificate: results.every(([, score]) => score >= 70) ? 'Teacher Qualification Certificate' : null,
    };
  },
];

/** The examination at the end of school year `year` (0 = the first) of a programme. */
function endOfYearExam(programme: Programme, year: number) {
  return { exam: 'End-of-year examination', days: ['06-26', '07-04'] as const, subjects: programme.yearlySubjects?.(year) ?? [] };
}

/** A score out of `max` that follows the student's ability, with a little luck either way. */
function scoreOf(rng: Random, ability: number, max: number): number {
  const share = 0.35 + 0.55 * ability + (rng.next() - 0.5) * 0.2;
  return Math.max(0, Math.min(max, Math.round(max * share)));
}

/** An instant between two days (`MM-DD`) of `year`, or `null` while that is still to come at REFERENCE_DATE. */
function during(rng: Random, year: number, [from, to]: readonly [string, string]): Date | null {
  const start = `${year}-${from}`;
  return start > REFERENCE_DATE ? null : instantBetween(rng, start, `${year}-${to}`);
}

/** The first school year: children start primary school in the September after they turn six. */
function entryYear(birthDate: string): number {
  return Number(birthDate.slice(0, 4)) + (birthDate.slice(5) > '08-31' ? 7 : 6);
}

/** Schools by kind and by kind in a city, built once per world: the seed runs for a million citizens. */
const schoolIndexes = new WeakMap<World, Map<string, School[]>>();
function schoolsOf(world: World, kind: School['kind'], city?: string): School[] {
  let index = schoolIndexes.get(world);
  if (!index) {
    index = new Map();
    for (const school of world.schools) {
      for (const key of [school.kind, `${school.kind}|${school.city}`]) index.set(key, [...(index.get(key) ?? []), school]);
    }
    schoolIndexes.set(world, index);
  }
  return index.get(city ? `${kind}|${city}` : kind) ?? [];
}

const kept = (when: Date) => when.getTime() >= HISTORY_START_MS;

/** One citizen's records as they are built; only what happened inside the history window is kept. */
class Transcript {
  readonly enrollments: Row[] = [];
  readonly qualifications: Row[] = [];
  readonly examResults: Row[] = [];

  constructor(private readonly person: Person) {}

  enroll(when: Date, school: School, level: Level, endDate: string | null, status: 'ACTIVE' | 'COMPLETED' | 'WITHDRAWN'): void {
    if (!kept(when)) return;
    const id = recordId('enr', this.person.index, this.enrollments.length + 1);
    this.enrollments.push([id, this.person.id, when.toISOString(), school.id, level, isoDate(when), endDate, status]);
  }

  award(when: Date, title: string, level: Level | null, school: School | null): void {
    if (!kept(when)) return;
    const id = recordId('qual', this.person.index, this.qualifications.length + 1);
    this.qualifications.push([id, this.person.id, when.toISOString(), school?.id ?? null, title, level, isoDate(when)]);
  }

  result(when: Date | null, exam: string, [subject, maxScore]: Subject, score: number, school: School | null): void {
    if (!when || !kept(when)) return;
    const id = recordId('exam', this.person.index, this.examResults.length + 1);
    this.examResults.push([id, this.person.id, when.toISOString(), school?.id ?? null, exam, subject, score, maxScore]);
  }
}

/**
 * A school of `kind` in the person's city when there is one. Most stay at their middle school
 * (`previous`) for the senior grades; many leave home for university.
 */
function chooseSchool(world: World, p: Person, kind: School['kind'], rng: Random, previous: School | null): School {
  if (previous?.kind === kind && rng.chance(0.7)) return previous;
  const local = schoolsOf(world, kind, p.household.city.city);
  const movesAway = kind === 'UNIVERSITY' && rng.chance(0.4);
  return rng.pick(local.length && !movesAway ? local : schoolsOf(world, kind));
}

/**
 * Walks a person through school from age six: primary, junior secondary, then senior or
 * vocational secondary, then for some a degree or a college diploma. Each programme is offered
 * only if the world has a school of its kind; each school is local when the city has one.
 */
function schooling(t: Transcript, p: Person, world: World, rng: Random, ability: number): void {
  let level: Level | null = 'PRIMARY';
  let year = entryYear(p.birthDate);
  let school: School | null = null;
  while (level) {
    const programme = PROGRAMMES[level];
    const started = during(rng, year, ['09-01', '09-01']);
    if (!started) return;
    school = chooseSchool(world, p, programme.kind, rng, school);

    const withdraws = !programme.compulsory && rng.chance(0.04);
    const lastYear = withdraws ? year + rng.int(1, programme.years - 1) : year + programme.years;
    const endDate = `${lastYear}-07-${String(rng.int(5, 12)).padStart(2, '0')}`;
    const over = endDate <= REFERENCE_DATE;
    t.enroll(started, school, level, over ? endDate : null, !over ? 'ACTIVE' : withdraws ? 'WITHDRAWN' : 'COMPLETED');

    for (let y = year + 1; y <= lastYear; y++) {
      const exam = (y === year + programme.years && programme.finalExam) || endOfYearExam(programme, y - year - 1);
      for (const subject of exam.subjects) t.result(during(rng, y, exam.days), exam.exam, subject, scoreOf(rng, ability, subject[1]), school);
    }
    if (programme.collegeEnglish && rng.chance(programme.collegeEnglish)) collegeEnglish(t, rng, ability, year + 1, school);
    if (!over || withdraws) return;
    t.award(instantBetween(rng, endDate, endDate), programme.qualification(school, rng), level, school);

    level = nextLevel(world, level, ability, rng);
    year = lastYear;
  }
}

/** CET-4 in June of the first year, retaken in December if failed; a good pass may go on to CET-6. */
function collegeEnglish(t: Transcript, rng: Random, ability: number, year: number, school: School): void {
  const english: Subject = ['English', 710];
  const cet4 = scoreOf(rng, ability, 710);
  t.result(during(rng, year, ['06-13', '06-16']), 'CET-4', english, cet4, school);
  // 425 is the score that counts as a pass and opens CET-6.
  if (cet4 < 425) t.result(during(rng, year, ['12-12', '12-15']), 'CET-4', english, scoreOf(rng, ability, 710), school);
  else if (rng.chance(0.5)) t.result(during(rng, year, ['12-12', '12-15']), 'CET-6', english, scoreOf(rng, ability * 0.9, 710), school);
}

/** Adults from 19 to 50 now and then sit a national certificate examination. */
function certificates(t: Transcript, p: Person, rng: Random, ability: number): void {
  const birthYear = Number(p.birthDate.slice(0, 4));
  for (let year = Math.max(birthYear + 19, REFERENCE_YEAR - HISTORY_YEARS); year <= Math.min(birthYear + 50, REFERENCE_YEAR); year++) {
    if (!rng.chance(0.06)) continue;
    const sat = during(rng, year, ['03-01', '11-30']);
    if (!sat) continue;
    const { exam, results, certificate } = rng.pick(CERTIFICATE_EXAMS)(rng, ability);
    for (const [subject, score] of results) t.result(sat, exam, subject, score, null);
    // Certificates are issued about two months after the examination.
    const issued = addDays(sat, rng.int(45, 75));
    if (certificate && isoDate(issued) <= REFERENCE_DATE) t.award(issued, certificate, null, null);
  }
}

export const educationSeed: DepartmentSeed = {
  service: 'education',
  tables: {
    schools: ['id', 'name', 'kind', 'city'],
    enrollments: ['id', 'citizen_id', 'occurred_at', 'school_id', 'level', 'start_date', 'end_date', 'status'],
    qualifications: ['id', 'citizen_id', 'occurred_at', 'school_id', 'title', 'level', 'awarded_on'],
    exam_results: ['id', 'citizen_id', 'occurred_at', 'school_id', 'exam', 'subject', 'score', 'max_score'],
  },
  shared: (world) => ({ schools: world.schools.map((s) => [s.id, s.name, s.kind, s.city]) }),
  person: (p, world, rng) => {
    const t = new Transcript(p);
    // One ability per person, so their scores and the paths they take agree with each other.
    const ability = rng.next();
    schooling(t, p, world, rng, ability);
    certificates(t, p, rng, ability);
    return { enrollments: t.enrollments, qualifications: t.qualifications, exam_results: t.examResults };
  },
};
