/**
 * Every department of the graph, one line each, in start order (subgraphs first; the gateway,
 * not a department, starts last). Codegen, the seed, the test graph, the benchmark and the portal
 * read this list; each department's facts are in its own `department.ts`.
 *
 * lib/ may not import subgraphs/, so lib/config.ts keeps the names and ports every service runs
 * with; `registryProblems` (tools/departments.ts, run by `npm run codegen:check` and
 * tests/departments.test.ts) fails when the two disagree.
 */
import { applications } from './applications/department';
import { audit } from './audit/department';
import { education } from './education/department';
import { health } from './health/department';
import { identity } from './identity/department';
import type { DepartmentManifest, SectionManifest } from './manifest';
import { socialSecurity } from './social-security/department';
import { tax } from './tax/department';
import { transport } from './transport/department';

export type { DepartmentManifest, Section, SectionManifest } from './manifest';

const MANIFESTS = [identity, health, education, transport, tax, socialSecurity, applications, audit] as const satisfies readonly DepartmentManifest[];

export const REGISTRY: readonly DepartmentManifest[] = MANIFESTS;

/** The departments that add a section to `Citizen`, in registry order (their fields and codes as literal types). */
export const SECTIONS = MANIFESTS.filter((d): d is Extract<(typeof MANIFESTS)[number], SectionManifest> => 'section' in d);

/** The manifest of the department called `name`; throws, naming the registered ones, if there is none. */
export function manifestOf(name: string): DepartmentManifest {
  const found = REGISTRY.find((d) => d.name === name);
  if (!found) throw new Error(`no department ${JSON.stringify(name)} in subgraphs/registry.ts; registered: ${REGISTRY.map((d) => d.name).join(', ')}`);
  return found;
}
