/**
 * Apollo Client as a front-end team should set it up against Citizen Graph: every operation is a
 * registered one (schema/operations/), sent by its id, never by its text.
 *
 * - `PersistedQueryLink` sends `extensions.persistedQuery.sha256Hash` and no `query`; the hash is
 *   the id `npm run codegen` put in schema/operations/manifest.json, looked up by operation name
 *   (`virtual:registered-operations`, made from the manifest at build time). It never retries
 *   with the text: an unknown id is an error to fix (re-run codegen, rebuild), not a fallback.
 * - The cache knows the schema's interfaces (`possibleTypes`, from the API schema), so records
 *   selected through a fragment on `ServiceRecord` are cached as what they are.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { getMainDefinition } from '@apollo/client/utilities';
import type { DocumentNode } from 'graphql';
import { operationIds, possibleTypes } from 'virtual:registered-operations';

/** The registered id of a typed document from schema/operations/generated/, by its operation's name. */
export function registeredId(document: DocumentNode): string {
  const definition = getMainDefinition(document);
  const name = definition.kind === 'OperationDefinition' ? definition.name?.value : undefined;
  const id = name ? operationIds[name] : undefined;
  if (!id) {
    throw new Error(
      `${name ?? 'An anonymous operation'} is not a registered operation: add it to schema/operations/, run npm run codegen, and rebuild the portal`,
    );
  }
  return id;
}

/** A client for one signed-in citizen: their token on every request, operations by id, to `/graphql` on this origin. */
export function createClient(token: string): ApolloClient {
  const auth = new SetContextLink((previous) => ({
    headers: { ...previous.headers, authorization: `Bearer ${token}` },
  }));
  const byId = new PersistedQueryLink({
    generateHash: registeredId,
    retry: () => false,
    disable: () => false,
  });
  return new ApolloClient({
    link: ApolloLink.from([auth, byId, new HttpLink({ uri: '/graphql' })]),
    cache: new InMemoryCache({ possibleTypes: possibleTypes as Record<string, string[]> }),
    clientAwareness: { name: 'citizen-portal', version: '1' },
  });
}
