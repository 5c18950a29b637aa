import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './auth';
import type { TrailRecordInput } from '../../lib/trail';
import { operationId } from './operation-registry';
import { pooledPost } from './fetcher';

/** Where the gateway sends trail records, and how long it waits for the audit store. */
export interface TrailClient {
  append(record: TrailRecordInput, token: string): Promise<void>;
}

/** At most this many records per `POST /trail` (the audit service takes up to 256). */
export const TRAIL_RECORDS_PER_POST = 64;

interface Waiting {
  record: TrailRecordInput;
  token: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Posts records to the audit service's `/trail` and waits for their group commit. One post is in
 * flight at a time: when none is, a record goes at once, alone; records that arrive meanwhile
 * wait and go together, as one array, when it returns. So a lone request pays one round trip,
 * and under load the gateway sends one post per batch instead of one per request (the audit
 * service writes a batch in one transaction). Each caller's promise settles with its post.
 */
export function httpTrailClient(trailUrl: string, timeoutMs = 2000, perPost = TRAIL_RECORDS_PER_POST): TrailClient {
  const queue: Waiting[] = [];
  let sending = false;

  async function post(batch: Waiting[]): Promise<void> {
    // Any valid gateway token may write; the first caller's is as good as any.
    const body = JSON.stringify(batch.length === 1 ? batch[0].record : batch.map((waiting) => waiting.record));
    // Over the gateway's pooled keep-alive connections (fetcher.ts), like its subgraph fetches.
    const response = await pooledPost(trailUrl, body, { authorization: `Bearer ${batch[0].token}` }, timeoutMs);
    if (response.status !== 201) throw new Error(`audit service answered ${response.status}: ${response.text}`);
  }

  async function sendAll(): Promise<void> {
    sending = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, perPost);
        try {
          await post(batch);
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      sending = false;
    }
  }

  return {
    append(record, token) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ record, token, resolve, reject });
        if (!sending) void sendAll();
      });
    },
  };
}

/**
 * One access-trail record for every operation whose response carries citizen data (the
 * subgraphs report which citizens; see `AuthenticatedDataSource`). The response waits for the
 * record; if it cannot be written the caller gets ACCESS_TRAIL_UNAVAILABLE (503) and no data:
 * nobody reads a citizen's data without a trace.
 */
export function trailPlugin(client: TrailClient, onFailure?: (error: unknown) => void): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      const started = Date.now();
      return {
        async willSendResponse({ contextValue, response, queryHash, operationName, request }) {
          const { principal, trail } = contextValue;
          if (trail.citizens.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const record: TrailRecordInput = {
            occurredAt: new Date(started).toISOString(),
            principal: { sub: principal.sub, role: principal.role, department: principal.department ?? null },
            purpose: principal.purpose ?? null,
            caseId: principal.caseId ?? null,
            // Apollo Server hashes every document it runs; the fallback covers a response made before that.
            operationId: queryHash ?? operationId(request.query ?? ''),
            operationName: operationName ?? null,
            citizenIds: [...trail.citizens].sort(),
            departments: [...trail.services].sort(),
            outcome: result.errors?.length ? 'partial' : 'complete',
            durationMs: Date.now() - started,
          };
          try {
            await client.append(record, await contextValue.internalToken('audit/trail'));
          } catch (error) {
            onFailure?.(error);
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: 'The access trail could not be written, so no data is returned. Try again shortly.',
                    extensions: { code: 'ACCESS_TRAIL_UNAVAILABLE' },
                  },
                ],
              },
            };
            response.http.status = 503;
          }
        },
      };
    },
  };
}
