import { createHash } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import { signDepartmentToken } from '../auth/department-token';
import { config } from '../config';
import { keyring } from '../evidence/keyring';
import type { EvidenceIssuer } from '../procedures';

/**
 * A department calling the gateway as itself (docs/applications.md, "A department as a
 * caller"): a token signed with its own key, the procedure as purpose and the application as
 * case. It runs registered operations only, sent with their APQ hash, so the gateway accepts
 * them under either persisted-operation policy; each call is an ordinary graph request and
 * lands in the access trail.
 */

/** `GATEWAY_URL`, else the gateway on this machine (`GATEWAY_PORT`); tests set it with `useGatewayUrl`. */
let gatewayUrl: string | undefined;
export function useGatewayUrl(url: string): void {
  gatewayUrl = url;
}
function currentGatewayUrl(): string {
  return gatewayUrl ?? process.env.GATEWAY_URL ?? config().localUrl(config().port('gateway'), '/graphql');
}

/** How long one evidence call may take before the department gives up on it (the piece stays missing). */
export const GATEWAY_CALL_TIMEOUT_MS = 5_000;

export interface GatewayAnswer<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

const texts = new WeakMap<object, { query: string; hash: string; name: string }>();
function registered(document: TypedDocumentNode<unknown, unknown>) {
  let text = texts.get(document);
  if (!text) {
    const query = print(document);
    const name = /^(?:query|mutation)\s+(\w+)/.exec(query)?.[1];
    if (!name) throw new Error('a department runs named, registered operations only');
    texts.set(document, (text = { query, hash: createHash('sha256').update(query).digest('hex'), name }));
  }
  return text;
}

/**
 * Runs `document` at the gateway as `service`. Network failures and non-JSON answers come back
 * as errors (never thrown), so that one piece of evidence that cannot be had does not fail the others.
 */
export async function callGateway<T, V>(
  service: EvidenceIssuer,
  document: TypedDocumentNode<T, V>,
  variables: V,
  { purpose, caseId }: { purpose: string; caseId: string },
): Promise<GatewayAnswer<T>> {
  const { query, hash, name } = registered(document as TypedDocumentNode<unknown, unknown>);
  try {
    const token = await signDepartmentToken(service, await keyring().signingKey(service));
    const response = await fetch(currentGatewayUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': purpose, 'x-case-id': caseId },
      body: JSON.stringify({ query, operationName: name, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
      signal: AbortSignal.timeout(GATEWAY_CALL_TIMEOUT_MS),
    });
    const text = await response.text();
    try {
      return JSON.parse(text) as GatewayAnswer<T>;
    } catch {
      return { errors: [{ message: `the gateway answered ${response.status} with a body that is not JSON` }] };
    }
  } catch (error) {
    return { errors: [{ message: `the gateway could not be reached: ${(error as Error).message}` }] };
  }
}
