--! Previous: sha1:5858b84b2bde5f71dc2c3949219702d1fc0957d3
--! Hash: sha1:763c196313d511f57181a2eff77310b22219c1dd
--! Message: KPI definitions in plain words on every field of kpi_figures, read by app_public.kpi_definitions() for the dashboard's cards

-- KPI definitions for the dashboard's cards, in plain words, from ONE place: the comments on the
-- columns of app_public.kpi_figures (which GraphQL also shows as field descriptions).
-- app_public.kpi_definitions() returns them, so the cards never carry a second copy.

comment on column app_public.kpi_figures.calls is 'Every call that started in the period (tenant-local day of started_at), whatever its outcome, in progress included.';
comment on column app_public.kpi_figures.successful_calls is 'Completed calls with a conversation (duration over 0 s, not answered by voicemail).';
comment on column app_public.kpi_figures.failed_calls is 'Calls that failed or were canceled before anyone could answer (technical failures).';
comment on column app_public.kpi_figures.unanswered_calls is 'Busy, not answered, answered by voicemail, or completed without a conversation.';
comment on column app_public.kpi_figures.answer_rate is 'Successful calls / (successful + unanswered calls): technical failures excluded.';
comment on column app_public.kpi_figures.success_rate is 'Successful calls / every call that ended (successful + unanswered + failed).';
comment on column app_public.kpi_figures.talk_seconds is 'Talk time of the successful calls, in seconds.';
comment on column app_public.kpi_figures.average_duration_seconds is 'Talk time of the successful calls / successful calls.';
comment on column app_public.kpi_figures.billed_minutes is 'Minutes billed: each completed call with a conversation, its seconds rounded up to whole minutes.';
comment on column app_public.kpi_figures.credits_used is 'Credits used: one per billed minute of a completed call with a conversation.';
comment on column app_public.kpi_figures.inbound_calls is 'Calls the agent received.';
comment on column app_public.kpi_figures.outbound_calls is 'Calls the agent placed.';
comment on column app_public.kpi_figures.leads is 'Calls with an individual analysis: each analysed call is one lead, counted on the call''s day.';
comment on column app_public.kpi_figures.qualified_leads is 'Leads with a total score of 60 or more.';
comment on column app_public.kpi_figures.hot_leads is 'Leads the analysis tagged Hot.';
comment on column app_public.kpi_figures.warm_leads is 'Leads the analysis tagged Warm.';
comment on column app_public.kpi_figures.cold_leads is 'Leads the analysis tagged Cold.';
comment on column app_public.kpi_figures.conversion_rate is 'Qualified leads (total score 60 or more) / leads.';
comment on column app_public.kpi_figures.calls_with_cta is 'Leads with any call-to-action interaction (pricing, demo, follow-up, sample, human escalation).';
comment on column app_public.kpi_figures.cta_rate is 'Leads with any call-to-action interaction / leads.';
comment on column app_public.kpi_figures.average_lead_score is 'Average total score (0-100) of the scored leads.';
comment on column app_public.kpi_figures.average_intent_score is 'Average intent score of the leads that have one.';
comment on column app_public.kpi_figures.average_urgency_score is 'Average urgency score of the leads that have one.';
comment on column app_public.kpi_figures.average_budget_score is 'Average budget score of the leads that have one.';
comment on column app_public.kpi_figures.average_fit_score is 'Average fit score of the leads that have one.';
comment on column app_public.kpi_figures.average_engagement_score is 'Average engagement score of the leads that have one.';

drop function if exists app_public.kpi_definitions();
drop type if exists app_public.kpi_definition;
create type app_public.kpi_definition as (
  kpi text,
  definition text
);
comment on type app_public.kpi_definition is 'One KPI and its definition in plain words.';
comment on column app_public.kpi_definition.kpi is 'The KPI''s field of KpiFigures, snake_case (answer_rate is answerRate).';
comment on column app_public.kpi_definition.definition is 'What the KPI counts or divides, in plain words.';

create function app_public.kpi_definitions() returns app_public.kpi_definition[]
  language sql stable parallel safe
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg(row(a.attname::text, d.description)::app_public.kpi_definition order by a.attnum), '{}')
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_description d
      on d.objoid = a.attrelid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = a.attnum
   where a.attrelid = 'app_public.kpi_figures'::regclass and a.attnum > 0 and not a.attisdropped
$$;
comment on function app_public.kpi_definitions() is 'Every KPI of KpiFigures with its definition: the comments on its fields, the one place the definitions live (the dashboard shows them on the KPI cards).';
revoke all on function app_public.kpi_definitions() from public;
grant execute on function app_public.kpi_definitions() to app_user;
