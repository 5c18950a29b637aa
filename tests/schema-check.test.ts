import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSubgraphs } from '../tools/compose';
import { checkSubgraph, committedCheckInput, exitCode, type SchemaCheckResult } from '../tools/schema-check';
import { committedSubgraphSdl, edit } from './support/schemas';

const ROOT = join(__dirname, '..');
const health = committedSubgraphSdl('health');

/** A health department engineer's changes, each made to a copy of the committed schema. */
const CHANGES = {
  removeDiagnosis: edit(health, '  diagnosis: String!\n', ''),
  removeFacilityKind: edit(health, '  kind: FacilityKind!\n  city: String!\n', '  city: String!\n'),
  addSeverity: edit(health, '  diagnosis: String!\n', '  diagnosis: String!\n  "How serious the main diagnosis was, when recorded."\n  severity: String\n'),
  // Education owns School, with `name: String!`: a second, conflicting definition cannot compose.
  conflictingSchool: `${health}\ntype School {\n  id: ID!\n  name: Int!\n}\n`,
  // The graph composes with it (descriptions may differ across subgraphs), but the shared
  // interface is no longer the prelude's.
  driftedServiceRecord: edit(
    health,
    '  "A one-line human description, e.g. `GP visit: Acute bronchitis`."\n  title: String!',
    '  "A one-line description."\n  title: String!',
  ),
};

/**
 * What the command checks against, with the base composed from the same committed subgraphs:
 * these tests are about judging a change; whether the committed supergraph is current is
 * `codegen:check`'s business.
 */
function check(sdl: string): Promise<SchemaCheckResult> {
  const input = committedCheckInput('health', sdl);
  const base = composeSubgraphs({ ...input.others, health });
  if (!base.ok) throw new Error(`expected the committed subgraphs to compose: ${JSON.stringify(base.errors)}`);
  return checkSubgraph({ ...input, baseSupergraphSdl: base.supergraphSdl });
}

function checked(result: SchemaCheckResult) {
  if (result.verdict === 'composition-error') throw new Error(`expected the graph to compose: ${JSON.stringify(result.compositionErrors)}`);
  return result;
}

describe('a department checks its change before deploying (schema:check)', () => {
  it('reports a removed field that registered operations use as breaking, and names each operation that would fail', async () => {
    const result = checked(await check(CHANGES.removeDiagnosis));
    expect(result.verdict).toBe('breaking');
    expect(result.changes).toContainEqual(
      expect.objectContaining({ level: 'breaking', path: 'Encounter.diagnosis', usedBy: ['CitizenFullHistory', 'CitizenPortal', 'OfficerHealthView'] }),
    );
    expect(result.failingOperations.map((operation) => operation.name)).toEqual(['CitizenFullHistory', 'CitizenPortal', 'OfficerHealthView']);
    expect(result.failingOperations[0].errors[0]).toMatch(/^Cannot query field "diagnosis" on type "Encounter"\..*\(line \d+, column \d+\)$/);
    expect(exitCode(result, { allowBreaking: false })).toBe(1);
    // Registered operations are a contract: --allow-breaking does not let them fail.
    expect(exitCode(result, { allowBreaking: true })).toBe(1);
  });

  it('reports a removed field no registered operation uses as breaking, which --allow-breaking accepts', async () => {
    const result = checked(await check(CHANGES.removeFacilityKind));
    expect(result.verdict).toBe('breaking');
    expect(result.changes).toContainEqual(expect.objectContaining({ level: 'breaking', path: 'Facility.kind', usedBy: [] }));
    expect(result.failingOperations).toEqual([]);
    expect(exitCode(result, { allowBreaking: false })).toBe(1);
    expect(exitCode(result, { allowBreaking: true })).toBe(0);
  });

  it('finds an added optional field safe', async () => {
    const result = checked(await check(CHANGES.addSeverity));
    expect(result.verdict).toBe('safe');
    expect(result.changes.length).toBeGreaterThan(0);
    expect(result.changes.every((change) => change.level === 'safe')).toBe(true);
    expect(result.changes).toContainEqual(expect.objectContaining({ path: 'Encounter.severity', message: "Field 'severity' was added to object type 'Encounter'" }));
    expect(result.failingOperations).toEqual([]);
    expect(result.operationsChecked).toBeGreaterThanOrEqual(7);
    expect(exitCode(result, { allowBreaking: false })).toBe(0);
  });

  it("stops at a composition error with Apollo's code and message", async () => {
    const result = await check(CHANGES.conflictingSchool);
    expect(result).toMatchObject({ verdict: 'composition-error' });
    if (result.verdict !== 'composition-error') return;
    expect(result.compositionErrors).toContainEqual({
      code: 'FIELD_TYPE_MISMATCH',
      message: 'Type of field "School.name" is incompatible across subgraphs: it has type "String!" in subgraph "education" but type "Int!" in subgraph "health"',
    });
    expect(exitCode(result, { allowBreaking: true })).toBe(2);
  });

  it('finds an unchanged schema safe, with nothing to report', async () => {
    const result = checked(await check(health));
    expect(result).toMatchObject({ verdict: 'safe', changes: [], failingOperations: [], preludeDrift: [] });
  });

  it('fails a copy of the shared prelude that drifted from schema/prelude.graphql, naming the definition, even when the graph composes', async () => {
    const result = checked(await check(CHANGES.driftedServiceRecord));
    expect(result.failingOperations).toEqual([]);
    expect(result.preludeDrift).toEqual([
      {
        problem: expect.stringMatching(/^interface ServiceRecord differs from schema\/prelude\.graphql: - "A one-line human description.*; \+ "A one-line description\."$/),
        fix: 'copy it from schema/prelude.graphql',
      },
    ]);
    expect(exitCode(result, { allowBreaking: false })).toBe(1);
    // The prelude is a contract of every subgraph: --allow-breaking does not let it drift.
    expect(exitCode(result, { allowBreaking: true })).toBe(1);
  });

  it('names the drifted definition beside the composition errors it causes', async () => {
    const result = await check(edit(health, '  TAX\n  SOCIAL_SECURITY\n}', '  TAX\n}'));
    expect(result.preludeDrift.map((drift) => drift.problem)).toEqual([expect.stringMatching(/^enum Department differs from schema\/prelude\.graphql: - SOCIAL_SECURITY$/)]);
    expect(exitCode(result, { allowBreaking: true })).toBeGreaterThan(0);
  });
});

describe('npm run schema:check -- <subgraph> --sdl FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'schema-check.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }
  function sdlFile(name: keyof typeof CHANGES): string {
    const path = join(dir, `${name}.graphql`);
    writeFileSync(path, CHANGES[name]);
    return path;
  }

  it('prints a breaking report naming the failing operations, and exits 1', () => {
    const { status, stdout } = run(['health', '--sdl', sdlFile('removeDiagnosis')]);
    expect(stdout).toMatch(/^Schema check of health: .*removeDiagnosis\.graphql against the graph at HEAD/);
    expect(stdout).toContain("Breaking changes (1)\n  Encounter.diagnosis: Field 'diagnosis' was removed from object type 'Encounter'");
    expect(stdout).toContain('used by: CitizenFullHistory, CitizenPortal, OfficerHealthView');
    expect(stdout).toMatch(/Registered operations: 3 of \d+ would fail\n  CitizenFullHistory \(schema\/operations\/CitizenFullHistory\.graphql\)/);
    expect(stdout).toMatch(/Verdict: BREAKING \(1 breaking change, 3 registered operations would fail\)\..* Exit 1\.$/m);
    expect(status).toBe(1);
  }, 60_000);

  it('prints a safe report and exits 0', () => {
    const { status, stdout } = run(['health', '--sdl', sdlFile('addSeverity')]);
    expect(stdout).toMatch(/^Safe changes \(\d+\)$/m);
    expect(stdout).toContain("  Encounter.severity: Field 'severity' was added to object type 'Encounter'");
    expect(stdout).toContain('Verdict: SAFE. Exit 0.');
    expect(status).toBe(0);
  }, 60_000);

  it("prints Apollo's composition errors and exits 2, also as JSON", () => {
    const { status, stdout } = run(['health', '--sdl', sdlFile('conflictingSchool'), '--json']);
    expect(status).toBe(2);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ subgraph: 'health', verdict: 'composition-error', base: 'HEAD', exitCode: 2 });
    expect(report.compositionErrors.map((error: { code: string }) => error.code)).toContain('FIELD_TYPE_MISMATCH');
    const human = run(['health', '--sdl', sdlFile('conflictingSchool')]);
    expect(human.stdout).toContain('FIELD_TYPE_MISMATCH: Type of field "School.name" is incompatible across subgraphs');
    expect(human.status).toBe(2);
  }, 60_000);

  it('prints the definition that drifted from the prelude and exits 1, even with --allow-breaking', () => {
    const { status, stdout } = run(['health', '--sdl', sdlFile('driftedServiceRecord'), '--allow-breaking']);
    expect(stdout).toContain('Composition: OK\nPrelude: 1 difference from schema/prelude.graphql\n  interface ServiceRecord differs from schema/prelude.graphql: ');
    expect(stdout).toContain('    fix: copy it from schema/prelude.graphql');
    expect(stdout).toMatch(/^Verdict: PRELUDE DRIFT \(1 difference from schema\/prelude\.graphql\)\. .* Exit 1\.$/m);
    expect(status).toBe(1);
    const json = JSON.parse(run(['health', '--sdl', sdlFile('driftedServiceRecord'), '--json']).stdout);
    expect(json).toMatchObject({ preludeDrift: [{ problem: expect.stringMatching(/^interface ServiceRecord /) }], exitCode: 1 });
  }, 60_000);

  it('refuses an unknown subgraph with the valid names and exit status 64', () => {
    const { status, stderr } = run(['healthcare']);
    expect(stderr).toContain('unknown subgraph "healthcare"; expected one of identity, health, education, transport, tax, social-security');
    expect(status).toBe(64);
  }, 60_000);
});
