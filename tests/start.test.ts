import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORTS, envPrefix, type ServiceName } from '../lib/config';
import { freePorts } from './support/processes';

const ROOT = join(__dirname, '..');
const QUERY = readFileSync(join(ROOT, 'schema', 'operations', 'CitizenFullHistory.graphql'), 'utf8');

/** `npm start` as a user runs it, on free ports and a fresh data directory. */
/**
 * Every service's port variable, one free port each (asked of the system, not picked from a range
 * other suites' ephemeral ports may hold): the graph and the command-line scripts agree on them.
 */
const portsFrom = (ports: readonly number[]) =>
  Object.fromEntries((Object.keys(DEFAULT_PORTS) as ServiceName[]).map((service, i) => [`${envPrefix(service)}_PORT`, String(ports[i])]));

function start(dataDir: string, ports: readonly number[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const env: NodeJS.ProcessEnv = { ...process.env, ...portsFrom(ports), DATA_DIR: dataDir, SEED_CITIZENS: '40', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'start.ts')], { cwd: ROOT, env });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(predicate: () => boolean, ms: number, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'citizen-graph-start-'));
  let ports: number[] = [];
  /** The gateway's port (DEFAULT_PORTS lists it first). */
  let gatewayPort = 0;
  beforeAll(async () => {
    ports = await freePorts(Object.keys(DEFAULT_PORTS).length);
    gatewayPort = ports[(Object.keys(DEFAULT_PORTS) as ServiceName[]).indexOf('gateway')];
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  /** One of the project's command-line scripts, as `npm run` would run it, on this data directory. */
  const cli = (script: string, args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', script), ...args], {
      cwd: ROOT,
      // All the ports, not only the gateway's: a script that reaches another service (the audit
      // service) must find this graph's, never one on the default port.
      env: { ...process.env, ...portsFrom(ports), DATA_DIR: dataDir, NODE_ENV: 'development' },
      encoding: 'utf8',
    });

  it('seeds on first start, serves the full history, and stops every service on Ctrl-C', async () => {
    const run = start(dataDir, ports);
    await waitFor(() => run.output().includes('Citizen Graph is up'), 150_000, 'the graph to start', run.output);
    expect(run.output()).toMatch(/first start: seeding 40 citizens/);
    expect(run.output()).toContain(`http://localhost:${gatewayPort}/graphql`);

    // The printed citizen token works with the example, and so does one from `npm run token`.
    const printed = /CITIZEN_TOKEN=(\S+)/.exec(run.output())?.[1];
    expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // a JWT
    const minted = cli('token.ts', ['citizen', '--sub', 'cit_000001']).trim();
    for (const token of [printed, minted]) {
      const check = await fetch(`http://localhost:${gatewayPort}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ citizen(id: "cit_000001") { id } }' }),
      });
      expect(await check.json()).toEqual({ data: { citizen: { id: 'cit_000001' } } });
    }
    const response = await fetch(`http://localhost:${gatewayPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${minted}` },
      body: JSON.stringify({ query: QUERY, variables: { id: 'cit_000001' } }),
    });
    const body = await response.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.citizen.id).toBe('cit_000001');
    expect(Object.keys(body.data.citizen)).toEqual(expect.arrayContaining(['health', 'education', 'transport', 'tax', 'socialSecurity']));

    // An auditor runs a registered operation by name from the command line.
    const audited = JSON.parse(
      cli('audit.ts', ['run', 'AuditCitizenHistory', '--var', 'id=cit_000001', '--case', 'C-1', '--purpose', 'COMPLAINT_REVIEW', '--url', `http://localhost:${gatewayPort}/graphql`]),
    );
    expect(audited.data.citizen.id).toBe('cit_000001');

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // With the services stopped, the embedded trail can be verified: every read above is in it.
    expect(cli('audit.ts', ['verify'])).toMatch(/verified \d+ records/);
    // Every service is down: nothing answers on any of the ports.
    for (let i = 0; i < Object.keys(DEFAULT_PORTS).length; i++) {
      await expect(fetch(`http://localhost:${ports[i]}/healthz`)).rejects.toThrow();
    }

    // A second start finds the data and does not seed again.
    const again = start(dataDir, ports);
    await waitFor(() => again.output().includes('Citizen Graph is up'), 150_000, 'the graph to restart', again.output);
    expect(again.output()).toMatch(/stores hold 40 citizens; not seeding/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
  }, 320_000);
});
