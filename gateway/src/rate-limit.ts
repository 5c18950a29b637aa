import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { RateLimiterCluster, RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Principal } from '../../lib/auth/principal';
import type { RateLimitConfig } from '../../lib/config';
import { HttpError } from '../../lib/http';
import type { Logger } from '../../lib/log';

/** The code of a request refused by a rate limit (HTTP 429 with `Retry-After`). */
export const RATE_LIMITED = 'RATE_LIMITED';

export interface RateLimits {
  /** Counts a request from its client address; throws `HttpError` 429 when over the limit. Before the body is read. */
  byAddress(req: IncomingMessage): Promise<void>;
  /** Counts a request of an authenticated principal; throws a GraphQL error with HTTP 429 when over. */
  byPrincipal(principal: Principal): Promise<void>;
  /** Where the counters are: this process's `memory`, the cluster primary's (`cluster`), or `redis`. */
  readonly store: 'memory' | 'cluster' | 'redis';
  close(): Promise<void>;
}

/**
 * The client's address: the socket's peer or, behind one trusted proxy, the address that proxy
 * saw: the last `x-forwarded-for` entry (the proxy appends it; entries before it are whatever
 * the client sent, so they are never trusted).
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

type Rejection = { retryAfterSeconds: number };

/**
 * Whose budget a request spends. A department calling as itself (evidence for an application)
 * spends the budget of that application, not one shared by the whole department: otherwise one
 * citizen who asks for evidence again and again would use up the department's budget and fail
 * every other citizen's application. A citizen's own limit already bounds how often they ask.
 */
export function principalKey(principal: Principal): string {
  const base = `${principal.role}:${principal.sub}`;
  return principal.scope.includes('department') && principal.caseId ? `${base}:${principal.caseId}` : base;
}

/**
 * Per-principal and per-address request limits (rate-limiter-flexible), fixed windows of
 * `windowSeconds`. With `redisUrl` the counters live in Redis, shared by every gateway replica;
 * if Redis stops answering, each replica falls back to its own in-memory counters (the
 * insurance limiter) rather than refusing or waving everything through.
 */
export async function createRateLimits(
  settings: RateLimitConfig,
  options: {
    keyPrefix?: string;
    log?: Logger;
    onLimited?: (scope: 'address' | 'principal') => void;
    connectTimeoutMs?: number;
    /** A cluster worker without Redis: the primary counts for every worker (see cluster.ts). */
    cluster?: boolean;
  } = {},
): Promise<RateLimits> {
  const prefix = options.keyPrefix ?? 'cg-rate';
  const redis = settings.redisUrl
    ? new Redis(settings.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : undefined;
  redis?.on('error', (err) => options.log?.warn({ err }, 'rate limit store (Redis) unavailable; counting in memory meanwhile'));
  // Until Redis is ready every replica would count on its own: wait for it (briefly) at start.
  if (redis && redis.status !== 'ready') {
    const ready = await Promise.race([
      // Not events.once: it would reject on the first connection 'error' rather than wait.
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(resolve, options.connectTimeoutMs ?? 2000, false).unref()),
    ]);
    if (!ready) options.log?.warn({ redis: settings.redisUrl }, 'Redis not ready; rate limits count in memory until it is');
  }

  const limiter = (scope: string, points: number): RateLimiterAbstract | undefined => {
    if (points <= 0) return undefined;
    const common = { keyPrefix: `${prefix}:${scope}`, points, duration: settings.windowSeconds };
    if (!redis) return options.cluster ? new RateLimiterCluster({ ...common, timeoutMs: 3000 }) : new RateLimiterMemory(common);
    return new RateLimiterRedis({ ...common, storeClient: redis, insuranceLimiter: new RateLimiterMemory(common) });
  };
  const addresses = limiter('address', settings.perAddress);
  const principals = limiter('principal', settings.perPrincipal);

  const consume = async (limit: RateLimiterAbstract, key: string): Promise<Rejection | undefined> => {
    try {
      await limit.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
      throw rejection;
    }
  };

  return {
    store: redis ? 'redis' : options.cluster ? 'cluster' : 'memory',
    async byAddress(req) {
      if (!addresses) return;
      const rejected = await consume(addresses, clientAddress(req, settings.trustProxy));
      if (!rejected) return;
      options.onLimited?.('address');
      throw new HttpError(
        429,
        RATE_LIMITED,
        `Too many requests from this address: at most ${settings.perAddress} per ${settings.windowSeconds} s. Retry in ${rejected.retryAfterSeconds} s.`,
        { 'retry-after': String(rejected.retryAfterSeconds) },
      );
    },
    async byPrincipal(principal) {
      if (!principals) return;
      const rejected = await consume(principals, principalKey(principal));
      if (!rejected) return;
      options.onLimited?.('principal');
      throw new GraphQLError(
        `Too many requests for ${principal.sub}: at most ${settings.perPrincipal} per ${settings.windowSeconds} s. Retry in ${rejected.retryAfterSeconds} s.`,
        {
          extensions: {
            code: RATE_LIMITED,
            retryAfterSeconds: rejected.retryAfterSeconds,
            http: { status: 429, headers: new Map([['retry-after', String(rejected.retryAfterSeconds)]]) },
          },
        },
      );
    },
    async close() {
      redis?.disconnect();
    },
  };
}
