/** Helpers for the "Apply" page: names, statuses and evidence attributes in the citizen's words. */
import type { CitizenApplicationFieldsFragment, CitizenApplicationQuery } from '../../schema/operations/generated/graphql';
import { graphQLErrors } from './errors';
import { formatDate, humanize } from './format';

export type ApplicationDetail = CitizenApplicationFieldsFragment;
export type Evidence = ApplicationDetail['evidence'][number];
/** A read the handling department made for the application, from the access trail. */
export type EvidenceRead = NonNullable<CitizenApplicationQuery['application']>['evidenceReads'][number];

/** The registered operations a department runs for an application, in the citizen's words. */
const READS: Record<string, string> = {
  EvidenceApplicantRelation: 'Checked that the child is of your household',
  EvidenceFromIdentity: 'Read from the civil registry',
  EvidenceFromHealth: 'Read the vaccination record',
  EvidenceFromSocialSecurity: 'Read the insured status',
  EvidenceFromTaxForBusiness: "Read the business's registration",
  EvidenceFromSocialSecurityForBusiness: "Read the employer's contributions",
  DepartmentMarkVoucherRedeemed: 'Marked the voucher used',
};
export const readLabel = (read: EvidenceRead) =>
  `${issuerName(read.department ? read.department.toLowerCase().replace(/_/g, '-') : read.accessorId.replace(/^department:/, ''))}: ${READS[read.operationName ?? ''] ?? read.operationName ?? 'a read'}`;

/** The issuing services, as the citizen knows them. */
const ISSUERS: Record<string, string> = {
  identity: 'Civil registry',
  health: 'Health',
  education: 'Education',
  transport: 'Transport',
  tax: 'Tax',
  'social-security': 'Social security',
};
export const issuerName = (issuer: string) => ISSUERS[issuer] ?? humanize(issuer.toUpperCase().replace(/-/g, '_'));

export const STATUS_LABEL: Record<string, string> = {
  DRAFT: 'Draft',
  EVIDENCE_READY: 'Evidence ready',
  SUBMITTED: 'Submitted',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  PAID: 'Paid',
  REDEEMED: 'Redeemed',
};
export const statusLabel = (status: string) => STATUS_LABEL[status] ?? humanize(status);

/** `birthDate` -> `Birth date`, `applicantInHousehold` -> `Applicant in household`. */
export function attributeLabel(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words[0].toUpperCase() + words.slice(1);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ADDRESS_PARTS = new Set(['line1', 'line2', 'city', 'province', 'postalCode']);

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return DATE.test(value) ? formatDate(value) : value;
  if (Array.isArray(value)) return value.length ? value.map(show).join('; ') : 'None';
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const record = value as Record<string, unknown>;
    // A name: its full form. A dose: `MMR dose 2 (16 Nov 2017)`.
    if (typeof record.full === 'string') return record.full;
    if (typeof record.vaccine === 'string' && record.dose !== undefined) {
      return `${record.vaccine} dose ${show(record.dose)}${typeof record.date === 'string' ? ` (${show(record.date)})` : ''}`;
    }
    // An address (or a name) reads best as its parts in order: `Room 1301, 222 Wenhua Road, Nanjing`.
    if (entries.every(([key, inner]) => typeof inner === 'string' && ADDRESS_PARTS.has(key))) return entries.map(([, inner]) => inner).join(', ');
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${attributeLabel(key)} ${show(inner)}`)
      .join(', ');
  }
  return String(value);
}

/** An attribute's value: a plain string as it is, JSON (a list of doses, an address) in words. */
export function attributeValue(value: string, name = ''): string {
  const trimmed = value.trim();
  if (name === 'sex' && /^[A-Z]+$/.test(trimmed)) return humanize(trimmed);
  if (/^[[{]/.test(trimmed) || trimmed === 'true' || trimmed === 'false' || trimmed === 'null') {
    try {
      return show(JSON.parse(trimmed));
    } catch {
      return value;
    }
  }
  return DATE.test(value) ? formatDate(value) : value;
}

/** An error as the page shows it: the GraphQL error's message and its code. */
export function errorText(error: unknown): string {
  const errors = graphQLErrors(error);
  if (errors.length) {
    return errors.map((e) => `${e.message} (${typeof e.extensions?.code === 'string' ? e.extensions.code : 'ERROR'})`).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

/** A client request id for one application form: the same for every retry of that form. */
export function newClientRequestId(): string {
  const random =
    typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function'
      ? crypto.randomUUID()
      : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
  return `portal-${random}`;
}

/** Whole days, one decimal: `1.5 days`. */
export function days(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return `${rounded.toLocaleString('en-GB')} ${rounded === 1 ? 'day' : 'days'}`;
}
