import { GraphQLError } from 'graphql';

/** A caller's mistake in an argument: HTTP 200 with `extensions.code = BAD_USER_INPUT`. */
export function badInput(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argument ? { argument } : {}) } });
}
