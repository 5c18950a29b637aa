/**
 * The department registry against the copies it cannot replace (`npm run codegen:check`,
 * tests/departments.test.ts). lib/ may not import subgraphs/, so lib/config.ts keeps every
 * service's name, order and port and lib/auth/principal.ts the `Department` codes; each must say
 * what subgraphs/registry.ts says. And each registered folder must be there, and each folder
 * registered, with the section its manifest names on its `Citizen`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, type DocumentNode } from 'graphql';
import { DEPARTMENTS } from '../lib/auth/principal';
import { DEFAULT_PORTS, SUBGRAPHS } from '../lib/config';
import { ROOT } from '../lib/paths';
import { REGISTRY, type DepartmentManifest } from '../subgraphs/registry';

/** A disagreement: the file to change, what is wrong (expected and received), and how to fix it. */
export interface Problem {
  file: string;
  problem: string;
  fix: string;
}

/** What the check compares; every field defaults to the repository's own (tests pass altered copies). */
export interface RegistryFacts {
  registry: readonly DepartmentManifest[];
  /** lib/config.ts: SUBGRAPHS and DEFAULT_PORTS. */
  subgraphs: readonly string[];
  ports: Readonly<Record<string, number>>;
  /** lib/auth/principal.ts: DEPARTMENTS. */
  departments: readonly string[];
  /** The folder holding one folder per department. */
  subgraphsDir: string;
}

const REGISTRY_FILE = 'subgraphs/registry.ts';
const list = (names: readonly string[]) => (names.length ? names.join(', ') : 'none');

/** Every way the registry and its copies disagree; empty when they agree. */
export function registryProblems(facts: Partial<RegistryFacts> = {}): Problem[] {
  const { registry, subgraphs, ports, departments, subgraphsDir }: RegistryFacts = {
    registry: REGISTRY,
    subgraphs: SUBGRAPHS,
    ports: DEFAULT_PORTS,
    departments: DEPARTMENTS,
    subgraphsDir: join(ROOT, 'subgraphs'),
    ...facts,
  };
  const problems: Problem[] = [];
  const names = registry.map((d) => d.name);
  if (names.join() !== subgraphs.join()) {
    problems.push({
      file: 'lib/config.ts',
      problem: `SUBGRAPHS lists ${list(subgraphs)}; ${REGISTRY_FILE} lists ${list(names)} (names and order must be the same: it is the start order)`,
      fix: `make SUBGRAPHS the names of ${REGISTRY_FILE}, in its order`,
    });
  }
  for (const d of registry) {
    if (ports[d.name] !== d.port) {
      problems.push({
        file: 'lib/config.ts',
        problem: `DEFAULT_PORTS gives ${d.name} ${ports[d.name] ?? 'no port'}; subgraphs/${d.name}/department.ts gives ${d.port}`,
        fix: `make them the same port`,
      });
    }
  }
  const codes = registry.flatMap((d) => (d.section ? [d.section.code] : []));
  if (codes.join() !== departments.join()) {
    problems.push({
      file: 'lib/auth/principal.ts',
      problem: `DEPARTMENTS lists ${list(departments)}; the sections of ${REGISTRY_FILE} have the codes ${list(codes)} (in registry order)`,
      fix: `make DEPARTMENTS the section codes of ${REGISTRY_FILE}, in its order`,
    });
  }
  const folders = existsSync(subgraphsDir)
    ? readdirSync(subgraphsDir, { withFileTypes: true }).filter((e) => e.isDirectory() && existsSync(join(subgraphsDir, e.name, 'department.ts')))
    : [];
  for (const { name } of folders) {
    if (!names.includes(name)) {
      problems.push({
        file: REGISTRY_FILE,
        problem: `subgraphs/${name}/ has a department.ts but is not registered`,
        fix: `add its manifest to REGISTRY (or remove the folder)`,
      });
    }
  }
  for (const d of registry) problems.push(...folderProblems(d, subgraphsDir));
  return problems;
}

/** A registered department's folder: there, with a schema whose `Citizen` has the manifest's section field. */
function folderProblems(d: DepartmentManifest, subgraphsDir: string): Problem[] {
  const schemaFile = join(subgraphsDir, d.name, 'schema.graphql');
  const file = `subgraphs/${d.name}/schema.graphql`;
  if (!existsSync(schemaFile)) {
    return [{ file, problem: `is missing: ${REGISTRY_FILE} registers ${d.name}`, fix: `add the subgraph's schema (or take ${d.name} out of the registry)` }];
  }
  if (!d.section) return [];
  let document: DocumentNode;
  try {
    document = parse(readFileSync(schemaFile, 'utf8'));
  } catch (error) {
    return [{ file, problem: `is not valid GraphQL: ${(error as Error).message}`, fix: 'fix the syntax (`npm run schema:check` shows where)' }];
  }
  const fields = document.definitions.flatMap((def) =>
    (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) && def.name.value === 'Citizen'
      ? (def.fields ?? []).map((f) => f.name.value)
      : [],
  );
  if (fields.includes(d.section.field)) return [];
  return [
    {
      file,
      problem: `Citizen has no field ${d.section.field}, the section subgraphs/${d.name}/department.ts names (it has ${list(fields)})`,
      fix: 'make the manifest name the section field the schema adds to Citizen',
    },
  ];
}
