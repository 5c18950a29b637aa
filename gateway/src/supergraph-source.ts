/**
 * Where the gateway's supergraph comes from. By default the committed `schema/supergraph.graphql`,
 * read once. `npm start -- --watch <subgraph>` instead points the gateway at a development copy
 * (`SUPERGRAPH_PATH`) and asks it to follow that file (`SUPERGRAPH_WATCH=1`): each time the file
 * changes, the gateway swaps in the new supergraph without a restart, and keeps serving the last
 * good one when the new text is not a valid supergraph.
 */
import { existsSync, readFileSync, unwatchFile, watchFile } from 'node:fs';
import { resolve } from 'node:path';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../../lib/log';
import { SUPERGRAPH_PATH } from '../../lib/paths';

export interface WatchOptions {
  log?: Logger;
  /** How often the file is polled, in ms. Polling also sees a file replaced by a rename. */
  intervalMs?: number;
}

/**
 * An ApolloGateway `supergraphSdl` hook serving the supergraph in `path` and following its
 * changes until the gateway stops. The file must hold a valid supergraph at start-up; a later
 * version that Apollo refuses is logged with Apollo's reason, and the previous one stays.
 */
export function watchedSupergraph(path: string, options: WatchOptions = {}): SupergraphSdlHook {
  const { log, intervalMs = 250 } = options;
  return async ({ update }) => {
    let current = readFileSync(path, 'utf8');
    const reload = () => {
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        log?.warn({ err: error, path }, 'cannot read the supergraph; still serving the last good one');
        return;
      }
      if (next === current) return;
      try {
        update(next); // throws when Apollo cannot build a schema from it
        current = next;
        log?.info({ path }, 'supergraph reloaded');
      } catch (error) {
        log?.error({ err: error, path }, `new supergraph refused, still serving the last good one: ${(error as Error).message}`);
      }
    };
    watchFile(path, { interval: intervalMs }, reload);
    return { supergraphSdl: current, cleanup: async () => unwatchFile(path, reload) };
  };
}

/**
 * The gateway's supergraph as the environment asks: `SUPERGRAPH_PATH` (default: the committed
 * supergraph), followed when `SUPERGRAPH_WATCH` is `1`. Throws, naming the variable, on a path
 * that does not exist or a watch value other than `0` or `1`.
 */
export function supergraphFromEnvironment(log?: Logger, env: NodeJS.ProcessEnv = process.env): string | SupergraphSdlHook {
  const path = env.SUPERGRAPH_PATH ? resolve(env.SUPERGRAPH_PATH) : SUPERGRAPH_PATH;
  if (!existsSync(path)) throw new Error(`SUPERGRAPH_PATH must name a supergraph file; received ${JSON.stringify(env.SUPERGRAPH_PATH)}, which does not exist`);
  const watch = env.SUPERGRAPH_WATCH ?? '0';
  if (watch !== '0' && watch !== '1') throw new Error(`SUPERGRAPH_WATCH must be 0 or 1; received ${JSON.stringify(watch)}`);
  return watch === '1' ? watchedSupergraph(path, { log }) : readFileSync(path, 'utf8');
}
