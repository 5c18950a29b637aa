import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGISTRY } from '../subgraphs/registry';
import { PRELUDE_PATH, preludeProblems } from '../tools/prelude';

const sdlOf = (name: string) => readFileSync(join(__dirname, '..', 'subgraphs', name, 'schema.graphql'), 'utf8');
const prelude = readFileSync(PRELUDE_PATH, 'utf8');

/** `text` with `from` replaced by `to`; fails if `from` is not there, so no case passes on an edit that did nothing. */
function edited(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

/** The problems, as `file: problem`, when subgraph `name`'s schema has `from` replaced by `to`. */
function problemsWhen(name: string, from: string, to: string): string[] {
  return preludeProblems({ sdl: { [name]: edited(sdlOf(name), from, to) } }).map((p) => `${p.file}: ${p.problem}`);
}

describe('the shared SDL prelude (schema/prelude.graphql)', () => {
  it("is what every subgraph's copy says", () => {
    expect(preludeProblems()).toEqual([]);
  });

  it('is copied by every subgraph (so the check above has copies to compare)', () => {
    for (const { name } of REGISTRY) expect(sdlOf(name)).toContain('enum Department {');
  });

  describe("names the subgraph, the definition and the difference when a copy drifts", () => {
    it('an enum value', () => {
      expect(problemsWhen('health', '  SOCIAL_SECURITY\n}', '  SOCIAL_INSURANCE\n}')).toEqual([
        'subgraphs/health/schema.graphql: enum Department differs from schema/prelude.graphql: - SOCIAL_SECURITY; + SOCIAL_INSURANCE',
      ]);
    });

    it("a field of a value type, in a subgraph without a section", () => {
      expect(problemsWhen('audit', '  endCursor: String\n', '  endCursor: String!\n')).toEqual([
        'subgraphs/audit/schema.graphql: type PageInfo differs from schema/prelude.graphql: - endCursor: String; + endCursor: String!',
      ]);
    });

    it('a description', () => {
      expect(problemsWhen('tax', '"A calendar date, `YYYY-MM-DD`."', '"A date."')).toEqual([
        'subgraphs/tax/schema.graphql: scalar Date differs from schema/prelude.graphql: - "A calendar date, `YYYY-MM-DD`."; + "A date."',
      ]);
    });

    it("an external field of Citizen, in a department with a section", () => {
      expect(problemsWhen('transport', '  accessGrants: [AccessGrant!]! @external', '  accessGrants: [AccessGrant!] @external')).toEqual([
        'subgraphs/transport/schema.graphql: Citizen.accessGrants differs from schema/prelude.graphql: - accessGrants: [AccessGrant!]! @external; + accessGrants: [AccessGrant!] @external',
      ]);
    });

    it('a definition a department with a section must declare', () => {
      const sdl = sdlOf('education');
      const start = sdl.indexOf('"What every department record has');
      const end = sdl.indexOf('}', start) + 1;
      expect(start).toBeGreaterThan(-1);
      const without = (sdl.slice(0, start) + sdl.slice(end)).replace(/ implements ServiceRecord/g, '');
      expect(preludeProblems({ sdl: { education: without } }).map((p) => p.problem)).toEqual([
        'lacks interface ServiceRecord, which every department with a section declares',
      ]);
    });

    it('a description of an evidence type, in an issuer of evidence', () => {
      expect(problemsWhen('tax', '"The vaccinations the subject received: vaccine, dose and date of each. Issued by health."', '"Vaccinations."')).toEqual([
        'subgraphs/tax/schema.graphql: enum EvidenceType differs from schema/prelude.graphql: - "The vaccinations the subject received: vaccine, dose and date of each. Issued by health."; + "Vaccinations."',
      ]);
    });

    it('an evidence type one issuer lacks', () => {
      const [problem, ...rest] = problemsWhen('social-security', '  "Whether the subject is insured, and their contribution months over the last twelve. Issued by social security."\n  INSURED_STATUS\n}', '}');
      expect(rest).toEqual([]);
      expect(problem).toMatch(/^subgraphs\/social-security\/schema.graphql: enum EvidenceType differs from schema\/prelude.graphql: .*- INSURED_STATUS/);
    });

    it('a shared enum a subgraph uses without declaring it', () => {
      const sdl = sdlOf('health');
      const start = sdl.indexOf('"""\nA type of evidence');
      const end = sdl.indexOf('}', start) + 1;
      expect(start).toBeGreaterThan(-1);
      expect(preludeProblems({ sdl: { health: sdl.slice(0, start) + sdl.slice(end) } }).map((p) => `${p.file}: ${p.problem}`)).toEqual([
        'subgraphs/health/schema.graphql: uses enum EvidenceType but does not declare it',
      ]);
    });

    it('not a drift: a department that issues no evidence does not declare EvidenceType', () => {
      for (const name of ['education', 'transport', 'audit']) expect(sdlOf(name)).not.toContain('enum EvidenceType');
      expect(preludeProblems().filter((p) => p.problem.includes('EvidenceType'))).toEqual([]);
    });

    it("a section that does not require every field of identity's grants", () => {
      const [problem] = problemsWhen('social-security', 'accessGrants { grantee section purpose expiresAt }', 'accessGrants { grantee section expiresAt }');
      expect(problem).toBe(
        'subgraphs/social-security/schema.graphql: Citizen.socialSecurity has @requires(fields: "accessGrants { grantee section expiresAt }"); a section needs every field of AccessGrant for its access decision: @requires(fields: "accessGrants { grantee section purpose expiresAt }")',
      );
    });

    it('another federation version', () => {
      expect(problemsWhen('identity', 'federation/v2.7', 'federation/v2.5')).toEqual([
        'subgraphs/identity/schema.graphql: links federation https://specs.apollo.dev/federation/v2.5; schema/prelude.graphql links https://specs.apollo.dev/federation/v2.7',
      ]);
    });
  });

  it("says when the prelude's EvidenceType is not the catalogue's evidence types", () => {
    const problems = preludeProblems({ prelude: edited(prelude, '  "The subject\'s birth record: name, birth date and sex. Issued by identity."\n  BIRTH_RECORD\n', '') });
    expect(problems[0]).toMatchObject({
      file: 'schema/prelude.graphql',
      problem:
        'enum EvidenceType has HOUSEHOLD_RESIDENCE, IDENTITY_RECORD, VACCINATION_RECORD, BUSINESS_REGISTRATION, EMPLOYER_CONTRIBUTIONS, INSURED_STATUS; EVIDENCE_TYPES of lib/procedures.ts has HOUSEHOLD_RESIDENCE, BIRTH_RECORD, IDENTITY_RECORD, VACCINATION_RECORD, BUSINESS_REGISTRATION, EMPLOYER_CONTRIBUTIONS, INSURED_STATUS',
    });
    // ...and, until each copy follows, every copy differs from it: the issuers' (and the desk's).
    const declaring = REGISTRY.map((d) => d.name).filter((name) => sdlOf(name).includes('enum EvidenceType {'));
    expect(declaring).toEqual(expect.arrayContaining(['identity', 'health', 'tax', 'social-security']));
    expect(problems.slice(1).map((p) => p.file)).toEqual(declaring.map((name) => `subgraphs/${name}/schema.graphql`));
  });

  it("says when the prelude's Department is not the registry's section codes", () => {
    const problems = preludeProblems({ prelude: edited(prelude, '  TAX\n', '') });
    expect(problems[0]).toMatchObject({
      file: 'schema/prelude.graphql',
      problem: 'enum Department has HEALTH, EDUCATION, TRANSPORT, SOCIAL_SECURITY; the sections of subgraphs/registry.ts have the codes HEALTH, EDUCATION, TRANSPORT, TAX, SOCIAL_SECURITY',
    });
    // ...and, until each copy follows, every subgraph's copy differs from it.
    expect(problems.slice(1).map((p) => p.file)).toEqual(REGISTRY.map((d) => `subgraphs/${d.name}/schema.graphql`));
  });
});
