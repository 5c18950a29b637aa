import type { Db } from '../../../../lib/db';
import { chainHash, GENESIS_HASH } from '../../../../lib/trail';
import type { CheckpointStatement } from '../checkpoint';
import * as repo from './repository';
import { trailRecordOf, type AccessRecordRow } from './tables';

export type Verification =
  | {
      ok: true;
      count: number;
      /** The checkpoints the chain reaches (all of those given), when some were given. */
      checkpoints?: number;
    }
  | {
      ok: false;
      /** Records verified before the broken one. */
      count: number;
      brokenAt: { seq: number; id: string; reason: string };
    }
  | {
      ok: false;
      /** Records verified before the checkpoint's record (or all of them, when the trail ends before it). */
      count: number;
      /** The first checkpoint, in seq order, that no longer holds. */
      checkpoint: BrokenCheckpoint;
    };

/** A signed checkpoint the trail no longer reaches. */
export interface BrokenCheckpoint extends CheckpointStatement {
  /** The hash of the record at `seq` now; `null` when the trail ends before `seq`. */
  found: string | null;
  reason: string;
}

export interface VerifyOptions {
  /** Records read per statement (default 1000): memory stays flat however long the trail. */
  batchSize?: number;
  /** Called after each batch with the records verified so far. */
  onProgress?: (count: number) => void;
  /**
   * Checkpoints the audit service signed, already checked against its key (checkpoint.ts
   * `openCheckpoints`). The record at each one's seq must still have its hash: since every hash
   * covers all the records before it, the records up to there are then the ones it signed.
   */
  checkpoints?: readonly CheckpointStatement[];
}

/** Why `row` does not follow the record (`prevSeq`, `prevHash`), or `null` when it does. */
function breakIn(row: AccessRecordRow, prevSeq: number, prevHash: string): string | null {
  if (row.seq !== prevSeq + 1) {
    return prevSeq === 0 ? `the first record has seq ${row.seq}; expected 1` : `seq ${row.seq} follows seq ${prevSeq}`;
  }
  if (row.prevHash !== prevHash) {
    return prevSeq === 0 ? 'prev_hash of the first record is not the genesis hash' : "prev_hash does not match the previous record's hash";
  }
  if (chainHash(row.prevHash, trailRecordOf(row)) !== row.hash) return 'hash does not match its contents';
  return null;
}

/**
 * Recomputes the access trail's hash chain from the first record, in seq order, and names the
 * first broken link: a gap in seq (a record removed), a `prev_hash` that is not the previous
 * record's hash (a record removed, inserted or re-hashed), or a hash that does not match the
 * record's contents (a record changed). Reads `batchSize` records at a time.
 *
 * With `checkpoints`, it also names the first checkpoint that no longer holds: the record at its
 * seq has another hash (the chain was rewritten up to there, consistently or not), or the trail
 * ends before it (records at the end were removed). A rewrite that recomputed every hash passes
 * the chain and fails here.
 *
 * It also checks the citizen index (`access_trail_citizens`, which citizens' logs show a
 * record), which the hashes do not cover: every citizen a record lists must be in it, and it
 * must list no citizen a record does not.
 */
export async function verifyTrail(db: Db, options: VerifyOptions = {}): Promise<Verification> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer; received ${batchSize}`);
  let count = 0;
  let prevSeq = 0;
  let prevHash = GENESIS_HASH;
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.seq - b.seq);
  let nextCheckpoint = 0;
  for (;;) {
    const rows = await repo.recordsAfter(db, prevSeq, batchSize);
    const unindexed = rows.length ? await repo.firstUnindexedCitizen(db, prevSeq, rows[rows.length - 1].seq) : null;
    for (const row of rows) {
      let reason = breakIn(row, prevSeq, prevHash);
      if (!reason && unindexed?.seq === row.seq) {
        reason = `citizen ${unindexed.citizenId} is missing from the citizen index, so their access log does not show this record`;
      }
      if (reason) return { ok: false, count, brokenAt: { seq: row.seq, id: row.id, reason } };
      // Several checkpoints may name one seq (files of several replicas, merged).
      for (; checkpoints[nextCheckpoint]?.seq === row.seq; nextCheckpoint++) {
        const checkpoint = checkpoints[nextCheckpoint];
        if (checkpoint.hash === row.hash) continue;
        return {
          ok: false,
          count,
          checkpoint: {
            ...checkpoint,
            found: row.hash,
            reason: `the checkpoint signed at ${checkpoint.at} says record ${checkpoint.seq} has hash ${checkpoint.hash}, but it has ${row.hash}: the records up to seq ${checkpoint.seq} are not the ones it signed (the trail was rewritten)`,
          },
        };
      }
      count++;
      prevSeq = row.seq;
      prevHash = row.hash;
    }
    options.onProgress?.(count);
    if (rows.length < batchSize) break;
  }
  if (nextCheckpoint < checkpoints.length) {
    const checkpoint = checkpoints[nextCheckpoint];
    return {
      ok: false,
      count,
      checkpoint: {
        ...checkpoint,
        found: null,
        reason: `the checkpoint signed at ${checkpoint.at} says the trail reached seq ${checkpoint.seq}, but it ends at seq ${prevSeq}: records were removed from its end`,
      },
    };
  }
  const stray = await repo.firstStrayIndexEntry(db);
  if (!stray) return { ok: true, count, ...(options.checkpoints ? { checkpoints: checkpoints.length } : {}) };
  const [record] = await repo.recordsAfter(db, stray.seq - 1, 1);
  return {
    ok: false,
    count: stray.seq - 1,
    brokenAt: {
      seq: stray.seq,
      id: record.id,
      reason: `the citizen index puts this record in the access log of ${stray.citizenId}, whom it does not list`,
    },
  };
}
