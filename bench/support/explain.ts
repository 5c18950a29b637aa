/**
 * `npm run bench -- --explain [--citizens N]`: the query plans of the statements the scenarios
 * really send. The subgraphs run with the probe recording each distinct statement text and the
 * parameters it was first sent with (BENCH_PROBE_SQL=1); after a few requests of each scenario
 * through our gateway, every read statement is run again under EXPLAIN (ANALYZE, BUFFERS) on its
 * service's database (writes under plain EXPLAIN: planned, not executed), and the plans go to
 * bench/results/<date>-explain-<N>.md with a line per statement saying which index serves it.
 */
import pg from 'pg';
import type { SubgraphName } from '../../lib/config';
import { serviceDatabaseName } from '../../lib/db';
import { countingSample } from './measure';
import type { Proc } from './services';
import type { Variant } from './types';

export interface RecordedStatement {
  text: string;
  count: number;
  params: unknown[];
}

export interface ExplainedStatement extends RecordedStatement {
  service: SubgraphName;
  perRequest: number;
  plan: string;
  /** Index names the plan uses, and whether it reads a whole table. */
  indexes: string[];
  seqScans: string[];
  executionMs?: number;
  /** The plan compiles expressions with JIT (only when the planner expects a lot of work). */
  jit?: boolean;
}

async function recorded(proc: Proc, path: string): Promise<RecordedStatement[]> {
  const response = await fetch(`http://127.0.0.1:${proc.probePort}${path}`, { signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as RecordedStatement[];
}

const isRead = (text: string) => /^\s*(SELECT|WITH)\b/i.test(text) && !/\b(INSERT|UPDATE|DELETE)\b/i.test(text);
const isPlannable = (text: string) => /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)\b/i.test(text);

/** Runs `requests` sequential requests of one scenario and explains every statement they sent. */
export async function explainScenario(options: {
  url: string;
  subgraphs: Map<SubgraphName, Proc>;
  variants: Variant[];
  requests: number;
  databaseUrl: string;
}): Promise<ExplainedStatement[]> {
  await Promise.all([...options.subgraphs.values()].map((proc) => recorded(proc, '/sql/reset')));
  await countingSample(options, options.requests, 3);
  const out: ExplainedStatement[] = [];
  for (const [service, proc] of options.subgraphs) {
    const statements = (await recorded(proc, '/sql')).filter((s) => isPlannable(s.text));
    if (!statements.length) continue;
    const url = new URL(options.databaseUrl);
    url.pathname = `/${serviceDatabaseName(options.databaseUrl, service)}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      for (const statement of statements) {
        const read = isRead(statement.text);
        let plan: string;
        try {
          // Reads run for real (in a transaction rolled back, to be safe); writes are only planned.
          await client.query('BEGIN');
          const result = await client.query(`EXPLAIN (${read ? 'ANALYZE, BUFFERS, ' : ''}FORMAT TEXT) ${statement.text}`, statement.params);
          plan = result.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        } catch (error) {
          plan = `(could not explain: ${(error as Error).message})`;
        } finally {
          await client.query('ROLLBACK').catch(() => undefined);
        }
        out.push({
          ...statement,
          service,
          perRequest: Math.round((statement.count / options.requests) * 100) / 100,
          plan,
          indexes: [...new Set([...plan.matchAll(/(?:Index(?: Only)? Scan(?: Backward)? using|Bitmap Index Scan on) (\S+)/g)].map((m) => m[1]))],
          seqScans: [...new Set([...plan.matchAll(/Seq Scan on (\S+)/g)].map((m) => m[1]))],
          executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(plan)?.[1]) || undefined,
          jit: /^JIT:/m.test(plan),
        });
      }
    } finally {
      await client.end();
    }
  }
  return out;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export function explainMarkdown(title: string, sections: Array<{ scenario: string; statements: ExplainedStatement[] }>): string {
  const out = [`# ${title}`, ''];
  out.push(
    'Every statement the scenarios sent (recorded by the probe in each subgraph), with the plan PostgreSQL chose for it with the parameters it was first sent with. ' +
      'Reads ran under EXPLAIN (ANALYZE, BUFFERS) in a rolled-back transaction; writes (the access trail) are planned only.',
    '',
  );
  for (const { scenario, statements } of sections) {
    out.push(`## ${scenario}`, '', '| service | per request | index used | seq scan | JIT | execution ms | statement |', '|---|---:|---|---|---|---:|---|');
    for (const s of statements) {
      out.push(
        `| ${s.service} | ${s.perRequest} | ${s.indexes.join(', ') || '-'} | ${s.seqScans.join(', ') || '-'} | ${s.jit ? 'yes' : '-'} | ${s.executionMs ?? ''} | \`${oneLine(s.text).slice(0, 140).replace(/\|/g, '\\|')}${oneLine(s.text).length > 140 ? '...' : ''}\` |`,
      );
    }
    out.push('');
    for (const s of statements) {
      out.push(`### ${s.service}: ${oneLine(s.text).slice(0, 90)}${oneLine(s.text).length > 90 ? '...' : ''}`, '', '```sql', s.text.trim(), '```', '', '```', s.plan, '```', '');
    }
  }
  return out.join('\n');
}
