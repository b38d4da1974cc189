--! Previous: sha1:15981939cfe189d6b9ae4090458176bd072fb152
--! Hash: sha1:2ffd08ddca865ddb41092cd8e4f62528c5d6d172
--! Message: One mapping from an analysis (validated JSON) to lead_analytics values, used by record_call_analysis and record_contact_analysis

-- =============================================================================
-- 40. One mapping from an analysis (validated JSON) to lead_analytics values
-- =============================================================================
-- record_call_analysis and record_contact_analysis each carried their own copy
-- of the JSON -> column mapping (casts, the CTA flags inside cta_interactions,
-- empty e-mail as null, offset-less demo times as UTC). The mapping now lives
-- in app_hidden.analysis_values; both functions take their values from it.
create function app_hidden.analysis_values(p jsonb) returns app_public.lead_analytics
  language plpgsql stable
as $$
declare
  r app_public.lead_analytics;
begin
  r.intent_level           := p ->> 'intent_level';
  r.intent_score           := (p ->> 'intent_score')::smallint;
  r.urgency_level          := p ->> 'urgency_level';
  r.urgency_score          := (p ->> 'urgency_score')::smallint;
  r.budget_constraint      := p ->> 'budget_constraint';
  r.budget_score           := (p ->> 'budget_score')::smallint;
  r.fit_alignment          := p ->> 'fit_alignment';
  r.fit_score              := (p ->> 'fit_score')::smallint;
  r.engagement_health      := p ->> 'engagement_health';
  r.engagement_score       := (p ->> 'engagement_score')::smallint;
  r.total_score            := (p ->> 'total_score')::smallint;
  r.lead_status_tag        := p ->> 'lead_status_tag';
  r.reasoning              := coalesce(p -> 'reasoning', '{}');
  r.cta_interactions       := coalesce(p -> 'cta_interactions', '{}');
  r.cta_pricing_clicked    := coalesce((p -> 'cta_interactions' ->> 'pricing_clicked')::boolean, false);
  r.cta_demo_clicked       := coalesce((p -> 'cta_interactions' ->> 'demo_clicked')::boolean, false);
  r.cta_followup_clicked   := coalesce((p -> 'cta_interactions' ->> 'followup_clicked')::boolean, false);
  r.cta_sample_clicked     := coalesce((p -> 'cta_interactions' ->> 'sample_clicked')::boolean, false);
  r.cta_escalated_to_human := coalesce((p -> 'cta_interactions' ->> 'escalated_to_human')::boolean, false);
  r.extracted_name         := p ->> 'extracted_name';
  r.extracted_email        := nullif(p ->> 'extracted_email', '')::citext;
  r.company_name           := p ->> 'company_name';
  r.smart_notification     := p ->> 'smart_notification';
  r.demo_book_datetime     := app_hidden.ts(p ->> 'demo_book_datetime');
  return r;
end
$$;
comment on function app_hidden.analysis_values(jsonb) is
  'THE mapping from a validated analysis (JSON, worker/analysis/schema.ts) to lead_analytics values; only the analysis columns are set.';

create or replace function app_hidden.record_call_analysis(
  p_call_id uuid, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text,
  p_content_md5 text default null)
  returns uuid
  language plpgsql volatile
as $$
declare
  c    app_public.calls;
  f    app_public.lead_analytics := app_hidden.analysis_values(p_analysis);
  v_id uuid;
begin
  select * into c from app_public.calls where id = p_call_id for share;
  if c.id is null then
    raise exception 'call % not found', p_call_id using errcode = 'SB104';
  end if;
  -- The analysis is of the transcript text it was made from: if the transcript
  -- changed meanwhile (its own job is queued), record nothing.
  if p_content_md5 is not null and not exists (
       select 1 from app_public.transcripts t where t.call_id = c.id and md5(t.content) = p_content_md5 for update) then
    return null;
  end if;
  insert into app_public.lead_analytics as a (
    user_id, analysis_type, call_id, phone_number,
    intent_level, intent_score, urgency_level, urgency_score, budget_constraint, budget_score,
    fit_alignment, fit_score, engagement_health, engagement_score, total_score, lead_status_tag,
    reasoning, cta_interactions, cta_pricing_clicked, cta_demo_clicked, cta_followup_clicked, cta_sample_clicked,
    cta_escalated_to_human, extracted_name, extracted_email, company_name, smart_notification, demo_book_datetime,
    analyzer, model, prompt_version, analyzed_at, is_read)
  values (
    c.user_id, 'individual', c.id, c.phone_number,
    f.intent_level, f.intent_score, f.urgency_level, f.urgency_score, f.budget_constraint, f.budget_score,
    f.fit_alignment, f.fit_score, f.engagement_health, f.engagement_score, f.total_score, f.lead_status_tag,
    f.reasoning, f.cta_interactions, f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
    f.cta_escalated_to_human, f.extracted_name, f.extracted_email, f.company_name, f.smart_notification, f.demo_book_datetime,
    p_analyzer, p_model, p_prompt_version, now(), false)
  on conflict (call_id) do update
    set intent_level = excluded.intent_level, intent_score = excluded.intent_score,
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
        analyzed_at = excluded.analyzed_at,
        is_read = a.is_read and a.smart_notification is not distinct from excluded.smart_notification
  returning a.id into v_id;
  update app_public.transcripts t
     set analysis_status = 'completed', analysis_error = null, analyzed_at = now()
   where t.call_id = c.id;
  return v_id;
end
$$;

create or replace function app_hidden.record_contact_analysis(
  p_user_id uuid, p_phone text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text)
  returns uuid
  language plpgsql volatile
as $$
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
    analyzer, model, prompt_version, analyzed_at)
  values (
    p_user_id, 'complete', p_phone, v_latest, v_calls,
    f.intent_level, f.intent_score, f.urgency_level, f.urgency_score, f.budget_constraint, f.budget_score,
    f.fit_alignment, f.fit_score, f.engagement_health, f.engagement_score, f.total_score, f.lead_status_tag,
    f.reasoning, f.cta_interactions, f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
    f.cta_escalated_to_human, f.extracted_name, f.extracted_email, f.company_name, f.smart_notification, f.demo_book_datetime,
    p_analyzer, p_model, p_prompt_version, now())
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
        analyzed_at = excluded.analyzed_at
  returning a.id into v_id;
  return v_id;
end
$$;
