/**
 * Requests made by mutating the registered operations, as a hostile or careless client would
 * send them: dropped and renamed fields, wrong argument and variable types, huge strings, random
 * cursors, deep nesting, unknown operation names, ids mixed with other texts. Deterministic for
 * a seed, so a failure names a request that can be sent again.
 */
import { Kind, parse, parseType, print, visit, type DocumentNode, type FieldNode } from 'graphql';
import { Random } from '../../seed/random';

export type Role = 'citizen' | 'officer' | 'auditor';

export interface Operation {
  name: string;
  /** The registered text. */
  document: string;
  /** Its id in schema/operations/manifest.json. */
  id: string;
}

export interface MutatedRequest {
  /** What was done to the operation, for the failure message. */
  label: string;
  role: Role;
  body: Record<string, unknown>;
}

/** Good values for the operations' variables (a citizen that exists, its national id). */
export interface Values {
  citizenId: string;
  nationalId: string;
}

const WRONG_VALUES: unknown[] = [123, -1, 1e12, true, { a: 1 }, [1, 2], '', null, 'x'.repeat(50_000), '\u0000\uffff', 'cit_999999'];
const TYPES = ['Int!', 'ID', '[ID!]!', 'Boolean', 'String!', 'DateTime', 'Money'];

function fields(document: DocumentNode): FieldNode[] {
  const found: FieldNode[] = [];
  visit(document, { Field: (node) => void found.push(node) });
  return found;
}

/** `document` with the `index`-th field (in visiting order) replaced by what `change` returns (null drops it). */
function changeField(document: DocumentNode, index: number, change: (field: FieldNode) => FieldNode | null): DocumentNode {
  let seen = -1;
  return visit(document, {
    Field(node) {
      seen += 1;
      return seen === index ? change(node) : undefined;
    },
  });
}

function goodVariables(document: DocumentNode, values: Values): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  visit(document, {
    VariableDefinition(node) {
      const name = node.variable.name.value;
      if (name === 'id') variables.id = values.citizenId;
      if (name === 'nationalId') variables.nationalId = values.nationalId;
    },
  });
  return variables;
}

function randomText(random: Random, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=-_%{}"\\';
  return Array.from({ length }, () => alphabet[random.int(0, alphabet.length - 1)]).join('');
}

const DEEP = (levels: number) => {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `household { members { ${inner} } }`;
  return inner;
};

/** `count` mutated requests, cycling through the kinds of mutation over the operations. */
export function mutatedRequests(operations: readonly Operation[], values: Values, count: number, seed = 20261201): MutatedRequest[] {
  const random = new Random(seed, 'mutations', 0);
  const pick = <T>(items: readonly T[]): T => items[random.int(0, items.length - 1)];
  const roles: Role[] = ['citizen', 'officer', 'auditor'];

  const kinds: Array<(operation: Operation, ast: DocumentNode) => { label: string; body: Record<string, unknown> }> = [
    (op, ast) => {
      const index = random.int(0, fields(ast).length - 1);
      return { label: `${op.name}: field ${index} dropped`, body: { query: print(changeField(ast, index, () => null)), variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const index = random.int(0, fields(ast).length - 1);
      const renamed = changeField(ast, index, (field) => ({ ...field, name: { ...field.name, value: `${field.name.value}Z` } }));
      return { label: `${op.name}: field ${index} renamed`, body: { query: print(renamed), variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const variables = goodVariables(ast, values);
      const names = [...Object.keys(variables), 'first', 'after', 'newest', 'filter'];
      const name = pick(names);
      const value = pick(WRONG_VALUES);
      return { label: `${op.name}: $${name} = ${JSON.stringify(value)?.slice(0, 30)}`, body: { documentId: op.id, variables: { ...variables, [name]: value } } };
    },
    (op, ast) => {
      const type = pick(TYPES);
      const changed = visit(ast, {
        VariableDefinition: (node) => (random.chance(0.5) ? { ...node, type: parseType(type) } : undefined),
      });
      return { label: `${op.name}: a variable declared ${type}`, body: { query: print(changed), variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const size = pick([10_000, 100_000, 300_000]);
      const variables = Object.fromEntries(Object.keys(goodVariables(ast, values)).map((name) => [name, 'z'.repeat(size)]));
      return { label: `${op.name}: ${size}-character strings`, body: { query: op.document, variables } };
    },
    (op, ast) => {
      const cursor = pick([randomText(random, random.int(1, 80)), Buffer.from(randomText(random, 20)).toString('base64url'), Buffer.from('["x",1]').toString('base64url'), Buffer.from('{"__proto__":1}').toString('base64url')]);
      const connections = fields(ast).flatMap((field, index) => (field.arguments?.some((a) => a.name.value === 'first') ? [index] : []));
      if (connections.length === 0) return { label: `${op.name}: unknown variable after`, body: { query: op.document, variables: { ...goodVariables(ast, values), after: cursor } } };
      const index = pick(connections);
      const changed = changeField(ast, index, (field) => ({
        ...field,
        arguments: [...(field.arguments ?? []).filter((a) => a.name.value !== 'after'), { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'after' }, value: { kind: Kind.STRING, value: cursor } }],
      }));
      return { label: `${op.name}: after ${JSON.stringify(cursor)} on field ${index}`, body: { query: print(changed), variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const levels = random.int(3, 40);
      return { label: `household nesting ${levels} deep`, body: { query: `query Deep($id: ID!) { citizen(id: $id) { ${DEEP(levels)} } }`, variables: { id: values.citizenId } } };
    },
    (op, ast) => {
      const name = pick([randomText(random, 12).replace(/[^A-Za-z]/g, 'Q'), 'N'.repeat(random.int(90, 3000)), '', '__proto__']);
      return { label: `${op.name}: operationName ${name.slice(0, 20)}(${name.length})`, body: { ...pick([{ query: op.document }, { documentId: op.id }]), operationName: name, variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const other = pick(operations);
      const otherAst = parse(other.document);
      const text = random.int(0, 1) ? other.document : print(changeField(otherAst, random.int(0, fields(otherAst).length - 1), () => null));
      const id = pick([{ documentId: op.id }, { extensions: { persistedQuery: { version: 1, sha256Hash: op.id } } }]);
      return { label: `${op.name}'s id with ${other.name}'s text`, body: { ...id, query: text, variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const id = pick([randomText(random, 64), 'f'.repeat(64), 7, null, { $ne: 1 }, 'x'.repeat(500)]);
      const body = pick([{ documentId: id }, { extensions: { persistedQuery: { version: pick([1, 2, '1']), sha256Hash: id } } }]);
      return { label: `${op.name}: id ${JSON.stringify(id)?.slice(0, 20)}`, body: { ...body, variables: goodVariables(ast, values) } };
    },
    (op, ast) => {
      const name = `${op.name}${random.int(0, 99)}`;
      const renamed = visit(ast, { OperationDefinition: (node) => ({ ...node, name: { kind: Kind.NAME, value: name } }) });
      return { label: `${op.name} renamed ${name}`, body: { query: print(renamed), variables: goodVariables(ast, values) } };
    },
    (op, ast) => ({ label: `${op.name} as registered`, body: { documentId: op.id, variables: goodVariables(ast, values) } }),
  ];

  const requests: MutatedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const operation = operations[i % operations.length];
    const kind = kinds[Math.floor(i / operations.length) % kinds.length];
    const { label, body } = kind(operation, parse(operation.document));
    requests.push({ label: `#${i} ${label}`, role: pick(roles), body });
  }
  return requests;
}
