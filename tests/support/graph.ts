import type { Server } from 'node:http';
import { SUBGRAPHS, type SubgraphName } from '../../lib/config';
import { closeServer, listen } from '../../lib/http';
import type { SubgraphInstance } from '../../lib/subgraph';
import { seedStores } from '../../seed/run';
import { createGateway, gatewayHttpServer, type Gateway, type GatewayOptions } from '../../gateway/src/server';
import type { Registry } from '../../gateway/src/operations';
import { httpTrailClient, storeTrailClient, type TrailClient } from '../../gateway/src/trail';
import { subgraphDefinition } from '../../subgraphs/load';
import { manifestOf } from '../../subgraphs/registry';
import { createSubgraph, subgraphHttpServer } from '../../lib/subgraph';
import { makeTestKeys, type TestKeys } from './auth';
import { targetKey } from '../../lib/auth/internal-keys';
import { useGatewayUrl } from '../../lib/applications/gateway-client';
import { useDeskRoutes } from '../../subgraphs/applications/src/forward';
import type { Db } from '../../lib/db';
import { closeTestDbs, openTestDb, type Backend } from './db';

export interface RunningGraph {
  /** The gateway's GraphQL URL. */
  url: string;
  /** Each subgraph's own GraphQL URL (for direct, unauthorised calls). */
  subgraphUrls: Record<SubgraphName, string>;
  /** Each subgraph's HTTP server (a test may stop one to see the graph fail over). */
  servers: Record<SubgraphName, Server>;
  keys: TestKeys;
  gateway: Gateway;
  subgraphs: Record<SubgraphName, SubgraphInstance<object>>;
  /** Statements each store ran since the last `resetStatements()`. */
  statements(): Record<SubgraphName, number>;
  resetStatements(): void;
  stop(): Promise<void>;
}

/**
 * The whole graph in this process, as `npm start` runs it in separate ones: every subgraph over
 * a freshly seeded store, each on its own HTTP port, and the gateway over the committed
 * supergraph, pointed at them.
 */
export async function startGraph(
  backend: Backend,
  citizens: number,
  registry: Registry = new Map(),
  options: {
    /** Where the gateway writes the trail: a client of the test's, else `trailWriter`. */
    trail?: TrailClient;
    /** `http` (default): the audit service's /trail, as on the embedded store; `store`: the gateway appends into the audit store itself (TRAIL_WRITER=store). */
    trailWriter?: 'http' | 'store';
    gateway?: Partial<GatewayOptions>;
  } = {},
): Promise<RunningGraph> {
  const keys = await makeTestKeys();
  const stores = {} as Record<SubgraphName, Db>;
  for (const name of SUBGRAPHS) stores[name] = await openTestDb(backend, name);
  await seedStores(stores, { citizens });
  const subgraphs = {} as Record<SubgraphName, SubgraphInstance<object>>;
  const servers = {} as Record<SubgraphName, Server>;
  const urls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPHS) {
    const instance = await createSubgraph(subgraphDefinition(manifestOf(name)), stores[name]);
    subgraphs[name] = instance;
    const http = subgraphHttpServer(instance, keys.subgraphKey(name));
    servers[name] = http;
    urls[name] = `http://127.0.0.1:${await listen(http, 0, '127.0.0.1')}/graphql`;
  }
  // Explicit, so that a DATABASE_URL in the environment never sends a test's records elsewhere.
  const trail =
    options.trail ??
    (options.trailWriter === 'store' ? storeTrailClient(stores.audit) : httpTrailClient(urls.audit.replace(/\/graphql$/, '/trail')));
  const gateway = await createGateway({ subgraphUrls: urls, keys: keys.gateway, registry, trail, ...options.gateway });
  const gatewayHttp = gatewayHttpServer(gateway);
  const url = `http://127.0.0.1:${await listen(gatewayHttp, 0, '127.0.0.1')}/graphql`;
  // The applications desk forwards to the departments here, and they call this gateway as themselves.
  useDeskRoutes({
    url: (service) => urls[service].replace(/\/graphql$/, '/applications'),
    key: (service) => targetKey(keys.subgraphKey(service).key, `${service}/applications`),
  });
  useGatewayUrl(url);
  return {
    url,
    subgraphUrls: urls,
    servers,
    keys,
    gateway,
    subgraphs,
    statements: () =>
      Object.fromEntries(SUBGRAPHS.map((name) => [name, subgraphs[name].db.stats.statements])) as Record<SubgraphName, number>,
    resetStatements: () => {
      for (const name of SUBGRAPHS) subgraphs[name].db.stats.statements = 0;
    },
    stop: async () => {
      await closeServer(gatewayHttp);
      await gateway.stop();
      for (const server of Object.values(servers)) await closeServer(server);
      for (const name of SUBGRAPHS) await subgraphs[name].server.stop();
      await closeTestDbs();
    },
  };
}

/** POSTs a GraphQL request to `url` and returns the HTTP status and parsed body. */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed };
}
