/**
 * "Apply once" in the citizen portal, in a real browser (headless Chromium, driven by
 * playwright-core), as tests/portal.e2e.test.ts runs the portal: a parent signs in, applies for
 * school enrollment for their child at a school of their city, asks for the evidence, sees each
 * piece with its issuer and a verified mark, and submits; an education officer approves with the
 * registered officer operations (scripts/officer.ts); after a reload the portal shows the
 * application approved, and the new enrollment is on the child's record.
 *
 * Every request the portal makes is a registered operation sent by id (citizens may run nothing
 * else here). The portal is built into test-output/portal-apply-dist (its own directory, so that
 * this suite and portal.e2e.test.ts can build at the same time; skipped when the sources did not
 * change). Screenshots go to test-output/portal/apply-*.png.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeServer, listen } from '../lib/http';
import { memoryKeyring, useKeyring } from '../lib/evidence/keyring';
import { loadRegistry } from '../gateway/src/operations';
import { launchChromium } from '../portal/browser';
import { createPortalServer, devTokenIssuer } from '../portal/server';
import { parseOfficerArgs, runOfficer } from '../scripts/officer';
import { authHeaders } from './support/auth';
import { post, startGraph, type RunningGraph } from './support/graph';
import type { Browser, Page } from 'playwright-core';

useKeyring(memoryKeyring());

const ROOT = join(__dirname, '..');
const BUILD_DIR = join(ROOT, 'test-output', 'portal-apply-dist');
const SHOTS = join(ROOT, 'test-output', 'portal');
/** Enough seeded citizens for a household with an adult and a school-age child (the seed is deterministic). */
const CITIZENS = 40;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

process.env.PERSISTED_POLICY = 'citizen=require';

const apolloManifest = JSON.parse(readFileSync(join(ROOT, 'schema', 'operations', 'persisted-query-manifest.json'), 'utf8')) as {
  operations: Array<{ id: string; name: string }>;
};
const idOf = (name: string) => {
  const id = apolloManifest.operations.find((operation) => operation.name === name)?.id;
  if (!id) throw new Error(`${name} is not in schema/operations/persisted-query-manifest.json; run npm run codegen`);
  return id;
};

/** The operations the Apply page may send, and nothing else. */
const APPLY_OPERATIONS = [
  'CitizenProcedures',
  'CitizenHousehold',
  'CitizenSchools',
  'CitizenApplications',
  'CitizenApplication',
  'CitizenStartApplication',
  'CitizenRequestEvidence',
  'CitizenSubmitApplication',
];

describe('applying once in the citizen portal', () => {
  let graph: RunningGraph;
  let portal: Server;
  let portalUrl: string;
  let browser: Browser;
  let page: Page;
  let parent: string;
  let parentName: string;
  let child: string;
  let childName: string;
  let school: { id: string; name: string };
  let applicationId: string;
  const graphqlBodies: Array<{ query?: string; operationName?: string; extensions?: { persistedQuery?: { sha256Hash?: string } } }> = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const build = promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'portal', 'build.ts'), BUILD_DIR], { cwd: ROOT });
    [graph, browser] = await Promise.all([startGraph('pglite', CITIZENS, loadRegistry()), launchChromium(), build]);
    portal = createPortalServer({ staticDir: BUILD_DIR, gatewayUrl: graph.url, devTokens: devTokenIssuer(graph.keys.issuerPrivateKey) });
    portalUrl = `http://127.0.0.1:${await listen(portal, 0, '127.0.0.1')}/`;

    // A parent (an adult) and a school-age child of the same household, and a primary school of their city.
    const [pair] = await graph.subgraphs.identity.db.query<{ parent: string; child: string; city: string }>(
      `SELECT p.id AS parent, c.id AS child, h.city FROM citizens p
         JOIN citizens c ON c.household_id = p.household_id JOIN households h ON h.id = p.household_id
       WHERE c.birth_date > (now() - interval '17 years')::date AND c.birth_date < (now() - interval '5 years')::date
         AND p.birth_date < (now() - interval '25 years')::date ORDER BY p.id, c.id LIMIT 1`,
    );
    if (!pair) throw new Error(`no household among the ${CITIZENS} seeded citizens has an adult and a child aged 5 to 17: raise CITIZENS`);
    ({ parent, child } = pair);
    [school] = await graph.subgraphs.education.db.query<{ id: string; name: string }>(
      `SELECT id, name FROM schools WHERE kind = 'PRIMARY' AND city = $1 ORDER BY id LIMIT 1`,
      [pair.city],
    );
    // The names the page shows, as the parent reads them through the graph (the registered CitizenHousehold).
    const household = await post(graph.url, { documentId: idOf('CitizenHousehold'), variables: { id: parent } }, await authHeaders(graph.keys, { sub: parent, role: 'citizen' }));
    expect(household.body.errors).toBeUndefined();
    const members = household.body.data.citizen.household.members as Array<{ id: string; name: { full: string } }>;
    parentName = members.find((m) => m.id === parent)!.name.full;
    childName = members.find((m) => m.id === child)!.name.full;

    page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/graphql') graphqlBodies.push(JSON.parse(request.postData() ?? '{}'));
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (portal) await closeServer(portal);
    await graph?.stop();
  });

  const application = () => page.getByRole('region', { name: 'School enrollment for a child of your household', exact: true });

  it('lists the procedures on the Apply page, with the evidence each needs and who issues it', async () => {
    await page.goto(portalUrl);
    await page.getByLabel('Citizen id').fill(parent);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: parentName }).waitFor();
    await page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name: 'Apply' }).click();
    await page.getByRole('heading', { level: 1, name: 'Apply once' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#apply');

    const procedures = page.getByRole('region', { name: 'What you can apply for' });
    await procedures.getByRole('heading', { level: 3 }).first().waitFor();
    const shown = await procedures.innerText();
    expect(shown).toContain('School enrollment for a child of your household');
    expect(shown).toContain('Export tax rebate claim');
    expect(shown).toContain('Medical-insurance e-voucher');
    expect(shown).toMatch(/Birth record[^\n]*from Civil registry/);
    expect(shown).toMatch(/Vaccination record[^\n]*from Health/);
    expect(shown).toContain('5 working days');
    await page.getByRole('region', { name: 'My applications' }).getByText('You have not applied for anything yet.').waitFor();
  });

  it('starts one application for the child at the chosen school, however often the button is pressed', async () => {
    await page.getByRole('button', { name: 'Apply for school enrollment' }).click();
    const form = page.getByRole('region', { name: 'Apply for school enrollment' });
    await form.waitFor();
    await form.getByRole('radio', { name: new RegExp(childName) }).check();
    await form.getByLabel('School').selectOption(school.id);
    // A double click sends the same clientRequestId twice: one application.
    await form.getByRole('button', { name: 'Start the application' }).dblclick();
    await application().waitFor();
    applicationId = new URL(page.url()).hash.replace('#apply/', '');
    expect(applicationId).toMatch(/^app_education_[0-9a-z]{26}$/);
    const rows = await graph.subgraphs.education.db.query<{ id: string; subject_id: string; status: string }>(
      `SELECT id, subject_id, status FROM applications WHERE applicant_id = $1`,
      [parent],
    );
    expect(rows).toEqual([{ id: applicationId, subject_id: child, status: 'DRAFT' }]);
    const shown = await application().innerText();
    expect(shown).toContain(childName);
    expect(shown).toContain(school.name);
    expect(await application().getByRole('status').innerText()).toBe('Status: Draft');
    expect(shown.match(/Not requested yet/g)).toHaveLength(3);
  });

  it('says which evidence is missing while its issuer is down, and asks again', async () => {
    // Health stops: the vaccination record cannot be had, the two from the civil registry can.
    const health = graph.servers.health;
    const { port } = health.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      health.close(() => resolve());
      health.closeAllConnections();
    });
    try {
      await application().getByRole('button', { name: 'Request the evidence' }).click();
      await application().getByText(/^Missing: Health could not give it/).waitFor();
      const pieces = await application().getByRole('list').first().getByRole('listitem').allInnerTexts();
      expect(pieces[0]).toContain("Verified by Civil registry's published key");
      expect(pieces[1]).toContain("Verified by Civil registry's published key");
      expect(pieces[2]).toMatch(/Vaccination record[\s\S]*Missing: Health could not give it \(.+\)/);
      expect(await application().getByRole('status').innerText()).toBe('Status: Draft');
      expect(await application().getByRole('button', { name: 'Submit' }).count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'apply-missing.png'), fullPage: true });
    } finally {
      await new Promise<void>((resolve) => health.listen(port, '127.0.0.1', () => resolve()));
    }
  });

  it('requests the evidence and shows each piece with its issuer, what it says and a verified mark', async () => {
    await application().getByRole('button', { name: 'Request the missing evidence again' }).click();
    await application().getByRole('button', { name: 'Submit' }).waitFor();
    expect(await application().getByRole('status').innerText()).toBe('Status: Evidence ready');
    const pieces = application().getByRole('list').first().getByRole('listitem');
    expect(await pieces.count()).toBe(3);
    const texts = await pieces.allInnerTexts();
    expect(texts[0]).toMatch(/Household and address[\s\S]*Issued by Civil registry \(identity\)[\s\S]*✓ Verified by Civil registry's published key/i);
    expect(texts[1]).toMatch(/Birth record[\s\S]*Issued by Civil registry \(identity\)[\s\S]*✓ Verified by Civil registry's published key/i);
    expect(texts[2]).toMatch(/Vaccination record[\s\S]*Issued by Health \(health\)[\s\S]*✓ Verified by Health's published key/i);
    // What the statements say: the child's name on the birth record, the parent in the household.
    expect(texts[1]).toContain(childName);
    expect(texts[0]).toMatch(/Applicant in household\s*Yes/);
    await page.screenshot({ path: join(SHOTS, 'apply-evidence.png'), fullPage: true });

    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SHOTS, 'apply-phone.png'), fullPage: true });
    await page.setViewportSize(DESKTOP);
  });

  it('submits, and an education officer approves with the registered officer operations', async () => {
    await application().getByRole('button', { name: 'Submit' }).click();
    await application().getByRole('status').getByText('Submitted').waitFor();
    expect(await application().innerText()).toMatch(/within 5 working days of submission\. Due by/);

    // The officer desk: the department's submitted applications (OfficerApplications, by id)...
    const officer = await authHeaders(graph.keys, { sub: 'officer-edu-9', role: 'officer', department: 'EDUCATION' }, { purpose: 'SCHOOL_ENROLLMENT' });
    const listed = await post(graph.url, { documentId: idOf('OfficerApplications'), variables: { status: 'SUBMITTED' } }, officer);
    expect(listed.body.errors).toBeUndefined();
    expect(listed.body.data.applications.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(applicationId);

    // ...and the decision with the command the README gives (scripts/officer.ts), here with this graph's officer token.
    process.env.OFFICER_TOKEN = officer.authorization.replace(/^Bearer /, '');
    const printed: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    try {
      const code = await runOfficer(parseOfficerArgs(['decide', applicationId, 'approve', '--url', graph.url, '--json']));
      expect(code).toBe(0);
    } finally {
      log.mockRestore();
      delete process.env.OFFICER_TOKEN;
    }
    const decided = JSON.parse(printed.join('\n')).data.decideApplication;
    expect(decided).toMatchObject({ id: applicationId, status: 'APPROVED', recordId: `enr_${applicationId}`, decidedBy: 'officer-edu-9' });
  });

  it('shows the application approved after a reload, with its history and service time, and the enrollment on the child\'s record', async () => {
    await page.reload();
    await application().waitFor();
    expect(await application().getByRole('status').innerText()).toBe('Status: Approved');
    const shown = await application().innerText();
    expect(shown).toContain(`enr_${applicationId}`);
    expect(shown).toMatch(/Approved by officer-edu-9/);
    const history = (await application().getByRole('list').nth(1).getByRole('listitem').allInnerTexts()).map((item) => item.split(' ')[0]);
    expect(history).toEqual(['Draft', 'Evidence', 'Submitted', 'Approved']);
    expect(shown).toMatch(/to the decision, within the standard\./);
    // What the approval wrote, in words: the enrollment is the child's, which the parent cannot open in the child's section.
    expect(shown).toContain(`Enrolled at ${school.name}`);
    // Every read education made for the application, from the access trail: the household check and the three pieces
    // (the health one twice: asked while health was down, then again).
    const reads = await application().getByRole('list').nth(2).getByRole('listitem').allInnerTexts();
    expect(reads.filter((r) => r.startsWith('Education: Checked that the child is of your household'))).toHaveLength(1);
    expect(reads.filter((r) => r.startsWith('Education: Read from the civil registry'))).toHaveLength(2);
    expect(reads.filter((r) => r.startsWith('Education: Read the vaccination record')).length).toBeGreaterThanOrEqual(1);
    expect(reads.every((r) => /School enrollment|Enrolling a child in school/.test(r))).toBe(true);
    const mine = await page.getByRole('region', { name: 'My applications' }).innerText();
    expect(mine).toMatch(/School enrollment for a child of your household[\s\S]*Status\s*Approved[\s\S]*For\s*/);
    expect(mine).toContain(childName);
    await page.screenshot({ path: join(SHOTS, 'apply-approved.png'), fullPage: true });

    // The new enrollment, on the child's record, as an education officer reads it.
    const officer = await authHeaders(graph.keys, { sub: 'officer-edu-9', role: 'officer', department: 'EDUCATION' }, { purpose: 'SCHOOL_ENROLLMENT' });
    const record = await post(
      graph.url,
      { query: 'query E($id: ID!) { citizen(id: $id) { education { enrollments(first: 50) { edges { node { id status school { id name } } } } } } }', variables: { id: child } },
      officer,
    );
    expect(record.body.errors).toBeUndefined();
    const enrollment = record.body.data.citizen.education.enrollments.edges.find((e: { node: { id: string } }) => e.node.id === `enr_${applicationId}`);
    expect(enrollment?.node).toEqual({ id: `enr_${applicationId}`, status: 'ACTIVE', school });
  });

  it('sent every request as a registered operation, by id, without its text', async () => {
    const names = new Set(graphqlBodies.map((body) => body.operationName));
    for (const name of APPLY_OPERATIONS) expect(names).toContain(name);
    for (const body of graphqlBodies) {
      expect(body.query).toBeUndefined();
      expect(body.extensions?.persistedQuery?.sha256Hash).toBe(idOf(body.operationName!));
    }
  });
});
