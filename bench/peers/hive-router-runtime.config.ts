/**
 * Hive Gateway on `@graphql-hive/router-runtime`: the same CLI, supergraph, `--fork 1` and header
 * propagation as bench/peers/hive-gateway.config.ts, with query planning and execution handed to
 * Hive Router's Rust query planner (`@graphql-hive/router-query-planner`, a prebuilt Node-API
 * addon shipped inside that package: nothing is downloaded at install or run time).
 *
 * Enabled by the config's `unifiedGraphHandler` rather than the CLI's `--hive-router-runtime`
 * flag: the flag only warns and falls back to the JavaScript planner when the package does not
 * load, while a failed import here is an error, so this peer does not quietly measure the wrong
 * planner.
 */
import { defineConfig } from '@graphql-hive/gateway';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { gatewayConfig as hiveGateway } from './hive-gateway.config';

export const gatewayConfig = defineConfig({
  ...hiveGateway,
  unifiedGraphHandler,
});
