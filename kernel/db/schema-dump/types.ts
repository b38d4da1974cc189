/** Types, enums, domains and ranges of the schema dump. */
import type pg from 'pg';
import { commentOn, grantLines, literal, type AclEntry } from './format.ts';
import { aclJson, DUMPED_NAMESPACE, notExtensionMember } from './sql.ts';

interface TypeRow {
  schema: string;
  ident: string;
  kind: 'e' | 'c' | 'd' | 'r';
  labels: string[] | null;
  attributes: { name: string; type: string; comment: string | null }[] | null;
  base: string | null;
  typeDefault: string | null;
  constraints: { name: string; def: string }[] | null;
  subtype: string | null;
  comment: string | null;
  acl: AclEntry[] | null;
}

export async function typeLines(client: pg.ClientBase): Promise<Map<string, string[]>> {
  const { rows } = await client.query<TypeRow>(`
    select n.nspname as schema, quote_ident(n.nspname) || '.' || quote_ident(t.typname) as ident, t.typtype::text as kind,
      (select json_agg(e.enumlabel order by e.enumsortorder) from pg_catalog.pg_enum e where e.enumtypid = t.oid) as labels,
      (select json_agg(json_build_object('name', quote_ident(a.attname), 'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
          'comment', pg_catalog.col_description(t.typrelid, a.attnum)) order by a.attnum)
        from pg_catalog.pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) as attributes,
      case when t.typtype = 'd' then pg_catalog.format_type(t.typbasetype, t.typtypmod) end as base,
      t.typdefault as "typeDefault",
      (select json_agg(json_build_object('name', quote_ident(co.conname), 'def', pg_catalog.pg_get_constraintdef(co.oid, true))
          order by co.conname collate "C")
        from pg_catalog.pg_constraint co where co.contypid = t.oid) as constraints,
      (select pg_catalog.format_type(r.rngsubtype, null) from pg_catalog.pg_range r where r.rngtypid = t.oid) as subtype,
      pg_catalog.obj_description(t.oid, 'pg_type') as comment,
      case when t.typacl is not null then ${aclJson('t.typacl', 't.typowner')} end as acl
    from pg_catalog.pg_type t join pg_catalog.pg_namespace n on n.oid = t.typnamespace
    where ${DUMPED_NAMESPACE} and t.typtype in ('e', 'c', 'd', 'r')
      and (t.typtype <> 'c' or (select c.relkind from pg_catalog.pg_class c where c.oid = t.typrelid) = 'c')
      and ${notExtensionMember('pg_catalog.pg_type', 't.oid')}
    order by n.nspname collate "C", t.typname collate "C"`);
  const bySchema = new Map<string, string[]>();
  for (const row of rows) {
    const lines = bySchema.get(row.schema) ?? [];
    lines.push(...typeDefinition(row), ...commentOn(`type ${row.ident}`, row.comment));
    for (const attribute of row.attributes ?? []) {
      lines.push(...commentOn(`column ${row.ident}.${attribute.name}`, attribute.comment));
    }
    lines.push(...grantLines(`type ${row.ident}`, row.acl), '');
    bySchema.set(row.schema, lines);
  }
  return bySchema;
}

function typeDefinition(row: TypeRow): string[] {
  switch (row.kind) {
    case 'e':
      return [`create type ${row.ident} as enum (${(row.labels ?? []).map(literal).join(', ')});`];
    case 'c': {
      const attributes = (row.attributes ?? []).map((a, i, all) => `  ${a.name} ${a.type}${i < all.length - 1 ? ',' : ''}`);
      return [`create type ${row.ident} as (`, ...attributes, ');'];
    }
    case 'd': {
      const parts = [`create domain ${row.ident} as ${row.base ?? ''}`];
      if (row.typeDefault !== null) parts.push(`default ${row.typeDefault}`);
      for (const constraint of row.constraints ?? []) parts.push(`constraint ${constraint.name} ${constraint.def}`);
      return [`${parts.join('\n  ')};`];
    }
    case 'r':
      return [`create type ${row.ident} as range (subtype = ${row.subtype ?? ''});`];
  }
}
