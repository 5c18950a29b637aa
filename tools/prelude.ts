/**
 * The shared SDL prelude (schema/prelude.graphql) against each subgraph's copy of it
 * (`npm run codegen:check`, tests/prelude.test.ts). Federation composes each subgraph from its
 * own schema.graphql alone, so the copies stay; this says when one has drifted: which subgraph,
 * which definition, and the lines that differ. The rules are in the prelude's header.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Kind,
  parse,
  print,
  visit,
  type ConstDirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type TypeDefinitionNode,
} from 'graphql';
import { ROOT } from '../lib/paths';
import { EVIDENCE_TYPE_NAMES } from '../lib/procedures';
import { REGISTRY, type DepartmentManifest } from '../subgraphs/registry';
import type { Problem } from './departments';

export const PRELUDE_PATH = join(ROOT, 'schema', 'prelude.graphql');
const PRELUDE = 'schema/prelude.graphql';
const FEDERATION_SPEC = 'https://specs.apollo.dev/federation/';

/** What the check reads; each defaults to the repository's own (tests pass altered copies). */
export interface PreludeSources {
  prelude: string;
  registry: readonly DepartmentManifest[];
  /** Each registered subgraph's SDL; a missing one is read from `subgraphs/<name>/schema.graphql`. */
  sdl: Readonly<Record<string, string>>;
}

const isTypeDefinition = (def: DefinitionNode): def is TypeDefinitionNode =>
  def.kind === Kind.SCALAR_TYPE_DEFINITION ||
  def.kind === Kind.ENUM_TYPE_DEFINITION ||
  def.kind === Kind.INTERFACE_TYPE_DEFINITION ||
  def.kind === Kind.OBJECT_TYPE_DEFINITION ||
  def.kind === Kind.UNION_TYPE_DEFINITION ||
  def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION;

const usesExternal = (def: TypeDefinitionNode) => print(def).includes('@external');
const hasKey = (def: TypeDefinitionNode): def is ObjectTypeDefinitionNode =>
  def.kind === Kind.OBJECT_TYPE_DEFINITION && (def.directives ?? []).some((d) => d.name.value === 'key');
const printDirectives = (directives: readonly ConstDirectiveNode[] | undefined) => (directives ?? []).map(print).join(' ');
/** Scalars and enums are declared where they are used; a section declares every other shared definition. */
const declaredWhereUsed = (def: TypeDefinitionNode) => def.kind === Kind.SCALAR_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_DEFINITION;

/** Every type name `document` refers to (field, argument and input types, interfaces, union members). */
function referencedTypes(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  visit(document, { NamedType: (node) => void names.add(node.name.value) });
  return names;
}

/** The values of `enum name` among `defs`, in order; empty if there is no such enum. */
function enumValues(defs: readonly TypeDefinitionNode[], name: string): string[] {
  const def = defs.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === name);
  return def?.kind === Kind.ENUM_TYPE_DEFINITION ? (def.values ?? []).map((v) => v.name.value) : [];
}

/** `kind Name` as the SDL spells it, e.g. `enum Department`. */
function label(def: TypeDefinitionNode): string {
  const keyword = {
    [Kind.SCALAR_TYPE_DEFINITION]: 'scalar',
    [Kind.ENUM_TYPE_DEFINITION]: 'enum',
    [Kind.INTERFACE_TYPE_DEFINITION]: 'interface',
    [Kind.OBJECT_TYPE_DEFINITION]: 'type',
    [Kind.UNION_TYPE_DEFINITION]: 'union',
    [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'input',
  }[def.kind];
  return `${keyword} ${def.name.value}`;
}

/** The printed lines of `expected` that `actual` lacks, and those it has instead, as `-`/`+` lines. */
function lineDifference(expected: string, actual: string): string {
  const remaining = actual.split('\n').map((line) => line.trim());
  const missing: string[] = [];
  for (const line of expected.split('\n').map((l) => l.trim())) {
    const at = remaining.indexOf(line);
    if (at === -1) missing.push(line);
    else remaining.splice(at, 1);
  }
  return [...missing.map((line) => `- ${line}`), ...remaining.map((line) => `+ ${line}`)].join('; ');
}

/** The federation spec URL a document links (`extend schema @link(url: ".../federation/v2.7")`), if any. */
function federationLink(document: DocumentNode): string | undefined {
  for (const def of document.definitions) {
    if (def.kind !== Kind.SCHEMA_EXTENSION && def.kind !== Kind.SCHEMA_DEFINITION) continue;
    for (const directive of def.directives ?? []) {
      const url = directive.arguments?.find((a) => a.name.value === 'url')?.value;
      if (directive.name.value === 'link' && url?.kind === Kind.STRING && url.value.startsWith(FEDERATION_SPEC)) return url.value;
    }
  }
  return undefined;
}

/**
 * Every way a subgraph's copy of the prelude differs from schema/prelude.graphql, and the
 * prelude's `Department` against the registry's section codes; empty when all agree.
 */
export function preludeProblems(sources: Partial<PreludeSources> = {}): Problem[] {
  const prelude = parse(sources.prelude ?? readFileSync(PRELUDE_PATH, 'utf8'));
  const registry = sources.registry ?? REGISTRY;
  const shared = prelude.definitions.filter(isTypeDefinition);
  const problems: Problem[] = [];

  const codes = registry.flatMap((d) => (d.section ? [d.section.code] : []));
  const values = enumValues(shared, 'Department');
  if (values.join() !== codes.join()) {
    problems.push({
      file: PRELUDE,
      problem: `enum Department has ${values.join(', ') || 'no values'}; the sections of subgraphs/registry.ts have the codes ${codes.join(', ')}`,
      fix: 'make Department the section codes, in registry order (then copy it into every subgraph)',
    });
  }
  const evidenceTypes = enumValues(shared, 'EvidenceType');
  if (evidenceTypes.join() !== EVIDENCE_TYPE_NAMES.join()) {
    problems.push({
      file: PRELUDE,
      problem: `enum EvidenceType has ${evidenceTypes.join(', ') || 'no values'}; EVIDENCE_TYPES of lib/procedures.ts has ${EVIDENCE_TYPE_NAMES.join(', ')}`,
      fix: 'make EvidenceType the keys of EVIDENCE_TYPES, in that order, each with a description (then copy it into every subgraph that uses it)',
    });
  }
  const accessGrant = shared.find((def) => def.name.value === 'AccessGrant');
  const grantFields = accessGrant?.kind === Kind.OBJECT_TYPE_DEFINITION ? (accessGrant.fields ?? []).map((f) => f.name.value) : [];

  for (const manifest of registry) {
    const file = `subgraphs/${manifest.name}/schema.graphql`;
    const fail = (problem: string, fix = `copy it from ${PRELUDE}`) => problems.push({ file, problem, fix });
    let document: DocumentNode;
    try {
      document = parse(sources.sdl?.[manifest.name] ?? readFileSync(join(ROOT, file), 'utf8'));
    } catch (error) {
      fail(`is not valid GraphQL: ${(error as Error).message}`, 'fix the syntax (`npm run schema:check` shows where)');
      continue;
    }
    const own = new Map(document.definitions.filter(isTypeDefinition).map((def) => [def.name.value, def]));
    const referenced = referencedTypes(document);
    const link = federationLink(document);
    if (link !== federationLink(prelude)) {
      fail(`links federation ${link ?? 'nowhere'}; ${PRELUDE} links ${federationLink(prelude)}`, `link the prelude's federation version`);
    }
    for (const expected of shared) {
      // Identity owns what departments see as external (Citizen's grants); audit has no section.
      if (usesExternal(expected) && !manifest.section) continue;
      const actual = own.get(expected.name.value);
      if (!actual) {
        if (declaredWhereUsed(expected)) {
          if (referenced.has(expected.name.value)) fail(`uses ${label(expected)} but does not declare it`);
        } else if (manifest.section) fail(`lacks ${label(expected)}, which every department with a section declares`);
        continue;
      }
      if (hasKey(expected)) {
        problems.push(...entityProblems(file, expected, actual));
        continue;
      }
      if (print(actual) !== print(expected)) {
        fail(`${label(expected)} differs from ${PRELUDE}: ${lineDifference(print(expected), print(actual))}`);
      }
    }
    if (manifest.section) problems.push(...sectionProblems(file, manifest.section.field, own.get('Citizen'), grantFields));
  }
  return problems;
}

/** An entity of the prelude (`Citizen`): the same type directives, and each of its fields as written; the subgraph adds its own. */
function entityProblems(file: string, expected: ObjectTypeDefinitionNode, actual: TypeDefinitionNode): Problem[] {
  const fix = `copy it from ${PRELUDE}`;
  if (actual.kind !== Kind.OBJECT_TYPE_DEFINITION) return [{ file, problem: `${label(actual)} should be ${label(expected)}`, fix }];
  const problems: Problem[] = [];
  if (printDirectives(actual.directives) !== printDirectives(expected.directives)) {
    problems.push({ file, problem: `type ${expected.name.value} is ${printDirectives(actual.directives) || 'undirected'}; ${PRELUDE} has ${printDirectives(expected.directives)}`, fix });
  }
  for (const field of expected.fields ?? []) {
    const own = actual.fields?.find((f) => f.name.value === field.name.value);
    if (!own) problems.push({ file, problem: `type ${expected.name.value} lacks ${print(field).replace(/\n\s*/g, ' ')}`, fix });
    else if (print(own) !== print(field)) {
      problems.push({ file, problem: `${expected.name.value}.${field.name.value} differs from ${PRELUDE}: ${lineDifference(print(field), print(own))}`, fix });
    }
  }
  return problems;
}

/** A department's section field on `Citizen`: there, and requiring every field of the grants it decides access by. */
function sectionProblems(file: string, field: string, citizen: TypeDefinitionNode | undefined, grantFields: readonly string[]): Problem[] {
  if (citizen?.kind !== Kind.OBJECT_TYPE_DEFINITION) return [];
  const section: FieldDefinitionNode | undefined = citizen.fields?.find((f) => f.name.value === field);
  if (!section) return []; // tools/departments.ts names a section field the schema lacks
  const expected = `@requires(fields: "accessGrants { ${grantFields.join(' ')} }")`;
  const requires = section.directives?.find((d) => d.name.value === 'requires');
  if (requires && print(requires) === expected) return [];
  return [
    {
      file,
      problem: `Citizen.${field} has ${requires ? print(requires) : 'no @requires'}; a section needs every field of AccessGrant for its access decision: ${expected}`,
      fix: `give Citizen.${field} ${expected}`,
    },
  ];
}
