import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceBundles } from '../scripts/service-bundles';

/** `npm start` runs each service from a bundle compiled once (scripts/service-bundles.ts); here on a stand-in service. */
describe('npm start compiles each service once', () => {
  let dir: string;
  let entry: string;
  let where: string;
  const out = () => join(dir, 'bundles');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bundles-'));
    mkdirSync(join(dir, 'src', 'lib'), { recursive: true });
    where = join(dir, 'src', 'lib', 'where.ts');
    entry = join(dir, 'src', 'index.ts');
    writeFileSync(where, "export const folder = __dirname;\nexport const runDirectly = require.main === module;\nexport const version = 'one';\n");
    writeFileSync(
      entry,
      [
        "import { folder, runDirectly, version } from './lib/where';",
        "if (process.argv[2] === 'fail') void Promise.resolve().then(() => {",
        "  throw new Error('the service failed');",
        '});',
        'else console.log(JSON.stringify({ folder, runDirectly, version, entryRunDirectly: require.main === module }));',
        '',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (bundle: string) => JSON.parse(execFileSync(process.execPath, ['--enable-source-maps', bundle], { encoding: 'utf8' }));

  it('keeps what each file sees of itself: its own folder, and "run directly" only for the entry', async () => {
    const { paths, built } = await serviceBundles({ demo: entry }, out());
    expect(built).toBe(true);
    expect(run(paths.demo)).toEqual({ folder: join(dir, 'src', 'lib'), runDirectly: false, version: 'one', entryRunDirectly: true });
  });

  it('reuses the bundle until a source file changes, then rebuilds it', async () => {
    await serviceBundles({ demo: entry }, out());
    const again = await serviceBundles({ demo: entry }, out());
    expect(again.built).toBe(false);

    writeFileSync(where, "export const folder = __dirname;\nexport const runDirectly = require.main === module;\nexport const version = 'two';\n");
    const changed = await serviceBundles({ demo: entry }, out());
    expect(changed.built).toBe(true);
    expect(run(changed.paths.demo).version).toBe('two');
  });

  it('names the TypeScript file and line in a stack trace', async () => {
    const { paths } = await serviceBundles({ demo: entry }, out());
    const failed = spawnSync(process.execPath, ['--enable-source-maps', paths.demo, 'fail'], { encoding: 'utf8' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain(`${entry}:3:`);
  });

  it('refuses a require of a computed path, which plain Node could not load from a bundle', async () => {
    writeFileSync(entry, "import { join } from 'node:path';\nrequire(join(__dirname, 'lib', 'where'));\n");
    await expect(serviceBundles({ demo: entry }, out())).rejects.toThrow(/index\.ts:2:.*will not be bundled/);
  });
});
