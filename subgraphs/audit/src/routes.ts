import type { Principal } from '../../../lib/auth/principal';
import { HttpError } from '../../../lib/http';
import type { Logger } from '../../../lib/log';
import { InvalidTrailRecord, parseTrailRecord, type ParsedTrailRecord, type TrailWriter } from '../../../lib/trail';

/** The most records one `POST /trail` may carry (the gateway sends fewer; see gateway/src/trail.ts). */
export const MAX_RECORDS_PER_POST = 256;

/** A record of a POST: the normalised record, or why it was refused. */
type Parsed = { record: ParsedTrailRecord } | { error: { code: 'BAD_REQUEST'; message: string } };

/**
 * One record (a JSON object) or several (a JSON array of them). A malformed body is a 400; in
 * an array, each record is checked on its own, so one bad record is refused alone. This is the
 * only place a record is parsed: the writer takes only parsed records.
 */
function parseBody(body: unknown): { items: Parsed[]; many: boolean } {
  if (typeof body !== 'object' || body === null) {
    throw new HttpError(400, 'BAD_REQUEST', 'POST /trail takes a JSON object (content-type: application/json): a trail record, or an array of them');
  }
  const many = Array.isArray(body);
  const items: unknown[] = many ? body : [body];
  if (many && (items.length === 0 || items.length > MAX_RECORDS_PER_POST)) {
    throw new HttpError(400, 'BAD_REQUEST', `POST /trail takes 1 to ${MAX_RECORDS_PER_POST} records; received ${items.length}`);
  }
  const parsed = items.map((item, index): Parsed => {
    try {
      return { record: parseTrailRecord(item) };
    } catch (error) {
      if (!(error instanceof InvalidTrailRecord)) throw error;
      return { error: { code: 'BAD_REQUEST', message: `trail record ${many ? `[${index}] ` : ''}refused: ${error.message}` } };
    }
  });
  if (!many && 'error' in parsed[0]) throw new HttpError(400, 'BAD_REQUEST', parsed[0].error.message);
  return { items: parsed, many };
}

export type Route = (body: unknown, principal: Principal) => Promise<{ status: number; body: unknown }>;

/**
 * `POST /trail`: the gateway appends one access-trail record (a TrailRecordInput, lib/trail/record.ts),
 * or an array of them, and waits. For one record: 201 `{ id, seq, hash }` once committed, 400
 * naming the bad field (nothing stored). For an array: one entry per record, in order, a receipt
 * or `{ error: { code, message } }` for a record refused on its own; 201 when every record was
 * stored, 207 when some were refused (the others are stored). 503 when the store could not
 * write them (nothing stored; the gateway then returns no data).
 *
 * Only the gateway's tokens for the trail reach this (lib/subgraph verifies them first).
 */
export function trailRoutes(writer: TrailWriter, log: Logger): Record<'/trail', Route> {
  return {
    '/trail': async (body) => {
      const { items, many } = parseBody(body);
      try {
        // Appended in one turn, so they join one batch of the writer: one transaction for all.
        const stored = await Promise.all(
          items.map(async (item) => {
            if ('error' in item) return item;
            const record = await writer.append(item.record);
            return { id: record.id, seq: record.seq, hash: record.hash };
          }),
        );
        if (!many) return { status: 201, body: stored[0] };
        return { status: stored.some((entry) => 'error' in entry) ? 207 : 201, body: stored };
      } catch (error) {
        log.error({ err: error }, 'access trail write failed');
        throw new HttpError(503, 'TRAIL_UNAVAILABLE', `the access trail could not be written, so the record was not stored: ${(error as Error).message}`);
      }
    },
  };
}
