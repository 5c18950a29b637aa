/**
 * Who is asking. The gateway builds a principal from the caller's verified JWT (plus the
 * officer's stated purpose); subgraphs receive it in the gateway's short-lived internal token.
 */
export const ROLES = ['citizen', 'officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/**
 * The graph's `Department` enum values, one per section of `Citizen`, in registry order: the
 * section codes of subgraphs/registry.ts (`npm run codegen:check` fails when they differ).
 */
export const DEPARTMENTS = ['HEALTH', 'EDUCATION', 'TRANSPORT', 'TAX', 'SOCIAL_SECURITY'] as const;
export type Department = (typeof DEPARTMENTS)[number];

export interface Principal {
  /** The subject: a citizen id for citizens, a staff id for officers and auditors. */
  sub: string;
  role: Role;
  /** Officers only: the department they work for. */
  department?: Department;
  /** Why the data is read (officers must say; auditors may). */
  purpose?: string;
  /** The case the read belongs to, if any. */
  caseId?: string;
  scope: string[];
  /** Set by the gateway only for a registered audit operation an auditor runs: its name. */
  auditOperation?: string;
}

/** `health`, `HEALTH`, `social-security`, `SOCIAL_SECURITY` -> the enum value; `null` if unknown. */
export function parseDepartment(value: unknown): Department | null {
  if (typeof value !== 'string') return null;
  const normalised = value.trim().toUpperCase().replace(/-/g, '_');
  return (DEPARTMENTS as readonly string[]).includes(normalised) ? (normalised as Department) : null;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
