/**
 * What a service of the graph lets a network reach. Outside production every service listens on
 * loopback unless `HOST` says otherwise, and says where at start; in production `/metrics`
 * answers only `authorization: Bearer <METRICS_TOKEN>` (and nobody when that is unset), and the
 * portal mints no development tokens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { loadConfig, type Config } from '../lib/config';
import { closeServer, createHttpServer, listen } from '../lib/http';
import { httpMetrics } from '../lib/metrics';
import { createPortalServer, devSignIn } from '../portal/server';
import { entryPoint, freePorts, waitUntil } from './support/processes';

const TOKEN = 'metrics-scraper-token-0123456789';

/** This machine's first IPv4 address on a network (not loopback), if it has one. */
const NETWORK_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;

/** Whether a TCP connection to `host`:`port` is accepted or refused. */
function connectTo(host: string, port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(2000, () => {
      socket.destroy();
      reject(new Error(`no answer from ${host}:${port} within 2 s`));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      if (error.code === 'ECONNREFUSED') resolve('refused');
      else reject(error);
    });
    socket.connect(port, host);
  });
}

describe('configuration of what a network reaches', () => {
  it('listens on loopback outside production and on every interface in production, unless HOST says otherwise', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', HOST: '10.1.2.3' }).host).toBe('10.1.2.3');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
  });

  it('refuses a HOST that is not an IP address, naming HOST and what it received', () => {
    for (const bad of ['my-laptop', 'localhost', '127.0.0.1:4000', '256.0.0.1']) {
      expect(() => loadConfig({ HOST: bad })).toThrow(`HOST must be an IP address to listen on, such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface); received ${JSON.stringify(bad)}`);
    }
  });

  it('refuses a NODE_ENV it does not know, rather than running with the development defaults', () => {
    for (const bad of ['prod', 'Production', 'staging']) {
      expect(() => loadConfig({ NODE_ENV: bad })).toThrow(`NODE_ENV must be one of development, test, production (or unset: development); received ${JSON.stringify(bad)}`);
    }
  });

  it('refuses a METRICS_TOKEN too short or with characters a bearer token cannot carry, without repeating it', () => {
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/^METRICS_TOKEN must be at least 16 characters .*; received 5 characters$/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has a space in the middle' })).toThrow(/^METRICS_TOKEN must be .*; received 25 characters, some of them others$/);
    let message = '';
    try {
      loadConfig({ METRICS_TOKEN: 'secret value!' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^METRICS_TOKEN/);
    expect(message).not.toContain('secret');
  });

  it('reaches the services at localhost, or at the one address HOST names', () => {
    expect(loadConfig({}).subgraphUrl('health')).toBe('http://localhost:4002/graphql');
    expect(loadConfig({ NODE_ENV: 'production' }).subgraphUrl('health')).toBe('http://localhost:4002/graphql');
    expect(loadConfig({ HOST: '192.0.2.7' }).subgraphUrl('health')).toBe('http://192.0.2.7:4002/graphql');
    expect(loadConfig({ HOST: '::1' }).localUrl(4000, '/graphql')).toBe('http://[::1]:4000/graphql');
    expect(loadConfig({ HOST: '192.0.2.7', HEALTH_URL: 'http://health.internal/graphql' }).subgraphUrl('health')).toBe('http://health.internal/graphql');
  });
});

describe('/metrics', () => {
  let apollo: ApolloServer;
  const opened: Server[] = [];

  /** A service's HTTP server under `cfg`'s metrics access, on a free loopback port; its /metrics URL. */
  async function metricsUrl(cfg: Config): Promise<string> {
    const http = createHttpServer({
      server: apollo,
      context: async () => ({}),
      ready: async () => true,
      metrics: httpMetrics('network-test'),
      metricsAccess: cfg.metricsAccess,
    });
    opened.push(http);
    return `http://127.0.0.1:${await listen(http, 0, '127.0.0.1')}/metrics`;
  }

  beforeAll(async () => {
    apollo = new ApolloServer({ typeDefs: 'type Query { ok: Boolean }', resolvers: { Query: { ok: () => true } } });
    await apollo.start();
  });
  afterAll(async () => {
    await Promise.all(opened.map(closeServer));
    await apollo.stop();
  });

  it('in production answers only with the bearer METRICS_TOKEN: 401 without it or with another, 200 with it', async () => {
    const url = await metricsUrl(loadConfig({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN }));

    const without = await fetch(url);
    expect(without.status).toBe(401);
    expect(without.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await without.json()).errors[0]).toEqual({
      message: '/metrics needs "authorization: Bearer <METRICS_TOKEN>"; received no authorization header',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const wrong = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).errors[0].message).toMatch(/received a bearer token that is not it$/);
    const basic = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    expect((await basic.json()).errors[0].message).toMatch(/received a "Basic" authorization$/);

    const right = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('cg_http_requests_total{route="/metrics",status="401",service="network-test"} 3');
  });

  it('in production without METRICS_TOKEN is off (404), even to a caller with a token', async () => {
    const url = await metricsUrl(loadConfig({ NODE_ENV: 'production' }));
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(404);
      expect((await response.json()).errors[0].message).toBe('/metrics is off: NODE_ENV=production and METRICS_TOKEN is not set');
    }
  });

  it('outside production is open to whoever reaches the (loopback) port, unless METRICS_TOKEN is set', async () => {
    const open = await fetch(await metricsUrl(loadConfig({ NODE_ENV: 'development' })));
    expect(open.status).toBe(200);
    expect(await open.text()).toContain('cg_http_requests_total');
    expect((await fetch(await metricsUrl(loadConfig({ NODE_ENV: 'development', METRICS_TOKEN: TOKEN })))).status).toBe(401);
  });
});

describe('the gateway process started without HOST outside production', () => {
  let dataDir: string;
  const started: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(
      started.map((child) =>
        child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')),
      ),
    );
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `gateway/src/index.ts` as `npm start` runs it, on a free port; its port and its start log line once it listens. */
  async function startGateway(extra: Record<string, string>): Promise<{ port: number; ready: string }> {
    const [port] = await freePorts(1);
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Nothing from the surrounding environment decides where it listens or what it serves.
    for (const name of Object.keys(env)) {
      if (['HOST', 'METRICS_TOKEN', 'REDIS_URL', 'GATEWAY_WORKERS'].includes(name) || name.startsWith('SUPERGRAPH_')) delete env[name];
    }
    Object.assign(env, { NODE_ENV: 'development', DATA_DIR: dataDir, GATEWAY_PORT: String(port), LOG_LEVEL: 'info', ...extra });
    const child = spawn(process.execPath, ['--import', 'tsx', entryPoint('gateway')], { cwd: join(__dirname, '..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const ready = await waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`the gateway exited (code ${child.exitCode}) before it listened:\n${output}`);
        return output.split('\n').find((line) => line.includes('gateway ready at'));
      },
      'the gateway to listen',
      { timeoutMs: 60_000, everyMs: 100, describe: () => output },
    );
    return { port, ready: JSON.parse(ready).msg };
  }

  let port: number;
  let ready: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-network-'));
    ({ port, ready } = await startGateway({}));
  }, 90_000);

  it('listens on 127.0.0.1, says so at start, and answers there', async () => {
    expect(ready).toBe(`gateway ready at http://localhost:${port}/graphql; listening on 127.0.0.1:${port} (loopback only; set HOST=0.0.0.0 to expose)`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  (NETWORK_ADDRESS ? it : it.skip)(`cannot be reached at this machine's network address (${NETWORK_ADDRESS ?? 'this machine has none'})`, async () => {
    expect(await connectTo(NETWORK_ADDRESS!, port)).toBe('refused');
  });

  it('listens where HOST says, and says so', async () => {
    const exposed = await startGateway({ HOST: '0.0.0.0' });
    expect(exposed.ready).toBe(
      `gateway ready at http://localhost:${exposed.port}/graphql; listening on 0.0.0.0:${exposed.port} (every interface; set HOST=127.0.0.1 for this machine only)`,
    );
    expect(await connectTo('127.0.0.1', exposed.port)).toBe('accepted');
    if (NETWORK_ADDRESS) expect(await connectTo(NETWORK_ADDRESS, exposed.port)).toBe('accepted');
  }, 90_000);
});

describe('development sign-in at the portal', () => {
  let dataDir: string;
  const opened: Server[] = [];
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-devsignin-'));
  });
  afterAll(async () => {
    await Promise.all(opened.map(closeServer));
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** `POST /dev/token` for cit_000001 at a portal configured by `env`, as portal/index.ts configures it. */
  async function askForToken(env: Record<string, string>): Promise<Response> {
    const devTokens = await devSignIn(loadConfig({ DATA_DIR: dataDir, ...env }));
    const portal = createPortalServer({ staticDir: dataDir, gatewayUrl: 'http://127.0.0.1:9/graphql', devTokens });
    opened.push(portal);
    const url = `http://127.0.0.1:${await listen(portal, 0, '127.0.0.1')}/dev/token`;
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"citizenId":"cit_000001"}' });
  }

  it('mints a citizen token outside production', async () => {
    const response = await askForToken({ NODE_ENV: 'development' });
    expect(response.status).toBe(200);
    expect((await response.json()).citizenId).toBe('cit_000001');
  });

  it('is 404 in production: nobody can mint a token for a citizen id', async () => {
    const response = await askForToken({ NODE_ENV: 'production' });
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatch(/^development sign-in is off \(NODE_ENV=production\)/);
  });
});
