import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './auth';
import type { TrailRecordInput } from '../../lib/trail';
import { operationId } from './operation-registry';
import { pooledPost } from './fetcher';

/** Where the gateway sends trail records, and how long it waits for the audit store. */
export interface TrailClient {
  append(record: TrailRecordInput, token: string): Promise<void>;
}

/** Posts each record to the audit service's `/trail` and waits for its group commit. */
export function httpTrailClient(trailUrl: string, timeoutMs = 2000): TrailClient {
  return {
    async append(record, token) {
      // Over the gateway's pooled keep-alive connections (fetcher.ts), like its subgraph fetches.
      const response = await pooledPost(trailUrl, JSON.stringify(record), { authorization: `Bearer ${token}` }, timeoutMs);
      if (response.status !== 201) throw new Error(`audit service answered ${response.status}: ${response.text}`);
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
            await client.append(record, await contextValue.internalToken());
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
