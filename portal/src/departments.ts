import type { Department } from '../../schema/operations/generated/graphql';

/** The five department sections of `Citizen`, with the subgraph (service) that serves each. */
export const DEPARTMENTS = [
  { key: 'health', department: 'HEALTH', service: 'health', name: 'Health' },
  { key: 'education', department: 'EDUCATION', service: 'education', name: 'Education' },
  { key: 'transport', department: 'TRANSPORT', service: 'transport', name: 'Transport' },
  { key: 'tax', department: 'TAX', service: 'tax', name: 'Tax' },
  { key: 'socialSecurity', department: 'SOCIAL_SECURITY', service: 'social-security', name: 'Social security' },
] as const satisfies ReadonlyArray<{ key: string; department: Department; service: string; name: string }>;

export type DepartmentInfo = (typeof DEPARTMENTS)[number];
export type SectionKey = DepartmentInfo['key'];

export const departmentByCode = (code: string | null | undefined) => DEPARTMENTS.find((d) => d.department === code);

/** Which department an error is about: `extensions.department`, `extensions.service`, or its path (`citizen.health...`). */
export function departmentOf(error: { extensions?: Record<string, unknown> | null; path?: ReadonlyArray<string | number> | null }): DepartmentInfo | undefined {
  const extensions = error.extensions ?? {};
  const byCode = departmentByCode(typeof extensions.department === 'string' ? extensions.department : undefined);
  if (byCode) return byCode;
  const service = typeof extensions.service === 'string' ? extensions.service : undefined;
  const byService = DEPARTMENTS.find((d) => d.service === service);
  if (byService) return byService;
  return DEPARTMENTS.find((d) => error.path?.includes(d.key));
}
