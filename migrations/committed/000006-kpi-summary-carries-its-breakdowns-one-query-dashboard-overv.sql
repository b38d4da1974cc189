--! Previous: sha1:952f37cf6a7af542817f083b41637ca1aaf94741
--! Hash: sha1:4ca95cf2ab9848ea18c24e1c68ebcf2d3e4195f8
--! Message: KPI summary carries its breakdowns; one-query dashboard overview and agent page; KPI functions planned once per connection

-- =============================================================================
-- 27. Breakdowns inside the KPI summary
-- =============================================================================
-- The lead temperature, CTA funnel and call-source breakdowns of a range are
-- derived from the same summed measures as the summary: defined once here as
-- functions of the measures, returned by the standalone fields and inside
-- kpiSummary (the dashboard's overview then reads the rollups once for all four).
create function app_hidden.lead_temperature_rows(m app_hidden.measures) returns app_public.kpi_breakdown_row[]
  language sql immutable parallel safe
as $$
  select array[
    row('hot', 'Hot', m.hot_leads, app_hidden.ratio(m.hot_leads, m.leads_generated)),
    row('warm', 'Warm', m.warm_leads, app_hidden.ratio(m.warm_leads, m.leads_generated)),
    row('cold', 'Cold', m.cold_leads, app_hidden.ratio(m.cold_leads, m.leads_generated)),
    row('unscored', 'Not tagged', m.leads_generated - m.hot_leads - m.warm_leads - m.cold_leads,
        app_hidden.ratio(m.leads_generated - m.hot_leads - m.warm_leads - m.cold_leads, m.leads_generated))
  ]::app_public.kpi_breakdown_row[]
$$;
comment on function app_hidden.lead_temperature_rows(app_hidden.measures) is 'Leads by tag (hot, warm, cold, untagged) with shares of all leads.';

create function app_hidden.cta_funnel_rows(m app_hidden.measures) returns app_public.kpi_breakdown_row[]
  language sql immutable parallel safe
as $$
  select array[
    row('leads', 'Leads', m.leads_generated, app_hidden.ratio(m.leads_generated, m.leads_generated)),
    row('pricing', 'Asked for pricing', m.cta_pricing, app_hidden.ratio(m.cta_pricing, m.leads_generated)),
    row('demo', 'Asked for a demo', m.cta_demo, app_hidden.ratio(m.cta_demo, m.leads_generated)),
    row('followup', 'Agreed to a follow-up', m.cta_followup, app_hidden.ratio(m.cta_followup, m.leads_generated)),
    row('human_escalation', 'Escalated to a human', m.cta_human_escalation, app_hidden.ratio(m.cta_human_escalation, m.leads_generated)),
    row('sample', 'Asked for a sample', m.cta_sample, app_hidden.ratio(m.cta_sample, m.leads_generated)),
    row('any_cta', 'Any call to action', m.calls_with_cta, app_hidden.ratio(m.calls_with_cta, m.leads_generated))
  ]::app_public.kpi_breakdown_row[]
$$;
comment on function app_hidden.cta_funnel_rows(app_hidden.measures) is 'The CTA funnel steps with shares of leads.';

create function app_hidden.call_source_rows(m app_hidden.measures) returns app_public.kpi_breakdown_row[]
  language sql immutable parallel safe
as $$
  select array[
    row('phone', 'Phone', m.phone_calls, app_hidden.ratio(m.phone_calls, m.calls)),
    row('internet', 'Web call', m.internet_calls, app_hidden.ratio(m.internet_calls, m.calls)),
    row('unknown', 'Unknown', m.unknown_source_calls, app_hidden.ratio(m.unknown_source_calls, m.calls))
  ]::app_public.kpi_breakdown_row[]
$$;
comment on function app_hidden.call_source_rows(app_hidden.measures) is 'Calls by source with shares of all calls.';

create or replace function app_public.lead_temperature(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(lead_temperature.from_date, lead_temperature.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, lead_temperature.agent_id) m,
         lateral unnest(app_hidden.lead_temperature_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$$;

create or replace function app_public.cta_funnel(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(cta_funnel.from_date, cta_funnel.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, cta_funnel.agent_id) m,
         lateral unnest(app_hidden.cta_funnel_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$$;

create or replace function app_public.call_source_breakdown(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(call_source_breakdown.from_date, call_source_breakdown.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, call_source_breakdown.agent_id) m,
         lateral unnest(app_hidden.call_source_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$$;

alter type app_public.kpi_range_summary
  add attribute lead_temperature app_public.kpi_breakdown_row[],
  add attribute cta_funnel app_public.kpi_breakdown_row[],
  add attribute call_sources app_public.kpi_breakdown_row[];
comment on column app_public.kpi_range_summary.lead_temperature is 'The current period''s leads by hot / warm / cold tag (as leadTemperature).';
comment on column app_public.kpi_range_summary.cta_funnel is 'The current period''s call-to-action funnel (as ctaFunnel).';
comment on column app_public.kpi_range_summary.call_sources is 'The current period''s calls by source (as callSourceBreakdown).';

create or replace function app_public.kpi_summary(from_date date default null, to_date date default null, agent_id uuid default null)
  returns app_public.kpi_range_summary
  language sql stable
as $$
  select r.from_date, r.to_date,
         r.from_date - (r.to_date - r.from_date + 1), r.from_date - 1,
         r.timezone,
         app_hidden.kpi_figures(cur.m), app_hidden.kpi_figures(prev.m),
         app_hidden.kpi_changes(app_hidden.kpi_figures(cur.m), app_hidden.kpi_figures(prev.m)),
         (select app_public.users_available_credits(u) from app_public.users u where u.id = r.user_id),
         app_hidden.lead_temperature_rows(cur.m), app_hidden.cta_funnel_rows(cur.m), app_hidden.call_source_rows(cur.m)
    from app_hidden.kpi_range(kpi_summary.from_date, kpi_summary.to_date) r
    cross join lateral (select app_hidden.range_measures(r.user_id, r.from_date, r.to_date, kpi_summary.agent_id) as m) cur
    cross join lateral (select app_hidden.range_measures(r.user_id, r.from_date - (r.to_date - r.from_date + 1),
                                                         r.from_date - 1, kpi_summary.agent_id) as m) prev
$$;

grant execute on function app_hidden.lead_temperature_rows(app_hidden.measures), app_hidden.cta_funnel_rows(app_hidden.measures),
  app_hidden.call_source_rows(app_hidden.measures) to app_user;

-- =============================================================================
-- 28. One round trip per dashboard page
-- =============================================================================
-- The overview and the agent page each read several KPI functions; over
-- GraphQL every root field is its own transaction (begin, settings, query,
-- commit). These page-shaped fields return the same functions' results in one
-- query. They add no arithmetic: each attribute is one of the fields above.
create type app_public.dashboard_overview as (
  summary      app_public.kpi_range_summary,
  daily        app_public.kpi_series_point[],
  leaderboard  app_public.agent_leaderboard_row[],
  hourly       app_public.kpi_hour_cell[],
  freshness    app_public.data_freshness
);
comment on type app_public.dashboard_overview is
  'Everything the overview page shows for a date range, in one query: kpiSummary, daily kpiSeries, agentLeaderboard, kpiHourlyMatrix and dataFreshness.';

create function app_public.dashboard_overview(from_date date default null, to_date date default null)
  returns app_public.dashboard_overview
  language sql stable
as $$
  select app_public.kpi_summary(r.from_date, r.to_date),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day') s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         array(select h from app_public.kpi_hourly_matrix(r.from_date, r.to_date) h),
         app_public.data_freshness()
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$$;
comment on function app_public.dashboard_overview(date, date) is
  'The overview page for tenant-local days fromDate..toDate (default: the last 30 days, at most 366) in one query.';

create type app_public.agent_overview as (
  summary  app_public.kpi_range_summary,
  daily    app_public.kpi_series_point[],
  targets  app_public.agent_target_progress[]
);
comment on type app_public.agent_overview is 'An agent''s page in one query: kpiSummary, daily kpiSeries and targetsVsActuals for that agent.';

create function app_public.agent_overview(agent_id uuid, from_date date default null, to_date date default null)
  returns app_public.agent_overview
  language sql stable
as $$
  select app_public.kpi_summary(r.from_date, r.to_date, agent_overview.agent_id),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day', agent_overview.agent_id) s),
         array(select t from app_public.targets_vs_actuals(r.from_date, r.to_date, agent_overview.agent_id) t)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$$;
comment on function app_public.agent_overview(uuid, date, date) is
  'One agent''s page for tenant-local days fromDate..toDate (default: the last 30 days) in one query; zeros for an agent that is not the tenant''s.';

grant execute on function app_public.dashboard_overview(date, date), app_public.agent_overview(uuid, date, date) to app_user;

-- =============================================================================
-- 29. Plan the KPI functions once per connection
-- =============================================================================
-- Inlined into the caller, a KPI function's CTEs were planned again on every
-- call (5.7 ms of planning for a 1.5 ms leaderboard on the heaviest bench
-- tenant). A SET clause keeps each function out of line, and generic plans
-- let its statements be planned once per connection and reused: the same
-- plan fits every tenant, since each reads one tenant's index range.
alter function app_public.kpi_summary(date, date, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.kpi_series(date, date, app_public.kpi_granularity, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.kpi_hourly_matrix(date, date) set plan_cache_mode = force_generic_plan;
alter function app_public.agent_leaderboard(date, date) set plan_cache_mode = force_generic_plan;
alter function app_public.lead_temperature(date, date, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.cta_funnel(date, date, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.call_source_breakdown(date, date, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.targets_vs_actuals(date, date, uuid) set plan_cache_mode = force_generic_plan;
alter function app_public.dashboard_overview(date, date) set plan_cache_mode = force_generic_plan;
alter function app_public.agent_overview(uuid, date, date) set plan_cache_mode = force_generic_plan;
