/**
 * Row types from the migrations: each store's tables as its migrations leave them, read back
 * from a scratch PGlite engine (information_schema and the CHECK constraints), written as
 * TypeScript by `npm run codegen` (`src/db/generated/tables.ts` of each department,
 * `lib/applications/generated/tables.ts`). A column is then written once, in its migration: the
 * row interface, the list of columns and the select list with camelCase aliases all follow, and
 * `npm run codegen:check` fails when a migration changed and the types were not regenerated.
 *
 * Why generated from the migrations rather than a typed query builder (Kysely): the statements
 * stay plain SQL a reader can paste into psql (the README's "Why PostgreSQL"), the migrations
 * stay the one source of the schema (a builder would want its own table definitions kept in
 * step with them), and the engine itself says what each column is, CHECK lists included.
 *
 * Build-time tooling: no service imports this file; they import what it writes.
 */
import { openDb } from '../lib/db';
import { migrate } from '../lib/migrate';

interface Column {
  table: string;
  name: string;
  udt: string;
  nullable: boolean;
}

/** How values come back (lib/db/values.ts): dates and numerics as text, int8 as a number, timestamps as Date. */
const TS_TYPES: Record<string, string> = {
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  date: 'string',
  numeric: 'string',
  int2: 'number',
  int4: 'number',
  int8: 'number',
  float4: 'number',
  float8: 'number',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  jsonb: 'unknown',
  json: 'unknown',
  _text: 'string[]',
  _int4: 'number[]',
};

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const pascal = (name: string) => camel(name).replace(/^[a-z]/, (c) => c.toUpperCase());
const upper = (name: string) => name.toUpperCase();

/**
 * `CHECK ((level = ANY (ARRAY['A'::text, 'B'::text])))` -> level: ['A', 'B'], and a list of one,
 * which PostgreSQL writes `CHECK ((scheme = 'A'::text))`, -> scheme: ['A']; other checks are not lists.
 */
function enumerations(definitions: Array<{ table: string; def: string }>): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  for (const { table, def } of definitions) {
    const match =
      /^CHECK \(\(\(?(\w+)\)?(?:::text)? = ANY \(\(?ARRAY\[(.*)\]\)?(?:::text\[\])?\)\)\)$/.exec(def) ??
      /^CHECK \(\((\w+) = ('(?:[^']|'')*'::(?:text|bpchar|character varying))\)\)$/.exec(def);
    if (!match) continue;
    const values = [...match[2].matchAll(/'((?:[^']|'')*)'::(?:text|bpchar|character varying)/g)].map((m) => m[1].replace(/''/g, "'"));
    if (values.length) lists.set(`${table}.${match[1]}`, values);
  }
  return lists;
}

/**
 * The TypeScript of the tables `dirs`' migrations create (applied in order to an empty store),
 * with `header` on top. `include` keeps only those tables (a department's shared tables are
 * generated once, where they are defined).
 */
export async function tableTypes(dirs: readonly string[], header: string, include?: (table: string) => boolean): Promise<string> {
  const db = await openDb({ kind: 'pglite' });
  try {
    for (const dir of dirs) await migrate(db, dir);
    const columns = await db.query<Column>(
      `SELECT table_name AS "table", column_name AS name, udt_name AS udt, is_nullable = 'YES' AS nullable
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
       ORDER BY table_name, ordinal_position`,
    );
    const checks = await db.query<{ table: string; def: string }>(
      `SELECT conrelid::regclass::text AS "table", pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'c' ORDER BY 1, 2`,
    );
    const lists = enumerations(checks);
    const tables = [...new Set(columns.map((c) => c.table))].filter((t) => !include || include(t));
    const out = [header, ''];
    for (const table of tables) {
      const mine = columns.filter((c) => c.table === table);
      out.push(`/** A row of \`${table}\`, as a select list with camelCase aliases returns it. */`);
      out.push(`export interface ${pascal(table)}Row {`);
      for (const column of mine) {
        const list = lists.get(`${table}.${column.name}`);
        const ts = list ? list.map((v) => `'${v.replace(/'/g, "\\'")}'`).join(' | ') : TS_TYPES[column.udt];
        if (!ts) throw new Error(`${table}.${column.name}: no TypeScript type for the column type ${column.udt}; add it to tools/table-types.ts`);
        out.push(`  ${camel(column.name)}: ${ts}${column.nullable ? ' | null' : ''};`);
      }
      out.push('}', '');
      out.push(`/** \`${table}\`: its columns in table order, and its select list (optionally qualified, \`b.\`), which gives rows of type ${pascal(table)}Row. */`);
      out.push(`export const ${upper(table)} = {`);
      out.push(`  table: '${table}',`);
      out.push(`  columns: [${mine.map((c) => `'${c.name}'`).join(', ')}] as const,`);
      out.push(`  select: (alias?: string): string => {`);
      out.push(`    const p = alias ? \`\${alias}.\` : '';`);
      out.push(`    return \`${mine.map((c) => (camel(c.name) === c.name ? `\${p}${c.name}` : `\${p}${c.name} AS "${camel(c.name)}"`)).join(', ')}\`;`);
      out.push('  },');
      out.push('} as const;', '');
    }
    return out.join('\n');
  } finally {
    await db.close();
  }
}
