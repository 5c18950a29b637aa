import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { pidAlive, startProcessGraph, waitUntil, type ProcessGraph } from './support/processes';

const ME = 'cit_000002';
const LIMIT = 6;

/** The gateway primary's worker processes: its children that run the gateway (not, say, tsx's esbuild service). */
function workersOf(pid: number): number[] {
  let children: number[];
  try {
    children = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  return children.filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('gateway/src/index.ts');
    } catch {
      return false; // gone meanwhile
    }
  });
}

/** One request on its own connection (so that the cluster spreads them over its workers). */
function postOnce(url: string, body: unknown, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', connection: 'close', 'content-length': Buffer.byteLength(text), ...headers } }, (res) => {
      let data = '';
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(data) }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('the gateway on every core (GATEWAY_WORKERS=2)', () => {
  let graph: ProcessGraph;
  let citizen: Record<string, string>;
  let primary: number;
  /** Requests this principal has made in the window so far. */
  let sent = 0;

  beforeAll(async () => {
    graph = await startProcessGraph({
      citizens: 10,
      env: { GATEWAY_WORKERS: '2', RATE_LIMIT_PER_PRINCIPAL: String(LIMIT), RATE_LIMIT_WINDOW_SECONDS: '600' },
    });
    primary = graph.process('gateway').pid;
    citizen = { authorization: `Bearer ${await graph.token({ sub: ME, role: 'citizen' })}` };
  }, 180_000);
  afterAll(() => graph?.stop());

  it('runs two workers under one primary, sharing the port', async () => {
    await waitUntil(() => workersOf(primary).length === 2, 'two gateway workers', { timeoutMs: 90_000, describe: () => graph.logs('gateway') });
    const { status, body } = await postOnce(graph.url, { query: `{ citizen(id: "${ME}") { id name { full } } }` }, citizen);
    sent++;
    expect(status).toBe(200);
    expect(body.data.citizen.id).toBe(ME);
  }, 120_000);

  it('counts one principal across both workers: the limit holds for the cluster, not per worker', async () => {
    const statuses: number[] = [];
    // LIMIT requests in all are allowed in the window (the one above included), then 3 more are refused.
    const allowed = LIMIT - sent;
    for (let i = 0; i < allowed + 3; i++) {
      statuses.push((await postOnce(graph.url, { query: `{ citizen(id: "${ME}") { id } }` }, citizen)).status);
    }
    expect(statuses).toEqual([...Array(allowed).fill(200), 429, 429, 429]);
  });

  it('serves /metrics summed over the workers', async () => {
    const text = await (await fetch(graph.endpoint('gateway', '/metrics'))).text();
    const sum = (name: string, label: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(`${name}{`) && line.includes(label))
        .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    expect(sum('cg_graphql_requests_total', 'outcome="ok"')).toBe(LIMIT);
    expect(sum('cg_rate_limited_total', 'scope="principal"')).toBe(3);
  });

  it('replaces a worker that dies, and keeps answering meanwhile', async () => {
    const [victim, survivor] = workersOf(primary);
    process.kill(victim, 'SIGKILL');
    await waitUntil(() => !pidAlive(victim), 'the killed worker to be gone');
    const other = { authorization: `Bearer ${await graph.token({ sub: 'cit_000003', role: 'citizen' })}` };
    expect((await postOnce(graph.url, { query: '{ citizen(id: "cit_000003") { id } }' }, other)).status).toBe(200);
    const replaced = await waitUntil(() => {
      const now = workersOf(primary);
      return now.length === 2 && !now.includes(victim) ? now : undefined;
    }, 'a replacement worker', { timeoutMs: 90_000, describe: () => graph.logs('gateway') });
    expect(replaced).toContain(survivor);
    expect(pidAlive(primary)).toBe(true);
  }, 120_000);

  it('stops every worker and exits 0 on SIGTERM', async () => {
    const workers = workersOf(primary);
    const { code } = await graph.terminate('gateway');
    expect(code).toBe(0);
    for (const pid of workers) expect(pidAlive(pid)).toBe(false);
  });
});
