/**
 * Apollo Client as a front-end team sets it up against Citizen Graph, with Apollo's own
 * persisted-query tooling and nothing of ours:
 *
 * - `PersistedQueryLink` with `generatePersistedQueryIdsFromManifest` (`@apollo/persisted-query-lists`)
 *   sends each operation as `extensions.persistedQuery.sha256Hash`, the id that
 *   `schema/operations/persisted-query-manifest.json` (written by `npm run codegen`, in Apollo's
 *   format) gives its name; the gateway knows the operation by that id, so it runs on the first
 *   round trip even where only registered operations may run.
 * - The cache knows the schema's interfaces (`possibleTypes`, from the API schema), so records
 *   selected through a fragment on `ServiceRecord` are cached as what they are.
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { possibleTypes } from 'virtual:registered-operations';
import manifest from '../../schema/operations/persisted-query-manifest.json';

/** A client for one signed-in citizen: their token on every request, operations by id, to `/graphql` on this origin. */
export function createClient(token: string): ApolloClient {
  const auth = new SetContextLink((previous) => ({
    headers: { ...previous.headers, authorization: `Bearer ${token}` },
  }));
  const byId = new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: () => manifest }));
  return new ApolloClient({
    link: ApolloLink.from([auth, byId, new HttpLink({ uri: '/graphql' })]),
    cache: new InMemoryCache({ possibleTypes: possibleTypes as Record<string, string[]> }),
    clientAwareness: { name: 'citizen-portal', version: '1' },
  });
}
