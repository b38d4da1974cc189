--! Previous: sha1:24206721319059df6216662c9fd988f68e00988a
--! Hash: sha1:5053d6d56a45ef930e7b3579d351cef0f5c57d90
--! Message: Cheaper dashboard reads: kpi_summary measures evaluated once, leaderboard sparklines joined on the day index, the agent page's agent inside agentOverview

-- =============================================================================
-- 38. Cheaper dashboard reads (measured with track_functions on the 1M bench data)
-- =============================================================================
-- (a) kpi_summary referenced `cur.m` five times and `prev.m` twice through
-- LATERAL subqueries that the planner flattened, so range_measures ran seven
-- times per call instead of two (1.2 of the overview's 5.8 ms). OFFSET 0 keeps
-- each subquery a single evaluation; the figures are computed once too.
create or replace function app_public.kpi_summary(from_date date default null, to_date date default null, agent_id uuid default null)
  returns app_public.kpi_range_summary
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select x.from_date, x.to_date, x.previous_from_date, x.previous_to_date, x.timezone,
         x.cur_f, x.prev_f, app_hidden.kpi_changes(x.cur_f, x.prev_f),
         x.credits_available,
         app_hidden.lead_temperature_rows(x.cur_m), app_hidden.cta_funnel_rows(x.cur_m), app_hidden.call_source_rows(x.cur_m)
    from (
      select m.*, app_hidden.kpi_figures(m.cur_m) as cur_f, app_hidden.kpi_figures(m.prev_m) as prev_f
        from (
          select r.from_date, r.to_date,
                 r.from_date - (r.to_date - r.from_date + 1) as previous_from_date, r.from_date - 1 as previous_to_date,
                 r.timezone,
                 (select app_public.users_available_credits(u) from app_public.users u where u.id = r.user_id) as credits_available,
                 app_hidden.range_measures(r.user_id, r.from_date, r.to_date, kpi_summary.agent_id) as cur_m,
                 app_hidden.range_measures(r.user_id, r.from_date - (r.to_date - r.from_date + 1),
                                           r.from_date - 1, kpi_summary.agent_id) as prev_m
            from app_hidden.kpi_range(kpi_summary.from_date, kpi_summary.to_date) r
          offset 0) m
      offset 0) x
$$;

-- (b) The leaderboard's sparklines joined the agent x day grid to the daily
-- sums on the agent only (the day was a cast expression, so it became a join
-- filter over every pair: 2,000 rows thrown away for 150 kept), and its rank
-- re-derived each agent's figures from the 35 sums for every sort key. The
-- grid now joins on (agent, day index) and the figures are computed once.
create or replace function app_public.agent_leaderboard(from_date date default null, to_date date default null)
  returns setof app_public.agent_leaderboard_row
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  with r as (select * from app_hidden.kpi_range(agent_leaderboard.from_date, agent_leaderboard.to_date, 366)),
  totals as (select t.agent_id, t.measures from r, app_hidden.agent_measures(r.user_id, r.from_date, r.to_date) t),
  daily as (
    select x.agent_id, x.day - r.from_date as i, sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful
      from r, lateral (
        select a.agent_id, a.day, a.calls, a.successful_calls from app_public.agent_analytics a
         where a.user_id = r.user_id and a.day between r.from_date and r.to_date
        union all
        select d.agent_id, d.day, d.calls, d.successful_calls from app_hidden.rollup_deltas d
         where d.user_id = r.user_id and d.day between r.from_date and r.to_date
           and (d.target is null or d.target = 'agent_day')) x
     group by x.agent_id, x.day - r.from_date
  ),
  sparklines as (
    select g.id as agent_id,
           array_agg(coalesce(d.calls, 0) order by days.i) as daily_calls,
           array_agg(coalesce(d.successful, 0) order by days.i) as daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      cross join lateral generate_series(0, r.to_date - r.from_date) days(i)
      left join daily d on d.agent_id = g.id and d.i = days.i
     group by g.id
  ),
  per_agent as materialized (
    select g.id as agent_id, g.name, g.is_active,
           app_hidden.kpi_figures(coalesce(t.measures, app_hidden.zero_measures())) as f,
           s.daily_calls, s.daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      left join totals t on t.agent_id = g.id
      left join sparklines s on s.agent_id = g.id
  )
  select a.agent_id, a.name, a.is_active,
         rank() over (order by (a.f).qualified_leads desc, (a.f).successful_calls desc, (a.f).calls desc)::integer,
         a.f, a.daily_calls, a.daily_successful
    from per_agent a
   order by 4, a.name, a.agent_id
$$;

-- (c) The agent page asked agentByRowId beside agentOverview for the agent's
-- name: a second root field, so a second transaction (begin, settings, query,
-- commit) per page view. agentOverview now carries the agent itself; null when
-- the id is not one of the tenant's agents (the page says "not found").
create type app_public.agent_brief as (
  agent_id  uuid,
  name      text,
  is_active boolean
);
comment on type app_public.agent_brief is 'An agent''s id, name and whether it is active.';

alter type app_public.agent_overview add attribute agent app_public.agent_brief;
comment on column app_public.agent_overview.agent is 'The agent this page is about; null when the id is not one of your agents.';

create or replace function app_public.agent_overview(agent_id uuid, from_date date default null, to_date date default null)
  returns app_public.agent_overview
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_public.kpi_summary(r.from_date, r.to_date, agent_overview.agent_id),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day', agent_overview.agent_id) s),
         array(select row(t.*)::app_public.target_progress_item
                 from app_public.targets_vs_actuals(r.from_date, r.to_date, agent_overview.agent_id) t),
         array(select row(c.id, c.started_at, c.status, c.outcome, c.direction, c.call_source, c.duration_seconds,
                          c.phone_number, c.caller_name, t.id is not null, t.analysis_status, a.total_score,
                          a.lead_status_tag, a.smart_notification)::app_public.recent_call_item
                 from (select c.* from app_public.calls c
                        where c.agent_id = agent_overview.agent_id and c.user_id = r.user_id
                        order by c.started_at desc, c.id desc
                        limit 20) c
                 left join app_public.transcripts t on t.call_id = c.id
                 left join app_public.lead_analytics a on a.call_id = c.id
                order by c.started_at desc, c.id desc),
         (select row(g.id, g.name, g.is_active)::app_public.agent_brief
            from app_public.agents g
           where g.id = agent_overview.agent_id and g.user_id = r.user_id)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$$;
