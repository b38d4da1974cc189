/**
 * The current schema as one readable SQL file (`sql/schema.sql`), built from
 * the catalog (`pg_get_*def`, `pg_catalog`, `aclexplode`): PostgreSQL 18's
 * pg_dump is not shipped with the embedded server. For reading and diffing,
 * not for restoring: objects are grouped by kind and sorted by name, not
 * ordered by dependency.
 */
import type pg from 'pg';
import { defaultPrivilegeLines, extensionLines, roleLines, schemaLines, schemas } from './cluster.ts';
import { functionLines, functions, securedTables, securityLines, triggerLines, triggers, viewLines, views } from './code.ts';
import { banner, heading, type AclEntry } from './format.ts';
import { EXCLUDED_SCHEMAS } from './sql.ts';
import { sequenceLines, sequences, tableLines, tables } from './tables.ts';
import { typeLines } from './types.ts';

const HEADER = `-- The current schema of the Switchboard database, generated from the catalog after running every
-- committed migration (migrations/committed/). Do not edit: run \`npm run db:dump\` (db:migrate,
-- db:commit, db:uncommit and db:watch also rewrite it); a test fails when it drifts from the migrations.
--
-- Order: extensions, roles, schemas and their grants, database-wide default privileges, then per
-- schema: types, tables (columns, defaults, constraints, indexes, comments, grants), sequences,
-- functions, views and materialized views, triggers, row-level security, default privileges.
-- Objects are sorted by name, not by dependency: read it, diff it, do not run it.
-- Not shown: the schemas of libraries (${EXCLUDED_SCHEMAS.join(', ')}: graphile-worker installs its own,
-- graphile-migrate tracks migrations there), objects that belong to extensions, object owners (the role
-- that ran the migrations), database-level settings and privileges.`;

type Sections = Map<string, string[]>;

function add(sections: Sections, schema: string, lines: string[]): void {
  const list = sections.get(schema) ?? [];
  list.push(...lines);
  sections.set(schema, list);
}

function collectRoles(into: Set<number>, entries: (AclEntry[] | null | undefined)[]): void {
  for (const list of entries) for (const entry of list ?? []) into.add(Number(entry.granteeOid));
}

function block(title: string, lines: string[] | undefined): string[] {
  return lines?.length ? ['', heading(title), '', ...lines] : [];
}

/** Lines separated by blank lines, per object. */
function objects<T>(rows: T[], schemaOf: (row: T) => string, render: (row: T) => string[]): Sections {
  const sections: Sections = new Map();
  for (const row of rows) {
    const lines = render(row);
    if (lines.length) add(sections, schemaOf(row), [...lines, '']);
  }
  return sections;
}

/** Triggers of one table together, a blank line between tables. */
function triggersByTable(rows: Awaited<ReturnType<typeof triggers>>): Sections {
  const sections: Sections = new Map();
  let previous: (typeof rows)[number] | undefined;
  for (const row of rows) {
    if (previous?.schema === row.schema && previous.table !== row.table) add(sections, row.schema, ['']);
    add(sections, row.schema, triggerLines(row));
    previous = row;
  }
  return sections;
}

export async function dumpSchema(client: pg.ClientBase): Promise<string> {
  await client.query('begin isolation level repeatable read read only');
  try {
    // Every name in the generated definitions comes out schema-qualified.
    await client.query(`set local search_path = ''`);
    return await buildDump(client);
  } finally {
    await client.query('rollback');
  }
}

async function buildDump(client: pg.ClientBase): Promise<string> {
  const roles = new Set<number>();
  const schemaRows = await schemas(client);
  const tableRows = await tables(client);
  const sequenceRows = await sequences(client);
  const functionRows = await functions(client);
  const viewRows = await views(client);
  const securedRows = await securedTables(client);
  collectRoles(roles, [
    ...schemaRows.map((r) => r.acl),
    ...tableRows.flatMap((r) => [r.acl, r.columnAcl]),
    ...sequenceRows.map((r) => r.acl),
    ...functionRows.map((r) => r.acl),
    ...viewRows.flatMap((r) => [r.acl, r.columnAcl]),
  ]);
  for (const row of securedRows) for (const policy of row.policies ?? []) for (const oid of policy.roleOids) if (oid) roles.add(oid);
  const defaults = await defaultPrivilegeLines(client, roles);
  const types = await typeLines(client);

  const perKind: [string, Sections][] = [
    ['Types', new Map([...types].map(([schema, lines]) => [schema, lines]))],
    ['Tables', objects(tableRows, (r) => r.schema, tableLines)],
    ['Sequences', objects(sequenceRows, (r) => r.schema, sequenceLines)],
    ['Functions and procedures', objects(functionRows, (r) => r.schema, functionLines)],
    ['Views and materialized views', objects(viewRows, (r) => r.schema, viewLines)],
    ['Triggers', triggersByTable(await triggers(client))],
    ['Row-level security', objects(securedRows, (r) => r.schema, securityLines)],
  ];

  const out: string[] = [HEADER, '', banner('Extensions'), '', ...(await extensionLines(client))];
  out.push('', banner('Roles (cluster-wide; created by the migrations if missing)'), '', ...(await roleLines(client, roles)));
  out.push('', banner('Schemas'));
  for (const schema of schemaRows) out.push('', ...schemaLines(schema));
  const globalDefaults = defaults.get('');
  if (globalDefaults?.length) out.push('', banner('Default privileges (database-wide)'), '', ...globalDefaults);
  for (const schema of schemaRows) {
    const body = perKind.flatMap(([title, sections]) => block(title, trimBlank(sections.get(schema.name))));
    body.push(...block('Default privileges', defaults.get(schema.name)));
    if (body.length) out.push('', banner(`Schema ${schema.quoted}`), ...body);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function trimBlank(lines: string[] | undefined): string[] | undefined {
  if (!lines) return lines;
  let end = lines.length;
  while (end > 0 && lines[end - 1] === '') end -= 1;
  return lines.slice(0, end);
}
