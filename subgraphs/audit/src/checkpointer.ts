import type { Db } from '../../../lib/db';
import type { Logger } from '../../../lib/log';
import { signCheckpoint, type CheckpointSigningKey, type PublishedCheckpoint } from './checkpoint';
import * as repo from './db/repository';
import { chainTip } from '../../../lib/trail';
import type { CheckpointRow } from './db/tables';

/** Why the service will not sign its head: the trail no longer reaches its last checkpoint. */
export class CheckpointRefused extends Error {}

/** A stored checkpoint as it is published (GET /trail/checkpoints). */
export const published = (row: CheckpointRow): PublishedCheckpoint => ({
  seq: row.seq,
  hash: row.hash,
  at: row.signedAt.toISOString(),
  kid: row.kid,
  jws: row.jws,
});

/**
 * Signs the trail's head now and stores the checkpoint. `created` is false when the head has not
 * moved since the last checkpoint (or another replica signed it first): that checkpoint is
 * returned instead. `null` for an empty trail: there is no head to sign.
 *
 * Throws CheckpointRefused when the last stored checkpoint no longer holds (the record at its
 * seq has another hash, or is gone): the trail was rewritten or cut, and the service will not
 * put its signature on the result. (Whoever also deletes the stored checkpoints gets a signed
 * rewritten head; the copies auditors keep outside the store still show the rewrite.)
 */
export async function takeCheckpoint(
  db: Db,
  key: CheckpointSigningKey,
  now: () => Date = () => new Date(),
): Promise<{ checkpoint: CheckpointRow; created: boolean } | null> {
  const tip = await chainTip(db);
  if (!tip) return null;
  const last = await repo.lastCheckpoint(db);
  if (last) {
    const current = last.seq === tip.seq ? tip.hash : await repo.hashAt(db, last.seq);
    if (current !== last.hash) {
      throw new CheckpointRefused(
        `the last checkpoint (seq ${last.seq}, signed at ${last.signedAt.toISOString()}) says hash ${last.hash}, but ` +
          `${current ? `the record at seq ${last.seq} has ${current}` : `the trail ends at seq ${tip.seq}`}: the trail was rewritten or cut, so its head is not signed`,
      );
    }
    if (last.seq === tip.seq) return { checkpoint: last, created: false };
  }
  const at = now();
  const jws = await signCheckpoint({ seq: tip.seq, hash: tip.hash, at: at.toISOString() }, key);
  const row: CheckpointRow = { seq: tip.seq, hash: tip.hash, signedAt: at, kid: key.kid, jws };
  if (await repo.insertCheckpoint(db, row)) return { checkpoint: row, created: true };
  const first = await repo.checkpointAt(db, tip.seq);
  if (!first) throw new Error(`checkpoint of seq ${tip.seq} was neither stored nor found; expected one replica's to be there`);
  return { checkpoint: first, created: false };
}

/**
 * Signs a checkpoint every `intervalMs` when the head has moved (0: never), and once more on
 * `stop()`, so that the records of the service's last interval are covered too. A tick that
 * finds the previous one still running is skipped; a failed one is logged (a refusal as an
 * error: it means the trail was rewritten) and the next tick tries again.
 */
export function checkpointEvery(db: Db, key: CheckpointSigningKey, intervalMs: number, log: Logger): { stop(): Promise<void> } {
  if (intervalMs === 0) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  const tick = () =>
    takeCheckpoint(db, key).then(
      (taken) => {
        if (taken?.created) log.info({ seq: taken.checkpoint.seq, hash: taken.checkpoint.hash }, 'access trail checkpoint signed');
      },
      (err) => log.error({ err }, err instanceof CheckpointRefused ? 'access trail checkpoint refused' : 'access trail checkpoint failed'),
    );
  const timer = setInterval(() => {
    if (running) return;
    running = tick().finally(() => (running = null));
  }, intervalMs);
  // The interval alone never keeps the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await tick();
    },
  };
}
