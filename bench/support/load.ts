/**
 * The load generator, run as its own process (`node --import tsx bench/support/load.ts <spec.json>`)
 * so that it does not share an event loop with the orchestrator. Drives one gateway with
 * autocannon at fixed concurrency: a warm-up, then the measured run. Requests cycle through the
 * spec's variants (each its own body and headers: another citizen, another token), so that no
 * cache makes the work trivial.
 *
 * Every response is checked: a non-2xx status, or a body carrying GraphQL `"errors"`, counts as
 * an error; one response in `sampleEvery` is parsed in full and its data compared with what the
 * variant expects (e.g. `citizen.id` is the id asked for). Prints one JSON line: the result.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { checkResponse } from './check';
import type { LoadResult, LoadSpec } from './types';

async function run(spec: LoadSpec, seconds: number, validate: boolean) {
  const url = new URL(spec.url);
  let next = 0;
  const failures = { non2xx: 0, graphqlErrors: 0, sampled: 0, sampleFailures: 0, examples: [] as string[] };
  const note = (text: string) => {
    if (failures.examples.length < 3) failures.examples.push(text.slice(0, 400));
  };
  let responses = 0;
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: url.pathname,
      setupRequest: (request, context) => {
        const index = next++ % spec.variants.length;
        (context as { variant?: number }).variant = index;
        const variant = spec.variants[index];
        return { ...request, headers: { 'content-type': 'application/json', ...variant.headers }, body: variant.body };
      },
      onResponse: (status, body, context) => {
        if (!validate) return;
        responses++;
        const variant = spec.variants[(context as { variant?: number }).variant ?? 0];
        if (status < 200 || status > 299) {
          failures.non2xx++;
          note(`HTTP ${status}: ${body}`);
          return;
        }
        if (body.includes('"errors"')) {
          failures.graphqlErrors++;
          note(body);
          return;
        }
        if (responses % spec.sampleEvery === 0) {
          failures.sampled++;
          const problem = checkResponse(variant, body);
          if (problem) {
            failures.sampleFailures++;
            note(problem);
          }
        }
      },
    },
  ];
  const result = await autocannon({
    url: url.origin,
    connections: spec.connections,
    duration: seconds,
    requests,
    timeout: 10,
  });
  return { result, failures };
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  if (spec.warmupSeconds > 0) {
    process.stderr.write(`  warm-up ${spec.warmupSeconds} s...\n`);
    await run(spec, spec.warmupSeconds, false);
  }
  process.stderr.write(`  measuring ${spec.durationSeconds} s at ${spec.connections} connections...\n`);
  const cpuBefore = process.cpuUsage();
  const { result, failures } = await run(spec, spec.durationSeconds, true);
  const cpu = process.cpuUsage(cpuBefore);
  const out: LoadResult = {
    loadCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    // Good responses over the run's length: a gateway that answers with errors gets no credit for
    // them (a wrong answer found in the 1-in-N sample stands for N). All completed ones beside it.
    rps: Math.round((Math.max(0, result.requests.total - result.non2xx - failures.graphqlErrors - failures.sampleFailures * spec.sampleEvery) / result.duration) * 10) / 10,
    allRps: Math.round((result.requests.total / result.duration) * 10) / 10,
    autocannonRps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    transportErrors: result.errors,
    timeouts: result.timeouts,
    graphqlErrors: failures.graphqlErrors,
    sampled: failures.sampled,
    sampleFailures: failures.sampleFailures,
    errors: result.errors + result.non2xx + failures.graphqlErrors + failures.sampleFailures,
    examples: failures.examples,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
