--! Previous: sha1:e91861e08eb8e38ff6ac245f7a372ec6ad349fc8
--! Hash: sha1:347f81912aa1c31213a711676c50b7c2afed2c0f
--! Message: Outcomes and cost: disposition split, time to answer, provider cost, CTA interactions as rollup measures; cost rates, CTA conversion over calls, new KPI figures with drill-down

-- Issue 17 items 2, 3 and 8 (helper "outcomes"): the disposition split of ended calls, time to
-- answer, provider cost and CTA interactions as additive measures; cost rates, the CTA rate over
-- calls and the new figures in app_public.kpi_figures with their drill-down rules.

-- 0. One definition of a call's disposition and of who hung up.
create or replace function app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean)
  returns text
  language sql immutable parallel safe
as $$
  select case
    when status = 'completed' and answered_by_voicemail then 'voicemail'
    when status = 'completed' and duration_seconds > 0 then 'connected'
    when status = 'completed' then 'no_conversation'
    when status = 'busy' then 'busy'
    when status = 'no_answer' then 'no_answer'
    when status = 'canceled' then 'canceled'
    when status = 'failed' then 'errored'
  end
$$;
comment on function app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean) is
  'THE disposition of an ended call, a split of calls.outcome: connected (= successful), voicemail, no_conversation, busy, no_answer (= unanswered), canceled, errored (= failed); null while in progress. Bolna balance-low is errored (sql/README.md).';
grant execute on function app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean) to app_user;

create or replace function app_hidden.hangup_side(hangup_by text, direction text)
  returns text
  language sql immutable parallel safe
as $$
  select case
    when h in ('agent', 'assistant', 'bot', 'ai', 'api request', 'api', 'bolna', 'system') then 'agent'
    when h in ('user', 'customer', 'human', 'contact') then 'caller'
    -- Bolna names the telephony legs: on an outbound call the callee is the person called,
    -- on an inbound call the caller is the person who called.
    when h = 'callee' then case when direction = 'outbound' then 'caller' else 'agent' end
    when h = 'caller' then case when direction = 'inbound' then 'caller' else 'agent' end
  end
    from (select lower(btrim(hangup_by)) as h) x
$$;
comment on function app_hidden.hangup_side(hangup_by text, direction text) is
  'Who ended a call, from the provider''s hangup_by and the call direction: agent (the AI agent or its platform: agent, API request, system, the Bolna leg), caller (the person: user, customer, Callee of an outbound call, Caller of an inbound one), or null (carrier, unknown, none).';
grant execute on function app_hidden.hangup_side(hangup_by text, direction text) to app_user;

-- 1. The measures, in the template.
alter table app_private.rollup_measures
  add column if not exists voicemail_calls bigint not null default 0,
  add column if not exists busy_calls bigint not null default 0,
  add column if not exists no_answer_calls bigint not null default 0,
  add column if not exists canceled_calls bigint not null default 0,
  add column if not exists agent_hangup_calls bigint not null default 0,
  add column if not exists caller_hangup_calls bigint not null default 0,
  add column if not exists time_to_answer_ms_sum bigint not null default 0,
  add column if not exists time_to_answer_count bigint not null default 0,
  add column if not exists cost_micros bigint not null default 0,
  add column if not exists costed_calls bigint not null default 0,
  add column if not exists cta_interactions bigint not null default 0;
comment on column app_private.rollup_measures.voicemail_calls is 'Completed calls answered by voicemail (disposition voicemail; part of unanswered_calls).';
comment on column app_private.rollup_measures.busy_calls is 'Calls that ended busy (part of unanswered_calls).';
comment on column app_private.rollup_measures.no_answer_calls is 'Calls nobody answered (part of unanswered_calls).';
comment on column app_private.rollup_measures.canceled_calls is 'Calls canceled before they connected (part of failed_calls).';
comment on column app_private.rollup_measures.agent_hangup_calls is 'Successful calls the agent ended (app_hidden.hangup_side).';
comment on column app_private.rollup_measures.caller_hangup_calls is 'Successful calls the person on the line ended (app_hidden.hangup_side).';
comment on column app_private.rollup_measures.time_to_answer_ms_sum is 'Ended calls with a ringing and an answer time: sum of answered_at - ringing_at, in milliseconds.';
comment on column app_private.rollup_measures.time_to_answer_count is 'Ended calls with a ringing and an answer time (answer not before ringing).';
comment on column app_private.rollup_measures.cost_micros is 'Provider cost in millionths of the currency unit: calls.cost_cents x 10,000 (exact: cost_cents has 4 decimals).';
comment on column app_private.rollup_measures.costed_calls is 'Calls whose provider reported a cost (cost_cents not null).';
comment on column app_private.rollup_measures.cta_interactions is 'CTA interactions of the leads: the five CTA flags of each individual analysis added up (0-5 per lead).';

-- 2. The generator.
call app_private.generate_rollup_code();

-- 3. What one call contributes: the latest definition, with the new expressions at the end.
create or replace function app_hidden.call_contribution(
  c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean default true
) returns setof app_hidden.rollup_deltas
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
    case when with_call then s * coalesce(c.duration_seconds, 0) else 0 end, -- call_seconds (migration 000037)
    case when with_call and app_hidden.call_disposition(c.status, c.duration_seconds, c.answered_by_voicemail) = 'voicemail' then s else 0 end, -- voicemail_calls
    case when with_call and app_hidden.call_disposition(c.status, c.duration_seconds, c.answered_by_voicemail) = 'busy' then s else 0 end, -- busy_calls
    case when with_call and app_hidden.call_disposition(c.status, c.duration_seconds, c.answered_by_voicemail) = 'no_answer' then s else 0 end, -- no_answer_calls
    case when with_call and app_hidden.call_disposition(c.status, c.duration_seconds, c.answered_by_voicemail) = 'canceled' then s else 0 end, -- canceled_calls
    case when with_call and c.outcome = 'successful' and app_hidden.hangup_side(c.hangup_by, c.direction) = 'agent' then s else 0 end, -- agent_hangup_calls
    case when with_call and c.outcome = 'successful' and app_hidden.hangup_side(c.hangup_by, c.direction) = 'caller' then s else 0 end, -- caller_hangup_calls
    case when with_call and c.outcome is not null and c.answered_at >= c.ringing_at
         then s * round(extract(epoch from c.answered_at - c.ringing_at) * 1000)::bigint else 0 end, -- time_to_answer_ms_sum
    case when with_call and c.outcome is not null and c.answered_at >= c.ringing_at then s else 0 end, -- time_to_answer_count
    case when with_call and c.cost_cents is not null then s * (c.cost_cents * 10000)::bigint else 0 end, -- cost_micros
    case when with_call and c.cost_cents is not null then s else 0 end,      -- costed_calls
    -- cta_interactions
    case when a.id is not null
         then s * (a.cta_pricing_clicked::int + a.cta_demo_clicked::int + a.cta_followup_clicked::int
                   + a.cta_sample_clicked::int + a.cta_escalated_to_human::int) else 0 end
   where c.id is not null
$$;
comment on function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean) is 'What one call (with its individual analysis, if any) adds to the rollups, multiplied by s (+1 or -1), keyed by agent and tenant-local day and hour; with_call = false gives only the analysis part. One row; none when c is null. Set-returning plain SQL, so the planner inlines it into the triggers'' cached plans.';

-- The update trigger skips updates that change nothing the rollups read: it now also reads the
-- columns of the new measures. Lifecycle-only changes (status, ringing and answer times of a call
-- still in progress) stay skipped: the new measures count ended calls only.
create or replace function app_private.tg_calls__write_effects()
  returns trigger
  language plpgsql
  security definer
as $$
declare
  tz           text;
  a            app_public.lead_analytics;
  credit_delta integer;
  was_missed   boolean;
  is_missed    boolean;
begin
  if tg_op = 'DELETE' then  -- BEFORE DELETE: the call's analysis is still there
    if old.contact_id is not null and coalesce(old.outcome in ('unanswered', 'failed'), false) then
      insert into app_hidden.contact_count_deltas (contact_id, user_id, delta) values (old.contact_id, old.user_id, -1);
    end if;
    if current_setting('switchboard.purging', true) = 'on' then
      return old;  -- retention purge: app_hidden.purge_calls recorded the contribution
    end if;
    select u.timezone into tz from app_public.users u where u.id = old.user_id for key share;
    if tz is null then
      return old;  -- the tenant itself is being deleted
    end if;
    select * into a from app_public.lead_analytics l where l.call_id = old.id and l.analysis_type = 'individual';
    insert into app_hidden.rollup_deltas
      select * from app_hidden.call_contribution(old, a, tz, -1);
    return old;
  end if;

  -- UPDATE
  if (new.agent_id, new.started_at, new.outcome, new.duration_seconds, new.credits_used,
      new.direction, new.call_source, new.answered_by_voicemail, new.hangup_by, new.cost_cents,
      case when new.outcome is not null then new.status end,
      case when new.outcome is not null then new.answered_at - new.ringing_at end)
     is not distinct from
     (old.agent_id, old.started_at, old.outcome, old.duration_seconds, old.credits_used,
      old.direction, old.call_source, old.answered_by_voicemail, old.hangup_by, old.cost_cents,
      case when old.outcome is not null then old.status end,
      case when old.outcome is not null then old.answered_at - old.ringing_at end) then
    return null;  -- nothing a rollup, a charge or a counter depends on changed
  end if;

  -- Rollups. KEY SHARE on the tenant row: a time zone change, which locks the
  -- row FOR UPDATE first, waits for this transaction and this one for it, so no
  -- call is bucketed in a zone the rebuild does not see.
  select u.timezone into tz from app_public.users u where u.id = new.user_id for key share;
  if (new.agent_id, new.started_at) is distinct from (old.agent_id, old.started_at) then
    -- The call moved to another agent, day or hour: its analysis moves with it.
    select * into a from app_public.lead_analytics l where l.call_id = old.id and l.analysis_type = 'individual';
  end if;
  -- Otherwise the analysis part is the same on both sides and a stays null.
  insert into app_hidden.rollup_deltas
    select * from app_hidden.call_contribution(old, a, tz, -1)
    union all
    select * from app_hidden.call_contribution(new, a, tz, 1);

  -- Credits: charge exactly the change of credits_used (corrections adjust, repeats do nothing).
  credit_delta := new.credits_used - old.credits_used;
  if credit_delta <> 0 then
    insert into app_hidden.credit_charges (user_id, call_id, amount, description)
    values (new.user_id, new.id, -credit_delta,
            case when old.credits_used = 0 then 'Call usage'
                 else format('Call usage correction (%s -> %s credits)', old.credits_used, new.credits_used) end);
  end if;

  -- Not connected: +1 when the call ends unanswered or failed, -1 when a correction takes it back.
  was_missed := coalesce(old.outcome in ('unanswered', 'failed'), false);
  is_missed := coalesce(new.outcome in ('unanswered', 'failed'), false);
  if new.contact_id is not null and was_missed <> is_missed then
    insert into app_hidden.contact_count_deltas (contact_id, user_id, delta)
    values (new.contact_id, new.user_id, case when is_missed then 1 else -1 end);
  end if;
  return null;
end
$$;
comment on function app_private.tg_calls__write_effects() is 'A call''s update or delete: the signed change of its rollup contribution, a credit charge when credits_used changes, and not-connected count changes (inserts: tg_calls__inserted_effects, once per statement).';

-- 4. History: existing calls' part of the new measures, as correction deltas.
select app_hidden.rebuild_rollups(u.id) from app_public.users u;

-- 5. Rates, computed at read time (each formula once).
create or replace function app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint)
  returns numeric
  language sql immutable parallel safe
as $$ select case when n > 0 then round(ms_sum::numeric / (n * 1000), 2) end $$;
comment on function app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint) is 'Average time from ringing to answer, in seconds rounded to 2 places, of the ended calls that have both times; null when none has.';
grant execute on function app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint) to app_user;

create or replace function app_hidden.cost_cents(cost_micros bigint, costed_calls bigint)
  returns numeric
  language sql immutable parallel safe
as $$ select case when costed_calls > 0 then round(cost_micros::numeric / 10000, 4) end $$;
comment on function app_hidden.cost_cents(cost_micros bigint, costed_calls bigint) is 'Provider cost in cents (4 places) from the cost_micros measure; null when no call has a reported cost (unknown, not free).';
grant execute on function app_hidden.cost_cents(cost_micros bigint, costed_calls bigint) to app_user;

create or replace function app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint default 1)
  returns numeric
  language sql immutable parallel safe
as $$
  select case when costed_calls > 0 and units > 0
              then round(cost_micros::numeric * units_per / (10000::numeric * units), 4) end
$$;
comment on function app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint) is 'Provider cost in cents per unit (a call, a lead, a qualified lead; per minute: units talk seconds, units_per 60), one division, 4 places; null when no call has a reported cost or there are no units.';
grant execute on function app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint) to app_user;

create or replace function app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint)
  returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(calls_with_cta, calls) $$;
comment on function app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint) is 'Calls with any CTA interaction / every call (seed 003''s cta_conversion_rate; app_hidden.cta_conversion_rate divides by leads instead).';
grant execute on function app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint) to app_user;

-- 6. The figures.
alter type app_public.kpi_figures
  add attribute voicemail_calls bigint,
  add attribute no_conversation_calls bigint,
  add attribute busy_calls bigint,
  add attribute no_answer_calls bigint,
  add attribute canceled_calls bigint,
  add attribute errored_calls bigint,
  add attribute agent_hangup_calls bigint,
  add attribute caller_hangup_calls bigint,
  add attribute other_hangup_calls bigint,
  add attribute average_time_to_answer_seconds numeric,
  add attribute provider_cost_cents numeric,
  add attribute costed_calls bigint,
  add attribute cost_per_call_cents numeric,
  add attribute cost_per_connected_minute_cents numeric,
  add attribute cost_per_lead_cents numeric,
  add attribute cost_per_qualified_lead_cents numeric,
  add attribute cta_interactions bigint,
  add attribute cta_call_conversion_rate numeric;

comment on column app_public.kpi_figures.cta_rate is 'CTA conversion over leads: leads with any call-to-action interaction / leads (analysed calls). Seed 003 divides by every call instead: ctaCallConversionRate.';
comment on column app_public.kpi_figures.voicemail_calls is 'Disposition: completed calls answered by voicemail (unanswered).';
comment on column app_public.kpi_figures.no_conversation_calls is 'Disposition: completed calls without a conversation (0 s, not voicemail; unanswered).';
comment on column app_public.kpi_figures.busy_calls is 'Disposition: calls that ended busy (unanswered).';
comment on column app_public.kpi_figures.no_answer_calls is 'Disposition: calls nobody answered (unanswered).';
comment on column app_public.kpi_figures.canceled_calls is 'Disposition: calls canceled or stopped before they connected (failed).';
comment on column app_public.kpi_figures.errored_calls is 'Disposition: calls the provider could not place (error, failed, Bolna balance-low; failed calls that were not canceled).';
comment on column app_public.kpi_figures.agent_hangup_calls is 'Successful calls the agent ended (hang-up by the agent, its platform or an API request).';
comment on column app_public.kpi_figures.caller_hangup_calls is 'Successful calls the person on the line ended (hang-up by the caller or callee).';
comment on column app_public.kpi_figures.other_hangup_calls is 'Successful calls ended by the carrier or by a side the provider did not name (successful - by agent - by caller).';
comment on column app_public.kpi_figures.average_time_to_answer_seconds is 'Average seconds from ringing to answer, over the ended calls whose provider reported both times.';
comment on column app_public.kpi_figures.provider_cost_cents is 'Provider cost in cents, summed over the calls whose provider reported one (Bolna total_cost; Twilio status callbacks carry none). Null when no call has a cost.';
comment on column app_public.kpi_figures.costed_calls is 'Calls whose provider reported a cost.';
comment on column app_public.kpi_figures.cost_per_call_cents is 'Provider cost / calls that ended (successful + unanswered + failed), in cents.';
comment on column app_public.kpi_figures.cost_per_connected_minute_cents is 'Provider cost / minutes of conversation (talk time of the successful calls / 60), in cents.';
comment on column app_public.kpi_figures.cost_per_lead_cents is 'Provider cost / leads (analysed calls), in cents.';
comment on column app_public.kpi_figures.cost_per_qualified_lead_cents is 'Provider cost / qualified leads (total score 60 or more), in cents.';
comment on column app_public.kpi_figures.cta_interactions is 'CTA interactions: the five CTA flags (pricing, demo, follow-up, sample, human escalation) of every lead added up; a lead counts up to 5.';
comment on column app_public.kpi_figures.cta_call_conversion_rate is 'CTA conversion over calls (seed 003''s cta_conversion_rate): calls with any CTA interaction / every call.';

create or replace function app_hidden.kpi_figures(m app_hidden.measures)
  returns app_public.kpi_figures
  language sql immutable parallel safe
as $$
  select row(
    m.calls, m.successful_calls, m.failed_calls, m.unanswered_calls,
    app_hidden.answer_rate(m.successful_calls, m.unanswered_calls),
    app_hidden.success_rate(m.successful_calls, m.failed_calls, m.unanswered_calls),
    m.talk_seconds, app_hidden.average(m.talk_seconds, m.successful_calls),
    m.billed_minutes, m.credits_used, m.inbound_calls, m.outbound_calls,
    m.leads_generated, m.qualified_leads, m.hot_leads, m.warm_leads, m.cold_leads,
    app_hidden.conversion_rate(m.qualified_leads, m.leads_generated),
    m.calls_with_cta, app_hidden.cta_conversion_rate(m.calls_with_cta, m.leads_generated),
    app_hidden.average(m.total_score_sum, m.total_score_count),
    app_hidden.average(m.intent_score_sum, m.intent_score_count),
    app_hidden.average(m.urgency_score_sum, m.urgency_score_count),
    app_hidden.average(m.budget_score_sum, m.budget_score_count),
    app_hidden.average(m.fit_score_sum, m.fit_score_count),
    app_hidden.average(m.engagement_score_sum, m.engagement_score_count),
    m.voicemail_calls,
    m.unanswered_calls - m.voicemail_calls - m.busy_calls - m.no_answer_calls,
    m.busy_calls, m.no_answer_calls, m.canceled_calls,
    m.failed_calls - m.canceled_calls,
    m.agent_hangup_calls, m.caller_hangup_calls,
    m.successful_calls - m.agent_hangup_calls - m.caller_hangup_calls,
    app_hidden.time_to_answer_seconds(m.time_to_answer_ms_sum, m.time_to_answer_count),
    app_hidden.cost_cents(m.cost_micros, m.costed_calls),
    m.costed_calls,
    app_hidden.cost_per(m.cost_micros, m.costed_calls, m.successful_calls + m.unanswered_calls + m.failed_calls),
    app_hidden.cost_per(m.cost_micros, m.costed_calls, m.talk_seconds, 60),
    app_hidden.cost_per(m.cost_micros, m.costed_calls, m.leads_generated),
    app_hidden.cost_per(m.cost_micros, m.costed_calls, m.qualified_leads),
    m.cta_interactions,
    app_hidden.cta_call_conversion_rate(m.calls_with_cta, m.calls)
  )::app_public.kpi_figures
$$;
comment on function app_hidden.kpi_figures(m app_hidden.measures) is 'THE mapping from summed rollup measures to KPI figures (through the rate and average functions).';

-- 7. Drill-down: which calls are behind each new figure.
create or replace function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas)
  returns boolean
  language plpgsql immutable parallel safe
as $$
begin
  return case figure
    when 'calls'                    then d.calls <> 0
    when 'successful_calls'         then d.successful_calls <> 0
    when 'unanswered_calls'         then d.unanswered_calls <> 0
    when 'failed_calls'             then d.failed_calls <> 0
    -- answer rate = successful / (successful + unanswered): its denominator
    when 'answer_rate'              then d.successful_calls <> 0 or d.unanswered_calls <> 0
    -- success rate = successful / (successful + unanswered + failed): its denominator
    when 'success_rate'             then d.successful_calls <> 0 or d.unanswered_calls <> 0 or d.failed_calls <> 0
    -- talk time and average duration (talk seconds / successful calls): the successful calls
    when 'talk_seconds'             then d.successful_calls <> 0
    when 'average_duration_seconds' then d.successful_calls <> 0
    when 'billed_minutes'           then d.billed_minutes <> 0
    when 'credits_used'             then d.credits_used <> 0
    when 'inbound_calls'            then d.inbound_calls <> 0
    when 'outbound_calls'           then d.outbound_calls <> 0
    when 'phone_calls'              then d.phone_calls <> 0
    when 'internet_calls'           then d.internet_calls <> 0
    when 'unknown_source_calls'     then d.unknown_source_calls <> 0
    when 'leads'                    then d.leads_generated <> 0
    when 'qualified_leads'          then d.qualified_leads <> 0
    when 'hot_leads'                then d.hot_leads <> 0
    when 'warm_leads'               then d.warm_leads <> 0
    when 'cold_leads'               then d.cold_leads <> 0
    -- the lead-temperature chart's "Not tagged" bar: leads - hot - warm - cold
    when 'untagged_leads'           then d.leads_generated <> 0 and d.hot_leads = 0 and d.warm_leads = 0 and d.cold_leads = 0
    -- conversion and CTA rates are shares of the leads
    when 'conversion_rate'          then d.leads_generated <> 0
    when 'calls_with_cta'           then d.calls_with_cta <> 0
    when 'cta_rate'                 then d.leads_generated <> 0
    when 'cta_pricing'              then d.cta_pricing <> 0
    when 'cta_demo'                 then d.cta_demo <> 0
    when 'cta_followup'             then d.cta_followup <> 0
    when 'cta_sample'               then d.cta_sample <> 0
    when 'cta_human_escalation'     then d.cta_human_escalation <> 0
    -- average lead score = total score sum / leads with a total score
    when 'average_lead_score'       then d.total_score_count <> 0
    -- dispositions (a split of the outcomes) and who hung up a successful call
    when 'voicemail_calls'          then d.voicemail_calls <> 0
    when 'no_conversation_calls'    then d.unanswered_calls <> 0 and d.voicemail_calls = 0 and d.busy_calls = 0 and d.no_answer_calls = 0
    when 'busy_calls'               then d.busy_calls <> 0
    when 'no_answer_calls'          then d.no_answer_calls <> 0
    when 'canceled_calls'           then d.canceled_calls <> 0
    when 'errored_calls'            then d.failed_calls <> 0 and d.canceled_calls = 0
    when 'agent_hangup_calls'       then d.agent_hangup_calls <> 0
    when 'caller_hangup_calls'      then d.caller_hangup_calls <> 0
    when 'other_hangup_calls'       then d.successful_calls <> 0 and d.agent_hangup_calls = 0 and d.caller_hangup_calls = 0
    -- average time to answer: the calls with both times
    when 'average_time_to_answer_seconds' then d.time_to_answer_count <> 0
    -- cost: the calls with a reported cost; cost per X: the denominator X
    when 'provider_cost_cents'      then d.costed_calls <> 0
    when 'costed_calls'             then d.costed_calls <> 0
    when 'cost_per_call_cents'      then d.successful_calls <> 0 or d.unanswered_calls <> 0 or d.failed_calls <> 0
    when 'cost_per_connected_minute_cents' then d.successful_calls <> 0
    when 'cost_per_lead_cents'      then d.leads_generated <> 0
    when 'cost_per_qualified_lead_cents' then d.qualified_leads <> 0
    when 'cta_interactions'         then d.cta_interactions <> 0
    -- CTA conversion over calls: its denominator, every call
    when 'cta_call_conversion_rate' then d.calls <> 0
  end;
end
$$;
comment on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) is 'THE drill-down rule: whether a call whose contribution (app_hidden.call_contribution) is d is behind the figure. Counts: the calls that add to the measure; rates and averages: their denominator. Null for an unknown figure.';

create or replace function app_hidden.drilldown_figures()
  returns text[]
  language sql immutable parallel safe
as $$
  select array[
    'calls', 'successful_calls', 'unanswered_calls', 'failed_calls', 'answer_rate', 'success_rate',
    'talk_seconds', 'average_duration_seconds', 'billed_minutes', 'credits_used',
    'inbound_calls', 'outbound_calls', 'phone_calls', 'internet_calls', 'unknown_source_calls',
    'leads', 'qualified_leads', 'hot_leads', 'warm_leads', 'cold_leads', 'untagged_leads',
    'conversion_rate', 'calls_with_cta', 'cta_rate', 'cta_pricing', 'cta_demo', 'cta_followup',
    'cta_sample', 'cta_human_escalation', 'average_lead_score',
    'voicemail_calls', 'no_conversation_calls', 'busy_calls', 'no_answer_calls', 'canceled_calls', 'errored_calls',
    'agent_hangup_calls', 'caller_hangup_calls', 'other_hangup_calls', 'average_time_to_answer_seconds',
    'provider_cost_cents', 'costed_calls', 'cost_per_call_cents', 'cost_per_connected_minute_cents',
    'cost_per_lead_cents', 'cost_per_qualified_lead_cents', 'cta_interactions', 'cta_call_conversion_rate'
  ]
$$;
comment on function app_hidden.drilldown_figures() is 'Every figure the call log can drill down to (the keys of app_hidden.figure_calls).';

-- The call log's totals need nothing here: app_hidden.sum_deltas (generated) sums every measure.
