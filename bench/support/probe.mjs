// A measuring aid the benchmark preloads into every process it starts (`node --import
// bench/support/probe.mjs ...`), never part of the services: it counts the HTTP requests the
// process serves (by path, through Node's `http.server.request.start` diagnostics channel), the
// connections it accepts (`net.server.socket`), and
// the SQL statements it sends (node-postgres `Client#query`, when the process uses pg), and
// answers `GET /` on BENCH_PROBE_PORT with those counters and `process.memoryUsage()`.
// Cost on the measured path: one counter increment per request and per statement.
// Plain ESM JavaScript so that it loads the same way into tsx processes and Hive Gateway.
import { subscribe } from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const port = Number(process.env.BENCH_PROBE_PORT);
if (port > 0) {
  const requests = Object.create(null);
  let statements = 0;
  let probe;

  let connections = 0;
  subscribe('net.server.socket', ({ socket }) => {
    if (socket.server !== probe) connections++;
  });
  subscribe('http.server.request.start', ({ request, server }) => {
    if (server === probe) return;
    const path = (request.url ?? '/').split('?')[0];
    requests[path] = (requests[path] ?? 0) + 1;
  });

  // BENCH_PROBE_SQL=1 (the benchmark's --explain mode) also keeps each distinct statement text
  // with the parameters it was first sent with, for EXPLAIN.
  const sql = process.env.BENCH_PROBE_SQL === '1' ? new Map() : undefined;
  try {
    const pg = createRequire(join(process.cwd(), 'package.json'))('pg');
    const query = pg.Client.prototype.query;
    pg.Client.prototype.query = function countedQuery(...args) {
      statements++;
      if (sql) {
        const text = typeof args[0] === 'string' ? args[0] : args[0]?.text;
        if (typeof text === 'string') {
          const seen = sql.get(text);
          if (seen) seen.count++;
          else sql.set(text, { count: 1, params: Array.isArray(args[1]) ? args[1] : args[0]?.values ?? [] });
        }
      }
      return query.apply(this, args);
    };
  } catch {
    // no pg in this process (a gateway): statements stay 0
  }

  probe = createServer((req, res) => {
    if (req.url === '/gc' && typeof globalThis.gc === 'function') globalThis.gc();
    const body =
      req.url === '/sql'
        ? JSON.stringify([...(sql ?? new Map())].map(([text, seen]) => ({ text, ...seen })))
        : JSON.stringify({ pid: process.pid, requests, statements, connections, memory: process.memoryUsage(), cpu: process.cpuUsage() });
    if (req.url === '/sql/reset') sql?.clear();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  probe.unref();
  probe.listen(port, '127.0.0.1');
}
