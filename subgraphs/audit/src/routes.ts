import type { Principal } from '../../../lib/auth/principal';
import { HttpError } from '../../../lib/http';
import type { Logger } from '../../../lib/log';
import type { TrailRecordInput } from '../../../lib/trail';
import type { TrailWriter } from './db/trail-writer';
import { InvalidTrailRecord, parseTrailInput } from './trail-input';

/** The record in `body`, or a 400 that names the bad field. */
function parseOrRefuse(body: unknown): TrailRecordInput {
  if (typeof body !== 'object' || body === null) {
    throw new HttpError(400, 'BAD_REQUEST', 'POST /trail takes a JSON object (content-type: application/json): a trail record');
  }
  try {
    return parseTrailInput(body);
  } catch (error) {
    if (error instanceof InvalidTrailRecord) throw new HttpError(400, 'BAD_REQUEST', `trail record refused: ${error.message}`);
    throw error;
  }
}

export type Route = (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>;

/**
 * `POST /trail`: the gateway appends one access-trail record (a TrailRecordInput, lib/trail.ts)
 * and waits for it. 201 `{ id, seq, hash }` once the record is committed; 400 naming the bad
 * field; 503 when the store could not write it (the gateway then returns no data).
 *
 * Any caller with a valid gateway token may write: only the gateway holds the signing key, and
 * lib/subgraph has verified the token before this runs.
 */
export function trailRoutes(writer: TrailWriter, log: Logger): Record<'/trail', Route> {
  return {
    '/trail': async (body) => {
      const input = parseOrRefuse(body);
      try {
        const record = await writer.append(input);
        return { status: 201, body: { id: record.id, seq: record.seq, hash: record.hash } };
      } catch (error) {
        log.error({ err: error }, 'access trail write failed');
        throw new HttpError(503, 'TRAIL_UNAVAILABLE', `the access trail could not be written, so the record was not stored: ${(error as Error).message}`);
      }
    },
  };
}
