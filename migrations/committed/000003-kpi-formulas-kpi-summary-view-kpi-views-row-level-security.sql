--! Previous: sha1:95f93b85976496ee91daa3bac1a0ead70642338f
--! Hash: sha1:794fdadcf4bdfcdb68229e2ae19d973d8d02456c
--! Message: KPI formulas, kpi summary view, KPI views, row-level security

-- =============================================================================
-- 16. KPI formulas: each rate or average is defined once, here
-- =============================================================================
-- null where undefined (nothing to divide by), never a division by zero.
create function app_hidden.ratio(numerator numeric, denominator numeric) returns numeric
  language sql immutable parallel safe
as $$
  select case when denominator > 0 then round(numerator / denominator, 4) end
$$;
comment on function app_hidden.ratio(numeric, numeric) is 'numerator / denominator rounded to 4 places; null when the denominator is 0 or null.';

create function app_hidden.success_rate(successful bigint, failed bigint, unanswered bigint) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(successful, successful + failed + unanswered) $$;
comment on function app_hidden.success_rate(bigint, bigint, bigint) is 'Successful calls / calls that ended.';

create function app_hidden.answer_rate(successful bigint, unanswered bigint) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(successful, successful + unanswered) $$;
comment on function app_hidden.answer_rate(bigint, bigint) is 'Answered calls / calls that rang out (technical failures excluded).';

create function app_hidden.conversion_rate(qualified_leads bigint, leads bigint) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(qualified_leads, leads) $$;
comment on function app_hidden.conversion_rate(bigint, bigint) is 'Qualified leads / leads (analysed calls).';

create function app_hidden.cta_conversion_rate(calls_with_cta bigint, leads bigint) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(calls_with_cta, leads) $$;
comment on function app_hidden.cta_conversion_rate(bigint, bigint) is 'Analysed calls with any CTA interaction / analysed calls.';

create function app_hidden.average(total bigint, n bigint) returns numeric
  language sql immutable parallel safe
as $$ select case when n > 0 then round(total::numeric / n, 2) end $$;
comment on function app_hidden.average(bigint, bigint) is 'total / n rounded to 2 places (average duration, average scores); null when n is 0.';

grant execute on function app_hidden.ratio(numeric, numeric), app_hidden.success_rate(bigint, bigint, bigint),
  app_hidden.answer_rate(bigint, bigint), app_hidden.conversion_rate(bigint, bigint),
  app_hidden.cta_conversion_rate(bigint, bigint), app_hidden.average(bigint, bigint),
  app_hidden.qualified_score_threshold()
  to app_user;

-- =============================================================================
-- 17. user_kpi_summary materialized view (built on the rollups, never raw calls)
-- =============================================================================
create materialized view app_hidden.user_kpi_summary as
with tenants as (
  select u.id as user_id, app_hidden.tenant_today(u.timezone) as today from app_public.users u
), daily as (
  select t.user_id,
         sum(d.calls) filter (where d.day > t.today - 30)            as calls_30d,
         sum(d.successful_calls) filter (where d.day > t.today - 30) as successful_30d,
         sum(d.failed_calls) filter (where d.day > t.today - 30)     as failed_30d,
         sum(d.unanswered_calls) filter (where d.day > t.today - 30) as unanswered_30d,
         sum(d.talk_seconds) filter (where d.day > t.today - 30)     as talk_seconds_30d,
         sum(d.leads_generated) filter (where d.day > t.today - 30)  as leads_30d,
         sum(d.qualified_leads) filter (where d.day > t.today - 30)  as qualified_30d,
         sum(d.hot_leads) filter (where d.day > t.today - 30)        as hot_leads_30d,
         sum(d.calls_with_cta) filter (where d.day > t.today - 30)   as calls_with_cta_30d,
         sum(d.credits_used) filter (where d.day > t.today - 30)     as credits_30d,
         sum(d.calls) filter (where d.day > t.today - 7)             as calls_7d,
         sum(d.successful_calls) filter (where d.day > t.today - 7)  as successful_7d,
         sum(d.failed_calls) filter (where d.day > t.today - 7)      as failed_7d,
         sum(d.unanswered_calls) filter (where d.day > t.today - 7)  as unanswered_7d,
         sum(d.leads_generated) filter (where d.day > t.today - 7)   as leads_7d,
         sum(d.qualified_leads) filter (where d.day > t.today - 7)   as qualified_7d,
         sum(d.calls)            as calls_lifetime,
         sum(d.successful_calls) as successful_lifetime,
         sum(d.failed_calls)     as failed_lifetime,
         sum(d.unanswered_calls) as unanswered_lifetime,
         sum(d.talk_seconds)     as talk_seconds_lifetime,
         sum(d.leads_generated)  as leads_lifetime,
         sum(d.qualified_leads)  as qualified_lifetime,
         sum(d.credits_used)     as credits_lifetime,
         min(d.day) filter (where d.calls > 0) as first_call_day,
         max(d.day) filter (where d.calls > 0) as last_call_day
    from tenants t
    join app_public.tenant_daily_stats d on d.user_id = t.user_id
   group by t.user_id
), best as (
  -- Per tenant (LATERAL), so the tenant and day range reach the rollup's index
  -- instead of aggregating every agent's whole history first.
  select t.user_id, b.agent_id, b.successful, b.qualified
    from tenants t
    cross join lateral (
      select a.agent_id, sum(a.successful_calls) as successful, sum(a.qualified_leads) as qualified
        from app_public.agent_daily_stats a
       where a.user_id = t.user_id and a.day > t.today - 30
       group by a.agent_id
      having sum(a.calls) > 0
       order by sum(a.qualified_leads) desc, sum(a.successful_calls) desc, a.agent_id
       limit 1) b
), agents as (
  select g.user_id, count(*) as total_agents, count(*) filter (where g.is_active) as active_agents
    from app_public.agents g group by g.user_id
)
select t.user_id,
       coalesce(d.calls_30d, 0)::bigint          as calls_30d,
       coalesce(d.successful_30d, 0)::bigint     as successful_calls_30d,
       coalesce(d.failed_30d, 0)::bigint         as failed_calls_30d,
       coalesce(d.unanswered_30d, 0)::bigint     as unanswered_calls_30d,
       coalesce(d.talk_seconds_30d, 0)::bigint   as talk_seconds_30d,
       coalesce(d.leads_30d, 0)::bigint          as leads_30d,
       coalesce(d.qualified_30d, 0)::bigint      as qualified_leads_30d,
       coalesce(d.hot_leads_30d, 0)::bigint      as hot_leads_30d,
       coalesce(d.credits_30d, 0)::bigint        as credits_used_30d,
       app_hidden.success_rate(d.successful_30d::bigint, d.failed_30d::bigint, d.unanswered_30d::bigint) as success_rate_30d,
       app_hidden.answer_rate(d.successful_30d::bigint, d.unanswered_30d::bigint) as answer_rate_30d,
       app_hidden.conversion_rate(d.qualified_30d::bigint, d.leads_30d::bigint) as conversion_rate_30d,
       app_hidden.cta_conversion_rate(d.calls_with_cta_30d::bigint, d.leads_30d::bigint) as cta_conversion_rate_30d,
       app_hidden.average(d.talk_seconds_30d::bigint, d.successful_30d::bigint) as average_duration_seconds_30d,
       coalesce(d.calls_7d, 0)::bigint           as calls_7d,
       coalesce(d.successful_7d, 0)::bigint      as successful_calls_7d,
       coalesce(d.leads_7d, 0)::bigint           as leads_7d,
       coalesce(d.qualified_7d, 0)::bigint       as qualified_leads_7d,
       app_hidden.success_rate(d.successful_7d::bigint, d.failed_7d::bigint, d.unanswered_7d::bigint) as success_rate_7d,
       coalesce(d.calls_lifetime, 0)::bigint      as calls_lifetime,
       coalesce(d.successful_lifetime, 0)::bigint as successful_calls_lifetime,
       coalesce(d.talk_seconds_lifetime, 0)::bigint as talk_seconds_lifetime,
       coalesce(d.leads_lifetime, 0)::bigint      as leads_lifetime,
       coalesce(d.qualified_lifetime, 0)::bigint  as qualified_leads_lifetime,
       coalesce(d.credits_lifetime, 0)::bigint    as credits_used_lifetime,
       app_hidden.success_rate(d.successful_lifetime::bigint, d.failed_lifetime::bigint, d.unanswered_lifetime::bigint) as success_rate_lifetime,
       d.first_call_day,
       d.last_call_day,
       coalesce(g.total_agents, 0)::bigint       as total_agents,
       coalesce(g.active_agents, 0)::bigint      as active_agents,
       b.agent_id                                as best_agent_id,
       b.qualified::bigint                       as best_agent_qualified_leads_30d,
       b.successful::bigint                      as best_agent_successful_calls_30d,
       now()                                     as refreshed_at
  from tenants t
  left join daily d on d.user_id = t.user_id
  left join best b on b.user_id = t.user_id
  left join agents g on g.user_id = t.user_id;
create unique index user_kpi_summary_user_id_key on app_hidden.user_kpi_summary (user_id);
comment on materialized view app_hidden.user_kpi_summary is
  'Per tenant: 30-day rolling, 7-day and lifetime KPIs and the best agent (most qualified leads in 30 days), from the rollups. Refreshed concurrently every 5 minutes and shortly after data changes.';

create table app_private.mv_refresh_log (
  id           bigint generated always as identity primary key,
  view_name    text not null,
  started_at   timestamptz not null,
  duration_ms  numeric(12, 3) not null
);
create index mv_refresh_log_view_idx on app_private.mv_refresh_log (view_name, started_at);
comment on table app_private.mv_refresh_log is 'One row per materialized view refresh, with its duration.';

create function app_hidden.refresh_kpi_summary() returns numeric
  language plpgsql
as $$
declare
  started timestamptz := clock_timestamp();
  ms numeric;
begin
  if not pg_try_advisory_xact_lock(hashtextextended('switchboard.refresh_kpi_summary', 0)) then
    return null;  -- another refresh is running
  end if;
  refresh materialized view concurrently app_hidden.user_kpi_summary;
  ms := round(extract(epoch from clock_timestamp() - started)::numeric * 1000, 3);
  insert into app_private.mv_refresh_log (view_name, started_at, duration_ms)
    values ('user_kpi_summary', started, ms);
  return ms;
end
$$;
comment on function app_hidden.refresh_kpi_summary() is 'Refreshes user_kpi_summary concurrently and logs the duration (ms, returned).';

create function app_hidden.request_kpi_refresh() returns void
  language plpgsql
as $$
begin
  -- Debounced: the first change schedules a refresh 5 s later; changes until
  -- then join it (preserve_run_at keeps the earlier time).
  if to_regnamespace('graphile_worker') is not null then
    perform graphile_worker.add_job('kpi__refresh', '{}'::json,
                                    queue_name := 'kpi__refresh',
                                    job_key := 'kpi__refresh',
                                    run_at := now() + interval '5 seconds',
                                    job_key_mode := 'preserve_run_at');
  end if;
end
$$;
comment on function app_hidden.request_kpi_refresh() is 'Schedules a debounced user_kpi_summary refresh through graphile-worker.';

create view app_public.kpi_summaries as
  select s.* from app_hidden.user_kpi_summary s
   where s.user_id = app_public.current_user_id() or app_public.current_user_is_admin();
comment on view app_public.kpi_summaries is
  'The materialized KPI summary: the current tenant''s row; platform admins see every tenant.';

create view app_public.data_freshness as
  select (select max(l.compacted_at) from app_private.rollup_compaction_log l) as rollups_compacted_at,
         (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary') as kpi_summary_refreshed_at;
comment on view app_public.data_freshness is
  'When the rollups were last compacted and the KPI summary last refreshed (rollup-backed KPIs also include pending deltas, so they are always current).';

-- =============================================================================
-- 18. KPI views on the rollups (security_invoker: RLS of the rollups applies)
-- =============================================================================
create view app_public.agent_performance with (security_invoker = true) as
with t as (
  select g.id as agent_id, g.user_id, g.name, g.is_active, app_hidden.tenant_today(u.timezone) as today
    from app_public.agents g join app_public.users u on u.id = g.user_id
), s as (
  select t.agent_id,
         sum(d.calls) filter (where d.day = t.today) as calls_today,
         sum(d.successful_calls) filter (where d.day = t.today) as successful_today,
         sum(d.failed_calls) filter (where d.day = t.today) as failed_today,
         sum(d.unanswered_calls) filter (where d.day = t.today) as unanswered_today,
         sum(d.leads_generated) filter (where d.day = t.today) as leads_today,
         sum(d.qualified_leads) filter (where d.day = t.today) as qualified_today,
         sum(d.calls) filter (where d.day >= date_trunc('month', t.today)) as calls_month,
         sum(d.successful_calls) filter (where d.day >= date_trunc('month', t.today)) as successful_month,
         sum(d.failed_calls) filter (where d.day >= date_trunc('month', t.today)) as failed_month,
         sum(d.unanswered_calls) filter (where d.day >= date_trunc('month', t.today)) as unanswered_month,
         sum(d.leads_generated) filter (where d.day >= date_trunc('month', t.today)) as leads_month,
         sum(d.qualified_leads) filter (where d.day >= date_trunc('month', t.today)) as qualified_month,
         sum(d.talk_seconds) filter (where d.day >= date_trunc('month', t.today)) as talk_seconds_month,
         sum(d.calls) as calls_lifetime,
         sum(d.successful_calls) as successful_lifetime,
         sum(d.failed_calls) as failed_lifetime,
         sum(d.unanswered_calls) as unanswered_lifetime,
         sum(d.leads_generated) as leads_lifetime,
         sum(d.qualified_leads) as qualified_lifetime,
         sum(d.talk_seconds) as talk_seconds_lifetime
    from t join app_public.agent_daily_stats d on d.agent_id = t.agent_id and d.user_id = t.user_id
   group by t.agent_id
)
select t.agent_id, t.user_id, t.name, t.is_active,
       coalesce(s.calls_today, 0)::bigint as calls_today,
       coalesce(s.successful_today, 0)::bigint as successful_calls_today,
       coalesce(s.qualified_today, 0)::bigint as qualified_leads_today,
       app_hidden.success_rate(s.successful_today::bigint, s.failed_today::bigint, s.unanswered_today::bigint) as success_rate_today,
       coalesce(s.calls_month, 0)::bigint as calls_this_month,
       coalesce(s.successful_month, 0)::bigint as successful_calls_this_month,
       coalesce(s.leads_month, 0)::bigint as leads_this_month,
       coalesce(s.qualified_month, 0)::bigint as qualified_leads_this_month,
       app_hidden.success_rate(s.successful_month::bigint, s.failed_month::bigint, s.unanswered_month::bigint) as success_rate_this_month,
       app_hidden.conversion_rate(s.qualified_month::bigint, s.leads_month::bigint) as conversion_rate_this_month,
       app_hidden.average(s.talk_seconds_month::bigint, s.successful_month::bigint) as average_duration_seconds_this_month,
       coalesce(s.calls_lifetime, 0)::bigint as calls_lifetime,
       coalesce(s.successful_lifetime, 0)::bigint as successful_calls_lifetime,
       coalesce(s.leads_lifetime, 0)::bigint as leads_lifetime,
       coalesce(s.qualified_lifetime, 0)::bigint as qualified_leads_lifetime,
       app_hidden.success_rate(s.successful_lifetime::bigint, s.failed_lifetime::bigint, s.unanswered_lifetime::bigint) as success_rate_lifetime,
       app_hidden.conversion_rate(s.qualified_lifetime::bigint, s.leads_lifetime::bigint) as conversion_rate_lifetime,
       app_hidden.average(s.talk_seconds_lifetime::bigint, s.successful_lifetime::bigint) as average_duration_seconds_lifetime
  from t left join s on s.agent_id = t.agent_id;
comment on view app_public.agent_performance is 'Per agent: today, this month and lifetime figures (tenant-local days), from the rollups.';

create view app_public.call_source_analytics with (security_invoker = true) as
select d.user_id, d.day, v.call_source, v.calls,
       app_hidden.ratio(v.calls, d.calls) as share_of_calls
  from app_public.tenant_daily_stats d
  cross join lateral (values ('phone', d.phone_calls), ('internet', d.internet_calls),
                             ('unknown', d.unknown_source_calls)) v(call_source, calls);
comment on view app_public.call_source_analytics is 'Calls per tenant-local day and call source, with the share of the day''s calls.';

create view app_public.period_analytics with (security_invoker = true) as
select d.user_id, p.period_type,
       date_trunc(p.period_type, d.day)::date as period_start,
       sum(d.calls)::bigint as calls,
       sum(d.successful_calls)::bigint as successful_calls,
       sum(d.failed_calls)::bigint as failed_calls,
       sum(d.unanswered_calls)::bigint as unanswered_calls,
       sum(d.talk_seconds)::bigint as talk_seconds,
       sum(d.credits_used)::bigint as credits_used,
       sum(d.inbound_calls)::bigint as inbound_calls,
       sum(d.outbound_calls)::bigint as outbound_calls,
       sum(d.leads_generated)::bigint as leads_generated,
       sum(d.qualified_leads)::bigint as qualified_leads,
       sum(d.hot_leads)::bigint as hot_leads,
       sum(d.warm_leads)::bigint as warm_leads,
       sum(d.cold_leads)::bigint as cold_leads,
       sum(d.calls_with_cta)::bigint as calls_with_cta,
       app_hidden.success_rate(sum(d.successful_calls)::bigint, sum(d.failed_calls)::bigint, sum(d.unanswered_calls)::bigint) as success_rate,
       app_hidden.answer_rate(sum(d.successful_calls)::bigint, sum(d.unanswered_calls)::bigint) as answer_rate,
       app_hidden.conversion_rate(sum(d.qualified_leads)::bigint, sum(d.leads_generated)::bigint) as conversion_rate,
       app_hidden.cta_conversion_rate(sum(d.calls_with_cta)::bigint, sum(d.leads_generated)::bigint) as cta_conversion_rate,
       app_hidden.average(sum(d.talk_seconds)::bigint, sum(d.successful_calls)::bigint) as average_duration_seconds
  from app_public.tenant_daily_stats d
  cross join (values ('day'), ('week'), ('month')) p(period_type)
 group by d.user_id, p.period_type, date_trunc(p.period_type, d.day);
comment on view app_public.period_analytics is
  'Per tenant and day, ISO week or month (tenant-local): totals and rates (the seed''s call_analytics_cache, computed from the rollups).';

create view app_public.agent_trends with (security_invoker = true) as
with t as (
  select g.id as agent_id, g.user_id, app_hidden.tenant_today(u.timezone) as today
    from app_public.agents g join app_public.users u on u.id = g.user_id
), w as (
  select t.agent_id, t.user_id, p.period_type, p.days,
         sum(d.calls) filter (where d.day > t.today - p.days) as calls_cur,
         sum(d.calls) filter (where d.day <= t.today - p.days) as calls_prev,
         sum(d.successful_calls) filter (where d.day > t.today - p.days) as succ_cur,
         sum(d.successful_calls) filter (where d.day <= t.today - p.days) as succ_prev,
         sum(d.failed_calls + d.unanswered_calls) filter (where d.day > t.today - p.days) as miss_cur,
         sum(d.failed_calls + d.unanswered_calls) filter (where d.day <= t.today - p.days) as miss_prev,
         sum(d.qualified_leads) filter (where d.day > t.today - p.days) as qual_cur,
         sum(d.qualified_leads) filter (where d.day <= t.today - p.days) as qual_prev
    from t
    cross join (values ('7d', 7), ('30d', 30)) p(period_type, days)
    left join app_public.agent_daily_stats d
      on d.agent_id = t.agent_id and d.user_id = t.user_id and d.day > t.today - 2 * p.days
   group by t.agent_id, t.user_id, p.period_type, p.days
)
select w.agent_id, w.user_id, w.period_type,
       coalesce(w.calls_cur, 0)::bigint as calls, coalesce(w.calls_prev, 0)::bigint as calls_previous,
       app_hidden.ratio(w.calls_cur - w.calls_prev, w.calls_prev) as calls_change,
       coalesce(w.succ_cur, 0)::bigint as successful_calls, coalesce(w.succ_prev, 0)::bigint as successful_calls_previous,
       app_hidden.ratio(w.succ_cur - w.succ_prev, w.succ_prev) as successful_calls_change,
       app_hidden.success_rate(w.succ_cur::bigint, w.miss_cur::bigint, 0) as success_rate,
       app_hidden.success_rate(w.succ_prev::bigint, w.miss_prev::bigint, 0) as success_rate_previous,
       coalesce(w.qual_cur, 0)::bigint as qualified_leads, coalesce(w.qual_prev, 0)::bigint as qualified_leads_previous,
       app_hidden.ratio(w.qual_cur - w.qual_prev, w.qual_prev) as qualified_leads_change,
       rank() over (partition by w.user_id, w.period_type
                    order by coalesce(w.qual_cur, 0) desc, coalesce(w.succ_cur, 0) desc) as performance_rank
  from w;
comment on view app_public.agent_trends is
  'Per agent, the last 7 or 30 tenant-local days against the period before: changes (as fractions) and rank among the tenant''s agents.';

create view app_public.agent_target_progress with (security_invoker = true) as
with p as (
  select tg.*,
         (tg.period_start + case tg.period_type when 'day' then interval '1 day'
                                               when 'week' then interval '1 week'
                                               else interval '1 month' end)::date as period_end
    from app_public.agent_targets tg
), a as (
  select p.id,
         sum(d.calls)::bigint as calls, sum(d.successful_calls)::bigint as successful_calls,
         sum(d.failed_calls)::bigint as failed_calls, sum(d.unanswered_calls)::bigint as unanswered_calls,
         sum(d.leads_generated)::bigint as leads, sum(d.qualified_leads)::bigint as qualified_leads
    from p join app_public.agent_daily_stats d
      on d.agent_id = p.agent_id and d.user_id = p.user_id and d.day >= p.period_start and d.day < p.period_end
   group by p.id
)
select p.id as target_id, p.user_id, p.agent_id, p.period_type, p.period_start, p.period_end,
       p.target_calls, coalesce(a.calls, 0) as actual_calls,
       app_hidden.ratio(coalesce(a.calls, 0), p.target_calls) as calls_achievement,
       p.target_successful_calls, coalesce(a.successful_calls, 0) as actual_successful_calls,
       app_hidden.ratio(coalesce(a.successful_calls, 0), p.target_successful_calls) as successful_calls_achievement,
       p.target_leads, coalesce(a.leads, 0) as actual_leads,
       app_hidden.ratio(coalesce(a.leads, 0), p.target_leads) as leads_achievement,
       p.target_qualified_leads, coalesce(a.qualified_leads, 0) as actual_qualified_leads,
       app_hidden.ratio(coalesce(a.qualified_leads, 0), p.target_qualified_leads) as qualified_leads_achievement,
       p.target_success_rate,
       app_hidden.success_rate(a.successful_calls, a.failed_calls, a.unanswered_calls) as actual_success_rate,
       p.target_conversion_rate,
       app_hidden.conversion_rate(a.qualified_leads, a.leads) as actual_conversion_rate
  from p left join a on a.id = p.id;
comment on view app_public.agent_target_progress is 'Each agent target next to the actual figures for its period and the achievement (actual / target).';
-- =============================================================================
-- 19. Row-level security and grants
-- =============================================================================
-- Every tenant table: RLS on, one policy per command for app_user keyed on
-- user_id (app_admin inherits app_user, so admins are tenants of their own
-- rows too). Admins additionally read tenants, agents and KPI rollups.
do $$
declare
  t text;
begin
  foreach t in array array[
    'app_public.agents', 'app_public.phone_numbers', 'app_public.contacts', 'app_public.calls',
    'app_public.transcripts', 'app_public.lead_analytics', 'app_public.credit_transactions',
    'app_public.follow_ups', 'app_public.customers', 'app_public.agent_targets',
    'app_public.agent_analytics', 'app_public.user_analytics', 'app_public.user_hourly_analytics',
    'app_hidden.rollup_deltas', 'app_hidden.purged_rollups', 'app_hidden.credit_charges']
  loop
    execute format('alter table %s enable row level security', t);
    execute format('create policy select_own on %s for select to app_user using (user_id = (select app_public.current_user_id()))', t);
    execute format('create policy insert_own on %s for insert to app_user with check (user_id = (select app_public.current_user_id()))', t);
    execute format('create policy update_own on %s for update to app_user using (user_id = (select app_public.current_user_id())) with check (user_id = (select app_public.current_user_id()))', t);
    execute format('create policy delete_own on %s for delete to app_user using (user_id = (select app_public.current_user_id()))', t);
  end loop;
  foreach t in array array[
    'app_public.agents', 'app_public.agent_analytics', 'app_public.user_analytics',
    'app_public.user_hourly_analytics', 'app_hidden.rollup_deltas']
  loop
    execute format('create policy select_all_admin on %s for select to app_admin using (true)', t);
  end loop;
end
$$;

alter table app_public.users enable row level security;
create policy select_own on app_public.users for select to app_user using (id = (select app_public.current_user_id()));
create policy update_own on app_public.users for update to app_user
  using (id = (select app_public.current_user_id())) with check (id = (select app_public.current_user_id()));
create policy select_all_admin on app_public.users for select to app_admin using (true);

-- Table privileges (column lists for writes: no one writes ids, tenants or derived columns).
grant select on app_public.users to app_user;
grant update (name, timezone, analysis_prompt_individual, analysis_prompt_complete) on app_public.users to app_user;

grant select, delete on app_public.agents to app_user;
grant insert (user_id, provider, provider_agent_id, name, agent_type, description, is_active, config) on app_public.agents to app_user;
grant update (name, agent_type, description, is_active, config) on app_public.agents to app_user;

grant select, delete on app_public.phone_numbers to app_user;
grant insert (user_id, agent_id, name, phone_number, is_active) on app_public.phone_numbers to app_user;
grant update (agent_id, name, is_active) on app_public.phone_numbers to app_user;

grant select, delete on app_public.contacts to app_user;
grant insert (user_id, phone_number, name, email, company, notes, is_customer) on app_public.contacts to app_user;
grant update (name, email, company, notes, is_customer) on app_public.contacts to app_user;

grant select on app_public.calls, app_public.transcripts, app_public.credit_transactions to app_user;
grant select on app_public.lead_analytics to app_user;
grant update (is_read) on app_public.lead_analytics to app_user;

grant select, delete on app_public.follow_ups to app_user;
grant insert (user_id, contact_id, lead_phone, lead_email, lead_name, follow_up_date, remark) on app_public.follow_ups to app_user;
grant update (follow_up_date, remark, status, lead_name, lead_email) on app_public.follow_ups to app_user;

grant select, delete on app_public.customers to app_user;
grant insert (user_id, contact_id, name, email, phone, company, status, conversion_date, original_lead_source,
              assigned_sales_rep, last_interaction_date, notes) on app_public.customers to app_user;
grant update (name, email, phone, company, status, original_lead_source, assigned_sales_rep,
              last_interaction_date, notes) on app_public.customers to app_user;

grant select, delete on app_public.agent_targets to app_user;
grant insert (user_id, agent_id, period_type, period_start, target_calls, target_successful_calls, target_leads,
              target_qualified_leads, target_success_rate, target_conversion_rate) on app_public.agent_targets to app_user;
grant update (target_calls, target_successful_calls, target_leads, target_qualified_leads, target_success_rate,
              target_conversion_rate) on app_public.agent_targets to app_user;

-- Rollups and KPI views are read-only for everyone but the owner.
grant select on app_public.agent_analytics, app_public.user_analytics, app_public.user_hourly_analytics,
  app_hidden.rollup_deltas to app_user;
-- (read by users_available_credits, which runs with the caller's rights)
grant select on app_hidden.credit_charges to app_user;
grant select on app_public.agent_daily_stats, app_public.tenant_daily_stats, app_public.tenant_hourly_stats,
  app_public.kpi_summaries, app_public.data_freshness, app_public.agent_performance,
  app_public.call_source_analytics, app_public.period_analytics, app_public.agent_trends,
  app_public.agent_target_progress to app_user;

grant execute on function app_public.users_available_credits(app_public.users) to app_user;

-- verification is for operators
grant usage on schema app_hidden to app_admin;
grant execute on function app_hidden.verify_rollups(uuid, date, date) to app_admin;
