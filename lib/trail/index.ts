/**
 * The access trail, shared by the gateway (which builds each record and, on a PostgreSQL audit
 * store, appends it itself) and the audit service (which owns the store, serves the trail and
 * verifies it): the record (record.ts), its hash chain (chain.ts), the table's columns and the
 * append statement (store.ts), and the group-commit writer (writer.ts).
 */
export * from './record';
export * from './chain';
export * from './store';
export * from './writer';
