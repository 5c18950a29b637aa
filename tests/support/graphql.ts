import type { ApolloServer, BaseContext } from '@apollo/server';
import type { Principal } from '../../lib/auth/principal';
import type { SubgraphInstance } from '../../lib/subgraph';
import { TEST_AUDITOR } from './auth';

export interface Result<Data = Record<string, unknown>> {
  data?: Data | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown>; path?: ReadonlyArray<string | number> }>;
}

/**
 * Runs an operation against a subgraph in-process, with a fresh request context (fresh loaders).
 * The result goes through JSON, so tests see what a client sees (`DateTime` as a string).
 */
export async function execute<Ctx extends BaseContext, Data = Record<string, any>>(
  subgraph: SubgraphInstance<Ctx>,
  query: string,
  variables?: Record<string, unknown>,
  principal: Principal = TEST_AUDITOR,
): Promise<Result<Data>> {
  const server = subgraph.server as ApolloServer<Ctx>;
  const response = await server.executeOperation({ query, variables }, { contextValue: subgraph.context(principal) });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return JSON.parse(JSON.stringify(response.body.singleResult)) as Result<Data>;
}
