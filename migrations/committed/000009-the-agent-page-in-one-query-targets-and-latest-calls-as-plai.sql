--! Previous: sha1:f4d12d8e7bba4114423ba6b814a2f9b0109e1991
--! Hash: sha1:a7258042f9003c787656784b03d0c8c85b27bdd6
--! Message: The agent page in one query: targets and latest calls as plain composites

-- =============================================================================
-- 32. The agent page in one query
-- =============================================================================
-- Its targets and recent calls as plain composites (arrays of view or table
-- rows would be re-read by PostGraphile, in primary-key order). A target
-- item has the columns of agent_target_progress, in the same order.
create type app_public.target_progress_item as (
  target_id uuid,
  user_id uuid,
  agent_id uuid,
  period_type text,
  period_start date,
  period_end date,
  target_calls integer,
  actual_calls bigint,
  calls_achievement numeric,
  target_successful_calls integer,
  actual_successful_calls bigint,
  successful_calls_achievement numeric,
  target_leads integer,
  actual_leads bigint,
  leads_achievement numeric,
  target_qualified_leads integer,
  actual_qualified_leads bigint,
  qualified_leads_achievement numeric,
  target_success_rate numeric(5,4),
  actual_success_rate numeric,
  target_conversion_rate numeric(5,4),
  actual_conversion_rate numeric
);
comment on type app_public.target_progress_item is
  'An agent target with the actual figures of its whole period and the achievement (actual / target); periodEnd is the first day after the period.';

create type app_public.recent_call_item as (
  call_id             uuid,
  started_at          timestamptz,
  status              text,
  outcome             text,
  direction           text,
  call_source         text,
  duration_seconds    integer,
  phone_number        text,
  caller_name         text,
  has_transcript      boolean,
  analysis_status     text,
  total_score         smallint,
  lead_status_tag     text,
  smart_notification  text
);
comment on type app_public.recent_call_item is
  'A recent call of an agent with its analysis at a glance; the transcript and full analysis: callByRowId(rowId: callId).';

alter type app_public.agent_overview
  add attribute targets app_public.target_progress_item[],
  add attribute recent_calls app_public.recent_call_item[];
comment on column app_public.agent_overview.targets is 'The agent''s targets whose period overlaps the range, in order (as targetsVsActuals).';
comment on column app_public.agent_overview.recent_calls is 'The agent''s 20 latest calls (any date), newest first.';
comment on type app_public.agent_overview is
  'An agent''s page in one query: kpiSummary and daily kpiSeries for that agent, its targets and its latest calls.';

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
                 from app_public.calls c
                 left join app_public.transcripts t on t.call_id = c.id
                 left join app_public.lead_analytics a on a.call_id = c.id
                where c.agent_id = agent_overview.agent_id and c.user_id = r.user_id
                order by c.started_at desc, c.id desc
                limit 20)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$$;
