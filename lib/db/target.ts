import { join } from 'node:path';
import { config } from '../config';
import { serviceDatabaseName, withDatabase } from './server';

export type DbTarget =
  | { kind: 'pglite'; dataDir?: string } // no dataDir: in memory
  | { kind: 'postgres'; url: string; poolSize?: number; /** named when the server cannot be reached */ service?: string };

/**
 * Where a service's store is: `<SERVICE>_DATABASE_URL`, else `DATABASE_URL` with one database
 * per service, else the embedded engine under `DATA_DIR/<service>`.
 */
export function resolveDbTarget(service: string): DbTarget {
  const cfg = config();
  const own = cfg.serviceDatabaseUrl(service);
  if (own) return { kind: 'postgres', url: own, service };
  if (cfg.databaseUrl) {
    return { kind: 'postgres', url: withDatabase(cfg.databaseUrl, serviceDatabaseName(cfg.databaseUrl, service)), service };
  }
  return { kind: 'pglite', dataDir: join(cfg.dataDir, service) };
}
