import { randomUUID } from 'node:crypto';
import type { Db } from '../../../../lib/db';
import type { ParsedTrailRecord } from '../../../../lib/trail';
import { chainHash, GENESIS_HASH, type TrailRecord } from '../chain';
import * as repo from './repository';

export interface TrailWriterOptions {
  /**
   * How long the first record of a batch waits for others to join it, ms (default 0: only the
   * records appended in the same turn of the event loop). Under load batches form anyway, from
   * the records that arrive while the previous batch is being written.
   */
  windowMs?: number;
  /** At most this many records per transaction (default 256); a full batch is written at once. */
  maxBatch?: number;
}

interface Pending {
  input: ParsedTrailRecord;
  resolve: (record: TrailRecord) => void;
  reject: (error: unknown) => void;
}

/**
 * Appends records to the access trail with group commit: one transaction, one lock and one
 * INSERT for many records. When the writer is idle, the first record waits up to `windowMs`
 * (default 0: the rest of this turn of the event loop) for others to join it (a full `maxBatch`
 * goes at once); records that arrive while a batch is being written form the next batch, written as soon as that one commits, without a further
 * wait. So a lone caller pays at most `windowMs`, and under load batches grow with the load.
 * Each caller's promise settles when its batch commits: with its stored record, or, if the
 * transaction fails, with that error (every caller of the batch, so the gateway returns no data
 * whose access was not recorded).
 *
 * One writer per store per process. Batches never overlap: the chain is a sequence, and the
 * next batch needs the hash the previous one ended with. Across processes (replicas on one
 * PostgreSQL server) an advisory lock taken inside the transaction does the same.
 */
export class TrailWriter {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** Cancels the pending start of the next batch, if one is scheduled. */
  private cancelPending: (() => void) | null = null;
  private writing = false;
  /** Transactions committed and records written, for tests and monitoring. */
  readonly stats = { batches: 0, records: 0, failedBatches: 0 };

  constructor(
    private readonly db: Db,
    options: TrailWriterOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 0;
    this.maxBatch = options.maxBatch ?? 256;
    if (!(this.windowMs >= 0)) throw new Error(`windowMs must be 0 or more; received ${options.windowMs}`);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new Error(`maxBatch must be a positive integer; received ${options.maxBatch}`);
  }

  /**
   * Appends one record; resolves with it as stored (normalised, with its seq, id and hashes)
   * once committed. Only a parsed record (lib/trail.ts `parseTrailRecord`, which `POST /trail`
   * runs) may be appended, so a bad record is refused alone, before it can fail a batch it would
   * share with others.
   */
  append(input: ParsedTrailRecord): Promise<TrailRecord> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // A batch in flight takes the queue when it ends: those records have waited long enough.
    if (this.writing) return;
    if (this.queue.length >= this.maxBatch) {
      this.cancelPending?.();
      this.cancelPending = null;
      void this.drain();
    } else if (!this.cancelPending) {
      const go = () => {
        this.cancelPending = null;
        void this.drain();
      };
      if (this.windowMs > 0) {
        const timer = setTimeout(go, this.windowMs);
        this.cancelPending = () => clearTimeout(timer);
      } else {
        const immediate = setImmediate(go);
        this.cancelPending = () => clearImmediate(immediate);
      }
    }
  }

  /** Writes batches until the queue is empty; only one drain runs at a time. */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) await this.write(this.queue.splice(0, this.maxBatch));
    } finally {
      this.writing = false;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    let records: TrailRecord[];
    try {
      records = await this.db.transaction(async (tx) => {
        if (tx.kind === 'postgres') await repo.lockTrail(tx);
        const tip = await repo.chainTip(tx);
        const chained = chain(tip?.seq ?? 0, tip?.hash ?? GENESIS_HASH, batch.map((pending) => pending.input));
        await repo.insertRecords(tx, chained);
        return chained;
      });
    } catch (error) {
      this.stats.failedBatches++;
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.stats.batches++;
    this.stats.records += records.length;
    batch.forEach((pending, index) => pending.resolve(records[index]));
  }
}

/** Numbers, identifies and hashes `inputs` in order, following the record (`seq`, `hash`). */
function chain(seq: number, prevHash: string, inputs: readonly ParsedTrailRecord[]): TrailRecord[] {
  return inputs.map((input) => {
    const record = { ...input, seq: ++seq, id: `acc_${randomUUID()}` };
    const hash = chainHash(prevHash, record);
    const linked: TrailRecord = { ...record, prevHash, hash };
    prevHash = hash;
    return linked;
  });
}
