import { GraphQLError } from 'graphql';
import type { Principal, Role } from '../../lib/auth/principal';
import { findRegistered, type Registered, type Registry } from './operations';
import { operationId } from './operation-registry';

/**
 * Persisted operations: a client sends a registered operation by id, as Apollo's APQ
 * (`extensions.persistedQuery.sha256Hash`) or as a trusted document (`documentId`), and the
 * gateway puts in the registered text. Per role the policy is `require` (only registered
 * operations run) or `allow` (ad-hoc queries too; APQ may register new documents).
 */
export type PersistedPolicy = 'require' | 'allow';

/** Unknown id: the client may retry with the full document (APQ) or must fix its id. */
export const UNKNOWN_ID = 'PERSISTED_QUERY_NOT_FOUND';
/** A document that is not registered where only registered operations may run. */
export const NOT_REGISTERED = 'OPERATION_NOT_REGISTERED';

function refuse(code: string, status: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

interface RequestBody {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } };
}

/**
 * Applies the policy to one POST body before Apollo Server sees it: fills `query` from the
 * registry for a known id, and refuses an unknown id or (in `require` mode) an unregistered
 * document. In `allow` mode an APQ hash that is not registered is left to Apollo's APQ cache.
 * Returns the registered operation the request runs, if it is one (sent by id, or its exact text).
 */
export function applyPersistedPolicy(
  body: unknown,
  principal: Principal,
  registry: Registry,
  policy: Readonly<Record<Role, PersistedPolicy>>,
): Registered | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined; // Apollo Server reports a bad body
  const request = body as RequestBody;
  const mode = policy[principal.role];
  const id = typeof request.documentId === 'string' ? request.documentId : request.extensions?.persistedQuery?.sha256Hash;
  if (typeof id === 'string') {
    const registered = registry.get(id);
    if (registered) {
      request.query ??= registered.document;
      return registered;
    }
    if (request.documentId !== undefined) {
      throw refuse(UNKNOWN_ID, 404, `no registered operation has id ${JSON.stringify(id)} (schema/operations/manifest.json)`);
    }
    if (mode === 'allow') return undefined; // APQ: Apollo's cache answers, or asks for the document
    if (typeof request.query !== 'string') {
      throw refuse(UNKNOWN_ID, 404, `no registered operation has id ${JSON.stringify(id)}; ${principal.role}s run registered operations only`);
    }
    throw refuse(NOT_REGISTERED, 403, `${principal.role}s may not register new operations: only operations in schema/operations/ run`);
  }
  if (typeof request.query !== 'string') return undefined;
  if (mode === 'require') {
    const registered = findRegistered(registry, request.query);
    if (!registered) {
      throw refuse(NOT_REGISTERED, 403, `${principal.role}s run registered operations only; send one by id ("documentId" or APQ "sha256Hash")`);
    }
    return registered;
  }
  return registry.get(operationId(request.query));
}
