import { serverAudits } from 'graphql-http';
import { authHeaders } from './support/auth';
import { startGraph, type RunningGraph } from './support/graph';

/** The GraphQL-over-HTTP conformance audits (graphql-http) against the gateway, as an officer. */
describe('GraphQL over HTTP conformance', () => {
  let graph: RunningGraph;
  let officer: Record<string, string>;

  beforeAll(async () => {
    graph = await startGraph('pglite', 20);
    officer = await authHeaders(graph.keys, { sub: 'o', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' });
  }, 120_000);
  afterAll(() => graph?.stop());

  it('fails no MUST-level audit', async () => {
    const fetchFn = (input: RequestInfo | URL, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      for (const [name, value] of Object.entries(officer)) headers.set(name, value);
      return fetch(input, { ...init, headers });
    };
    const failed: string[] = [];
    for (const audit of serverAudits({ url: graph.url, fetchFn })) {
      const result = await audit.fn();
      if (result.status !== 'ok') console.log(`${audit.name}: ${result.status}: ${result.reason}`);
      if (audit.name.startsWith('MUST') && result.status === 'error') failed.push(`${audit.name}: ${result.reason}`);
    }
    expect(failed).toEqual([]);
  });
});
