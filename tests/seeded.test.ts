import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetSeeded, noteSeeded, seededCitizens } from '../seed/seeded';

/**
 * `npm start` decides whether to seed without opening the identity store when it can
 * (seed/seeded.ts); it must never take a note for a store that is not the one it was written for.
 */
describe('npm start knows the stores are seeded', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'seeded-'));
  const identity = join(dataDir, 'identity');
  /**
   * Stands in for PGlite creating the identity store from its template: PG_VERSION is written
   * once, when the store is made, with the template's modification time.
   */
  const createIdentityStore = () => {
    rmSync(identity, { recursive: true, force: true });
    mkdirSync(identity, { recursive: true });
    writeFileSync(join(identity, 'PG_VERSION'), '17\n');
    utimesSync(join(identity, 'PG_VERSION'), TEMPLATE_TIME, TEMPLATE_TIME);
  };
  const TEMPLATE_TIME = new Date('2026-12-01T15:34:50Z');

  beforeAll(() => {
    // Read once, on the first config() call (lib/config.ts).
    process.env.DATA_DIR = dataDir;
    delete process.env.DATABASE_URL;
    delete process.env.IDENTITY_DATABASE_URL;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('knows a data directory without an identity store holds nobody', () => {
    expect(seededCitizens()).toBe(0);
  });

  it('asks the store when there is no note, and trusts a note written for this store', () => {
    createIdentityStore();
    expect(seededCitizens()).toBeUndefined();
    noteSeeded(40);
    expect(seededCitizens()).toBe(40);
  });

  it('asks the store again when the identity store was made anew, or the note was forgotten for a re-seed', async () => {
    createIdentityStore();
    noteSeeded(40);
    // Another store in its place, from the same template (the same modification time, perhaps the
    // same inode), made later (file change times tick every few milliseconds).
    await new Promise((resolve) => setTimeout(resolve, 20));
    createIdentityStore();
    expect(seededCitizens()).toBeUndefined();

    noteSeeded(40);
    forgetSeeded();
    expect(seededCitizens()).toBeUndefined();
  });
});
