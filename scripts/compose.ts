/**
 * `npm run compose`: composes every subgraph's SDL with Apollo's composition into
 * `schema/supergraph.graphql` (committed; the gateway serves it). On a composition error it
 * prints Apollo's messages and exits 1, leaving the committed supergraph untouched.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeSubgraphs, SUPERGRAPH_PATH } from '../gateway/src/supergraph';

const result = composeSubgraphs();
if (!result.ok) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) console.error(`  - ${error}`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
for (const hint of result.hints) console.log(`hint: ${hint}`);
console.log(`Composed ${result.subgraphs.length} subgraphs into ${join('schema', 'supergraph.graphql')}`);
