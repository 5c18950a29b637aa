/**
 * `npm run compose`: composes every subgraph's SDL with Apollo's composition into
 * `schema/supergraph.graphql` (committed; the gateway serves it) and writes its API schema,
 * what clients see, to `schema/api.graphql` (committed; codegen and front-ends read it). On a
 * composition error it prints Apollo's messages and exits 1, leaving both files untouched.
 */
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ROOT, SUPERGRAPH_PATH } from '../lib/paths';
import { API_SCHEMA_PATH, composeSubgraphs, formatCompositionError, printApiSchema } from '../tools/compose';

const result = composeSubgraphs();
if (!result.ok) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) console.error(`  - ${formatCompositionError(error)}`);
  process.exit(1);
}
writeFileSync(SUPERGRAPH_PATH, result.supergraphSdl);
writeFileSync(API_SCHEMA_PATH, printApiSchema(result.supergraphSdl));
for (const hint of result.hints) console.log(`hint: ${hint}`);
console.log(
  `Composed ${result.subgraphs.length} subgraphs into ${relative(ROOT, SUPERGRAPH_PATH)}; its API schema is in ${relative(ROOT, API_SCHEMA_PATH)}`,
);
