import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { buildSchema, getOperationAST, parse, validate } from 'graphql';
import { DEFAULT_LIMITS, loadConfig } from '../lib/config';
import { queryLimits } from '../gateway/src/limits';
import { operationCost } from '../gateway/src/cost';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';

const ROOT = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'operations', 'manifest.json'), 'utf8')) as Record<string, string>;
const FULL_HISTORY = readFileSync(join(ROOT, 'schema', 'operations', 'CitizenFullHistory.graphql'), 'utf8');

/** `citizen { household { members { household { members ... } } } }`, `levels` pairs deep. */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `household { members { ${inner} } }`;
  return `{ citizen(id: "cit_000001") { ${inner} } }`;
}

// Small enough to stay under the token limit, so the alias and directive limits are what refuses them.
const ALIAS_BOMB = `{ ${Array.from({ length: 80 }, (_, i) => `c${i}: citizen(id: "cit_000001") { id }`).join(' ')} }`;
const DIRECTIVE_FLOOD = `{ citizen(id: "cit_000001") { id ${'@include(if: true) '.repeat(60)} } }`;
const HUGE_TOKENS = `{ citizen(id: "cit_000001") { ${'id '.repeat(5000)} } }`;

describe('query limits at the gateway', () => {
  let graph: RunningGraph;
  let officer: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraph('pglite', 20);
    officer = await authHeaders(graph.keys, { sub: 'o', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' });
  }, 120_000);
  afterAll(() => graph?.stop());

  async function expectRefused(body: unknown, code: string, message: RegExp) {
    graph.resetStatements();
    const { status, body: answer } = await post(graph.url, body, officer);
    expect(status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.length).toBeGreaterThan(0);
    expect(answer.errors[0].extensions.code).toBe(code);
    expect(answer.errors[0].message).toMatch(message);
    // Refused before planning: no subgraph ran a statement.
    expect(Object.values(graph.statements()).every((n) => n === 0)).toBe(true);
    return answer;
  }

  it('answers a normal query', async () => {
    const { status, body } = await post(graph.url, { query: '{ citizen(id: "cit_000001") { id } }' }, officer);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('refuses a query deeper than the limit', async () => {
    await expectRefused({ query: deepQuery(6) }, 'GRAPHQL_VALIDATION_FAILED', /depth/i);
  });

  it('refuses an alias bomb', async () => {
    await expectRefused({ query: ALIAS_BOMB }, 'GRAPHQL_VALIDATION_FAILED', /aliases/i);
    // 200 aliases are over the token limit too: refused all the same.
    const bigger = `{ ${Array.from({ length: 200 }, (_, i) => `c${i}: citizen(id: "cit_000001") { id }`).join(' ')} }`;
    await expectRefused({ query: bigger }, 'GRAPHQL_PARSE_FAILED', /tokens/i);
  });

  it('refuses a directive flood', async () => {
    await expectRefused({ query: DIRECTIVE_FLOOD }, 'GRAPHQL_VALIDATION_FAILED', /directives/i);
  });

  it('refuses a document with too many tokens without parsing it', async () => {
    await expectRefused({ query: HUGE_TOKENS }, 'GRAPHQL_PARSE_FAILED', /tokens/i);
  });

  it('refuses a batched (array) body', async () => {
    const one = { query: '{ citizen(id: "cit_000001") { id } }' };
    await expectRefused([one, one], 'BAD_REQUEST', /batch/i);
  });

  describe('cost counts page sizes however they are written', () => {
    // Ten aliases of a page of 100 citizens with their health records: the same selection three ways.
    const selection = (first: string) =>
      Array.from({ length: 10 }, (_, i) => `c${i}: citizens(first: ${first}) { edges { node { id health { encounters(first: ${first}) { edges { node { id title } } } } } } }`).join(' ');
    const literal = `{ ${selection('100')} }`;
    const variables = `query Pages($n: Int!) { ${selection('$n')} }`;
    const defaults = `query Pages($n: Int = 100) { ${selection('$n')} }`;

    it('refuses the selection with literal page sizes', async () => {
      await expectRefused({ query: literal }, 'GRAPHQL_VALIDATION_FAILED', /costs [\d,]+, over the limit of 200,000/);
    });

    it('refuses it with the sizes in variables, before any subgraph runs', async () => {
      const answer = await expectRefused({ query: variables, variables: { n: 100 } }, 'GRAPHQL_VALIDATION_FAILED', /over the limit/);
      const literalCost = (await post(graph.url, { query: literal }, officer)).body.errors[0].extensions.cost;
      expect(answer.errors[0].extensions.cost).toBe(literalCost);
    });

    it("refuses it with the sizes in a variable's default, and with a size that is not a number", async () => {
      await expectRefused({ query: defaults }, 'GRAPHQL_VALIDATION_FAILED', /over the limit/);
      // A value that is not a number is costed at the page maximum (the subgraph refuses it anyway).
      await expectRefused({ query: variables, variables: { n: 'many' } }, 'GRAPHQL_VALIDATION_FAILED', /over the limit/);
    });

    it('lets the same selection through with small pages, in a variable', async () => {
      const { status, body } = await post(graph.url, { query: `query Pages($n: Int!) { citizens(first: $n) { edges { node { id } } } }`, variables: { n: 3 } }, officer);
      expect(status).toBe(200);
      expect(body.data.citizens.edges).toHaveLength(3);
    });
  });

  it('keeps answering normal queries after the refusals', async () => {
    const { status, body } = await post(graph.url, { query: '{ citizen(id: "cit_000001") { id name { full } } }' }, officer);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.citizen.id).toBe('cit_000001');
  });

  it('lets the biggest registered operation through the gateway', async () => {
    const { status, body } = await post(graph.url, { query: FULL_HISTORY, variables: { id: 'cit_000001' } }, officer);
    expect(status).toBe(200);
    expect(body.data.citizen.id).toBe('cit_000001');
    // Sections the officer may not read are FORBIDDEN, never a limit.
    for (const error of body.errors ?? []) expect(error.extensions.code).toBe('FORBIDDEN');
  });
});

describe('every registered operation passes the default limits', () => {
  const schema = buildSchema(readFileSync(join(ROOT, 'schema', 'api.graphql'), 'utf8'));
  const limits = queryLimits(DEFAULT_LIMITS, { suggestions: false });
  const costOf = (document: string, variables?: Record<string, unknown>) => {
    const ast = parse(document);
    return operationCost(schema, ast, getOperationAST(ast)!, variables);
  };
  it.each(Object.values(manifest).map((document) => [/(?:query|mutation) (\w+)/.exec(document)![1], document]))('%s', (_name, document) => {
    const ast = parse(document, limits.parseOptions);
    expect(validate(schema, ast, limits.validationRules).map((e) => e.message)).toEqual([]);
    // At its defaults, and with every page size a client may send at the maximum (100).
    expect(costOf(document)).toBeLessThanOrEqual(DEFAULT_LIMITS.cost);
    expect(costOf(document, { first: 100, newest: 100, accessFirst: 100 })).toBeLessThanOrEqual(DEFAULT_LIMITS.cost);
  });

  it('the full history costs more than a lower LIMIT_COST of 5,000', () => {
    expect(costOf(FULL_HISTORY, { id: 'cit_000001' })).toBeGreaterThan(5000);
  });

  it('a page size costs the same as a literal, a variable, a default or the schema default', () => {
    const field = (first: string) => `citizens${first} { edges { node { id } } }`;
    const literal = costOf(`{ ${field('(first: 20)')} }`);
    expect(costOf(`query Q($n: Int!) { ${field('(first: $n)')} }`, { n: 20 })).toBe(literal);
    expect(costOf(`query Q($n: Int = 20) { ${field('(first: $n)')} }`)).toBe(literal);
    expect(costOf(`{ ${field('')} }`)).toBe(literal); // citizens(first: Int = 20)
    expect(costOf(`query Q($n: Int) { ${field('(first: $n)')} }`, { n: 100 })).toBe(costOf(`{ ${field('(first: 100)')} }`));
  });

  it('a fragment spread many times is costed once per spread, without exponential work', () => {
    const fragments = Array.from({ length: 30 }, (_, i) => `fragment F${i} on Citizen { ...F${i + 1} ...F${i + 1} }`).join(' ');
    const document = `query Q { citizen(id: "c") { ...F0 } } ${fragments} fragment F30 on Citizen { id }`;
    expect(costOf(document)).toBeGreaterThan(DEFAULT_LIMITS.cost);
  });

  it('the limits are read from LIMIT_* and validated', () => {
    expect(loadConfig({}).limits).toEqual(DEFAULT_LIMITS);
    expect(loadConfig({ LIMIT_DEPTH: '4', LIMIT_COST: '500' }).limits).toMatchObject({ depth: 4, cost: 500 });
    expect(() => loadConfig({ LIMIT_ALIASES: 'many' })).toThrow(/LIMIT_ALIASES/);
  });
});

describe('field suggestions', () => {
  const typeDefs = 'type Query { citizen: String }';
  async function ask(suggestions: boolean): Promise<string> {
    const limits = queryLimits(DEFAULT_LIMITS, { suggestions });
    const server = new ApolloServer({ typeDefs, validationRules: limits.validationRules, plugins: limits.plugins });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ citizn }' });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      return result?.errors?.[0]?.message ?? '';
    } finally {
      await server.stop();
    }
  }

  it('are masked outside development', async () => {
    expect(await ask(false)).not.toMatch(/Did you mean/);
  });

  it('are kept in development', async () => {
    expect(await ask(true)).toMatch(/Did you mean "citizen"/);
  });
});
