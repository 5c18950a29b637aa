import type { Department } from '../../schema/operations/generated/graphql';
import { SECTIONS } from '../../subgraphs/registry';

/** The department sections of `Citizen` (subgraphs/registry.ts), with the subgraph (service) that serves each. */
export const DEPARTMENTS = SECTIONS.map(({ name, title, section }) => ({
  key: section.field,
  department: section.code,
  service: name,
  name: title,
})) satisfies ReadonlyArray<{ key: string; department: Department; service: string; name: string }>;

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
