import { GraphQLError } from 'graphql';
import { subgraphResilience } from '../gateway/src/resilience';

/** The per-attempt deadline of the gateway's subgraph fetches (gateway/src/resilience.ts), unit by unit. */
describe('subgraph fetch deadline', () => {
  const QUERY = JSON.stringify({ query: 'query Q__tax__0{a}' });
  const MUTATION = JSON.stringify({ query: 'mutation M__tax__0{a}' });
  const codeOf = (error: unknown) => (error instanceof GraphQLError ? error.extensions.code : error);

  it('a fetch that does not answer in time fails with SUBGRAPH_TIMEOUT at the deadline, and its signal is aborted', async () => {
    const fetched: Array<string | undefined> = [];
    const resilience = subgraphResilience({ timeoutMs: 100, breakerThreshold: 10, onFetch: (_service, _seconds, code) => fetched.push(code) });
    const signals: AbortSignal[] = [];
    // Ignores its signal: the deadline fails the fetch anyway.
    const hanging = resilience.fetcher('tax', (_url, init) => {
      signals.push(init!.signal as AbortSignal);
      return new Promise(() => {});
    });
    for (const body of [QUERY, MUTATION]) {
      const started = Date.now();
      const error = await hanging('http://tax/graphql', { method: 'POST', body }).catch((e: unknown) => e);
      expect(codeOf(error)).toBe('SUBGRAPH_TIMEOUT');
      expect((error as GraphQLError).extensions.service).toBe('tax');
      expect(Date.now() - started).toBeGreaterThanOrEqual(95);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    // A timeout is not retried (one attempt each), and every attempt's signal was aborted.
    expect(signals).toHaveLength(2);
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(fetched).toEqual(['SUBGRAPH_TIMEOUT', 'SUBGRAPH_TIMEOUT']);
  });

  it('the body is read inside the deadline: a subgraph that stalls mid-body times out', async () => {
    const resilience = subgraphResilience({ timeoutMs: 100 });
    const stalled = resilience.fetcher('health', async () => {
      const body = new ReadableStream({ start: (controller) => controller.enqueue(new TextEncoder().encode('{"data":')) });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }) as never;
    });
    await expect(stalled('http://health/graphql', { method: 'POST', body: QUERY }).catch(codeOf)).resolves.toBe('SUBGRAPH_TIMEOUT');
  });

  it('the breaker counts timeouts: after the threshold the subgraph fails fast without being called', async () => {
    const resilience = subgraphResilience({ timeoutMs: 50, breakerThreshold: 2, halfOpenAfterMs: 60_000 });
    let calls = 0;
    const hanging = resilience.fetcher('tax', () => {
      calls++;
      return new Promise(() => {});
    });
    for (let i = 0; i < 2; i++) await expect(hanging('http://tax/graphql', { method: 'POST', body: QUERY }).catch(codeOf)).resolves.toBe('SUBGRAPH_TIMEOUT');
    expect([...resilience.states()]).toEqual([['tax', 'open']]);
    const started = Date.now();
    await expect(hanging('http://tax/graphql', { method: 'POST', body: QUERY }).catch(codeOf)).resolves.toBe('SUBGRAPH_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(40);
    expect(calls).toBe(2);
  });

  it('a fetch that answers in time is returned and never aborted afterwards; a failure passes through', async () => {
    const resilience = subgraphResilience({ timeoutMs: 50 });
    let signal: AbortSignal | undefined;
    const answer = new Response('{"data":{}}', { status: 200, headers: { 'content-type': 'application/json' } });
    const quick = resilience.fetcher('education', async (_url, init) => {
      signal = init!.signal as AbortSignal;
      return answer as never;
    });
    const response = await quick('http://education/graphql', { method: 'POST', body: QUERY });
    expect(await response.json()).toEqual({ data: {} });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(signal?.aborted).toBe(false);
    const failing = resilience.fetcher('education', async () => {
      throw new Error('boom');
    });
    await expect(failing('http://education/graphql', { method: 'POST', body: QUERY })).rejects.toThrow('boom');
  });
});
