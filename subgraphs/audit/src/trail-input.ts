import { DEPARTMENTS, ROLES, type Department, type Role } from '../../../lib/auth/principal';
import { SUBGRAPHS } from '../../../lib/config';
import type { TrailRecordInput } from '../../../lib/trail';

/** A body that is not a TrailRecordInput; `field` names the first bad field (`principal.role`). */
export class InvalidTrailRecord extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTrailRecord';
  }
}

/** Longest accepted text field (ids, purposes, names): a record is metadata, not content. */
const MAX_TEXT = 500;
const MAX_DURATION_MS = 2_147_483_647; // the column is an integer
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const KEYS = ['occurredAt', 'principal', 'purpose', 'caseId', 'operationId', 'operationName', 'citizenIds', 'departments', 'outcome', 'durationMs'];
const PRINCIPAL_KEYS = ['sub', 'role', 'department'];
const OUTCOMES = ['complete', 'partial'] as const;

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const fail = (field: string, expected: string, value: unknown): never => {
  throw new InvalidTrailRecord(field, `"${field}" must be ${expected}; received ${shown(value)}`);
};

function object(field: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(field, 'a JSON object', value);
  const extra = Object.keys(value).find((key) => !keys.includes(key));
  if (extra !== undefined) {
    const path = field === 'body' ? extra : `${field}.${extra}`;
    throw new InvalidTrailRecord(path, `"${path}" is not a field of a trail record; expected only ${keys.join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function text(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > MAX_TEXT) {
    return fail(field, `a non-empty string of at most ${MAX_TEXT} characters`, value);
  }
  return value;
}

/** Nullable fields may also be left out (JSON drops `undefined`). */
const optionalText = (field: string, value: unknown): string | null => (value === null || value === undefined ? null : text(field, value));

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  return (allowed as readonly unknown[]).includes(value) ? (value as T) : fail(field, `one of ${allowed.join(', ')}`, value);
}

/** A set of strings: sorted and unique, however it arrived. */
function stringSet(field: string, value: unknown, item: (field: string, value: unknown) => string): string[] {
  if (!Array.isArray(value)) return fail(field, 'an array of strings', value);
  return [...new Set(value.map((entry, index) => item(`${field}[${index}]`, entry)))].sort();
}

function instant(field: string, value: unknown): string {
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    return fail(field, 'an ISO 8601 instant with an offset, e.g. "2024-03-01T09:30:00.000Z"', value);
  }
  // The store keeps milliseconds, as the hash's canonical form does: store what is hashed.
  return new Date(value).toISOString();
}

function sha256(field: string, value: unknown): string {
  return typeof value === 'string' && SHA256_HEX.test(value) ? value : fail(field, 'a sha256 in lowercase hex (64 characters)', value);
}

function milliseconds(field: string, value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DURATION_MS
    ? value
    : fail(field, 'a whole number of milliseconds, 0 or more (round it)', value);
}

function principalOf(value: unknown): TrailRecordInput['principal'] {
  const p = object('principal', value, PRINCIPAL_KEYS);
  const role: Role = oneOf('principal.role', p.role, ROLES);
  const department: Department | null =
    p.department === null || p.department === undefined ? null : oneOf('principal.department', p.department, DEPARTMENTS);
  if (role === 'officer' && !department) fail('principal.department', `one of ${DEPARTMENTS.join(', ')} for an officer`, p.department);
  if (role !== 'officer' && department) fail('principal.department', `null for a ${role} (only officers act for a department)`, p.department);
  return { sub: text('principal.sub', p.sub), role, department };
}

/**
 * Checks that `body` is a TrailRecordInput (lib/trail.ts) and returns it normalised: the
 * instant in UTC with milliseconds, `citizenIds` and `departments` sorted and unique, omitted
 * nullable fields as `null`. Throws `InvalidTrailRecord` naming the first bad field.
 */
export function parseTrailInput(body: unknown): TrailRecordInput {
  const r = object('body', body, KEYS);
  // Fields are checked in this order: the error names the first bad one.
  return {
    occurredAt: instant('occurredAt', r.occurredAt),
    principal: principalOf(r.principal),
    purpose: optionalText('purpose', r.purpose),
    caseId: optionalText('caseId', r.caseId),
    operationId: sha256('operationId', r.operationId),
    operationName: optionalText('operationName', r.operationName),
    citizenIds: stringSet('citizenIds', r.citizenIds, text),
    departments: stringSet('departments', r.departments, (field, value) => oneOf(field, value, SUBGRAPHS)),
    outcome: oneOf('outcome', r.outcome, OUTCOMES),
    durationMs: milliseconds('durationMs', r.durationMs),
  };
}
