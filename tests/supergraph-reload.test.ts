import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { SUBGRAPHS } from '../lib/config';
import type { Logger } from '../lib/log';
import { supergraphFromEnvironment, watchedSupergraph } from '../gateway/src/supergraph-source';
import { composeSubgraphs, readSupergraph } from '../tools/compose';
import { committedSubgraphSdl, edit } from './support/schemas';

/** The committed graph, and the same graph after health adds `Encounter.severity`. */
function supergraphs(): { before: string; after: string } {
  const committed = Object.fromEntries(SUBGRAPHS.map((name) => [name, committedSubgraphSdl(name)]));
  const compose = (sdl: typeof committed) => {
    const result = composeSubgraphs(sdl);
    if (!result.ok) throw new Error(`expected the test graph to compose: ${JSON.stringify(result.errors)}`);
    return result.supergraphSdl;
  };
  const health = edit(committed.health, '  diagnosis: String!\n', '  diagnosis: String!\n  severity: String\n');
  return { before: compose(committed), after: compose({ ...committed, health }) };
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the gateway follows its supergraph file (npm start -- --watch)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supergraph-reload-'));
  const path = join(dir, 'supergraph.graphql');
  const { before, after } = supergraphs();
  const errors: string[] = [];
  const log = { info: () => undefined, warn: () => undefined, error: (_: unknown, message: string) => errors.push(message) } as unknown as Logger;
  let server: ApolloServer;

  beforeAll(async () => {
    writeFileSync(path, before);
    server = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: watchedSupergraph(path, { log, intervalMs: 50 }) }) });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The fields clients can select on Encounter, through the gateway's own schema. */
  async function encounterFields(): Promise<string[]> {
    const response = await server.executeOperation({ query: '{ __type(name: "Encounter") { fields { name } } }' });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const type = response.body.singleResult.data?.__type as { fields: Array<{ name: string }> };
    return type.fields.map((field) => field.name);
  }

  it('serves a new supergraph written to the file, without a restart', async () => {
    expect(await encounterFields()).not.toContain('severity');
    writeFileSync(path, after);
    await until(async () => (await encounterFields()).includes('severity'), 'the gateway to serve Encounter.severity');
  });

  it('keeps serving the last good supergraph when the new text is not one, and says why', async () => {
    writeFileSync(path, 'type Query { broken: String }');
    await until(async () => errors.length > 0, 'the gateway to refuse the broken supergraph');
    expect(errors[0]).toMatch(/^new supergraph refused, still serving the last good one: /);
    expect(await encounterFields()).toContain('severity');
  });
});

describe('where the gateway reads its supergraph', () => {
  it('is the committed file, read once, unless the environment says otherwise', () => {
    expect(supergraphFromEnvironment(undefined, {})).toBe(readSupergraph());
  });

  it('refuses a bad SUPERGRAPH_PATH or SUPERGRAPH_WATCH, naming the variable', () => {
    expect(() => supergraphFromEnvironment(undefined, { SUPERGRAPH_PATH: '/nowhere/supergraph.graphql' })).toThrow(
      'SUPERGRAPH_PATH must name a supergraph file; received "/nowhere/supergraph.graphql", which does not exist',
    );
    expect(() => supergraphFromEnvironment(undefined, { SUPERGRAPH_WATCH: 'yes' })).toThrow('SUPERGRAPH_WATCH must be 0 or 1; received "yes"');
  });

  it('is followed for changes when SUPERGRAPH_WATCH is 1', () => {
    expect(typeof supergraphFromEnvironment(undefined, { SUPERGRAPH_WATCH: '1' })).toBe('function');
  });
});
