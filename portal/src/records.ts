/**
 * The citizen's records as the page shows them: each department's sections (record kinds) and
 * one list of every record for the timeline. Built from the typed result of the registered
 * CitizenPortal operation, so a field renamed in the schema fails the type-check here.
 */
import type { CitizenPortalQuery, Department } from '../../schema/operations/generated/graphql';
import type { SectionKey } from './departments';
import { formatDate, formatMoney, humanize } from './format';

export type Citizen = NonNullable<CitizenPortalQuery['citizen']>;

export interface RecordView {
  id: string;
  department: Department;
  /** The record's kind, e.g. `Encounter` (its GraphQL type). */
  kind: string;
  occurredAt: string;
  title: string;
  /** Label and value pairs shown under the title. */
  details: Array<[string, string]>;
}

export interface RecordGroup {
  /** e.g. `Encounters`. */
  label: string;
  records: RecordView[];
  /** More records exist than the page asked for. */
  more: boolean;
}

interface Node {
  __typename: string;
  id: string;
  department: Department;
  occurredAt: string;
  title: string;
}
type Connection<N> = { edges: Array<{ node: N }>; pageInfo: { hasNextPage: boolean } };

function view(node: Node, details: Array<[string, string | null | undefined]>): RecordView {
  return {
    id: node.id,
    department: node.department,
    kind: node.__typename,
    occurredAt: node.occurredAt,
    title: node.title,
    details: details.filter((pair): pair is [string, string] => typeof pair[1] === 'string' && pair[1] !== ''),
  };
}

function group<N extends Node>(label: string, connection: Connection<N>, details: (node: N) => Array<[string, string | null | undefined]>): RecordGroup {
  return { label, records: connection.edges.map(({ node }) => view(node, details(node))), more: connection.pageInfo.hasNextPage };
}

function single<N extends Node>(label: string, node: N | null, details: (node: N) => Array<[string, string | null | undefined]>): RecordGroup {
  return { label, records: node ? [view(node, details(node))] : [], more: false };
}

const period = (start: string, end: string | null) => (end ? `${formatDate(start)} to ${formatDate(end)}` : `since ${formatDate(start)}`);

/** A department's record groups, or null when the section did not arrive. */
export function sectionGroups(citizen: Citizen, key: SectionKey): RecordGroup[] | null {
  switch (key) {
    case 'health': {
      const s = citizen.health;
      return s
        ? [
            group('Visits', s.encounters, (n) => [['Kind', humanize(n.kind)], ['Where', `${n.facility.name}, ${n.facility.city}`], ['Diagnosis', n.diagnosis]]),
            group('Prescriptions', s.prescriptions, (n) => [['Medication', n.medication], ['Dosage', n.dosage], ['Supply', `${n.daysSupply} days`]]),
            group('Vaccinations', s.vaccinations, (n) => [['Vaccine', n.vaccine], ['Dose', String(n.doseNumber)], ['Where', n.facility.name]]),
            group('Insurance claims', s.insuranceClaims, (n) => [['Status', humanize(n.status)], ['Claimed', formatMoney(n.claimed)], ['Reimbursed', formatMoney(n.reimbursed)]]),
          ]
        : null;
    }
    case 'education': {
      const s = citizen.education;
      return s
        ? [
            group('Enrollments', s.enrollments, (n) => [['School', `${n.school.name}, ${n.school.city}`], ['Level', humanize(n.level)], ['Status', humanize(n.status)], ['When', period(n.startDate, n.endDate)]]),
            group('Qualifications', s.qualifications, (n) => [['Awarded', formatDate(n.awardedOn)], ['By', n.school?.name], ['Level', n.level ? humanize(n.level) : null]]),
            group('Exam results', s.examResults, (n) => [['Exam', n.exam], ['Subject', n.subject], ['Score', `${n.score} of ${n.maxScore}`]]),
          ]
        : null;
    }
    case 'transport': {
      const s = citizen.transport;
      return s
        ? [
            single('Driving licence', s.drivingLicence, (n) => [['Number', n.licenceNumber], ['Classes', n.categories.join(', ')], ['Status', humanize(n.status)], ['Expires', formatDate(n.expiresOn)], ['Penalty points', String(n.penaltyPoints)]]),
            group('Vehicles', s.vehicles, (n) => [['Plate', n.plate], ['Vehicle', `${n.make} ${n.model} (${n.modelYear})`], ['Fuel', humanize(n.fuelType)]]),
            group('Traffic violations', s.violations, (n) => [['Kind', humanize(n.kind)], ['Where', n.location], ['Fine', formatMoney(n.fine)], ['Points', String(n.points)], ['Status', humanize(n.status)]]),
          ]
        : null;
    }
    case 'tax': {
      const s = citizen.tax;
      return s
        ? [
            group('Tax returns', s.returns, (n) => [['Tax year', String(n.taxYear)], ['Employer', n.employer.name], ['Gross income', formatMoney(n.grossIncome)], ['Tax due', formatMoney(n.taxDue)], ['Status', humanize(n.status)]]),
            group('Payments', s.payments, (n) => [['Amount', formatMoney(n.amount)], ['Method', humanize(n.method)]]),
            group('Export rebates', s.exportRebates, (n) => [['Business', n.business.name], ['Goods', n.goods], ['Amount', formatMoney(n.amount)], ['Status', humanize(n.status)]]),
          ]
        : null;
    }
    case 'socialSecurity': {
      const s = citizen.socialSecurity;
      return s
        ? [
            single('Pension', s.pension, (n) => [['Scheme', humanize(n.scheme)], ['Since', formatDate(n.startDate)], ['Monthly', formatMoney(n.monthlyAmount)]]),
            group('Contributions', s.contributions, (n) => [['Year', `${n.year} (${n.months} months)`], ['Employer', n.employer.name], ['You paid', formatMoney(n.employeeAmount)], ['Employer paid', formatMoney(n.employerAmount)]]),
            group('Benefits', s.benefits, (n) => [['Kind', humanize(n.kind)], ['Status', humanize(n.status)], ['Monthly', formatMoney(n.monthlyAmount)], ['When', period(n.startDate, n.endDate)]]),
          ]
        : null;
    }
  }
}

/** Every record of every section that arrived, newest first. */
export function timeline(groups: Array<RecordGroup[] | null>): RecordView[] {
  const records = groups.flatMap((g) => (g ?? []).flatMap((x) => x.records));
  const time = (record: RecordView) => Date.parse(record.occurredAt);
  return records.sort((a, b) => time(b) - time(a) || (a.id < b.id ? -1 : 1));
}
