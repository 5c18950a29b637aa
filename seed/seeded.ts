/**
 * A note that the embedded stores under DATA_DIR hold a seeded population (`DATA_DIR/seeded.json`),
 * so that `npm start` knows without opening the identity store to count its citizens: loading
 * PGlite and starting PostgreSQL for that cost 0.9 s of CPU (measured, two-core machine) before
 * any service could start, at every start.
 *
 * The note names the identity store it was written for by that store's PG_VERSION file, written
 * once when the store is created: its inode and its change time (which the system sets whenever
 * the file is made or altered, and no program can set; not its modification time, which a store
 * unpacked from PGlite's template carries over from the template). A store deleted or made again
 * no longer matches, and the next start counts. `npm run seed` rewrites the note. A PostgreSQL server is always asked.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { config } from '../lib/config';

interface SeededNote {
  citizens: number;
  /** The identity store's PG_VERSION: inode and change time (ns). */
  store: string;
}

const notePath = () => join(config().dataDir, 'seeded.json');

/**
 * Which embedded identity store this is; `null` when there is none yet, undefined when identity
 * is on a server.
 */
function identityStore(): string | null | undefined {
  const cfg = config();
  // As resolveDbTarget (lib/db/target.ts) decides: a configured server, else the embedded store under DATA_DIR.
  if (cfg.serviceDatabaseUrl('identity') || cfg.databaseUrl) return undefined;
  try {
    const version = statSync(join(cfg.dataDir, 'identity', 'PG_VERSION'), { bigint: true });
    return `${version.ino}:${version.ctimeNs}`;
  } catch {
    return null;
  }
}

/**
 * The citizens the embedded stores hold as far as is known without opening them: 0 when there
 * is no identity store yet, what the note says when it was written for the identity store there
 * now, and undefined otherwise (a server, or no note): then the store must be asked.
 */
export function seededCitizens(): number | undefined {
  const store = identityStore();
  if (store === null) return 0;
  if (!store) return undefined;
  try {
    const note = JSON.parse(readFileSync(notePath(), 'utf8')) as SeededNote;
    return note.store === store && Number.isInteger(note.citizens) && note.citizens > 0 ? note.citizens : undefined;
  } catch {
    return undefined;
  }
}

/** Notes that the embedded stores hold `citizens` citizens (nothing when identity is on a server). */
export function noteSeeded(citizens: number): void {
  const store = identityStore();
  if (store && citizens > 0) writeFileSync(notePath(), `${JSON.stringify({ citizens, store } satisfies SeededNote)}\n`);
}

/** Removes the note (before the stores are seeded again). */
export function forgetSeeded(): void {
  rmSync(notePath(), { force: true });
}
