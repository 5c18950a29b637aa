import type { Principal } from '../../../lib/auth/principal';
import type { Db } from '../../../lib/db';
import { HttpError } from '../../../lib/http';
import type { CheckpointSigningKey, CheckpointsFile } from './checkpoint';
import { CheckpointRefused, published, takeCheckpoint } from './checkpointer';
import * as repo from './db/repository';

export const CHECKPOINTS_PATH = '/trail/checkpoints';

// Both routes take the key as a function: read on first use, so that building the service in a
// test makes no development key it does not need. (The running service reads it at start.)

/** The most checkpoints one page of GET /trail/checkpoints carries (the default). */
export const MAX_CHECKPOINTS_PER_PAGE = 1000;

/** One page of GET /trail/checkpoints: `next` is the `after` of the next page, or null for the last. */
export interface CheckpointsPage extends CheckpointsFile {
  next: number | null;
}

function wholeNumber(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new HttpError(400, 'BAD_REQUEST', `"${name}" must be a whole number from ${min} to ${max}; received ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * `GET /trail/checkpoints?after=SEQ&limit=N`: the signed checkpoints after seq `after` (default
 * 0), oldest first, at most `limit` (default and most MAX_CHECKPOINTS_PER_PAGE), with the key
 * the service signs with now.
 *
 * Open to every caller, without a token, unlike every other route of a subgraph: a checkpoint
 * says only how long the trail was at a time and the hash of its last record (a hash over a
 * record that holds a random id, so it reveals nothing of the record). No citizen data, no
 * principal. And checkpoints are worth something only in copies that the database's owner does
 * not control: the more parties that can fetch and keep them (auditors, an ombudsman, a notary),
 * the less a rewrite can hide. The count of records it reveals is the system's total volume of
 * reads, which a published transparency report would state anyway.
 */
export function publishedCheckpointRoutes(db: Db, key: () => CheckpointSigningKey) {
  return {
    [CHECKPOINTS_PATH]: async (query: URLSearchParams): Promise<{ status: number; body: CheckpointsPage }> => {
      const after = wholeNumber(query, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
      const limit = wholeNumber(query, 'limit', MAX_CHECKPOINTS_PER_PAGE, 1, MAX_CHECKPOINTS_PER_PAGE);
      const rows = await repo.checkpointsAfter(db, after, limit + 1);
      const page = rows.slice(0, limit);
      const { kid, publicKey } = key();
      return {
        status: 200,
        body: {
          kid,
          publicKey,
          checkpoints: page.map(published),
          next: rows.length > limit ? page[page.length - 1].seq : null,
        },
      };
    },
  };
}

/**
 * `POST /trail/checkpoints`: signs the trail's head now. 201 with the new checkpoint; 200 with
 * the last one when the head has not moved since; 409 TRAIL_EMPTY for an empty trail; 409
 * CHECKPOINT_REFUSED when the trail no longer reaches the last checkpoint (it was rewritten).
 *
 * Authenticated like `/trail` (lib/subgraph: the gateway's token for this service's routes).
 * Any such caller may ask: signing the head discloses nothing and changes no record, and at most
 * one checkpoint is stored per head, so asking again adds nothing.
 */
export function checkpointOnDemandRoutes(db: Db, key: () => CheckpointSigningKey) {
  return {
    [CHECKPOINTS_PATH]: async (_body: unknown, _principal: Principal) => {
      let taken;
      try {
        taken = await takeCheckpoint(db, key());
      } catch (error) {
        if (error instanceof CheckpointRefused) throw new HttpError(409, 'CHECKPOINT_REFUSED', `no checkpoint was signed: ${error.message}`);
        throw error;
      }
      if (!taken) throw new HttpError(409, 'TRAIL_EMPTY', 'the access trail has no record yet; a checkpoint signs the last record, so there is nothing to sign');
      return { status: taken.created ? 201 : 200, body: published(taken.checkpoint) };
    },
  };
}
