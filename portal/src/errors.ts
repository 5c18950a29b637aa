/**
 * What went wrong, in the citizen's words. Two kinds of failure reach the page:
 * - the whole request failed (HTTP 401, 503, the gateway unreachable...): `requestFailure`;
 * - a department's section came back null beside everyone else's data, with an error naming it
 *   (`SUBGRAPH_UNAVAILABLE`, `SUBGRAPH_TIMEOUT`, `FORBIDDEN`): `sectionProblems`.
 */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import type { GraphQLFormattedError } from 'graphql';
import { departmentOf, type SectionKey } from './departments';

export interface Problem {
  code: string;
  /** One sentence for the citizen. */
  message: string;
}

/** The GraphQL errors an Apollo error carries, whether they came as a 200 with errors or a 4xx/5xx body. */
export function graphQLErrors(error: unknown): readonly GraphQLFormattedError[] {
  if (CombinedGraphQLErrors.is(error)) return error.errors;
  if (ServerError.is(error)) {
    try {
      const body = JSON.parse(error.bodyText) as { errors?: GraphQLFormattedError[] };
      return Array.isArray(body.errors) ? body.errors : [];
    } catch {
      return [];
    }
  }
  return [];
}

const codeOf = (error: GraphQLFormattedError) => (typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN');

/** Why a department's section is missing, from the error that names it. */
export function sectionProblems(error: unknown): Partial<Record<SectionKey, Problem>> {
  const problems: Partial<Record<SectionKey, Problem>> = {};
  for (const graphQLError of graphQLErrors(error)) {
    const department = departmentOf(graphQLError);
    if (!department || problems[department.key]) continue;
    const code = codeOf(graphQLError);
    const message =
      code === 'SUBGRAPH_TIMEOUT'
        ? `The ${department.name.toLowerCase()} department's service did not answer in time.`
        : code === 'SUBGRAPH_UNAVAILABLE'
          ? `The ${department.name.toLowerCase()} department's service is unavailable right now.`
          : code === 'FORBIDDEN'
            ? `You may not see the ${department.name.toLowerCase()} department's records.`
            : `The ${department.name.toLowerCase()} department's records could not be loaded.`;
    problems[department.key] = { code, message };
  }
  return problems;
}

/** Errors that belong to no department section (e.g. the access log), to show once at the top. */
export function otherProblems(error: unknown): Problem[] {
  return graphQLErrors(error)
    .filter((graphQLError) => !departmentOf(graphQLError))
    .map((graphQLError) => ({ code: codeOf(graphQLError), message: graphQLError.message }));
}

export type RequestFailure =
  | { kind: 'signed-out'; message: string }
  | { kind: 'retry'; message: string }
  | { kind: 'outdated'; message: string };

/**
 * A failure of the whole request, if the error is one: the token is refused (sign in again), the
 * graph cannot answer now (try again), or this build of the portal sends an id the gateway does
 * not know (reload). Undefined for a response that carried data with errors beside it.
 */
export function requestFailure(error: unknown, hasData: boolean): RequestFailure | undefined {
  const errors = graphQLErrors(error);
  const codes = errors.map(codeOf);
  const status = ServerError.is(error) ? error.statusCode : undefined;
  if (codes.includes('UNAUTHENTICATED') || status === 401) {
    const reason = errors.find((e) => codeOf(e) === 'UNAUTHENTICATED')?.message;
    return { kind: 'signed-out', message: `Your session has ended${reason ? ` (${reason})` : ''}. Please sign in again.` };
  }
  if (codes.includes('PERSISTED_QUERY_NOT_FOUND') || codes.includes('OPERATION_NOT_REGISTERED')) {
    return { kind: 'outdated', message: 'This page is out of date with the server. Reload the page to get the current version.' };
  }
  if (codes.includes('ACCESS_TRAIL_UNAVAILABLE')) {
    return {
      kind: 'retry',
      message: 'Your records cannot be shown right now: every read of your data is recorded, and the record cannot be written at the moment.',
    };
  }
  if (codes.includes('GATEWAY_UNAVAILABLE') || (status !== undefined && status >= 500)) {
    return { kind: 'retry', message: 'The service is not reachable right now.' };
  }
  if (hasData) return undefined;
  if (!error) return undefined;
  const first = errors[0]?.message ?? (error instanceof Error ? error.message : String(error));
  return { kind: 'retry', message: `Your records could not be loaded: ${first}` };
}
