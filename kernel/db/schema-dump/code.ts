/** Functions, views, materialized views, triggers and row-level security of the schema dump. */
import type pg from 'pg';
import { commentOn, grantLines, indexName, statement, type AclEntry } from './format.ts';
import { aclJson, columnAclJson, DUMPED_NAMESPACE, notExtensionMember, qualified, roleName } from './sql.ts';

interface FunctionRow {
  schema: string;
  signature: string;
  kind: string;
  definition: string | null;
  comment: string | null;
  acl: AclEntry[] | null;
}

export async function functions(client: pg.ClientBase): Promise<FunctionRow[]> {
  const { rows } = await client.query<FunctionRow>(`
    select n.nspname as schema,
      ${qualified('n.nspname', 'p.proname')} || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' as signature,
      p.prokind::text as kind,
      case when p.prokind <> 'a' then pg_catalog.pg_get_functiondef(p.oid) end as definition,
      pg_catalog.obj_description(p.oid, 'pg_proc') as comment,
      ${aclJson(`coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))`, 'p.proowner')} as acl
    from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
    where ${DUMPED_NAMESPACE} and ${notExtensionMember('pg_catalog.pg_proc', 'p.oid')}
      -- constructors that come with a range type
      and not exists (select 1 from pg_catalog.pg_depend dep
        where dep.classid = 'pg_catalog.pg_proc'::regclass and dep.objid = p.oid and dep.deptype = 'i')
    order by n.nspname collate "C", p.proname collate "C", pg_catalog.pg_get_function_identity_arguments(p.oid) collate "C"`);
  return rows;
}

export function functionLines(row: FunctionRow): string[] {
  const word = row.kind === 'p' ? 'procedure' : row.kind === 'a' ? 'aggregate' : 'function';
  const definition = row.definition === null ? `-- aggregate ${row.signature} (definition not shown)` : statement(row.definition);
  return [definition, ...commentOn(`${word} ${row.signature}`, row.comment), ...grantLines(`${word} ${row.signature}`, row.acl)];
}

interface ViewRow {
  schema: string;
  ident: string;
  materialized: boolean;
  options: string[] | null;
  definition: string;
  comment: string | null;
  columnComments: { name: string; comment: string }[] | null;
  indexes: { def: string; comment: string | null }[] | null;
  acl: AclEntry[] | null;
  columnAcl: AclEntry[] | null;
}

export async function views(client: pg.ClientBase): Promise<ViewRow[]> {
  const { rows } = await client.query<ViewRow>(`
    select n.nspname as schema, ${qualified('n.nspname', 'c.relname')} as ident, c.relkind = 'm' as materialized,
      c.reloptions as options, pg_catalog.pg_get_viewdef(c.oid, true) as definition,
      pg_catalog.obj_description(c.oid, 'pg_class') as comment,
      (select json_agg(json_build_object('name', quote_ident(a.attname), 'comment', pg_catalog.col_description(c.oid, a.attnum))
          order by a.attnum)
        from pg_catalog.pg_attribute a
        where a.attrelid = c.oid and a.attnum > 0 and pg_catalog.col_description(c.oid, a.attnum) is not null) as "columnComments",
      (select json_agg(json_build_object('def', pg_catalog.pg_get_indexdef(i.indexrelid),
          'comment', pg_catalog.obj_description(i.indexrelid, 'pg_class')) order by ic.relname collate "C")
        from pg_catalog.pg_index i join pg_catalog.pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid) as indexes,
      ${aclJson(`coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))`, 'c.relowner')} as acl,
      ${columnAclJson('c.oid', 'c.relowner')} as "columnAcl"
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where ${DUMPED_NAMESPACE} and c.relkind in ('v', 'm') and ${notExtensionMember('pg_catalog.pg_class', 'c.oid')}
    order by n.nspname collate "C", c.relkind desc, c.relname collate "C"`);
  return rows;
}

export function viewLines(row: ViewRow): string[] {
  const options = row.options?.length ? ` with (${row.options.join(', ')})` : '';
  const lines = [
    `create ${row.materialized ? 'materialized ' : ''}view ${row.ident}${options} as`,
    statement(row.definition.replace(/^\s+/, '  ')),
    ...commentOn(`${row.materialized ? 'materialized ' : ''}view ${row.ident}`, row.comment),
  ];
  for (const column of row.columnComments ?? []) lines.push(...commentOn(`column ${row.ident}.${column.name}`, column.comment));
  for (const index of row.indexes ?? []) lines.push(statement(index.def), ...commentOn(`index ${indexName(index.def)}`, index.comment));
  const target = `table ${row.ident}`;
  return [...lines, ...grantLines(target, row.acl), ...grantLines(target, row.columnAcl)];
}

interface TriggerRow {
  schema: string;
  definition: string;
  name: string;
  table: string;
  comment: string | null;
}

export async function triggers(client: pg.ClientBase): Promise<TriggerRow[]> {
  const { rows } = await client.query<TriggerRow>(`
    select n.nspname as schema, pg_catalog.pg_get_triggerdef(t.oid, true) as definition,
      quote_ident(t.tgname) as name, ${qualified('n.nspname', 'c.relname')} as table,
      pg_catalog.obj_description(t.oid, 'pg_trigger') as comment
    from pg_catalog.pg_trigger t join pg_catalog.pg_class c on c.oid = t.tgrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where ${DUMPED_NAMESPACE} and not t.tgisinternal and t.tgparentid = 0
    order by n.nspname collate "C", c.relname collate "C", t.tgname collate "C"`);
  return rows;
}

export function triggerLines(row: TriggerRow): string[] {
  return [statement(row.definition), ...commentOn(`trigger ${row.name} on ${row.table}`, row.comment)];
}

interface SecuredTableRow {
  schema: string;
  ident: string;
  enabled: boolean;
  force: boolean;
  policies: {
    name: string;
    permissive: boolean;
    command: string;
    roles: string[];
    roleOids: number[];
    using: string | null;
    check: string | null;
    comment: string | null;
  }[] | null;
}

/** Tables with row-level security enabled, or with policies. */
export async function securedTables(client: pg.ClientBase): Promise<SecuredTableRow[]> {
  const { rows } = await client.query<SecuredTableRow>(`
    select n.nspname as schema, ${qualified('n.nspname', 'c.relname')} as ident, c.relrowsecurity as enabled, c.relforcerowsecurity as force,
      (select json_agg(json_build_object('name', quote_ident(p.polname), 'permissive', p.polpermissive,
          'command', case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
          'roles', (select array_agg(${roleName('r.oid')} order by ${roleName('r.oid')} collate "C") from unnest(p.polroles) r(oid)),
          'roleOids', p.polroles,
          'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid, true),
          'check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid, true),
          'comment', pg_catalog.obj_description(p.oid, 'pg_policy')) order by p.polname collate "C")
        from pg_catalog.pg_policy p where p.polrelid = c.oid) as policies
    from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where ${DUMPED_NAMESPACE} and (c.relrowsecurity or exists (select 1 from pg_catalog.pg_policy p where p.polrelid = c.oid))
    order by n.nspname collate "C", c.relname collate "C"`);
  return rows;
}

export function securityLines(row: SecuredTableRow): string[] {
  const lines: string[] = [];
  if (row.enabled) lines.push(`alter table ${row.ident} enable row level security;`);
  if (row.force) lines.push(`alter table ${row.ident} force row level security;`);
  for (const policy of row.policies ?? []) {
    let line = `create policy ${policy.name} on ${row.ident}${policy.permissive ? '' : ' as restrictive'} for ${policy.command}`;
    line += ` to ${policy.roles.join(', ')}`;
    if (policy.using !== null) line += `\n  using (${policy.using})`;
    if (policy.check !== null) line += `\n  with check (${policy.check})`;
    lines.push(`${line};`, ...commentOn(`policy ${policy.name} on ${row.ident}`, policy.comment));
  }
  return lines;
}

