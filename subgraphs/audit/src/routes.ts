import type { Principal } from '../../../lib/auth/principal';
import { HttpError } from '../../../lib/http';
import type { Logger } from '../../../lib/log';
import type { TrailRecordInput } from '../../../lib/trail';
import type { TrailWriter } from './db/trail-writer';
import { InvalidTrailRecord, parseTrailInput } from './trail-input';

/** The most records one `POST /trail` may carry (the gateway sends fewer; see gateway/src/trail.ts). */
export const MAX_RECORDS_PER_POST = 256;

/** One record (a JSON object) or several (a JSON array of them), or a 400 that names the bad field. */
function parseOrRefuse(body: unknown): { records: TrailRecordInput[]; many: boolean } {
  if (typeof body !== 'object' || body === null) {
    throw new HttpError(400, 'BAD_REQUEST', 'POST /trail takes a JSON object (content-type: application/json): a trail record, or an array of them');
  }
  const many = Array.isArray(body);
  const items: unknown[] = many ? body : [body];
  if (many && (items.length === 0 || items.length > MAX_RECORDS_PER_POST)) {
    throw new HttpError(400, 'BAD_REQUEST', `POST /trail takes 1 to ${MAX_RECORDS_PER_POST} records; received ${items.length}`);
  }
  const records = items.map((item, index) => {
    try {
      return parseTrailInput(item);
    } catch (error) {
      if (error instanceof InvalidTrailRecord) {
        throw new HttpError(400, 'BAD_REQUEST', `trail record ${many ? `[${index}] ` : ''}refused: ${error.message}`);
      }
      throw error;
    }
  });
  return { records, many };
}

export type Route = (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>;

/**
 * `POST /trail`: the gateway appends one access-trail record (a TrailRecordInput, lib/trail.ts),
 * or an array of them, and waits. 201 `{ id, seq, hash }` (an array of them for an array) once
 * every record is committed; 400 naming the bad field, with nothing stored, when any record is
 * bad; 503 when the store could not write them (the gateway then returns no data).
 *
 * Any caller with a valid gateway token may write: only the gateway holds the signing key, and
 * lib/subgraph has verified the token before this runs.
 */
export function trailRoutes(writer: TrailWriter, log: Logger): Record<'/trail', Route> {
  return {
    '/trail': async (body) => {
      const { records, many } = parseOrRefuse(body);
      try {
        // Appended in one turn, so they join one batch of the writer: one transaction for all.
        const stored = await Promise.all(records.map((record) => writer.append(record)));
        const receipts = stored.map((record) => ({ id: record.id, seq: record.seq, hash: record.hash }));
        return { status: 201, body: many ? receipts : receipts[0] };
      } catch (error) {
        log.error({ err: error }, 'access trail write failed');
        throw new HttpError(503, 'TRAIL_UNAVAILABLE', `the access trail could not be written, so the record was not stored: ${(error as Error).message}`);
      }
    },
  };
}
