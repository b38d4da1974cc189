--! Previous: sha1:2819f4a7ed62170a3f212cc67dbfcab9728bde3d
--! Hash: sha1:20bcb6e8d413c41cff7d818229993b7e9d00dfc3
--! Message: Call log at real sizes: a page reads only its own calls (ids first, in index order for the start-time sort, then their rows with one cached plan); the totals of a range (optionally one agent) come from the rollups unless retention purged calls of it, other filters sum the matching calls' contributions through the generated app_hidden.sum_deltas; a lead figure's drill-down joins only analysed calls; new measure call_seconds (every call's seconds: the log's total duration)

-- Call log at real sizes: a page reads only as many calls as it shows, and the totals of a range
-- (optionally one agent) come from the rollups instead of every call of the range.

-- 1. A new additive measure, call_seconds (seconds of every call, connected or not: the call
--    log's total duration), and a generated sum of contributions (app_hidden.sum_deltas) so the
--    call log's filtered totals name no measure. The generator below is the one of migration
--    000031 with the sum_deltas block added after sum_measures.
alter table app_private.rollup_measures add column call_seconds bigint not null default 0;

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
    create or replace function app_hidden.sum_deltas(ds app_hidden.rollup_deltas[])
      returns app_hidden.measures
      language sql immutable parallel safe
    as $body$
      select row(%s)::app_hidden.measures from unnest(ds) m
    $body$
  $f$, msums);
  comment on function app_hidden.sum_deltas(app_hidden.rollup_deltas[]) is
    'Column-wise sum of contributions (app_hidden.call_contribution rows) as measures: the call log''s totals of a filtered set (generated).';
  execute 'grant execute on function app_hidden.sum_deltas(app_hidden.rollup_deltas[]) to app_user';

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

-- What one call contributes: the latest definition (migration 000002) with call_seconds appended.
create or replace function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean DEFAULT true)
  returns setof app_hidden.rollup_deltas
  language sql stable parallel safe rows 1
as $$
  select
    c.user_id,
    c.agent_id,
    (c.started_at at time zone tz)::date,
    extract(hour from c.started_at at time zone tz)::smallint,
    null::text,
    case when with_call then s else 0 end,                                   -- calls
    case when with_call and c.outcome = 'successful' then s else 0 end,                    -- successful_calls
    case when with_call and c.outcome = 'failed' then s else 0 end,                        -- failed_calls
    case when with_call and c.outcome = 'unanswered' then s else 0 end,                    -- unanswered_calls
    case when with_call and c.outcome = 'successful' then s * c.duration_seconds else 0 end, -- talk_seconds
    case when with_call then s * c.billed_minutes else 0 end,                -- billed_minutes
    case when with_call then s * c.credits_used else 0 end,                  -- credits_used
    case when with_call and c.direction = 'inbound' then s else 0 end,                     -- inbound_calls
    case when with_call and c.direction = 'outbound' then s else 0 end,                    -- outbound_calls
    case when with_call and c.call_source = 'phone' then s else 0 end,                     -- phone_calls
    case when with_call and c.call_source = 'internet' then s else 0 end,                  -- internet_calls
    case when with_call and c.call_source = 'unknown' then s else 0 end,                   -- unknown_source_calls
    case when a.id is not null then s else 0 end,                            -- leads_generated
    case when a.total_score >= app_hidden.qualified_score_threshold() then s else 0 end, -- qualified_leads
    case when a.lead_status_tag = 'hot' then s else 0 end,                   -- hot_leads
    case when a.lead_status_tag = 'warm' then s else 0 end,                  -- warm_leads
    case when a.lead_status_tag = 'cold' then s else 0 end,                  -- cold_leads
    case when a.cta_pricing_clicked then s else 0 end,                       -- cta_pricing
    case when a.cta_demo_clicked then s else 0 end,                          -- cta_demo
    case when a.cta_followup_clicked then s else 0 end,                      -- cta_followup
    case when a.cta_sample_clicked then s else 0 end,                        -- cta_sample
    case when a.cta_escalated_to_human then s else 0 end,                    -- cta_human_escalation
    case when a.cta_pricing_clicked or a.cta_demo_clicked or a.cta_followup_clicked
              or a.cta_sample_clicked or a.cta_escalated_to_human then s else 0 end, -- calls_with_cta
    coalesce(s * a.intent_score, 0),     case when a.intent_score is not null then s else 0 end,
    coalesce(s * a.urgency_score, 0),    case when a.urgency_score is not null then s else 0 end,
    coalesce(s * a.budget_score, 0),     case when a.budget_score is not null then s else 0 end,
    coalesce(s * a.fit_score, 0),        case when a.fit_score is not null then s else 0 end,
    coalesce(s * a.engagement_score, 0), case when a.engagement_score is not null then s else 0 end,
    coalesce(s * a.total_score, 0),      case when a.total_score is not null then s else 0 end,
    case when with_call then s * coalesce(c.duration_seconds, 0) else 0 end -- call_seconds
   where c.id is not null
$$;
comment on function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean) is 'What one call (with its individual analysis, if any) adds to the rollups, multiplied by s (+1 or -1), keyed by agent and tenant-local day and hour; with_call = false gives only the analysis part. One row; none when c is null. Set-returning plain SQL, so the planner inlines it into the triggers'' cached plans.';

-- History: every existing call's seconds, as correction deltas (one statement per tenant).
select app_hidden.rebuild_rollups(u.id) from app_public.users u;

-- The call log's totals check whether retention purged calls of the range (rows under RLS, select_own).
grant select on app_hidden.purged_rollups to app_user;

-- 2. The filter checks plan once per session (the page's forced custom plans are for its own queries).
alter function app_hidden.call_log_params(date, date, text[], text[], text[], text[], text[], text[], integer, integer,
  integer, integer, text, text, integer, integer, text, text) set plan_cache_mode = auto;

-- 3. THE call log filter (migration 000035) with a prefilter for the lead figures' drill-downs.
create or replace function app_hidden.call_log_matches(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, agent_id uuid,
  outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[],
  min_score integer, max_score integer, min_duration integer, max_duration integer,
  has_transcript boolean, has_analysis boolean, has_recording boolean, search text,
  figure text, iso_weekday integer, hour integer, sort text
) returns table (r app_public.call_log_row, sort_key numeric, d app_hidden.rollup_deltas)
  language sql stable
as $$
  select row(c.id, c.started_at, c.agent_id, g.name, c.contact_id, c.phone_number, c.caller_name, k.name,
             c.provider, c.direction, c.call_source, c.status, c.outcome, c.duration_seconds, c.credits_used,
             t.id is not null, a.id is not null, c.recording_url is not null, a.total_score, a.lead_status_tag,
             x.key::text || '~' || c.id::text)::app_public.call_log_row,
         x.key, d
    from app_public.calls c
    join app_public.agents g on g.id = c.agent_id and g.user_id = c.user_id
    left join app_public.contacts k on k.id = c.contact_id and k.user_id = c.user_id
    left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
    left join app_public.transcripts t on t.call_id = c.id
    cross join lateral app_hidden.call_contribution(c, a, p_tz, 1) d
    cross join lateral (select case sort
                                 when 'duration' then c.duration_seconds::numeric
                                 when 'score' then coalesce(a.total_score, -1)::numeric
                                 when 'credits' then c.credits_used::numeric
                                 else extract(epoch from c.started_at)
                               end as key) x
   where c.user_id = p_user_id
     and c.started_at >= p_lo and c.started_at < p_hi
     and (call_log_matches.agent_id is null or c.agent_id = call_log_matches.agent_id)
     and (outcomes is null or coalesce(c.outcome, 'in_progress') = any (outcomes))
     and (statuses is null or c.status = any (statuses))
     and (providers is null or c.provider = any (providers))
     and (directions is null or c.direction = any (directions))
     and (sources is null or c.call_source = any (sources))
     and (temperatures is null or (a.id is not null and coalesce(a.lead_status_tag, 'untagged') = any (temperatures)))
     and (min_score is null or a.total_score >= min_score)
     and (max_score is null or a.total_score <= max_score)
     and (min_duration is null or c.duration_seconds >= min_duration)
     and (max_duration is null or c.duration_seconds <= max_duration)
     and (call_log_matches.has_transcript is null or (t.id is not null) = call_log_matches.has_transcript)
     and (has_analysis is null or (a.id is not null) = has_analysis)
     and (has_recording is null or (c.recording_url is not null) = has_recording)
     and (search is null
          or c.phone_number like '%' || regexp_replace(search, '[^0-9+]', '', 'g') || '%' and search ~ '^[0-9+ ().-]+$'
          or c.caller_name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%'
          or k.name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%')
     -- a lead figure needs an analysis: said first, so the planner joins only analysed calls and tests
     -- the figure on those (a plain condition on a constant figure, folded away for the other figures)
     and (figure is null or a.id is not null
          or not (figure = any (array['leads', 'qualified_leads', 'hot_leads', 'warm_leads', 'cold_leads', 'untagged_leads',
                                      'conversion_rate', 'calls_with_cta', 'cta_rate', 'cta_pricing', 'cta_demo', 'cta_followup',
                                      'cta_sample', 'cta_human_escalation', 'average_lead_score'])))
     and (figure is null or app_hidden.figure_calls(figure, d))
     and (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
     and (call_log_matches.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_matches.hour)
$$;
comment on function app_hidden.call_log_matches is 'THE call log filter: the tenant''s calls in [p_lo, p_hi) matching every given filter (null = any), each with its row, its sort key and its contribution to the measures. Used by app_public.call_log and app_hidden.call_log_export.';

-- 4. The page's two cheap parts as functions of their own with one cached plan each (their query
--    has one shape whatever the filters; planning them anew on every request cost more than
--    running them): the rows of given calls, and the measures of a range from the rollups.
create or replace function app_hidden.call_log_rows(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, p_ids uuid[], p_sort text
) returns app_public.call_log_row[]
  language plpgsql stable
  set plan_cache_mode = force_generic_plan
as $$
begin
  return array(
    select m.r
      from unnest(p_ids) with ordinality u(id, n)
      join lateral (
        select x.r
          from app_hidden.call_log_matches(p_user_id, p_tz, p_lo, p_hi, null, null, null, null, null, null, null, null,
                 null, null, null, null, null, null, null, null, null, null, p_sort) x
         where (x.r).call_id = u.id
      ) m on true
     order by u.n);
end
$$;
comment on function app_hidden.call_log_rows is 'The call log rows of the given calls (in [p_lo, p_hi)), in the order of p_ids (the page''s second step; one generic plan).';
grant execute on function app_hidden.call_log_rows to app_user;

create or replace function app_hidden.call_log_range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid)
  returns app_hidden.measures
  language plpgsql stable
  set plan_cache_mode = force_generic_plan
as $$
begin
  return (select b.measures from app_hidden.measures_by_bucket(p_user_id, p_from, p_to, p_agent_id, 'range') b);
end
$$;
comment on function app_hidden.call_log_range_measures is 'The measures of a tenant-local day range, of the tenant or one agent, from the rollups (rollup + pending deltas): the call log''s totals without other filters (one generic plan).';
grant execute on function app_hidden.call_log_range_measures to app_user;

-- 5. The page in two steps: first the ids of the page's calls, reading only what the filters need
--    (the row's other columns are not read, so their joins are removed; sorted by start time this is
--    an index scan that stops after the page), then the rows of those calls. Totals: a range,
--    optionally of one agent, without other filters is the rollups' (the same measures the
--    overview reads, exact at commit) unless retention purged calls of that range (then the
--    rollups hold calls the log no longer lists); any other filter sums the contributions of the
--    matching calls.
create or replace function app_public.call_log(
  from_date date default null, to_date date default null, agent_id uuid default null,
  outcomes text[] default null, statuses text[] default null, providers text[] default null,
  directions text[] default null, sources text[] default null, temperatures text[] default null,
  min_score integer default null, max_score integer default null,
  min_duration integer default null, max_duration integer default null,
  has_transcript boolean default null, has_analysis boolean default null, has_recording boolean default null,
  search text default null, figure text default null, iso_weekday integer default null, hour integer default null,
  sort text default 'started_at', descending boolean default true, after text default null,
  page_size integer default 50, with_totals boolean default true
) returns app_public.call_log_page
  language plpgsql stable
  -- custom plans: the filters not given fold away (and the joins they alone need with them), the sort key is one expression
  set plan_cache_mode = force_custom_plan
as $$
declare
  p record;
  v_ids uuid[];
  v_rows app_public.call_log_row[];
  v_totals app_public.call_log_totals;
  v_measures app_hidden.measures;
  v_sort text := coalesce(call_log.sort, 'started_at');
  v_desc boolean := coalesce(call_log.descending, true);
  -- the cursor's start time, widened by a millisecond: an index bound (the exact test is on the key)
  v_after_lo timestamptz;
  v_after_hi timestamptz;
begin
  if page_size is null or page_size < 1 or page_size > 500 then
    raise exception 'A page holds 1 to 500 calls.' using errcode = 'SB161';
  end if;
  select * into p from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions,
    sources, temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
    v_sort, after) x;

  if v_sort = 'started_at' then
    v_after_lo := to_timestamp(p.p_after_key::double precision) - interval '1 millisecond';
    v_after_hi := to_timestamp(p.p_after_key::double precision) + interval '1 millisecond';
    if v_desc then
      select array(
        select (m.r).call_id
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
         where p.p_after_key is null
            or ((m.r).started_at <= v_after_hi and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
         order by (m.r).started_at desc, (m.r).call_id desc
         limit page_size + 1) into v_ids;
    else
      select array(
        select (m.r).call_id
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
         where p.p_after_key is null
            or ((m.r).started_at >= v_after_lo and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
         order by (m.r).started_at, (m.r).call_id
         limit page_size + 1) into v_ids;
    end if;
  else
    select array(
      select (m.r).call_id
        from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
               providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
               has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
       where p.p_after_key is null
          or (v_desc and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
          or (not v_desc and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
       order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
       limit page_size + 1) into v_ids;
  end if;

  -- the rows of those calls, in that order (the same filter function builds them: one definition of a row)
  v_rows := app_hidden.call_log_rows(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, v_ids[1:page_size], v_sort);

  if with_totals then
    if outcomes is null and statuses is null and providers is null and directions is null and sources is null
       and temperatures is null and min_score is null and max_score is null and min_duration is null
       and max_duration is null and has_transcript is null and has_analysis is null and has_recording is null
       and p.p_search is null and figure is null and iso_weekday is null and call_log.hour is null
       and not exists (select 1 from app_hidden.purged_rollups g
                        where g.user_id = p.p_user_id and g.day between p.p_from and p.p_to) then
      v_measures := app_hidden.call_log_range_measures(p.p_user_id, p.p_from, p.p_to, agent_id);
    else
      v_measures := (
        select app_hidden.sum_deltas(array_agg(m.d))
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m);
    end if;
    v_measures := coalesce(v_measures, app_hidden.zero_measures());
    v_totals := row(v_measures.calls, v_measures.call_seconds, v_measures.credits_used,
                    app_hidden.kpi_figures(v_measures))::app_public.call_log_totals;
  end if;
  return row(p.p_from, p.p_to, p.p_timezone, v_rows,
             case when cardinality(v_ids) > page_size then (v_rows[page_size]).cursor end,
             v_totals)::app_public.call_log_page;
end
$$;
comment on function app_public.call_log is 'The call log: the business''s calls over tenant-local days fromDate..toDate (default: the last 30 days), filtered (each filter null = any; outcome in_progress = no final status yet; temperature untagged = analysed without a tag; search: digits of the phone number, or the caller''s or contact''s name; figure + isoWeekday/hour: the calls behind a dashboard figure, see app_hidden.figure_calls), sorted by started_at, duration, score or credits, keyset-paged (after = a row''s cursor), with the totals of the whole filtered set (withTotals: false leaves them out, e.g. when turning pages).';
