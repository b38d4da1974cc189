--! Previous: sha1:9bc282d97bd984d35051a3343b1be90e7d4a816a
--! Hash: sha1:13fd56103ebe8ac988412a39d0369cd187d2beeb
--! Message: Agent page latest calls from the index; agent-tenant dependency statistics on calls

-- =============================================================================
-- 40. The agent page's latest calls: 20 from the index, then joined
-- =============================================================================
-- Measured on a 4M-call benchmark tenant: joining every call of the agent to
-- its analysis before the top-20 sort cost 28 ms and grew with the agent's
-- history. Taking the 20 newest from calls_agent_started_idx first costs the same
-- at any size.
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
                order by c.started_at desc, c.id desc)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$$;

-- An agent belongs to one tenant, so agent_id determines user_id. Without
-- this the planner multiplies the two selectivities (4 rows instead of 800
-- for a busy agent) and prefers a bitmap AND plus a full sort to the index's
-- own order: 28 ms instead of 0.5 ms for the 20 latest calls.
create statistics app_public.calls_agent_user_dependency (dependencies) on agent_id, user_id from app_public.calls;
analyze app_public.calls;
