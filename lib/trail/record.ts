import { z } from 'zod';
import { DEPARTMENTS, ROLES } from '../auth/principal';
import { SUBGRAPHS } from '../config';

/**
 * The access trail's record, written once: the gateway builds it (its type, `TrailRecordInput`,
 * costs the gateway nothing at run time when imported with `import type`), the audit service's
 * `POST /trail` parses it (`parseTrailRecord`), and the hash's canonical form and the store's
 * columns follow its fields in order (`TRAIL_RECORD_FIELDS`). A new field is added here and in a
 * migration; a test checks that the migration's columns match these fields.
 *
 * Each schema's error text is what a valid value looks like (`expected`); `parseTrailRecord`
 * turns it into `"<field>" must be <expected>; received <value>`.
 */

/** Longest accepted text field (ids, purposes, names): a record is metadata, not content. */
const MAX_TEXT = 500;
const MAX_DURATION_MS = 2_147_483_647; // the column is an integer
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const OUTCOMES = ['complete', 'partial'] as const;

const oneOf = (values: readonly string[]) => `one of ${values.join(', ')}`;

/** An object with exactly these fields: an unknown key is refused, not dropped. */
const strictObject = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? `is not a field of a trail record; expected only ${Object.keys(shape).join(', ')}` : 'a JSON object',
  });

function text() {
  const expected = `a non-empty string of at most ${MAX_TEXT} characters`;
  return z.string({ error: expected }).min(1, { error: expected }).max(MAX_TEXT, { error: expected });
}

/** Nullable fields may also be left out (JSON drops `undefined`); both are stored as `null`. */
const orNull = <T extends z.ZodType>(schema: T) => schema.nullish().transform((value) => value ?? null);

/** A set of strings: sorted and unique, however it arrived. */
const stringSet = <T extends z.ZodType<string>>(item: T) =>
  z.array(item, { error: 'an array of strings' }).transform((values) => [...new Set(values)].sort());

const instant = (() => {
  const expected = 'an ISO 8601 instant with an offset, e.g. "2024-03-01T09:30:00.000Z"';
  return (
    z
      .string({ error: expected })
      .regex(ISO_INSTANT, { error: expected })
      .refine((value) => !Number.isNaN(Date.parse(value)), { error: expected })
      // The store keeps milliseconds, as the hash's canonical form does: store what is hashed.
      .transform((value) => new Date(value).toISOString())
  );
})();

const principal = strictObject({
  sub: text(),
  role: z.enum(ROLES, { error: oneOf(ROLES) }),
  department: orNull(z.enum(DEPARTMENTS, { error: oneOf(DEPARTMENTS) })),
}).superRefine(({ role, department }, ctx) => {
  // Only officers act for a department (the table's CHECK says the same).
  if (role === 'officer' && !department) {
    ctx.addIssue({ code: 'custom', path: ['department'], input: department, message: `${oneOf(DEPARTMENTS)} for an officer` });
  }
  if (role !== 'officer' && department) {
    ctx.addIssue({ code: 'custom', path: ['department'], input: department, message: `null for a ${role} (only officers act for a department)` });
  }
});

const trailRecordFields = strictObject({
  /** When the operation started, ISO 8601 (stored in UTC with milliseconds). */
  occurredAt: instant,
  principal,
  purpose: orNull(text()),
  caseId: orNull(text()),
  /** sha256 of the operation's document (the registered id when it is registered). */
  operationId: (() => {
    const expected = 'a sha256 in lowercase hex (64 characters)';
    return z.string({ error: expected }).regex(SHA256_HEX, { error: expected });
  })(),
  operationName: orNull(text()),
  /** Citizens whose data the response carried, sorted, unique. */
  citizenIds: stringSet(text()),
  /** Services that returned that data (`identity`, `health`, ..., `audit`), sorted, unique. */
  departments: stringSet(z.enum(SUBGRAPHS, { error: oneOf(SUBGRAPHS) })),
  /** `complete`: no errors; `partial`: data with errors (denied or unavailable fields). */
  outcome: z.enum(OUTCOMES, { error: oneOf(OUTCOMES) }),
  durationMs: (() => {
    const expected = 'a whole number of milliseconds, 0 or more (round it)';
    return z
      .number({ error: expected })
      .int({ error: expected })
      .min(0, { error: expected })
      .max(MAX_DURATION_MS, { error: `a whole number of milliseconds, 0 to ${MAX_DURATION_MS}` });
  })(),
});

/**
 * One record per operation that returned citizen data, as the gateway sends it to the audit
 * service (`POST /trail`), normalised. The audit service chains and hashes it
 * (chain.ts).
 */
export type TrailRecordInput = z.output<typeof trailRecordFields>;

/** The parser: its output is branded, so only a record that went through it is a `ParsedTrailRecord`. */
const trailRecordSchema = trailRecordFields.brand<'ParsedTrailRecord'>();

/** A `TrailRecordInput` that `parseTrailRecord` checked and normalised (the audit writer takes only these). */
export type ParsedTrailRecord = z.output<typeof trailRecordSchema>;

/**
 * The record's fields flattened (`principal.sub`), in the order of the schema: the order the
 * hash's canonical form lists them and the store's columns follow.
 */
export const TRAIL_RECORD_FIELDS: readonly string[] = Object.freeze(
  Object.entries(trailRecordFields.shape).flatMap(([key, schema]) =>
    schema instanceof z.ZodObject ? Object.keys(schema.shape).map((inner) => `${key}.${inner}`) : [key],
  ),
);

/** The value of one of `TRAIL_RECORD_FIELDS` in `record`. */
export function trailFieldValue(record: TrailRecordInput, field: string): unknown {
  return field.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], record);
}

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

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `principal.role`, `citizenIds[1]`; the whole body is `body`. */
const fieldName = (path: readonly PropertyKey[]) =>
  path.reduce<string>((name, key) => (typeof key === 'number' ? `${name}[${key}]` : name ? `${name}.${String(key)}` : String(key)), '') || 'body';

/**
 * Checks that `body` is a TrailRecordInput and returns it normalised: the instant in UTC with
 * milliseconds, `citizenIds` and `departments` sorted and unique, omitted nullable fields as
 * `null`. Throws `InvalidTrailRecord` naming the first bad field, in the schema's field order.
 */
export function parseTrailRecord(body: unknown): ParsedTrailRecord {
  const result = trailRecordSchema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const field = fieldName([...issue.path, issue.keys[0]]);
    throw new InvalidTrailRecord(field, `"${field}" ${issue.message}`);
  }
  const field = fieldName(issue.path);
  throw new InvalidTrailRecord(field, `"${field}" must be ${issue.message}; received ${shown(issue.input)}`);
}
