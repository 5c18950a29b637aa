import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEPARTMENTS } from '../lib/auth/principal';
import { DEFAULT_PORTS, SUBGRAPHS } from '../lib/config';
import { departmentSeeds, subgraphDefinition } from '../subgraphs/load';
import { REGISTRY, SECTIONS } from '../subgraphs/registry';
import { registryProblems } from '../tools/departments';

describe('the department registry (subgraphs/registry.ts)', () => {
  it('agrees with lib/config.ts (names, order, ports), lib/auth/principal.ts (codes) and every folder', () => {
    expect(registryProblems()).toEqual([]);
  });

  it('names, for each department, the subgraph definition its folder exports', () => {
    for (const manifest of REGISTRY) expect(subgraphDefinition(manifest).name).toBe(manifest.name);
  });

  it("names each seeding department's generator, which fills its section's fixed connection", () => {
    const seeds = departmentSeeds();
    expect(seeds.map((s) => s.service)).toEqual(REGISTRY.filter((d) => d.seed).map((d) => d.name));
    for (const { name, section } of SECTIONS) {
      expect(Object.keys(seeds.find((s) => s.service === name)?.tables ?? {})).toContain(section.records.table);
    }
  });

  describe('says where its copies drift', () => {
    it('a port lib/config.ts gives differently', () => {
      const problems = registryProblems({ ports: { ...DEFAULT_PORTS, transport: 4999 } });
      expect(problems).toEqual([
        expect.objectContaining({ file: 'lib/config.ts', problem: 'DEFAULT_PORTS gives transport 4999; subgraphs/transport/department.ts gives 4004' }),
      ]);
    });

    it('a service missing from lib/config.ts, or in another order', () => {
      const [missing] = registryProblems({ subgraphs: SUBGRAPHS.filter((s) => s !== 'tax') });
      expect(missing.problem).toMatch(/^SUBGRAPHS lists identity, health, education, transport, social-security, applications, audit; subgraphs\/registry.ts lists identity, .*tax/);
      const [reordered] = registryProblems({ subgraphs: [...SUBGRAPHS].reverse() });
      expect(reordered.file).toBe('lib/config.ts');
    });

    it('a department code lib/auth/principal.ts lacks', () => {
      const problems = registryProblems({ departments: DEPARTMENTS.filter((d) => d !== 'TAX') });
      expect(problems).toEqual([expect.objectContaining({ file: 'lib/auth/principal.ts', problem: expect.stringContaining('codes HEALTH, EDUCATION, TRANSPORT, TAX, SOCIAL_SECURITY') })]);
    });

    it('a department folder nobody registered, and a section field its schema does not have', () => {
      const dir = mkdtempSync(join(tmpdir(), 'registry-'));
      for (const name of ['transport', 'parks']) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, 'department.ts'), '');
      }
      writeFileSync(join(dir, 'transport', 'schema.graphql'), 'type Citizen @key(fields: "id") { id: ID! vehicles: [String] }');
      const transport = REGISTRY.find((d) => d.name === 'transport')!;
      const problems = registryProblems({ registry: [transport], subgraphs: ['transport'], departments: ['TRANSPORT'], subgraphsDir: dir });
      expect(problems.map((p) => `${p.file} ${p.problem}`)).toEqual([
        'subgraphs/registry.ts subgraphs/parks/ has a department.ts but is not registered',
        'subgraphs/transport/schema.graphql Citizen has no field transport, the section subgraphs/transport/department.ts names (it has id, vehicles)',
      ]);
    });
  });
});
