import type { Db } from '../../../../lib/db';
import { chainHash, GENESIS_HASH } from '../../../../lib/trail';
import * as repo from './repository';
import { trailRecordOf, type AccessRecordRow } from './tables';

export type Verification =
  | { ok: true; count: number }
  | {
      ok: false;
      /** Records verified before the broken one. */
      count: number;
      brokenAt: { seq: number; id: string; reason: string };
    };

export interface VerifyOptions {
  /** Records read per statement (default 1000): memory stays flat however long the trail. */
  batchSize?: number;
  /** Called after each batch with the records verified so far. */
  onProgress?: (count: number) => void;
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
  for (;;) {
    const rows = await repo.recordsAfter(db, prevSeq, batchSize);
    const unindexed = rows.length ? await repo.firstUnindexedCitizen(db, prevSeq, rows[rows.length - 1].seq) : null;
    for (const row of rows) {
      let reason = breakIn(row, prevSeq, prevHash);
      if (!reason && unindexed?.seq === row.seq) {
        reason = `citizen ${unindexed.citizenId} is missing from the citizen index, so their access log does not show this record`;
      }
      if (reason) return { ok: false, count, brokenAt: { seq: row.seq, id: row.id, reason } };
      count++;
      prevSeq = row.seq;
      prevHash = row.hash;
    }
    options.onProgress?.(count);
    if (rows.length < batchSize) break;
  }
  const stray = await repo.firstStrayIndexEntry(db);
  if (!stray) return { ok: true, count };
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
