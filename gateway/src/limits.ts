import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';
import type { QueryLimits } from '../../lib/config';
import { costLimit } from './cost';

/**
 * Hostile-input limits for the gateway (graphql-armor): depth, aliases and directives are
 * validation rules, so an operation over a limit fails validation (HTTP 400,
 * GRAPHQL_VALIDATION_FAILED) before it is planned and before any subgraph is called. Cost is a
 * plugin of ours (cost.ts) that counts page sizes however they are written, variables included,
 * and refuses with the same code at the same point. The token
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
    // Cost is ours (cost.ts): graphql-armor's counts literal page sizes only, so `first: $n` cost 1.
    costLimit: { enabled: false },
    // graphql-armor's token check throws from a plugin hook outside Apollo's parse step, which
    // Apollo answers with 500; graphql-js's own limit gives a proper 400 parse error.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: !options.suggestions },
  });
  const { plugins, validationRules } = armor.protect();
  return { plugins: [...plugins, costLimit(limits.cost)], validationRules, parseOptions: { maxTokens: limits.tokens } };
}
