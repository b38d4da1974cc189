--! Previous: sha1:24a38b78b32721d2fb67a1565b4744d606a52887
--! Hash: sha1:b18c0f0b7d4e826a2c59343d92c9d8cd40eee1da
--! Message: Leads: agent x hour rollup (agent_hourly_analytics) through the generator, hour matrix and overview with the agent filter, one notification per analysis (complete analyses written read), leads_page / mark_leads_read / contact_overview

-- =============================================================================
-- Leads (issue 15, item 4): a lead inbox that agrees with the cards, one
-- notification per contact per analysis, the leads page, the contact page, and
-- the agent filter on the hour x weekday matrix (a fourth generated rollup,
-- agent x tenant-local day x hour).
-- =============================================================================

-- (1) The agent x day x hour rollup, a rollup-shaped copy of the template like
-- the other three (the generator below gives it every measure and keeps it in
-- the compactor, a live view and verification). The primary key INCLUDEs the
-- measures the hour matrix reads, so an agent's matrix is an index-only scan
-- (as user_hourly_analytics_matrix_idx does for the tenant, migration 000021).
create table app_public.agent_hourly_analytics (
  user_id uuid not null,
  agent_id uuid not null,
  day date not null,
  hour smallint not null,
  like app_private.rollup_measures including defaults,
  updated_at timestamptz not null default now(),
  constraint agent_hourly_analytics_pkey primary key (user_id, agent_id, day, hour)
    include (calls, successful_calls, unanswered_calls, failed_calls, leads_generated, hot_leads),
  constraint agent_hourly_analytics_hour_check check (hour between 0 and 23),
  constraint agent_hourly_analytics_user_id_fkey foreign key (user_id) references app_public.users on delete cascade,
  constraint agent_hourly_analytics_agent_id_user_id_fkey foreign key (agent_id, user_id)
    references app_public.agents (id, user_id) on delete cascade
) with (fillfactor = 70);
create index agent_hourly_analytics_agent_day_idx on app_public.agent_hourly_analytics (agent_id, day);
comment on table app_public.agent_hourly_analytics is 'Rollup per agent, tenant-local day and hour (compacted part; agent_hourly_stats adds the pending deltas). Feeds the hour x weekday matrix filtered by agent.';
alter table app_public.agent_hourly_analytics enable row level security;
create policy select_own on app_public.agent_hourly_analytics for select to app_user
  using (user_id = (select app_public.current_user_id()));
create policy select_all_admin on app_public.agent_hourly_analytics for select to app_admin
  using (true);
grant select on table app_public.agent_hourly_analytics to app_user;

alter table app_hidden.rollup_deltas drop constraint rollup_deltas_target_check;
alter table app_hidden.rollup_deltas add constraint rollup_deltas_target_check
  check (target = any (array['agent_day', 'user_day', 'user_hour', 'agent_hour']));

-- (2) The generator, with the fourth rollup: its copy in the list, its part of
-- the compactor (agent_hour), its live view (agent_hourly_stats) and its keys in
-- rollup_comparison (so verify_rollups and rebuild_rollups cover it).
create or replace procedure app_private.generate_rollup_code()
  language plpgsql
as $gen$
declare
  cols  text[];
  plain text;          -- calls, successful_calls, ...
  sums  text;          -- sum(calls)::bigint as calls, ...
  upd   text;          -- calls = t.calls + excluded.calls, ...
  e_row text;          -- coalesce(e.calls, 0), ...
  a_row text;
  diff_e_a text;       -- e.calls - a.calls, ...
  csums text;          -- coalesce(sum(calls), 0)::bigint, ...
  msums text;          -- coalesce(sum(m.calls), 0)::bigint, ...
  zero  text;          -- 0, 0, ...
  d_row text;          -- d.calls, d.successful_calls, ...
  copy  regclass;
  m     record;
begin
  -- Every rollup-shaped copy has every measure (a new one is appended, with
  -- the template's type, nullability and default).
  foreach copy in array array['app_hidden.rollup_deltas', 'app_hidden.purged_rollups',
                              'app_public.agent_analytics', 'app_public.user_analytics',
                              'app_public.user_hourly_analytics', 'app_public.agent_hourly_analytics',
                              'app_hidden.measures']::regclass[] loop
    for m in
      select a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull,
             pg_get_expr(d.adbin, d.adrelid) as def
        from pg_attribute a
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = 'app_private.rollup_measures'::regclass and a.attnum > 0 and not a.attisdropped
         and not exists (select 1 from pg_attribute x
                          where x.attrelid = copy and x.attname = a.attname and not x.attisdropped)
       order by a.attnum
    loop
      execute format('alter table %s add column %I %s%s%s', copy, m.attname, m.type,
                     case when m.def is not null then ' default ' || m.def else '' end,
                     case when m.attnotnull then ' not null' else '' end);
    end loop;
  end loop;

  select array_agg(attname::text order by attnum) into cols
    from pg_attribute
   where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped;

  select string_agg(format('%I', c), ', '),
         string_agg(format('sum(%1$I)::bigint as %1$I', c), ', '),
         string_agg(format('%1$I = t.%1$I + excluded.%1$I', c), ', '),
         string_agg(format('coalesce(e.%I, 0)', c), ', '),
         string_agg(format('coalesce(a.%I, 0)', c), ', '),
         string_agg(format('e.%1$I - a.%1$I', c), ', ')
    into plain, sums, upd, e_row, a_row, diff_e_a
    from unnest(cols) as c;

  execute format($f$
    create or replace function app_hidden.rollup_measures_diff(e app_private.rollup_measures, a app_private.rollup_measures)
      returns app_private.rollup_measures
      language sql immutable parallel safe
    as $body$ select %s $body$
  $f$, diff_e_a);
  comment on function app_hidden.rollup_measures_diff(app_private.rollup_measures, app_private.rollup_measures) is
    'Measures of e minus those of a (generated).';

  execute format($f$
    create or replace function app_hidden.compact_rollups(max_rows integer default 500000)
      returns integer
      language plpgsql
    as $body$
    declare
      moved_rows integer;
      started    timestamptz := clock_timestamp();
    begin
      -- One compactor at a time: rollup rows then have a single writer, so
      -- there is nothing to deadlock with and no hot-row queue.
      if not pg_try_advisory_xact_lock(hashtextextended('switchboard.compact_rollups', 0)) then
        return 0;
      end if;
      with moved as (
        delete from app_hidden.rollup_deltas d
         where d.ctid = any (array(select x.ctid from app_hidden.rollup_deltas x limit max_rows))
        returning d.*
      ), agent_day as (
        insert into app_public.agent_analytics as t (user_id, agent_id, day, %1$s)
        select m.user_id, m.agent_id, m.day, %2$s from moved m
         where (m.target is null or m.target = 'agent_day')
           -- deltas of a deleted agent or tenant are dropped with it
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.day, m.agent_id
         order by user_id, day, agent_id
        on conflict (user_id, day, agent_id) do update set %3$s, updated_at = now()
      ), user_day as (
        insert into app_public.user_analytics as t (user_id, day, %1$s)
        select m.user_id, m.day, %2$s from moved m
         where (m.target is null or m.target = 'user_day')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day
         order by user_id, day
        on conflict (user_id, day) do update set %3$s, updated_at = now()
      ), user_hour as (
        insert into app_public.user_hourly_analytics as t (user_id, day, hour, %1$s)
        select m.user_id, m.day, m.hour, %2$s from moved m
         where (m.target is null or m.target = 'user_hour')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day, m.hour
         order by user_id, day, hour
        on conflict (user_id, day, hour) do update set %3$s, updated_at = now()
      ), agent_hour as (
        insert into app_public.agent_hourly_analytics as t (user_id, agent_id, day, hour, %1$s)
        select m.user_id, m.agent_id, m.day, m.hour, %2$s from moved m
         where (m.target is null or m.target = 'agent_hour')
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.agent_id, m.day, m.hour
         order by user_id, agent_id, day, hour
        on conflict (user_id, agent_id, day, hour) do update set %3$s, updated_at = now()
      )
      select count(*) into moved_rows from moved;
      if moved_rows > 0 then
        insert into app_private.rollup_compaction_log (delta_rows, duration_ms)
        values (moved_rows, extract(epoch from clock_timestamp() - started) * 1000);
        perform app_hidden.request_kpi_refresh();
      end if;
      return moved_rows;
    end
    $body$
  $f$, plain, sums, upd);
  comment on function app_hidden.compact_rollups(integer) is
    'Moves up to max_rows pending deltas into the four rollup tables in one statement (generated). Returns the rows moved.';

  execute format($f$
    create or replace view app_public.agent_daily_stats with (security_invoker = true) as
    select user_id, agent_id, day, %2$s
      from (select user_id, agent_id, day, %1$s from app_public.agent_analytics
            union all
            select user_id, agent_id, day, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'agent_day') s
     group by user_id, agent_id, day
  $f$, plain, sums);
  comment on view app_public.agent_daily_stats is
    'Exact per agent and tenant-local day figures: the agent_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.tenant_daily_stats with (security_invoker = true) as
    select user_id, day, %2$s
      from (select user_id, day, %1$s from app_public.user_analytics
            union all
            select user_id, day, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'user_day') s
     group by user_id, day
  $f$, plain, sums);
  comment on view app_public.tenant_daily_stats is
    'Exact per tenant-local day figures: the user_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.tenant_hourly_stats with (security_invoker = true) as
    select user_id, day, hour, %2$s
      from (select user_id, day, hour, %1$s from app_public.user_hourly_analytics
            union all
            select user_id, day, hour, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'user_hour') s
     group by user_id, day, hour
  $f$, plain, sums);
  comment on view app_public.tenant_hourly_stats is
    'Exact per tenant-local day and hour figures: the user_hourly_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.agent_hourly_stats with (security_invoker = true) as
    select user_id, agent_id, day, hour, %2$s
      from (select user_id, agent_id, day, hour, %1$s from app_public.agent_hourly_analytics
            union all
            select user_id, agent_id, day, hour, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'agent_hour') s
     group by user_id, agent_id, day, hour
  $f$, plain, sums);
  comment on view app_public.agent_hourly_stats is
    'Exact per agent, tenant-local day and hour figures: the agent_hourly_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace function app_hidden.rollup_comparison(p_user_id uuid, p_from date, p_to date)
      returns table (rollup text, agent_id uuid, day date, hour smallint,
                     expected app_private.rollup_measures, actual app_private.rollup_measures)
      language sql stable
    as $body$
      with tenant as (
        select u.timezone as tz,
               coalesce(p_from, '-infinity'::date) as d_from,
               coalesce(p_to, 'infinity'::date) as d_to
          from app_public.users u where u.id = p_user_id
      ), base as (
        select d.*
          from tenant t
          join app_public.calls c
            on c.user_id = p_user_id
           and c.started_at >= (t.d_from::timestamp at time zone t.tz)
           and c.started_at < ((t.d_to + 1)::timestamp at time zone t.tz)
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, t.tz, 1) d
        union all
        select p.user_id, p.agent_id, p.day, p.hour, p.target, %1$s
          from app_hidden.purged_rollups p, tenant t
         where p.user_id = p_user_id and p.day between t.d_from and t.d_to
      ), expected as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, %2$s
          from base where target is null or target = 'agent_day' group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, %2$s
          from base where target is null or target = 'user_day' group by day
        union all
        select 'user_hour', null::uuid, day, hour, %2$s
          from base where target is null or target = 'user_hour' group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, %2$s
          from base where target is null or target = 'agent_hour' group by agent_id, day, hour
      ), actual as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, %2$s
          from (select r.agent_id, r.day, %1$s from app_public.agent_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_day')) x
         group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, %2$s
          from (select r.day, %1$s from app_public.user_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_day')) x
         group by day
        union all
        select 'user_hour', null::uuid, day, hour, %2$s
          from (select r.day, r.hour, %1$s from app_public.user_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, r.hour, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_hour')) x
         group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, %2$s
          from (select r.agent_id, r.day, r.hour, %1$s from app_public.agent_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, r.hour, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_hour')) x
         group by agent_id, day, hour
      ), keyed_e as (
        select e.*, coalesce(e.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(e.hour, -1) as hour_key from expected e
      ), keyed_a as (
        select a.*, coalesce(a.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(a.hour, -1) as hour_key from actual a
      )
      select coalesce(e.rollup, a.rollup), coalesce(e.agent_id, a.agent_id),
             coalesce(e.day, a.day), coalesce(e.hour, a.hour),
             row(%3$s)::app_private.rollup_measures,
             row(%4$s)::app_private.rollup_measures
        from keyed_e e
        full join keyed_a a
          on a.rollup = e.rollup and a.agent_key = e.agent_key and a.day = e.day and a.hour_key = e.hour_key
    $body$
  $f$, plain, sums, e_row, a_row);
  comment on function app_hidden.rollup_comparison(uuid, date, date) is
    'For one tenant and tenant-local day range (null = unbounded): every rollup key with the figures recomputed from raw calls (plus purged history) and the stored ones (rollup plus pending deltas), in one snapshot (generated).';

  select string_agg(format('coalesce(sum(%1$I), 0)::bigint', c), ', '),
         string_agg(format('coalesce(sum(m.%1$I), 0)::bigint', c), ', '),
         string_agg('0', ', '),
         string_agg(format('d.%I', c), ', ')
    into csums, msums, zero, d_row
    from unnest(cols) as c;

  -- The KPI API's readers (were migration 000004's and 000005's DO blocks).
  execute format($f$
    create or replace function app_hidden.measures_by_bucket(
      p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_bucket text)
      returns table (bucket date, measures app_hidden.measures)
      language sql stable
    as $body$
      select case p_bucket when 'range' then p_from else date_trunc(p_bucket, s.day::timestamp)::date end,
             row(%2$s)::app_hidden.measures
        from (
          select r.day, %1$s from app_public.user_analytics r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.day, %1$s from app_hidden.rollup_deltas r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'user_day')
          union all
          select r.day, %1$s from app_public.agent_analytics r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to
          union all
          select r.day, %1$s from app_hidden.rollup_deltas r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to and (r.target is null or r.target = 'agent_day')
        ) s
       group by 1
    $body$
  $f$, plain, csums);
  comment on function app_hidden.measures_by_bucket(uuid, date, date, uuid, text) is
    'Summed rollup measures (rollup + pending deltas) per bucket (day | week | month | range) for a tenant, or one of its agents, over tenant-local days (generated from app_private.rollup_measures).';

  execute format($f$
    create or replace function app_hidden.zero_measures() returns app_hidden.measures
      language sql immutable parallel safe
    as $body$ select row(%s)::app_hidden.measures $body$
  $f$, zero);
  comment on function app_hidden.zero_measures() is 'All measures zero (generated).';

  execute format($f$
    create or replace function app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date)
      returns table (agent_id uuid, day date, measures app_hidden.measures)
      language sql stable
    as $body$
      select s.agent_id, s.day, row(%2$s)::app_hidden.measures
        from (
          select r.agent_id, r.day, %1$s from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, r.day, %1$s from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id, s.day
    $body$
  $f$, plain, csums);
  comment on function app_hidden.agent_day_measures(uuid, date, date) is
    'Summed measures per agent and tenant-local day (rollup + pending deltas) for a tenant and day range (generated).';

  execute format($f$
    create or replace function app_hidden.sum_measures(ms app_hidden.measures[])
      returns app_hidden.measures
      language sql immutable parallel safe
    as $body$
      select row(%s)::app_hidden.measures from unnest(ms) m
    $body$
  $f$, msums);
  comment on function app_hidden.sum_measures(app_hidden.measures[]) is 'Column-wise sum of measure rows (generated).';

  execute format($f$
    create or replace function app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date)
      returns table (agent_id uuid, measures app_hidden.measures)
      language sql stable
    as $body$
      select s.agent_id, row(%2$s)::app_hidden.measures
        from (
          select r.agent_id, %1$s from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, %1$s from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id
    $body$
  $f$, plain, csums);
  comment on function app_hidden.agent_measures(uuid, date, date) is
    'Summed measures per agent (rollup + pending deltas) for a tenant and tenant-local day range (generated).';

  -- Retention: the purged contributions by column name (purged_at follows the
  -- measures in purged_rollups, so a positional copy breaks on a new measure).
  execute format($f$
    create or replace function app_hidden.purge_calls(p_user_id uuid, p_before timestamptz, p_batch integer default 1000)
      returns integer
      language plpgsql
    as $body$
    declare
      ids uuid[];
      n   integer;
      tz  text;
    begin
      -- KEY SHARE on the tenant: a concurrent time zone change (FOR UPDATE) waits
      -- for this purge or this purge waits for it, never a mix of the two zones.
      select u.timezone into tz from app_public.users u where u.id = p_user_id for key share;
      if tz is null then
        return 0;
      end if;
      select array_agg(id) into ids
        from (select c.id from app_public.calls c
               where c.user_id = p_user_id and c.started_at < p_before
               order by c.started_at limit p_batch
               for update skip locked) x;
      if ids is null then
        return 0;
      end if;
      -- Record what leaves (one snapshot, same definition as the triggers) ...
      insert into app_hidden.purged_rollups (user_id, agent_id, day, hour, target, %1$s, purged_at)
        select d.user_id, d.agent_id, d.day, d.hour, d.target, %2$s, now()
          from app_public.calls c
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, tz, 1) d
         where c.id = any (ids);
      -- ... then delete without taking it out of the rollups.
      perform set_config('switchboard.purging', 'on', true);
      delete from app_public.calls c where c.id = any (ids);
      get diagnostics n = row_count;
      perform set_config('switchboard.purging', 'off', true);
      insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
        values (p_user_id, 'calls', p_before, n);
      return n;
    end
    $body$
  $f$, plain, d_row);
  comment on function app_hidden.purge_calls(uuid, timestamptz, integer) is
    'Retention: deletes up to p_batch of a tenant''s calls started before p_before (with transcripts and analyses) while keeping their history in the rollups (generated).';
end
$gen$;
comment on procedure app_private.generate_rollup_code() is
  'THE generator of every object whose body follows app_private.rollup_measures: adds missing measures to the rollup-shaped copies, then re-creates the compactor, the live views, verification, the KPI API''s measure readers and purge_calls. Run after changing the measures (sql/README.md, Adding a KPI).';
call app_private.generate_rollup_code();
grant select on app_public.agent_hourly_stats to app_user;

-- History: every existing call's part of the new rollup, as correction deltas.
select app_hidden.rebuild_rollups(u.id) from app_public.users u;

-- (3) The hour x weekday matrix for a tenant or one of its agents. The agent
-- branch reads agent_hourly_analytics' primary key only (index-only scan).
drop function app_public.dashboard_overview(date, date);
drop function app_public.kpi_hourly_matrix(date, date);
drop function app_hidden.hour_matrix(uuid, date, date);
drop function app_hidden.hour_cells(uuid, date, date);

create function app_hidden.hour_cells(p_user_id uuid, p_from date, p_to date, p_agent_id uuid default null)
  returns setof app_public.kpi_hour_cell
  language sql stable
as $$
  with s as (
    select extract(isodow from x.day)::smallint as dow, x.hour,
           sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful,
           sum(x.unanswered_calls)::bigint as unanswered, sum(x.failed_calls)::bigint as failed,
           sum(x.leads_generated)::bigint as leads, sum(x.hot_leads)::bigint as hot
      from (
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.user_hourly_analytics h
         where p_agent_id is null and h.user_id = p_user_id and h.day between p_from and p_to
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where p_agent_id is null and d.user_id = p_user_id and d.day between p_from and p_to
           and (d.target is null or d.target = 'user_hour')
        union all
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.agent_hourly_analytics h
         where p_agent_id is not null and h.user_id = p_user_id and h.agent_id = p_agent_id
           and h.day between p_from and p_to
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where p_agent_id is not null and d.user_id = p_user_id and d.agent_id = p_agent_id
           and d.day between p_from and p_to and (d.target is null or d.target = 'agent_hour')) x
     group by 1, 2
  )
  select w::smallint, h::smallint, coalesce(s.calls, 0), coalesce(s.successful, 0), coalesce(s.unanswered, 0),
         coalesce(s.failed, 0), app_hidden.answer_rate(coalesce(s.successful, 0), coalesce(s.unanswered, 0)),
         coalesce(s.leads, 0), coalesce(s.hot, 0)
    from generate_series(1, 7) w
    cross join generate_series(0, 23) h
    left join s on s.dow = w and s.hour = h
   order by w, h
$$;
comment on function app_hidden.hour_cells(uuid, date, date, uuid) is 'THE hour x weekday cells of a tenant (p_agent_id null) or of one of its agents over tenant-local days p_from..p_to (rollup + pending deltas): all 168, Monday 00:00 first, zeros included.';
grant execute on function app_hidden.hour_cells(uuid, date, date, uuid) to app_user;

create function app_hidden.hour_matrix(p_user_id uuid, p_from date, p_to date, p_agent_id uuid default null)
  returns app_public.kpi_hour_matrix
  language sql stable
as $$
  select array_agg(c.calls order by c.iso_weekday, c.hour),
         array_agg(c.successful_calls order by c.iso_weekday, c.hour),
         array_agg(c.unanswered_calls order by c.iso_weekday, c.hour),
         array_agg(c.failed_calls order by c.iso_weekday, c.hour),
         array_agg(c.answer_rate order by c.iso_weekday, c.hour),
         array_agg(c.leads order by c.iso_weekday, c.hour),
         array_agg(c.hot_leads order by c.iso_weekday, c.hour)
    from app_hidden.hour_cells(p_user_id, p_from, p_to, p_agent_id) c
$$;
comment on function app_hidden.hour_matrix(uuid, date, date, uuid) is 'app_hidden.hour_cells as one array per measure (weekday-major).';
grant execute on function app_hidden.hour_matrix(uuid, date, date, uuid) to app_user;

create function app_public.kpi_hourly_matrix(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_hour_cell
  language sql stable
as $$
  select c.*
    from app_hidden.kpi_range(kpi_hourly_matrix.from_date, kpi_hourly_matrix.to_date) r,
         app_hidden.hour_cells(r.user_id, r.from_date, r.to_date, kpi_hourly_matrix.agent_id) c
   order by c.iso_weekday, c.hour
$$;
comment on function app_public.kpi_hourly_matrix(date, date, uuid) is 'Calls by tenant-local weekday and hour over fromDate..toDate (default: the last 30 days), of the tenant or of one agent: all 168 cells, zeros included.';
grant execute on function app_public.kpi_hourly_matrix(date, date, uuid) to app_user;

-- (4) One notification per contact per analysis. A new call's analysis wrote
-- the call's individual analysis AND refreshed the number's complete analysis,
-- both with the model's smart_notification and both unread, and every reader
-- (unread count, hot-leads list, mark all read) took both: one call, two
-- identical entries. A notification is now an individual analysis (one per
-- call, so one per contact per analysis); the complete analysis is the
-- contact's summary and is written read.
update app_public.lead_analytics set is_read = true where analysis_type = 'complete' and not is_read;

CREATE OR REPLACE FUNCTION app_hidden.record_contact_analysis(p_user_id uuid, p_phone text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text)
 RETURNS uuid
 LANGUAGE plpgsql
AS $function$
declare
  f       app_public.lead_analytics := app_hidden.analysis_values(p_analysis);
  v_id    uuid;
  v_calls integer;
  v_latest uuid;
begin
  select count(*), (array_agg(c.id order by c.started_at desc, c.id desc))[1] into v_calls, v_latest
    from app_public.calls c
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
   where c.user_id = p_user_id and c.phone_number = p_phone;
  if coalesce(v_calls, 0) = 0 then
    return null;
  end if;
  insert into app_public.lead_analytics as a (
    user_id, analysis_type, phone_number, latest_call_id, calls_analyzed,
    intent_level, intent_score, urgency_level, urgency_score, budget_constraint, budget_score,
    fit_alignment, fit_score, engagement_health, engagement_score, total_score, lead_status_tag,
    reasoning, cta_interactions, cta_pricing_clicked, cta_demo_clicked, cta_followup_clicked, cta_sample_clicked,
    cta_escalated_to_human, extracted_name, extracted_email, company_name, smart_notification, demo_book_datetime,
    analyzer, model, prompt_version, analyzed_at, is_read)
  values (
    p_user_id, 'complete', p_phone, v_latest, v_calls,
    f.intent_level, f.intent_score, f.urgency_level, f.urgency_score, f.budget_constraint, f.budget_score,
    f.fit_alignment, f.fit_score, f.engagement_health, f.engagement_score, f.total_score, f.lead_status_tag,
    f.reasoning, f.cta_interactions, f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
    f.cta_escalated_to_human, f.extracted_name, f.extracted_email, f.company_name, f.smart_notification, f.demo_book_datetime,
    p_analyzer, p_model, p_prompt_version, now(), true)
  on conflict (user_id, phone_number) where analysis_type = 'complete' do update
    set latest_call_id = excluded.latest_call_id, calls_analyzed = excluded.calls_analyzed,
        intent_level = excluded.intent_level, intent_score = excluded.intent_score,
        urgency_level = excluded.urgency_level, urgency_score = excluded.urgency_score,
        budget_constraint = excluded.budget_constraint, budget_score = excluded.budget_score,
        fit_alignment = excluded.fit_alignment, fit_score = excluded.fit_score,
        engagement_health = excluded.engagement_health, engagement_score = excluded.engagement_score,
        total_score = excluded.total_score, lead_status_tag = excluded.lead_status_tag,
        reasoning = excluded.reasoning, cta_interactions = excluded.cta_interactions,
        cta_pricing_clicked = excluded.cta_pricing_clicked, cta_demo_clicked = excluded.cta_demo_clicked,
        cta_followup_clicked = excluded.cta_followup_clicked, cta_sample_clicked = excluded.cta_sample_clicked,
        cta_escalated_to_human = excluded.cta_escalated_to_human, extracted_name = excluded.extracted_name,
        extracted_email = excluded.extracted_email, company_name = excluded.company_name,
        smart_notification = excluded.smart_notification, demo_book_datetime = excluded.demo_book_datetime,
        analyzer = excluded.analyzer, model = excluded.model, prompt_version = excluded.prompt_version,
        analyzed_at = excluded.analyzed_at, is_read = true
  returning a.id into v_id;
  return v_id;
end
$function$;
comment on function app_hidden.record_contact_analysis(p_user_id uuid, p_phone text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text) is 'Writes (or replaces) the complete analysis of a tenant''s phone number over all its analysed calls (the seed''s dual analysis). Complete analyses never count in the rollups and are never notifications (written read: the call''s individual analysis is the notification, one per contact per analysis).';

-- (5) A lead: a call with an individual analysis, on the tenant-local day of
-- the call (the same rule as the leads_generated / hot_leads measures, so the
-- lists agree with the cards). notification_item describes one.
alter type app_public.notification_item
  add attribute contact_id uuid,
  add attribute agent_id uuid,
  add attribute started_at timestamptz,
  add attribute is_read boolean;
comment on type app_public.notification_item is 'A lead: a call''s individual analysis, with who to call back and why (smartNotification) and whether it was read (mark it with markNotificationRead(leadAnalyticId)).';
comment on column app_public.notification_item.started_at is 'When the call started: a lead counts on the call''s tenant-local day.';

create function app_hidden.lead_filter_check(temperature text, min_score integer, max_score integer)
  returns void
  language plpgsql immutable
as $$
begin
  if temperature is not null and temperature not in ('hot', 'warm', 'cold', 'untagged') then
    raise exception 'temperature must be hot, warm, cold or untagged' using errcode = 'SB150';
  end if;
  if min_score not between 0 and 100 or max_score not between 0 and 100 then
    raise exception 'scores are between 0 and 100' using errcode = 'SB150';
  end if;
  if min_score > max_score then
    raise exception 'the minimum score (%) must not be above the maximum (%)', min_score, max_score using errcode = 'SB150';
  end if;
end
$$;
comment on function app_hidden.lead_filter_check(text, integer, integer) is 'Refuses a lead filter that cannot be meant (SB150): an unknown temperature, a score outside 0-100, an inverted score range.';
grant execute on function app_hidden.lead_filter_check(text, integer, integer) to app_user;

-- THE leads of a tenant matching a filter. Security invoker: RLS applies.
create function app_hidden.lead_rows(
  p_user_id uuid, p_from date, p_to date, p_agent_id uuid,
  p_temperature text, p_unread_only boolean, p_min_score integer, p_max_score integer)
  returns setof app_public.notification_item
  language sql stable
as $$
  select a.id, c.id, c.phone_number, a.extracted_name, a.company_name, a.lead_status_tag, a.total_score,
         a.smart_notification, a.demo_book_datetime, a.analyzed_at, c.contact_id, c.agent_id, c.started_at, a.is_read
    from app_public.users u
    join app_public.calls c
      on c.user_id = u.id
     and c.started_at >= coalesce(p_from::timestamp at time zone u.timezone, '-infinity')
     and c.started_at < coalesce((p_to + 1)::timestamp at time zone u.timezone, 'infinity')
     and (p_agent_id is null or c.agent_id = p_agent_id)
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
   where u.id = p_user_id
     and (p_temperature is null or coalesce(a.lead_status_tag, 'untagged') = p_temperature)
     and (not coalesce(p_unread_only, false) or not a.is_read)
     and (p_min_score is null or a.total_score >= p_min_score)
     and (p_max_score is null or a.total_score <= p_max_score)
$$;
comment on function app_hidden.lead_rows(uuid, date, date, uuid, text, boolean, integer, integer) is 'THE leads of a tenant: calls with an individual analysis, on the call''s tenant-local day p_from..p_to (null = unbounded), of one agent or all, filtered by temperature (hot / warm / cold / untagged), unread, score range. The same rule as the leads_generated and hot_leads measures, so a count of these rows equals the card.';
grant execute on function app_hidden.lead_rows(uuid, date, date, uuid, text, boolean, integer, integer) to app_user;

create index lead_analytics_individual_unread_idx on app_public.lead_analytics (user_id, call_id)
  where analysis_type = 'individual' and not is_read;

create type app_public.lead_page as (
  total_count bigint,
  unread_count bigint,
  items app_public.notification_item[],
  end_cursor text,
  has_next_page boolean
);
comment on type app_public.lead_page is 'One page of leads, newest call first, with the totals of the whole filtered set.';
comment on column app_public.lead_page.total_count is 'Leads (calls with an analysis) matching the filter, all pages.';
comment on column app_public.lead_page.unread_count is 'Of those, the ones not yet marked read.';
comment on column app_public.lead_page.end_cursor is 'Pass as `after` for the next page (null on the last page).';

create function app_public.leads_page(
  from_date date default null, to_date date default null, agent_id uuid default null,
  temperature text default null, unread_only boolean default false,
  min_score integer default null, max_score integer default null,
  after text default null, first integer default 25)
  returns app_public.lead_page
  language plpgsql stable
as $$
declare
  v_user uuid := app_public.current_user_id();
  v_at   timestamptz;
  v_id   uuid;
  r      app_public.lead_page;
begin
  if v_user is null then
    raise exception 'sign in to read leads' using errcode = '42501';
  end if;
  perform app_hidden.lead_filter_check(temperature, min_score, max_score);
  if from_date > to_date then
    raise exception 'fromDate (%) must not be after toDate (%)', from_date, to_date using errcode = 'SB103';
  end if;
  if first is null or first not between 1 and 100 then
    raise exception 'first must be between 1 and 100' using errcode = 'SB150';
  end if;
  if after is not null then
    begin
      v_at := 'epoch'::timestamptz + split_part(after, '~', 1)::bigint * interval '1 microsecond';
      v_id := split_part(after, '~', 2)::uuid;
    exception when others then
      raise exception 'the cursor is not one this API gave' using errcode = 'SB150';
    end;
  end if;
  select count(*), count(*) filter (where not l.is_read) into r.total_count, r.unread_count
    from app_hidden.lead_rows(v_user, from_date, to_date, agent_id, temperature, unread_only, min_score, max_score) l;
  r.items := array(
    select l from app_hidden.lead_rows(v_user, from_date, to_date, agent_id, temperature, unread_only, min_score, max_score) l
     where after is null or (l.started_at, l.lead_analytic_id) < (v_at, v_id)
     order by l.started_at desc, l.lead_analytic_id desc
     limit first + 1);
  r.has_next_page := cardinality(r.items) > first;
  if r.has_next_page then
    r.items := r.items[1:first];
    r.end_cursor := (extract(epoch from r.items[first].started_at) * 1000000)::bigint::text || '~' || r.items[first].lead_analytic_id;
  end if;
  return r;
end
$$;
comment on function app_public.leads_page(date, date, uuid, text, boolean, integer, integer, text, integer) is 'The leads page: leads (calls with an analysis) of the tenant, newest call first, `first` (1-100) after the cursor `after`; filtered by the call''s tenant-local days (null = all), agent, temperature (hot, warm, cold, untagged), unread, score range (0-100). Bad filters: SB150.';
grant execute on function app_public.leads_page(date, date, uuid, text, boolean, integer, integer, text, integer) to app_user;

create function app_public.mark_leads_read(
  from_date date default null, to_date date default null, agent_id uuid default null,
  temperature text default null, min_score integer default null, max_score integer default null)
  returns integer
  language plpgsql
as $$
declare
  n integer;
begin
  perform app_hidden.lead_filter_check(temperature, min_score, max_score);
  update app_public.lead_analytics a set is_read = true
    from app_hidden.lead_rows(app_public.current_user_id(), from_date, to_date, agent_id, temperature, true, min_score, max_score) l
   where a.id = l.lead_analytic_id;
  get diagnostics n = row_count;
  return n;
end
$$;
comment on function app_public.mark_leads_read(date, date, uuid, text, integer, integer) is 'Marks every unread lead matching the filter (as leadsPage) read; returns how many.';
grant execute on function app_public.mark_leads_read(date, date, uuid, text, integer, integer) to app_user;

create or replace function app_public.mark_all_notifications_read()
  returns integer
  language sql
as $$
  with done as (
    update app_public.lead_analytics a set is_read = true
     where a.user_id = app_public.current_user_id() and a.analysis_type = 'individual' and not a.is_read
    returning 1)
  select count(*)::integer from done
$$;
comment on function app_public.mark_all_notifications_read() is 'Marks every unread lead (individual analysis) of the tenant read; returns how many.';

-- (6) The overview with the agent filter: summary, daily series, the hour
-- matrix and the hot-lead inbox of one agent (the leaderboard stays all agents).
-- The inbox is the range's hot leads, the same set the Hot leads card counts.
create function app_public.dashboard_overview(from_date date default null, to_date date default null, agent_id uuid default null)
  returns app_public.dashboard_overview
  language sql stable
  set plan_cache_mode to 'force_generic_plan'
as $$
  select app_public.kpi_summary(r.from_date, r.to_date, dashboard_overview.agent_id),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day', dashboard_overview.agent_id) s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         app_public.data_freshness(),
         (select count(*) from app_hidden.lead_rows(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id,
                                                    'hot', true, null, null)),
         array(select l from app_hidden.lead_rows(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id,
                                                  'hot', true, null, null) l
                order by l.started_at desc, l.lead_analytic_id desc
                limit 10),
         app_hidden.hour_matrix(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id)
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$$;
comment on function app_public.dashboard_overview(date, date, uuid) is 'The overview page for tenant-local days fromDate..toDate (default: the last 30 days, at most 366) in one query, of the tenant or of one agent (agentId: every figure but the leaderboard).';
grant execute on function app_public.dashboard_overview(date, date, uuid) to app_user;
comment on type app_public.dashboard_overview is 'Everything the overview page shows for a date range (and optionally one agent), in one query: kpiSummary, daily kpiSeries, agentLeaderboard, the hour x weekday matrix, dataFreshness and the hot-lead inbox.';
comment on column app_public.dashboard_overview.unread_notifications is 'Hot leads of the range (and agent) not yet marked read: the unread part of the Hot leads card''s figure.';
comment on column app_public.dashboard_overview.notifications is 'The 10 newest unread hot leads of the range (and agent), newest call first: who to call back.';
comment on column app_public.dashboard_overview.hour_matrix is 'Calls by tenant-local weekday and hour over the range (as kpiHourlyMatrix, one array per measure; of the agent when agentId is given).';

-- (7) The contact page.
create type app_public.contact_call as (
  call_id uuid,
  started_at timestamptz,
  agent_id uuid,
  agent_name text,
  status text,
  outcome text,
  direction text,
  duration_seconds integer,
  lead_analytic_id uuid,
  total_score smallint,
  lead_status_tag text,
  is_read boolean,
  smart_notification text
);
comment on type app_public.contact_call is 'One call of a contact, with its analysis if any.';

create type app_public.contact_follow_up as (
  follow_up_id uuid,
  follow_up_date date,
  remark text,
  status text,
  created_at timestamptz
);
comment on type app_public.contact_follow_up is 'A follow-up planned with a contact.';

create type app_public.contact_overview as (
  contact_id uuid,
  phone_number text,
  name text,
  email text,
  company text,
  is_customer boolean,
  not_connected integer,
  created_at timestamptz,
  summary_score smallint,
  summary_tag text,
  calls app_public.contact_call[],
  follow_ups app_public.contact_follow_up[]
);
comment on type app_public.contact_overview is 'A contact with every call (oldest first, so the scores read as a series over time), its complete analysis and its follow-ups.';
comment on column app_public.contact_overview.summary_score is 'Score of the contact''s complete analysis (over all its analysed calls), if one was made.';

create function app_public.contact_overview(contact_id uuid)
  returns app_public.contact_overview
  language sql stable
as $$
  select ct.id, ct.phone_number, ct.name, ct.email::text, ct.company, ct.is_customer, ct.not_connected, ct.created_at,
         s.total_score, s.lead_status_tag,
         array(select row(c.id, c.started_at, c.agent_id, g.name, c.status, c.outcome, c.direction, c.duration_seconds,
                          a.id, a.total_score, a.lead_status_tag, a.is_read, a.smart_notification)::app_public.contact_call
                 from app_public.calls c
                 left join app_public.agents g on g.id = c.agent_id
                 left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
                where c.user_id = ct.user_id and c.phone_number = ct.phone_number
                order by c.started_at, c.id),
         array(select row(f.id, f.follow_up_date, f.remark, f.status, f.created_at)::app_public.contact_follow_up
                 from app_public.follow_ups f
                where f.user_id = ct.user_id
                  and (f.contact_id = ct.id or (f.contact_id is null and f.lead_phone = ct.phone_number))
                order by f.follow_up_date, f.created_at)
    from app_public.contacts ct
    left join app_public.lead_analytics s
      on s.user_id = ct.user_id and s.phone_number = ct.phone_number and s.analysis_type = 'complete'
   where ct.id = contact_overview.contact_id
$$;
comment on function app_public.contact_overview(uuid) is 'The contact page: the contact, every call (by tenant and phone number, oldest first) with its analysis, and its follow-ups; null for an unknown id or another tenant''s contact.';
grant execute on function app_public.contact_overview(uuid) to app_user;
