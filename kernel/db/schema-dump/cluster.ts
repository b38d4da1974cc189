/** Database-wide parts of the schema dump: extensions, schemas, roles, default privileges. */
import type pg from 'pg';
import { commentOn, grantLines, literal, type AclEntry } from './format.ts';
import { aclJson, DUMPED_NAMESPACE, roleName } from './sql.ts';

export interface SchemaRow {
  name: string;
  quoted: string;
  comment: string | null;
  acl: AclEntry[] | null;
}

export async function extensionLines(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(`
    select format('create extension if not exists %I with schema %I;', e.extname, n.nspname) as line
    from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    where e.extname <> 'plpgsql'
    order by e.extname collate "C"`);
  return rows.map((row) => row.line);
}

export async function schemas(client: pg.ClientBase): Promise<SchemaRow[]> {
  const { rows } = await client.query<SchemaRow>(`
    select n.nspname as name, quote_ident(n.nspname) as quoted, pg_catalog.obj_description(n.oid, 'pg_namespace') as comment,
      ${aclJson(`coalesce(n.nspacl, pg_catalog.acldefault('n', n.nspowner))`, 'n.nspowner')} as acl
    from pg_catalog.pg_namespace n
    where ${DUMPED_NAMESPACE}
    order by n.nspname collate "C"`);
  return rows;
}

export function schemaLines(schema: SchemaRow): string[] {
  const { quoted } = schema;
  const create = schema.name === 'public' ? '-- schema public is built in' : `create schema ${quoted};`;
  return [create, ...commentOn(`schema ${quoted}`, schema.comment), ...grantLines(`schema ${quoted}`, schema.acl)];
}

interface RoleRow {
  name: string;
  attributes: string;
  settings: string[] | null;
}

interface MembershipRow {
  line: string;
  roleOid: number;
  memberOid: number;
}

/** Roles named in dumped privileges and policies, their attributes, settings and memberships among them. */
export async function roleLines(client: pg.ClientBase, referenced: Set<number>): Promise<string[]> {
  const oids = new Set(referenced);
  let memberships: MembershipRow[] = [];
  // Roles granted to (or holding) a referenced role are part of the picture too (app_authenticator).
  for (let round = 0; round < 5; round += 1) {
    const { rows } = await client.query<MembershipRow>(`
      select format('grant %I to %I%s;', r.rolname, m.rolname,
          case when am.admin_option then ' with admin option' else '' end
          || case when am.inherit_option <> m.rolinherit then format(' with inherit %s', am.inherit_option) else '' end
          || case when not am.set_option then ' with set false' else '' end) as line,
        r.oid::int8 as "roleOid", m.oid::int8 as "memberOid"
      from pg_catalog.pg_auth_members am
      join pg_catalog.pg_roles r on r.oid = am.roleid
      join pg_catalog.pg_roles m on m.oid = am.member
      where (r.oid = any($1::oid[]) or m.oid = any($1::oid[]))
        and not m.rolsuper and not r.rolsuper and m.rolname <> current_user
        and r.rolname !~ '^pg_' and m.rolname !~ '^pg_'
      order by r.rolname collate "C", m.rolname collate "C"`, [[...oids]]);
    memberships = rows;
    const before = oids.size;
    for (const row of rows) {
      oids.add(Number(row.roleOid));
      oids.add(Number(row.memberOid));
    }
    if (oids.size === before) break;
  }
  const { rows: roles } = await client.query<RoleRow>(`
    select quote_ident(r.rolname) as name,
      concat_ws(' ', case when r.rolcanlogin then 'login' else 'nologin' end,
        case when not r.rolinherit then 'noinherit' end, case when r.rolcreatedb then 'createdb' end,
        case when r.rolcreaterole then 'createrole' end, case when r.rolbypassrls then 'bypassrls' end,
        case when r.rolreplication then 'replication' end,
        case when r.rolconnlimit >= 0 then 'connection limit ' || r.rolconnlimit end) as attributes,
      (select array_agg(s.setting order by s.setting collate "C")
         from pg_catalog.pg_db_role_setting d cross join unnest(d.setconfig) s(setting)
         where d.setrole = r.oid and d.setdatabase in (0, (select oid from pg_catalog.pg_database where datname = current_database()))) as settings
    from pg_catalog.pg_roles r
    where r.oid = any($1::oid[]) and not r.rolsuper and r.rolname !~ '^pg_' and r.rolname <> current_user
    order by r.rolname collate "C"`, [[...oids]]);
  const lines: string[] = [];
  for (const role of roles) {
    lines.push(`create role ${role.name} ${role.attributes};`);
    for (const setting of role.settings ?? []) {
      const at = setting.indexOf('=');
      lines.push(`alter role ${role.name} set ${setting.slice(0, at)} = ${literal(setting.slice(at + 1))};`);
    }
  }
  return [...lines, ...memberships.map((row) => row.line)];
}

const OBJECT_WORDS: Record<string, string> = { r: 'tables', S: 'sequences', f: 'functions', T: 'types', n: 'schemas', L: 'large objects' };

interface DefaultAclRow {
  schema: string | null;
  schemaQuoted: string | null;
  forRole: string | null;
  objtype: string;
  grants: AclEntry[] | null;
  revokes: AclEntry[] | null;
}

/**
 * `alter default privileges` lines. Database-wide entries replace the built-in
 * defaults, so they print as the difference (grants and revokes); per-schema
 * entries add grants.
 */
export async function defaultPrivilegeLines(client: pg.ClientBase, referenced: Set<number>): Promise<Map<string, string[]>> {
  const kind = `case d.defaclobjtype when 'S' then 's' else d.defaclobjtype end`;
  const entry = (x: string): string => `json_build_object('grantee', ${roleName(`${x}.grantee`)}, 'granteeOid', ${x}.grantee,
      'privilege', lower(${x}.privilege_type), 'grantable', ${x}.is_grantable)`;
  const diff = (from: string, minus: string): string => `(select json_agg(${entry('x')} order by ${roleName('x.grantee')} collate "C", x.privilege_type collate "C")
      from (select * from pg_catalog.aclexplode(${from}) except select * from pg_catalog.aclexplode(${minus})) x
      where x.grantee <> d.defaclrole)`;
  const { rows } = await client.query<DefaultAclRow>(`
    select n.nspname as schema, quote_ident(n.nspname) as "schemaQuoted",
      case when d.defaclrole <> (select oid from pg_catalog.pg_roles where rolname = current_user) then quote_ident(pg_catalog.pg_get_userbyid(d.defaclrole)) end as "forRole",
      d.defaclobjtype::text as objtype,
      case when d.defaclnamespace = 0 then ${diff('d.defaclacl', `pg_catalog.acldefault(${kind}::"char", d.defaclrole)`)}
        else (select json_agg(${entry('x')} order by ${roleName('x.grantee')} collate "C", x.privilege_type collate "C")
          from pg_catalog.aclexplode(d.defaclacl) x where x.grantee <> d.defaclrole) end as grants,
      case when d.defaclnamespace = 0 then ${diff(`pg_catalog.acldefault(${kind}::"char", d.defaclrole)`, 'd.defaclacl')} end as revokes
    from pg_catalog.pg_default_acl d left join pg_catalog.pg_namespace n on n.oid = d.defaclnamespace
    where d.defaclnamespace = 0 or ${DUMPED_NAMESPACE}
    order by n.nspname collate "C" nulls first, pg_catalog.pg_get_userbyid(d.defaclrole) collate "C", d.defaclobjtype`);
  const bySchema = new Map<string, string[]>();
  for (const row of rows) {
    const prefix = `alter default privileges${row.forRole ? ` for role ${row.forRole}` : ''}${row.schemaQuoted ? ` in schema ${row.schemaQuoted}` : ''}`;
    const objects = OBJECT_WORDS[row.objtype] ?? row.objtype;
    const lines = bySchema.get(row.schema ?? '') ?? [];
    for (const grant of grantLines(objects, row.grants)) lines.push(`${prefix} ${grant}`);
    for (const revoke of grantLines(objects, row.revokes)) {
      lines.push(`${prefix} ${revoke.replace(/^grant /, 'revoke ').replace(/ to (\S+?)( with grant option)?;$/, ' from $1;')}`);
    }
    for (const item of [...(row.grants ?? []), ...(row.revokes ?? [])]) referenced.add(Number(item.granteeOid));
    bySchema.set(row.schema ?? '', lines);
  }
  return bySchema;
}
