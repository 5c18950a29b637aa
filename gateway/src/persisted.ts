import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, parse, print, type DocumentNode } from 'graphql';
import { DEFAULT_LIMITS } from '../../lib/config';
import type { Principal, Role } from '../../lib/auth/principal';
import { findRegistered, operationId, type Registered, type Registry } from './operations';

/**
 * Persisted operations: a client sends a registered operation by id, as Apollo's APQ
 * (`extensions.persistedQuery.sha256Hash`) or as a trusted document (`documentId`), and the
 * gateway runs the registered text. Per role the policy is `require` (only registered
 * operations run) or `allow` (ad-hoc queries too; APQ may register new documents).
 *
 * The policy is decided in one place, `persistedDecision`, which the gateway's context factory
 * calls for every GraphQL request, GET or POST, before Apollo Server reads the request; the
 * `persistedText` plugin then puts the decided text in place. What the client sent beside an id
 * never runs in its stead.
 */
export type PersistedPolicy = 'require' | 'allow';

/** Unknown id: the client may retry with the full document (APQ) or must fix its id. */
export const UNKNOWN_ID = 'PERSISTED_QUERY_NOT_FOUND';
/** A document that is not registered where only registered operations may run. */
export const NOT_REGISTERED = 'OPERATION_NOT_REGISTERED';

/** Longest operation name a client may send or use: it reaches metrics, logs and the access trail. */
export const MAX_OPERATION_NAME = 100;
/** Longest id: a sha256 in hex is 64 characters; room for prefixed forms (`sha256:...`). */
const MAX_ID = 100;
/** Hashes the gateway learned (APQ hash of an equivalent text -> registered operation), at most this many. */
const MAX_LEARNED = 1000;

function refuse(code: string, status: number, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}
const badRequest = (message: string) => refuse('BAD_REQUEST', 400, message);

/** What a request carries that the policy looks at, from a POST body or a GET query string. */
export interface SentOperation {
  query?: unknown;
  documentId?: unknown;
  /** `extensions.persistedQuery.sha256Hash`, when `extensions.persistedQuery` is there. */
  hash?: unknown;
  apq: boolean;
  operationName?: unknown;
}

/**
 * The fields of a GraphQL request that choose what runs. A GET's `extensions` is JSON in the
 * query string; one that does not parse is left to Apollo Server, which refuses it (400).
 */
export function sentOperation(req: IncomingMessage, body: unknown): SentOperation | undefined {
  let fields: Record<string, unknown>;
  if (req.method === 'GET') {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    fields = Object.fromEntries(['query', 'documentId', 'operationName'].filter((k) => params.has(k)).map((k) => [k, params.get(k)]));
    const extensions = params.get('extensions');
    if (extensions) {
      try {
        fields.extensions = JSON.parse(extensions);
      } catch {
        // Apollo Server answers 400 for it.
      }
    }
  } else if (body && typeof body === 'object' && !Array.isArray(body)) {
    fields = body as Record<string, unknown>;
  } else {
    return undefined; // Apollo Server reports a missing or malformed body
  }
  const extensions = fields.extensions;
  const persisted =
    extensions && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
  const apq = persisted !== undefined && persisted !== null;
  return {
    query: fields.query ?? undefined,
    documentId: fields.documentId ?? undefined,
    hash: apq ? (persisted as { sha256Hash?: unknown }).sha256Hash : undefined,
    apq,
    operationName: fields.operationName ?? undefined,
  };
}

/** The policy's answer for one request: the registered operation it runs, and the text to run in place of what was sent. */
export interface PersistedDecision {
  registered?: Registered;
  /** When set, this text runs and the request's `extensions.persistedQuery` is dropped. */
  run?: string;
}

/**
 * The query's document, parsed under the gateway's own token limit (a document Apollo Server
 * would refuse unparsed is not parsed here either); `undefined` when it does not parse, which
 * Apollo Server then reports (400 GRAPHQL_PARSE_FAILED) if nothing here refuses it first.
 */
function parsed(query: string, maxTokens: number): DocumentNode | undefined {
  try {
    return parse(query, { maxTokens });
  } catch {
    return undefined;
  }
}

function checkedId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '' || value.length > MAX_ID) {
    throw badRequest(`${field} must be an operation id (a sha256 in hex, 64 characters); received ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? `a string of ${value.length} characters` : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Decides what runs for `sent` under `mode`, or throws the error to answer with:
 *
 * - an id (`documentId`, or the APQ hash) of a registered operation runs that operation's
 *   registered text; a `query` sent with it must be the same operation (400 otherwise), and an
 *   `operationName` must be its name (400 otherwise);
 * - an unknown `documentId` is 404 PERSISTED_QUERY_NOT_FOUND; an unknown APQ hash is left to
 *   Apollo's APQ cache in `allow` mode, and in `require` mode is 404 (no text) or, with a text,
 *   runs only if the text is a registered operation (Apollo Client's retry with the full text);
 * - a text without an id runs in `allow` mode; in `require` mode only if it is a registered
 *   operation (formatting, definition order and added `__typename` aside), else 403
 *   OPERATION_NOT_REGISTERED.
 *
 * `learned` remembers an APQ hash whose text was found registered, so that the client's next
 * request by that hash alone runs at once.
 */
export function persistedDecision(
  sent: SentOperation | undefined,
  principal: Principal,
  registry: Registry,
  mode: PersistedPolicy,
  learned: Map<string, Registered> = new Map(),
  maxTokens: number = DEFAULT_LIMITS.tokens,
): PersistedDecision {
  if (!sent) return {};
  const { role } = principal;
  if (sent.operationName !== undefined && sent.operationName !== null) {
    if (typeof sent.operationName !== 'string') throw badRequest(`operationName must be a string; received ${describe(sent.operationName)}`);
    if (sent.operationName.length > MAX_OPERATION_NAME) {
      throw refuse('BAD_USER_INPUT', 400, `operationName must be at most ${MAX_OPERATION_NAME} characters; received ${sent.operationName.length}`);
    }
  }
  const documentId = checkedId(sent.documentId, 'documentId');
  const hash = sent.apq ? checkedId(sent.hash, 'extensions.persistedQuery.sha256Hash') : undefined;
  if (sent.apq && hash === undefined) throw badRequest('extensions.persistedQuery needs a sha256Hash (the sha256 of the operation, hex)');
  if (documentId !== undefined && hash !== undefined && documentId !== hash) {
    throw badRequest('documentId and extensions.persistedQuery.sha256Hash name different operations; send one id');
  }
  const id = documentId ?? hash;
  const query = typeof sent.query === 'string' && sent.query.trim() !== '' ? sent.query : undefined;
  const document = query === undefined ? undefined : parsed(query, maxTokens);
  const named = (registered: Registered): Registered => {
    if (typeof sent.operationName === 'string' && sent.operationName !== registered.name) {
      throw badRequest(`operationName ${JSON.stringify(sent.operationName)} is not the operation this request runs (${registered.name}); send ${registered.name} or no operationName`);
    }
    return registered;
  };

  if (id !== undefined) {
    const registered = registry.get(id) ?? learned.get(id);
    if (registered) {
      if (query !== undefined && (!document || findRegistered(registry, document)?.id !== registered.id)) {
        throw badRequest(`the query sent with id ${id} is not the operation registered under it (${registered.name}); send the id alone`);
      }
      return { registered: named(registered), run: registered.document };
    }
    if (documentId !== undefined) {
      throw refuse(UNKNOWN_ID, 404, `no registered operation has id ${JSON.stringify(id)} (schema/operations/manifest.json)`);
    }
    if (query !== undefined && operationId(query) !== id) {
      throw badRequest('extensions.persistedQuery.sha256Hash is not the sha256 of the query sent with it');
    }
    if (mode === 'allow') {
      // Apollo's APQ cache answers the hash alone, or registers the text sent with it.
      const found = document && findRegistered(registry, document);
      return found ? { registered: named(found) } : {};
    }
    if (query === undefined) {
      throw refuse(UNKNOWN_ID, 404, `no registered operation has id ${JSON.stringify(id)}; ${role}s run registered operations only (schema/operations/persisted-query-manifest.json)`);
    }
    const found = document && findRegistered(registry, document);
    if (!found) throw refuse(NOT_REGISTERED, 403, `${role}s may not register new operations: only operations in schema/operations/ run`);
    // The client's text is the registered operation with Apollo Client's `__typename`s; it runs as
    // sent (so the response has them), and its hash now finds it directly.
    const learnedEntry = { ...named(found), document: print(document) };
    if (learned.size >= MAX_LEARNED) learned.delete(learned.keys().next().value as string);
    learned.set(id, learnedEntry);
    return { registered: learnedEntry, run: learnedEntry.document };
  }

  if (!document) return {};
  const found = findRegistered(registry, document);
  if (!found && mode === 'require') {
    throw refuse(NOT_REGISTERED, 403, `${role}s run registered operations only; send one by id ("documentId" or APQ "sha256Hash")`);
  }
  // A registered operation sent as text runs as sent: it is that operation, `__typename`s aside.
  return found ? { registered: named(found) } : {};
}

/** Per role, the policy in force. */
export type PersistedPolicies = Readonly<Record<Role, PersistedPolicy>>;

/**
 * Puts the text the policy decided (`contextValue.persisted.run`) in place before Apollo Server
 * reads the request, for GET and POST alike, and drops the APQ extension it replaces (the id was
 * resolved by the policy, not by Apollo's cache).
 */
export function persistedText<Ctx extends { persisted?: PersistedDecision }>(): ApolloServerPlugin<Ctx> {
  return {
    async requestDidStart({ request, contextValue }) {
      const run = contextValue.persisted?.run;
      if (run === undefined) return;
      request.query = run;
      if (request.extensions?.persistedQuery) {
        const { persistedQuery: _resolved, ...rest } = request.extensions;
        request.extensions = rest;
      }
    },
  };
}

/**
 * Client mistakes in choosing the operation, answered 400 with what to fix before anything runs
 * (Apollo Server would otherwise fail them later, as internal errors): an operationName that
 * names no operation of the document or none given for several, a subscription (the gateway
 * serves queries and mutations over HTTP), and an operation name over MAX_OPERATION_NAME (it
 * reaches the access trail).
 */
export function operationChecks(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          if (!operation) {
            const names = document.definitions.flatMap((d) => (d.kind === 'OperationDefinition' ? [d.name?.value ?? '(anonymous)'] : []));
            throw request.operationName
              ? badRequest(`operationName ${JSON.stringify(request.operationName)} names no operation in the document; it has ${names.join(', ')}`)
              : badRequest(`the document has ${names.length} operations (${names.join(', ')}): say which to run with operationName`);
          }
          if (operation.operation === 'subscription') {
            throw refuse('BAD_REQUEST', 400, 'subscriptions are not served: send a query or a mutation');
          }
          if (operation.name && operation.name.value.length > MAX_OPERATION_NAME) {
            throw refuse('BAD_USER_INPUT', 400, `operation names must be at most ${MAX_OPERATION_NAME} characters; received ${operation.name.value.length}`);
          }
        },
      };
    },
  };
}
