/**
 * Which columns each constraint (and unique index) of `app_public` covers,
 * loaded once at start-up, so that error messages can name the field.
 *
 * PostgreSQL leaves the `Key (...)=(...)` detail out of unique and foreign-key
 * errors when the table has row-level security or the role may not read the
 * key columns, which is every table our API roles write. The error still names
 * the constraint, and this map turns that into columns.
 */
import type pg from 'pg';
import { constraintKey, type ConstraintColumns } from '../errors.ts';

const SQL = `
  select t.relname as table_name, c.conname as name, array_agg(a.attname::text order by k.ord) as columns
    from pg_catalog.pg_constraint c
    join pg_catalog.pg_class t on t.oid = c.conrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
   cross join lateral unnest(c.conkey) with ordinality k(attnum, ord)
    join pg_catalog.pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum
   where n.nspname = 'app_public'
   group by t.relname, c.conname
  union all
  select t.relname, i.relname, array_agg(a.attname::text order by k.ord)
    from pg_catalog.pg_index x
    join pg_catalog.pg_class i on i.oid = x.indexrelid
    join pg_catalog.pg_class t on t.oid = x.indrelid
    join pg_catalog.pg_namespace n on n.oid = t.relnamespace
   cross join lateral unnest(x.indkey::int2[]) with ordinality k(attnum, ord)
    join pg_catalog.pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum
   where n.nspname = 'app_public' and x.indisunique
     and not exists (select 1 from pg_catalog.pg_constraint c where c.conindid = x.indexrelid)
   group by t.relname, i.relname`;

export async function loadConstraintColumns(pool: pg.Pool): Promise<ConstraintColumns> {
  const { rows } = await pool.query<{ table_name: string; name: string; columns: string[] }>(SQL);
  return new Map(rows.map((row) => [constraintKey(row.table_name, row.name), row.columns]));
}
