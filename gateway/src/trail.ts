import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './auth';
import { config, type TrailWriterSetting } from '../../lib/config';
import { openDb, resolveDbTarget, type Db, type DbTarget } from '../../lib/db';
import { parseTrailRecord, TrailWriter, type TrailRecordInput } from '../../lib/trail';
import { operationId } from './operations';
import { pooledPost } from './fetcher';

/** Where the gateway sends trail records, and how long it waits for the audit store. */
export interface TrailClient {
  /**
   * Resolves once the record is stored. `token` gives the gateway's token for the audit
   * service's /trail: asked for only by the client that posts there (`http`), so the store's
   * client signs nothing.
   */
  append(record: TrailRecordInput, token: () => Promise<string>): Promise<void>;
  /** Releases what the client holds (the store's connections). */
  close?(): Promise<void>;
}

/** How long a response waits for its record before it is answered ACCESS_TRAIL_UNAVAILABLE. */
export const TRAIL_TIMEOUT_MS = 2000;

/**
 * Appends records into the audit store itself: the same group-commit writer (lib/trail) the
 * audit service runs behind `POST /trail`, on the gateway's own connection to that store. It
 * saves each response the second hop (the gateway's post, the audit service's parse, its answer)
 * and the audit service its share of the CPU; the response still waits for the record's
 * commit, so the trail stays fail-closed (a record that commits after the deadline was written
 * for a response that was withheld: the trail then shows a read that returned nothing, never
 * the other way round). Each record is parsed first, as `POST /trail` does, so
 * a bad one fails alone. The store is the audit service's: it creates and migrates the tables
 * (until it has, every append fails and every response with citizen data is withheld).
 *
 * Several gateways (replicas, `GATEWAY_WORKERS`) and the audit service may write the one chain:
 * a writer whose head is stale collides on `seq` and chains its batch again (lib/trail/writer.ts).
 */
export function storeTrailClient(db: Db, timeoutMs = TRAIL_TIMEOUT_MS): TrailClient {
  const writer = new TrailWriter(db);
  return {
    async append(record) {
      const parsed = parseTrailRecord(record);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the audit store did not commit the record within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([writer.append(parsed), late]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => db.close(),
  };
}

/**
 * Which writer `TRAIL_WRITER` (lib/config.ts) means for the audit store at `target`: the store
 * itself when it is a PostgreSQL server (`store`, and `auto` then), else the audit service's
 * `/trail` (`http`, and `auto` on the embedded store, which the audit service's process holds).
 */
export function trailWriterFor(setting: TrailWriterSetting, target: DbTarget): 'store' | 'http' {
  if (setting === 'store' && target.kind !== 'postgres') {
    throw new Error('TRAIL_WRITER=store needs the audit store on a PostgreSQL server: set AUDIT_DATABASE_URL or DATABASE_URL (or TRAIL_WRITER=http)');
  }
  return setting === 'http' || target.kind !== 'postgres' ? 'http' : 'store';
}

/** The trail client the configuration asks for (`trailWriterFor`); `auditGraphqlUrl` is the audit service's GraphQL endpoint. */
export async function configuredTrailClient(auditGraphqlUrl: string): Promise<TrailClient> {
  const target = resolveDbTarget('audit');
  if (trailWriterFor(config().trailWriter, target) === 'http' || target.kind !== 'postgres') {
    return httpTrailClient(auditGraphqlUrl.replace(/\/graphql$/, '/trail'));
  }
  // One batch is written at a time; a second connection covers a batch whose first one broke.
  return storeTrailClient(await openDb({ ...target, poolSize: 2 }));
}

/** At most this many records per `POST /trail` (the audit service takes up to 256). */
export const TRAIL_RECORDS_PER_POST = 64;

interface Waiting {
  record: TrailRecordInput;
  token: () => Promise<string>;
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

  /**
   * Posts a batch and settles each record's caller with that record's own outcome: the audit
   * service answers an array with one entry per record (a receipt, or the reason that record was
   * refused), so one bad record fails only its own request. A post that fails as a whole (the
   * store is down, a timeout) fails every record in it: none was written.
   */
  async function post(batch: Waiting[]): Promise<void> {
    // Any of the batch's tokens for the trail may write; the first caller's is as good as any.
    const body = JSON.stringify(batch.length === 1 ? batch[0].record : batch.map((waiting) => waiting.record));
    // Over the gateway's pooled keep-alive connections (fetcher.ts), like its subgraph fetches.
    const response = await pooledPost(trailUrl, body, { authorization: `Bearer ${await batch[0].token()}` }, timeoutMs);
    const refused = (text: string) => new Error(`audit service answered ${response.status}: ${text.slice(0, 500)}`);
    if (batch.length === 1) {
      if (response.status === 201) batch[0].resolve();
      else batch[0].reject(refused(response.text));
      return;
    }
    if (response.status === 400) {
      // Refused whole (an audit service that checks the batch as one): each record alone, so that
      // only a bad one fails.
      await Promise.all(batch.map((waiting) => post([waiting])));
      return;
    }
    let outcomes: unknown;
    try {
      outcomes = JSON.parse(response.text);
    } catch {
      outcomes = undefined;
    }
    if ((response.status !== 201 && response.status !== 207) || !Array.isArray(outcomes) || outcomes.length !== batch.length) {
      throw refused(response.text);
    }
    batch.forEach((waiting, index) => {
      const outcome = outcomes[index] as { error?: { message?: string } } | null;
      if (outcome && typeof outcome === 'object' && !outcome.error) waiting.resolve();
      else waiting.reject(refused(JSON.stringify(outcome?.error ?? outcome)));
    });
  }

  async function sendAll(): Promise<void> {
    sending = true;
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, perPost);
        try {
          await post(batch);
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
          // A registered operation is named by its one identity, whichever of its ids or texts was sent.
          const registered = contextValue.persisted?.registered;
          const { principal, trail } = contextValue;
          if (trail.citizens.size === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          // Every root field null (an error bubbled up to it): the subgraphs answered, but no citizen's data leaves.
          if (!result.data || Object.values(result.data).every((value) => value === null)) return;
          const record: TrailRecordInput = {
            occurredAt: new Date(started).toISOString(),
            principal: { sub: principal.sub, role: principal.role, department: principal.department ?? null },
            purpose: principal.purpose ?? null,
            caseId: principal.caseId ?? null,
            // Apollo Server hashes every document it runs; the fallback covers a response made before that.
            operationId: registered?.id ?? queryHash ?? operationId(request.query ?? ''),
            operationName: registered?.name ?? operationName ?? null,
            citizenIds: [...trail.citizens].sort(),
            departments: [...trail.services].sort(),
            outcome: result.errors?.length ? 'partial' : 'complete',
            durationMs: Date.now() - started,
          };
          try {
            await client.append(record, () => contextValue.internalToken('audit/trail'));
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
