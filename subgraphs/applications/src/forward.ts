import { createSecretKey, type KeyObject } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { ApplicationView, ConnectionView } from '../../../lib/applications/model';
import { parseSecret } from '../../../lib/auth/internal-keys';
import type { Principal } from '../../../lib/auth/principal';
import { routeKeyText } from '../../../lib/auth/setup';
import { signInternalToken } from '../../../lib/auth/tokens';
import { config, envPrefix } from '../../../lib/config';
import type { HandlingService } from '../../../lib/procedures';

/**
 * The desk's calls to a handling department's `POST /applications`, on behalf of the caller.
 * Each carries an internal token for that route alone (target `<service>/applications`), which
 * no other endpoint accepts; the department checks the caller's rights itself.
 *
 * Keys: in production `APPLICATIONS_KEY_<SERVICE>` (base64url), that one target's key, which
 * `npm run --silent token -- internal-key <service>/applications` prints where the master secret
 * is; outside production it is derived from the development master secret, as the gateway's are.
 */
export interface DeskRoutes {
  url(service: HandlingService): string;
  key(service: HandlingService): KeyObject;
}

function configuredRoutes(): DeskRoutes {
  const keys = new Map<HandlingService, KeyObject>();
  return {
    url: (service) => {
      const graphql = new URL(config().subgraphUrl(service));
      return new URL('/applications', graphql).toString();
    },
    key: (service) => {
      let key = keys.get(service);
      if (!key) {
        const variable = `APPLICATIONS_KEY_${envPrefix(service)}`;
        const raw = process.env[variable];
        if (!raw && config().nodeEnv === 'production') throw new Error(`${variable} must be configured when NODE_ENV=production`);
        // Outside production, the key `npm run token -- internal-key <service>/applications` prints.
        key = createSecretKey(parseSecret(variable, raw ?? routeKeyText(config(), service, 'applications')));
        keys.set(service, key);
      }
      return key;
    },
  };
}

let routes: DeskRoutes | undefined;
/** Tests point the desk at their own departments and keys. */
export function useDeskRoutes(r: DeskRoutes): void {
  routes = r;
}
const current = () => (routes ??= configuredRoutes());

/** How long the desk waits for a department (an evidence fetch inside it takes up to 5 s per piece, in parallel). */
const TIMEOUT_MS = 15_000;

/** Calls `service`'s route with `body` for `principal`; a refusal becomes a GraphQL error with the department's code. */
export async function forward<T>(service: HandlingService, principal: Principal, body: Record<string, unknown>): Promise<T & { accessed: string[] }> {
  const token = await signInternalToken(current().key(service), `${service}/applications`, principal, 60);
  let response: Response;
  try {
    response = await fetch(current().url(service), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new GraphQLError(`${service} cannot be reached to handle the application: ${(error as Error).message}`, {
      extensions: { code: 'SERVICE_UNAVAILABLE', service },
    });
  }
  const answer = (await response.json().catch(() => null)) as (T & { accessed: string[]; error?: { code: string; message: string; field?: string } }) | null;
  if (response.ok && answer && !answer.error) return answer;
  const error = answer?.error ?? (answer as { errors?: Array<{ message: string; extensions?: { code?: string } }> } | null)?.errors?.[0];
  const code = (error && 'code' in error ? error.code : (error as { extensions?: { code?: string } } | undefined)?.extensions?.code) ?? 'SERVICE_UNAVAILABLE';
  throw new GraphQLError(error?.message ?? `${service} answered ${response.status}`, {
    extensions: { code, service, ...(answer?.error?.field ? { field: answer.error.field } : {}) },
  });
}

export type { ApplicationView, ConnectionView };
