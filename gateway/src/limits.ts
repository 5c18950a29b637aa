import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { QueryLimits } from '../../lib/config';

/**
 * Hostile-input limits for the gateway (graphql-armor): depth, aliases, directives and cost are
 * validation rules, so an operation over a limit fails validation (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED) before it is planned and before any subgraph is called. The token
 * limit is the parser's own (`parseOptions.maxTokens`): the document is not even parsed past it
 * (HTTP 400, GRAPHQL_PARSE_FAILED). Outside development "Did you mean ..." suggestions are
 * masked, so that error messages do not leak the schema.
 */
export function queryLimits(
  limits: QueryLimits,
  options: { suggestions: boolean },
): { plugins: ApolloServerPlugin[]; validationRules: ValidationRule[]; parseOptions: { maxTokens: number } } {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.depth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.aliases },
    maxDirectives: { n: limits.directives },
    costLimit: { maxCost: limits.cost, ignoreIntrospection: true },
    // graphql-armor's token check throws from a plugin hook outside Apollo's parse step, which
    // Apollo answers with 500; graphql-js's own limit gives a proper 400 parse error.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: !options.suggestions },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins, validationRules, parseOptions: { maxTokens: limits.tokens } };
}
