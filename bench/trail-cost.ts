/**
 * `npm run bench:trail [-- --duration S --connections N --citizens N --postgres]`: what the access
 * trail costs. Runs the whole graph in this process (on embedded stores, or on the PostgreSQL
 * server of TEST_DATABASE_URL with --postgres) three times, one after the other: with the trail
 * written through the audit service (`http`: the gateway posts each batch to its /trail), written
 * by the gateway into the audit store itself (`store`, TRAIL_WRITER's choice on a PostgreSQL
 * server), and off (records dropped: a measuring aid only, there is no such switch in the
 * gateway's configuration). Every response of the first two waits for its group-committed record.
 * Drives each with autocannon at fixed concurrency after a warm-up and prints requests per second
 * and latency, and each writer's cost against `off`; writes bench/results/trail-<backend>-<date>.json.
 *
 * Load and servers share two cores here, so compare the two rows with each other, not with
 * other machines.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { authHeaders } from '../tests/support/auth';
import type { Backend } from '../tests/support/db';
import { startGraph } from '../tests/support/graph';
import { config } from '../lib/config';

const QUERY = `query OfficerRead($id: ID!) { citizen(id: $id) { name { full } birthDate
  health { encounters(first: 5) { edges { node { id title occurredAt facility { name } } } } } } }`;

type Trail = 'http' | 'store' | 'off';

async function measure(backend: Backend, trail: Trail, citizens: number, duration: number, connections: number) {
  // Rate limits stay on, above anything this sends from one address and principal (the defaults would refuse most of it).
  const gateway = { rateLimits: { ...config().rateLimits, perPrincipal: 100_000_000, perAddress: 100_000_000, redisUrl: undefined } };
  const graph = await startGraph(backend, citizens, new Map(), trail === 'off' ? { trail: { append: async () => undefined }, gateway } : { trailWriter: trail, gateway });
  try {
    const headers = {
      'content-type': 'application/json',
      ...(await authHeaders(graph.keys, { sub: 'bench-officer', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' })),
    };
    let n = 0;
    const requests: autocannon.Request[] = [
      {
        method: 'POST',
        path: '/graphql',
        headers,
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: QUERY, variables: { id: `cit_${String((n++ % citizens) + 1).padStart(6, '0')}` } }),
        }),
      },
    ];
    const run = (seconds: number) => autocannon({ url: graph.url.replace(/\/graphql$/, ''), connections, duration: seconds, requests });
    await run(3); // warm-up: JIT, plan cache, pools
    const result = await run(duration);
    return {
      trail,
      rps: Math.round(result.requests.average),
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.errors + result.non2xx,
      requests: result.requests.total,
    };
  } finally {
    await graph.stop();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: 'string' }, connections: { type: 'string' }, citizens: { type: 'string' }, postgres: { type: 'boolean' } },
  });
  // --postgres: stores on the PostgreSQL server named by TEST_DATABASE_URL (fresh databases).
  const backend: Backend = values.postgres ? 'postgres' : 'pglite';
  if (backend === 'postgres' && !process.env.TEST_DATABASE_URL) throw new Error('--postgres needs TEST_DATABASE_URL');
  const duration = Number(values.duration ?? 15);
  const connections = Number(values.connections ?? 16);
  const citizens = Number(values.citizens ?? 500);
  const rows = [];
  for (const trail of ['http', 'store', 'off'] as const) {
    console.error(`trail ${trail}: ${duration} s at ${connections} connections over ${citizens} citizens...`);
    rows.push(await measure(backend, trail, citizens, duration, connections));
  }
  console.table(rows);
  const [http, store, off] = rows;
  const cost = (on: { rps: number }) => Math.round((100 * (off.rps - on.rps)) / off.rps);
  const summary = { date: new Date().toISOString(), backend, duration, connections, citizens, rows, costPercent: { http: cost(http), store: cost(store) } };
  console.log(`The trail costs ${summary.costPercent.store}% of throughput written by the gateway into the audit store (${store.rps} vs ${off.rps} requests/s), ${summary.costPercent.http}% through the audit service (${http.rps}).`);
  if (rows.some((row) => row.errors > 0)) console.log('WARNING: some requests failed (see errors): these numbers do not compare the trail.');
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `trail-${backend}-${summary.date.slice(0, 10)}.json`), JSON.stringify(summary, null, 2) + '\n');
  console.log(JSON.stringify(summary));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
