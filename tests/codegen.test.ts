import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print, type DocumentNode } from 'graphql';
import { MANIFEST_FILE } from '../lib/paths';
import { apiSchema, readSupergraph } from '../tools/compose';
import { loadOperations, readOperation, validateOperation } from '../tools/operation-registry';
import * as typed from '../schema/operations/generated/graphql';
import { operationProblems, staleOutputs } from '../scripts/codegen-problems';

const operations = loadOperations();
const manifest = JSON.parse(readFileSync(MANIFEST_FILE, 'utf8')) as Record<string, string>;

describe('registered operations and their manifest', () => {
  it('has the operations of the portal, the officer desk of each department and the auditors', () => {
    expect(operations.map((operation) => operation.name)).toEqual(
      expect.arrayContaining([
        'CitizenOverview',
        'CitizenFullHistory',
        'OfficerHealthView',
        'OfficerEducationView',
        'OfficerTransportView',
        'OfficerTaxView',
        'OfficerSocialSecurityView',
        'AuditCitizenHistory',
      ]),
    );
  });

  it('maps the sha256 of each registered document to exactly that document', () => {
    expect(Object.keys(manifest)).toHaveLength(operations.length);
    for (const [id, document] of Object.entries(manifest)) {
      expect(createHash('sha256').update(document).digest('hex')).toBe(id);
    }
    expect(Object.values(manifest)).toEqual(operations.map((operation) => operation.document));
  });

  it('gives front-ends typed documents that print to the registered text, so their hash is the id', () => {
    const documents = typed as unknown as Record<string, DocumentNode>;
    for (const operation of operations) {
      const document = documents[`${operation.name}Document`];
      expect(document).toBeDefined();
      expect(manifest[createHash('sha256').update(print(document)).digest('hex')]).toBe(operation.document);
    }
  });

  it('validates every registered operation against the composed API schema', () => {
    expect(operationProblems()).toEqual([]);
  });
});

describe('what codegen:check tells a developer', () => {
  const schema = apiSchema(readSupergraph());

  it('names an operation that does not validate, with the line in its file', () => {
    const operation = readOperation('schema/operations/ShoeSize.graphql', 'query ShoeSize($id: ID!) {\n  citizen(id: $id) { shoeSize }\n}\n');
    expect(validateOperation(schema, operation)).toEqual(['Cannot query field "shoeSize" on type "Citizen". (line 2, column 22)']);
  });

  it('refuses a file that is not one operation named after the file', () => {
    const file = 'schema/operations/CitizenCard.graphql';
    expect(() => readOperation(file, '{ citizen(id: "cit_000001") { id } }')).toThrow(
      'schema/operations/CitizenCard.graphql: the operation has no name; expected it to be named CitizenCard',
    );
    expect(() => readOperation(file, 'query Card { citizen(id: "cit_000001") { id } }')).toThrow(
      'schema/operations/CitizenCard.graphql: the operation is named Card; expected CitizenCard, the file\'s name',
    );
    expect(() => readOperation(file, 'query CitizenCard { citizen(id: "1") { id } }\nquery Other { citizen(id: "2") { id } }')).toThrow(
      'expected exactly one operation (named CitizenCard); found 2',
    );
    expect(() => readOperation(file, 'query CitizenCard {')).toThrow(/CitizenCard\.graphql: Syntax Error: .* \(line 1, column 20\)$/);
  });

  it('names a stale, a missing and an orphaned generated file, with the command that fixes each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'codegen-check-'));
    try {
      writeFileSync(join(dir, 'fragment-masking.ts'), '// no longer generated\n');
      const problems = staleOutputs(
        [
          { filename: 'schema/operations/manifest.json', content: '{}\n' },
          { filename: 'schema/operations/generated/not-yet.ts', content: '' },
        ],
        dir,
      );
      expect(problems).toEqual([
        { file: 'schema/operations/manifest.json', problem: 'is stale: it differs from what codegen generates now', fix: 'run `npm run codegen` and commit the result' },
        { file: 'schema/operations/generated/not-yet.ts', problem: 'is missing', fix: 'run `npm run codegen` and commit the result' },
        { file: expect.stringMatching(/fragment-masking\.ts$/), problem: 'is no longer generated', fix: 'delete it' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
