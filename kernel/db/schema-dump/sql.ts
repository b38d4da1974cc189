/**
 * SQL fragments shared by the schema dump's catalog queries: which namespaces
 * and objects are dumped, and the privileges of an object as JSON rows.
 */

/** Schemas that belong to libraries, not to our migrations (listed in the dump's header). */
export const EXCLUDED_SCHEMAS = ['graphile_worker', 'graphile_migrate'] as const;

/** `n` is a namespace we dump. */
export const DUMPED_NAMESPACE = `(n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', ${EXCLUDED_SCHEMAS.map((s) => `'${s}'`).join(', ')})
  and n.nspname !~ '^pg_(temp|toast_temp)_')`;

/** The object `oid` of catalog `catalog` is not a member of an extension (those come from `create extension`). */
export function notExtensionMember(catalog: string, oid: string): string {
  return `not exists (select 1 from pg_catalog.pg_depend dep
    where dep.classid = '${catalog}'::regclass and dep.objid = ${oid} and dep.deptype = 'e')`;
}

/** Name of a role oid for a grant (`0` is PUBLIC). */
export function roleName(oid: string): string {
  return `case when ${oid} = 0 then 'public' else quote_ident(pg_catalog.pg_get_userbyid(${oid})) end`;
}

/**
 * The privileges in `acl` held by others than `owner`, as a JSON array of
 * `{ grantee, granteeOid, privilege, grantable }` in a fixed order.
 */
export function aclJson(acl: string, owner: string): string {
  return `(select json_agg(json_build_object('grantee', ${roleName('x.grantee')}, 'granteeOid', x.grantee,
      'privilege', lower(x.privilege_type), 'grantable', x.is_grantable)
      order by ${roleName('x.grantee')} collate "C", x.privilege_type collate "C")
    from pg_catalog.aclexplode(${acl}) x where x.grantee <> ${owner})`;
}

/** Column privileges of relation `rel` (owner `owner`) as JSON, each row naming its column. */
export function columnAclJson(rel: string, owner: string): string {
  return `(select json_agg(json_build_object('column', quote_ident(a.attname), 'grantee', ${roleName('x.grantee')},
      'granteeOid', x.grantee, 'privilege', lower(x.privilege_type), 'grantable', x.is_grantable)
      order by ${roleName('x.grantee')} collate "C", x.privilege_type collate "C", a.attnum)
    from pg_catalog.pg_attribute a cross join pg_catalog.aclexplode(a.attacl) x
    where a.attrelid = ${rel} and a.attacl is not null and x.grantee <> ${owner})`;
}

/** `schema.name`, each part quoted when needed. */
export function qualified(schema: string, name: string): string {
  return `quote_ident(${schema}) || '.' || quote_ident(${name})`;
}
