import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { chainHash, GENESIS_HASH, type TrailRecord } from './chain';
import type { ParsedTrailRecord } from './record';
import * as repo from './store';

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
 * Appends records to the access trail with group commit: one INSERT statement for many records. When the writer is idle, the first record waits up to `windowMs`
 * (default 0: the rest of this turn of the event loop) for others to join it (a full `maxBatch`
 * goes at once); records that arrive while a batch is being written form the next batch, written as soon as that one commits, without a further
 * wait. So a lone caller pays at most `windowMs`, and under load batches grow with the load.
 * Each caller's promise settles when its batch commits: with its stored record, or, if the
 * transaction fails, with that error (every caller of the batch, so the gateway returns no data
 * whose access was not recorded).
 *
 * One writer per store per process. Batches never overlap: the chain is a sequence, and the
 * next batch needs the hash the previous one ended with.
 *
 * A batch is one statement (records and their citizen-index entries, lib's `insertRecords`),
 * which is its own transaction: no BEGIN, lock, read of the chain's head and COMMIT around it.
 * The writer keeps the head it last wrote, and reads it from the store only when it does not
 * know it (at start, after a failure). Replicas on one PostgreSQL server stay one chain because
 * the seq numbers are dense and `seq` is the primary key: a writer whose head is stale numbers its
 * batch from a seq another replica already wrote, the insert fails as a duplicate key and
 * changes nothing, and the writer reads the head again and chains the batch onto it (up to
 * CHAIN_RETRIES times). Measured on citizen-history (bench, session 6): the trail's 5 statements
 * per request were its cost in the audit service and PostgreSQL, and in the response's latency.
 */
export class TrailWriter {
  private readonly windowMs: number;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  /** Cancels the pending start of the next batch, if one is scheduled. */
  private cancelPending: (() => void) | null = null;
  private writing = false;
  /** The chain's head as this writer last wrote it (`undefined` until read from the store). */
  private head: { seq: number; hash: string } | null | undefined;
  /** Batches written and records in them, failed batches, and batches chained again onto another writer's records. */
  readonly stats = { batches: 0, records: 0, failedBatches: 0, rechained: 0 };

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
   * once committed. Only a parsed record (record.ts `parseTrailRecord`, which `POST /trail`
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
    const inputs = batch.map((pending) => pending.input);
    let records: TrailRecord[] | undefined;
    let failure: unknown;
    for (let attempt = 0; attempt <= CHAIN_RETRIES && !records; attempt++) {
      try {
        // `undefined`: not known; `null`: the trail is empty.
        if (this.head === undefined) this.head = await repo.chainTip(this.db);
        const chained = chain(this.head?.seq ?? 0, this.head?.hash ?? GENESIS_HASH, inputs);
        await repo.insertRecords(this.db, chained);
        const last = chained[chained.length - 1];
        this.head = { seq: last.seq, hash: last.hash };
        records = chained;
      } catch (error) {
        // Whatever went wrong, the head is read again before the next try.
        this.head = undefined;
        failure = error;
        // Another replica wrote those seq numbers: chain onto its records. Anything else fails the batch.
        if (!isDuplicateKey(error)) break;
        this.stats.rechained++;
      }
    }
    if (!records) {
      this.stats.failedBatches++;
      for (const pending of batch) pending.reject(failure);
      return;
    }
    this.stats.batches++;
    this.stats.records += records.length;
    batch.forEach((pending, index) => pending.resolve(records![index]));
  }
}

/** How many times a batch is chained again onto another replica's records before it fails. */
export const CHAIN_RETRIES = 5;

/** PostgreSQL's unique_violation (23505): here, a seq another writer took first. */
const isDuplicateKey = (error: unknown) => (error as { code?: unknown } | null)?.code === '23505';

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
