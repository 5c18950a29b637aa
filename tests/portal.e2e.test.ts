/**
 * The citizen portal in a real browser (headless Chromium, driven by playwright-core): a citizen
 * signs in with a development token and sees their identity card, every department's records,
 * one timeline and who read their data, all from one registered operation sent by id; when a
 * department's subgraph stops, that section says so and the other four still show their records.
 *
 * The graph runs in this process (tests/support/graph.ts) with the registered operations; the
 * portal is built with Vite into test-output/portal-dist (skipped when its sources did not change)
 * and served by its own server (portal/server.ts), in this process too. Screenshots go to
 * test-output/portal/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKeyPairPem, importPrivateKey } from '../lib/auth/keys';
import { signUserToken } from '../lib/auth/tokens';
import { closeServer, listen } from '../lib/http';
import { loadRegistry } from '../gateway/src/operations';
import { launchChromium } from '../portal/browser';
import { createPortalServer, devTokenIssuer } from '../portal/server';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';

const ROOT = join(__dirname, '..');
const BUILD_DIR = join(ROOT, 'test-output', 'portal-dist');
const SHOTS = join(ROOT, 'test-output', 'portal');
const CITIZENS = 20;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

// Citizens may run registered operations only, as in production: the portal must work that way.
// (Read by the gateway's config() on first use, in startGraph below.)
process.env.PERSISTED_POLICY = 'citizen=require';

const apolloManifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'operations', 'persisted-query-manifest.json'), 'utf8')) as {
  operations: Array<{ id: string; name: string }>;
};
/** A registered operation's id as Apollo Client sends it, found in Apollo's manifest by its name. */
const idOf = (name: string) => {
  const id = apolloManifest.operations.find((operation) => operation.name === name)?.id;
  if (!id) throw new Error(`${name} is not in schema/operations/persisted-query-manifest.json; run npm run codegen`);
  return id;
};

const SECTIONS = ['Health', 'Education', 'Transport', 'Tax', 'Social security'] as const;

type ServiceRecord = { title: string; occurredAt: string };
type Edges = { edges: Array<{ node: ServiceRecord }> };
/**
 * A department's section of the CitizenPortal result: connections, single records (licence,
 * pension), and its __typename (the gateway runs Apollo's form of the operation, which asks for it).
 */
type Section = { [field: string]: Edges | ServiceRecord | string | null };
/** The CitizenPortal result as the gateway sends it (the page's own types are checked by portal/tsconfig.json). */
type Citizen = {
  name: { full: string };
  nationalId: string;
  address: { city: string };
  health: Section & { encounters: Edges };
  education: Section & { enrollments: Edges; examResults: Edges };
  transport: Section & { drivingLicence: ServiceRecord | null; vehicles: Edges };
  tax: Section & { returns: Edges };
  socialSecurity: Section & { pension: ServiceRecord | null; contributions: Edges };
};
const SECTION_FIELDS = ['health', 'education', 'transport', 'tax', 'socialSecurity'] as const;

/** Every record of one section. */
const sectionRecords = (section: Section | null): ServiceRecord[] =>
  Object.values(section ?? {}).flatMap((value) =>
    !value || typeof value === 'string' ? [] : 'edges' in value ? value.edges.map((edge) => edge.node) : [value],
  );

/** Every record of every section, newest first: what the timeline must show. */
const allRecords = (citizen: Citizen): ServiceRecord[] =>
  SECTION_FIELDS.flatMap((field) => sectionRecords(citizen[field])).sort((a, b) => Date.parse(b.occurredAt) - Date.parse(a.occurredAt));

describe('the citizen portal in a browser', () => {
  let graph: RunningGraph;
  let portal: Server;
  let portalUrl: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The citizen who signs in, and their page's data fetched straight from the gateway. */
  let me: string;
  let expected: Citizen;
  const graphqlBodies: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Vite runs in its own process (an ES module toolchain), while the graph starts here.
    const build = promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'portal', 'build.ts'), BUILD_DIR], { cwd: ROOT });
    [graph, browser] = await Promise.all([
      startGraph('pglite', CITIZENS, loadRegistry()),
      // From CHROMIUM_PATH, the system or the @sparticuz/chromium package (portal/browser.ts).
      launchChromium(),
      build,
    ]);
    portal = createPortalServer({ staticDir: BUILD_DIR, gatewayUrl: graph.url, devTokens: devTokenIssuer(graph.keys.issuerPrivateKey) });
    portalUrl = `http://127.0.0.1:${await listen(portal, 0, '127.0.0.1')}/`;

    // The first citizen with records in all five departments; their page, as the gateway answers it.
    let found: [string, Citizen] | undefined;
    for (let i = 1; i <= CITIZENS && !found; i++) {
      const id = `cit_${String(i).padStart(6, '0')}`;
      const { body } = await post(graph.url, { documentId: idOf('CitizenPortal'), variables: { id } }, await authHeaders(graph.keys, { sub: id, role: 'citizen' }));
      expect(body.errors).toBeUndefined();
      const citizen = body.data.citizen as Citizen;
      if (SECTION_FIELDS.every((field) => sectionRecords(citizen[field]).length > 0)) found = [id, citizen];
    }
    if (!found) throw new Error(`no seeded citizen among the first ${CITIZENS} has records in all five departments`);
    [me, expected] = found;

    // Someone else reads the citizen's data: a health officer, for a stated purpose.
    const officer = await authHeaders(graph.keys, { sub: 'officer-7', role: 'officer', department: 'HEALTH' }, { purpose: 'HEALTH_CARE' });
    const read = await post(graph.url, { query: `{ citizen(id: "${me}") { health { encounters(first: 1) { edges { node { id } } } } } }` }, officer);
    expect(read.body.errors).toBeUndefined();

    context = await browser.newContext({ viewport: DESKTOP });
    page = await context.newPage();
    page.on('request', (request: Request) => {
      if (new URL(request.url()).pathname === '/graphql') graphqlBodies.push(JSON.parse(request.postData() ?? '{}'));
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (portal) await closeServer(portal);
    await graph?.stop();
  });

  const region = (name: string) => page.getByRole('region', { name, exact: true });
  const text = (locator: Locator) => locator.innerText();

  it('signs a citizen in with a development token and shows their identity card', async () => {
    await page.goto(portalUrl);
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByLabel('Citizen id').fill(me);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const card = region(expected.name.full);
    await card.waitFor();
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(expected.name.full);
    expect(await text(card)).toContain(expected.nationalId);
    expect(await text(card)).toContain(expected.address.city);
  });

  it('loads the whole page in one request: the registered CitizenPortal operation, by id, without its text', async () => {
    // Where citizens may run registered operations only (so the text could not have been sent instead)...
    const citizen = await authHeaders(graph.keys, { sub: me, role: 'citizen' });
    const adHoc = await post(graph.url, { query: `{ citizen(id: "${me}") { id } }` }, citizen);
    expect(adHoc.body.errors[0].extensions.code).toBe('OPERATION_NOT_REGISTERED');
    // ...the page made one request, by id.
    expect(graphqlBodies).toHaveLength(1);
    const [body] = graphqlBodies;
    expect(body.query).toBeUndefined();
    expect(body.operationName).toBe('CitizenPortal');
    expect(body.variables).toMatchObject({ id: me });
    expect(body.extensions).toMatchObject({ persistedQuery: { version: 1, sha256Hash: idOf('CitizenPortal') } });
  });

  it("shows each department's records, as the departments hold them", async () => {
    const newest = (connection: Edges) => connection.edges[0]?.node.title;
    const titles: Record<(typeof SECTIONS)[number], string | undefined> = {
      Health: newest(expected.health.encounters),
      Education: newest(expected.education.enrollments) ?? newest(expected.education.examResults),
      Transport: expected.transport.drivingLicence?.title ?? newest(expected.transport.vehicles),
      Tax: newest(expected.tax.returns),
      'Social security': expected.socialSecurity.pension?.title ?? newest(expected.socialSecurity.contributions),
    };
    const sections = [expected.health, expected.education, expected.transport, expected.tax, expected.socialSecurity];
    for (const [i, name] of SECTIONS.entries()) {
      const shown = await text(region(name));
      const count = sectionRecords(sections[i]).length;
      expect(count).toBeGreaterThan(0);
      expect(shown).toMatch(new RegExp(`\\b${count} records?\\b`));
      expect(titles[name]).toBeDefined();
      expect(shown).toContain(titles[name]);
      expect(shown).not.toMatch(/unavailable/);
    }
  });

  it('puts every record of every department on one timeline, newest first', async () => {
    const records = allRecords(expected);
    const timeline = region('Timeline');
    expect(await text(timeline)).toContain(`${records.length} records from 5 departments`);
    const events = timeline.getByRole('listitem');
    expect(await text(events.first())).toContain(records[0].title);
    expect(await events.count()).toBe(Math.min(records.length, 30));
  });

  it('shows who accessed the data: the health officer, why, and the citizen themself', async () => {
    const log = region('Who accessed my data');
    const shown = await text(log);
    expect(shown).toContain('Health officer officer-7');
    // The purpose in plain words, not its code.
    expect(shown).toContain('Medical treatment or care');
    // The reads made above as the citizen (straight to the gateway) are there too.
    expect(shown).toMatch(/You[\s\S]*CitizenPortal/);
  });

  it('is usable at phone width and with the keyboard', async () => {
    await page.screenshot({ path: join(SHOTS, 'desktop.png') });
    await page.setViewportSize(PHONE);
    // Nothing is wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SHOTS, 'phone.png') });
    // Focus starts at the page's heading once it has loaded; Tab reaches the page's own links, Enter follows one.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('identity-heading');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Health');
    await page.keyboard.press('Enter');
    // The link's navigation reaches page.url() a moment after the key press returns: wait for it
    // (up to 5 s), then assert, so a miss still reads as expected and received.
    await page.waitForURL((url) => url.hash === '#health', { timeout: 5_000 }).catch(() => undefined);
    expect(new URL(page.url()).hash).toBe('#health');
    await page.setViewportSize(DESKTOP);
  });

  it("says which department is unavailable when its subgraph stops, and still shows the other four", async () => {
    graph.servers.health.close();
    graph.servers.health.closeAllConnections();
    await page.reload();
    const health = region('Health');
    await health.getByText('Health records are unavailable right now').waitFor();
    expect(await text(health)).toMatch(/service is unavailable right now/);
    for (const name of SECTIONS.filter((section) => section !== 'Health')) {
      const shown = await text(region(name));
      expect(shown).toMatch(/\b[1-9]\d* records?\b/);
      expect(shown).not.toMatch(/unavailable/);
    }
    expect(await text(region('Timeline'))).toContain('Not included: Health (unavailable)');
    expect(await text(region(expected.name.full))).toContain(expected.nationalId);
    await page.screenshot({ path: join(SHOTS, 'health-down.png'), fullPage: true });
  });

  it('sends the citizen back to sign-in when the gateway refuses their token', async () => {
    // A token the gateway does not trust (signed by an unknown key), still within its lifetime.
    const stranger = await importPrivateKey(generateKeyPairPem().privateKey);
    const token = await signUserToken(stranger, { sub: me, role: 'citizen' });
    await page.evaluate(
      ([token, citizenId]) => sessionStorage.setItem('citizen-graph.session', JSON.stringify({ token, citizenId })),
      [token, me],
    );
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await page.getByRole('status').first().innerText()).toMatch(/session has ended \(.*token signature is not valid.*\)\. Please sign in again/);
  });

  it('says that development sign-in is off when the portal runs in production', async () => {
    const production = createPortalServer({ staticDir: BUILD_DIR, gatewayUrl: graph.url });
    const url = `http://127.0.0.1:${await listen(production, 0, '127.0.0.1')}/`;
    try {
      const token = await fetch(`${url}dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"citizenId":"cit_000001"}' });
      expect(token.status).toBe(404);
      const other = await context.newPage();
      await other.goto(url);
      await other.getByText('Development sign-in is off on this server').waitFor();
      expect(await other.getByLabel('Citizen id').count()).toBe(0);
      await other.close();
    } finally {
      await closeServer(production);
    }
  });
});
