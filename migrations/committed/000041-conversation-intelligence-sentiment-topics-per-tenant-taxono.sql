--! Previous: sha1:31bad5d0949a93d5661418fdd21ecf681a6c57e9
--! Hash: sha1:7cf400bc85bd2fd3353d41df3aa03ae11da6ca75
--! Message: conversation intelligence: sentiment, topics (per-tenant taxonomy), objections, next steps, call quality, CSAT, human transfer, conversation outcome classes on lead_analytics; success criteria with per-call results; rollup measures; API readers

-- Conversation intelligence (issue 17, items 1 and the conversation outcome classes of 2): richer
-- analysis columns on lead_analytics, a per-tenant topic taxonomy, tenant success criteria with
-- per-call results, additive rollup measures through the generator, and the API readers.

-- 1. The analysis columns (null on analyses made before them: they count in no new measure).
alter table app_public.lead_analytics
  add column sentiment_label text,
  add column sentiment_score smallint,
  add column topics text[],
  add column free_topics text[],
  add column objections text[],
  add column next_steps text,
  add column call_quality_score smallint,
  add column csat_score smallint,
  add column human_transfer_requested boolean,
  add column human_transfer_happened boolean,
  add column conversation_outcome text,
  add constraint lead_analytics_sentiment_label_valid check (sentiment_label in ('positive', 'neutral', 'negative', 'mixed')),
  add constraint lead_analytics_sentiment_score_range check (sentiment_score between -100 and 100),
  add constraint lead_analytics_call_quality_score_range check (call_quality_score between 0 and 100),
  add constraint lead_analytics_csat_score_range check (csat_score between 0 and 100),
  add constraint lead_analytics_conversation_outcome_valid check (conversation_outcome in (
    'converted', 'interested', 'callback_requested', 'not_interested', 'wrong_person', 'no_outcome')),
  add constraint lead_analytics_objections_valid check (objections <@ array['price', 'timing', 'authority', 'need', 'competitor', 'trust', 'other']);

comment on column app_public.lead_analytics.sentiment_label is 'How the caller felt over the call: positive, neutral, negative or mixed.';
comment on column app_public.lead_analytics.sentiment_score is 'The caller''s sentiment from -100 (very negative) to 100 (very positive).';
comment on column app_public.lead_analytics.topics is 'Topics discussed, as keys of the business''s topic taxonomy (analysis_topics).';
comment on column app_public.lead_analytics.free_topics is 'Other topics discussed that the taxonomy does not cover, as short free text.';
comment on column app_public.lead_analytics.objections is 'Objections the caller raised: price, timing, authority, need, competitor, trust, other.';
comment on column app_public.lead_analytics.next_steps is 'The agreed or advisable follow-up actions.';
comment on column app_public.lead_analytics.call_quality_score is '0-100: how well the agent handled the conversation.';
comment on column app_public.lead_analytics.csat_score is '0-100: estimated customer satisfaction with the call.';
comment on column app_public.lead_analytics.human_transfer_requested is 'The caller asked to speak to a person.';
comment on column app_public.lead_analytics.human_transfer_happened is 'The call was handed over to a person.';
comment on column app_public.lead_analytics.conversation_outcome is 'How the conversation ended: converted, interested, callback_requested, not_interested, wrong_person or no_outcome (no clear outcome).';

-- 2. The topic taxonomy: per tenant, defaults for every tenant, editable.
create table app_public.analysis_topics (
  id uuid default uuidv7() not null primary key,
  user_id uuid default app_public.current_user_id() not null references app_public.users (id) on delete cascade,
  key text not null,
  label text not null,
  description text,
  keywords text[] default '{}' not null,
  created_at timestamptz default now() not null,
  updated_at timestamptz default now() not null,
  constraint analysis_topics_key_format check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  constraint analysis_topics_label_length check (char_length(label) between 1 and 80),
  constraint analysis_topics_description_length check (char_length(description) <= 300),
  constraint analysis_topics_keywords_valid check (cardinality(keywords) <= 40 and array_position(keywords, null) is null),
  constraint analysis_topics_user_id_key_key unique (user_id, key)
);
comment on table app_public.analysis_topics is 'The business''s topic taxonomy: the topics an analysis tags calls with (key), how they are shown (label), what they mean for the model (description) and the phrases the built-in analyser looks for (keywords). Every business starts with defaults.';
comment on column app_public.analysis_topics.key is 'Stable key stored on analyses (lower case letters, digits, underscores).';
comment on column app_public.analysis_topics.keywords is 'Phrases the built-in (offline) analyser matches in what the caller said; the AI model reads the description instead.';
create trigger _100_set_updated_at before update on app_public.analysis_topics
  for each row execute function app_private.tg__set_updated_at();
create trigger _900_audit after insert or update or delete on app_public.analysis_topics
  for each row execute function app_private.tg__audit();
alter table app_public.analysis_topics enable row level security;
create policy select_own on app_public.analysis_topics for select to app_user
  using (user_id = (select app_public.current_user_id()));
create policy insert_own on app_public.analysis_topics for insert to app_user
  with check (user_id = (select app_public.current_user_id()));
create policy update_own on app_public.analysis_topics for update to app_user
  using (user_id = (select app_public.current_user_id())) with check (user_id = (select app_public.current_user_id()));
create policy delete_own on app_public.analysis_topics for delete to app_user
  using (user_id = (select app_public.current_user_id()));
grant select, delete on app_public.analysis_topics to app_user;
grant insert (user_id, key, label, description, keywords), update (label, description, keywords) on app_public.analysis_topics to app_user;

create function app_hidden.default_analysis_topics()
  returns table (key text, label text, description text, keywords text[])
  language sql immutable parallel safe
as $$
  values
    ('pricing', 'Pricing', 'Price, cost, quotes, discounts or plans.',
     array['price', 'pricing', 'cost', 'costs', 'how much', 'quote', 'discount', 'expensive', 'cheaper', 'rates', 'plans']),
    ('scheduling', 'Scheduling', 'Booking, moving or cancelling a meeting, demo or appointment; availability.',
     array['schedule', 'appointment', 'meeting', 'book', 'booking', 'calendar', 'available', 'availability', 'reschedule', 'demo']),
    ('product_features', 'Product features', 'What the product does, features, integrations, how it works.',
     array['feature', 'features', 'integration', 'integrate', 'integrations', 'functionality', 'how does it work', 'capabilities']),
    ('support', 'Support', 'Problems, help requests, something not working.',
     array['support', 'issue with', 'a problem with', 'having trouble', 'not working', 'broken', 'bug', 'ticket', 'error message']),
    ('billing', 'Billing', 'Invoices, charges, payments and refunds.',
     array['invoice', 'billing', 'bill', 'charge', 'charged', 'payment', 'refund', 'credit card']),
    ('competitor', 'Competitors', 'Other vendors the caller uses or compares with.',
     array['competitor', 'already use', 'already using', 'another provider', 'other provider', 'alternative', 'switch from', 'current provider'])
$$;
comment on function app_hidden.default_analysis_topics() is 'The topic taxonomy every business starts with.';

create function app_private.tg_users__default_analysis_topics() returns trigger
  language plpgsql security definer
as $$
begin
  insert into app_public.analysis_topics (user_id, key, label, description, keywords)
  select new.id, d.key, d.label, d.description, d.keywords from app_hidden.default_analysis_topics() d;
  return null;
end
$$;
comment on function app_private.tg_users__default_analysis_topics() is 'AFTER INSERT on users: the default topic taxonomy.';
create trigger _060_default_analysis_topics after insert on app_public.users
  for each row execute function app_private.tg_users__default_analysis_topics();

insert into app_public.analysis_topics (user_id, key, label, description, keywords)
select u.id, d.key, d.label, d.description, d.keywords
  from app_public.users u cross join app_hidden.default_analysis_topics() d
on conflict (user_id, key) do nothing;

-- 3. Success criteria: a name and a yes/no question each analysis answers per call.
create table app_public.success_criteria (
  id uuid default uuidv7() not null primary key,
  user_id uuid default app_public.current_user_id() not null references app_public.users (id) on delete cascade,
  name text not null,
  question text not null,
  keywords text[] default '{}' not null,
  is_active boolean default true not null,
  created_at timestamptz default now() not null,
  updated_at timestamptz default now() not null,
  constraint success_criteria_id_user_id_key unique (id, user_id),
  constraint success_criteria_user_id_name_key unique (user_id, name),
  constraint success_criteria_name_length check (char_length(name) between 1 and 80),
  constraint success_criteria_question_length check (char_length(question) between 1 and 500),
  constraint success_criteria_keywords_valid check (cardinality(keywords) <= 40 and array_position(keywords, null) is null)
);
comment on table app_public.success_criteria is 'The business''s success criteria: a name and a yes/no question that the analysis answers for every analysed call (active ones only); rolled up as pass rates.';
comment on column app_public.success_criteria.question is 'A yes/no question about the call, e.g. "Did the agent confirm the caller''s budget?". Yes passes.';
comment on column app_public.success_criteria.keywords is 'Phrases the built-in (offline) analyser looks for in the transcript: the criterion passes when one is found. The AI model answers the question instead.';
comment on column app_public.success_criteria.is_active is 'Only active criteria are asked on new analyses; past results stay.';
create trigger _100_set_updated_at before update on app_public.success_criteria
  for each row execute function app_private.tg__set_updated_at();
create trigger _900_audit after insert or update or delete on app_public.success_criteria
  for each row execute function app_private.tg__audit();
alter table app_public.success_criteria enable row level security;
create policy select_own on app_public.success_criteria for select to app_user
  using (user_id = (select app_public.current_user_id()));
create policy insert_own on app_public.success_criteria for insert to app_user
  with check (user_id = (select app_public.current_user_id()));
create policy update_own on app_public.success_criteria for update to app_user
  using (user_id = (select app_public.current_user_id())) with check (user_id = (select app_public.current_user_id()));
create policy delete_own on app_public.success_criteria for delete to app_user
  using (user_id = (select app_public.current_user_id()));
grant select, delete on app_public.success_criteria to app_user;
grant insert (user_id, name, question, keywords, is_active), update (name, question, keywords, is_active) on app_public.success_criteria to app_user;

create table app_public.call_criterion_results (
  call_id uuid not null,
  criterion_id uuid not null,
  user_id uuid not null references app_public.users (id) on delete cascade,
  passed boolean not null,
  evidence text,
  analyzed_at timestamptz default now() not null,
  primary key (call_id, criterion_id),
  foreign key (call_id, user_id) references app_public.calls (id, user_id) on delete cascade,
  foreign key (criterion_id, user_id) references app_public.success_criteria (id, user_id) on delete cascade
);
create index call_criterion_results_criterion_idx on app_public.call_criterion_results (criterion_id);
create index call_criterion_results_user_idx on app_public.call_criterion_results (user_id);
comment on table app_public.call_criterion_results is 'The answer of a call''s current individual analysis to each success criterion (replaced with the analysis).';
comment on column app_public.call_criterion_results.passed is 'Yes to the criterion''s question.';
comment on column app_public.call_criterion_results.evidence is 'A short quote or reason from the conversation.';
-- The answers belong to the call's current analysis: removing the analysis removes them.
create function app_private.tg_lead_analytics__drop_criterion_results() returns trigger
  language plpgsql security definer
as $$
begin
  delete from app_public.call_criterion_results r where r.call_id = old.call_id;
  return null;
end
$$;
comment on function app_private.tg_lead_analytics__drop_criterion_results() is 'AFTER DELETE of a call''s individual analysis: its success-criteria answers go with it.';
create trigger _510_drop_criterion_results after delete on app_public.lead_analytics
  for each row when (old.analysis_type = 'individual') execute function app_private.tg_lead_analytics__drop_criterion_results();

alter table app_public.call_criterion_results enable row level security;
create policy select_own on app_public.call_criterion_results for select to app_user
  using (user_id = (select app_public.current_user_id()));
grant select on app_public.call_criterion_results to app_user;

-- 4. The mapping from an analysis to columns, and the two writers (latest definitions + the new columns).
CREATE OR REPLACE FUNCTION app_hidden.analysis_values(p jsonb)
 RETURNS app_public.lead_analytics
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  r app_public.lead_analytics;
begin
  r.intent_score           := (p ->> 'intent_score')::smallint;
  r.urgency_score          := (p ->> 'urgency_score')::smallint;
  r.budget_score           := (p ->> 'budget_score')::smallint;
  r.fit_score              := (p ->> 'fit_score')::smallint;
  r.engagement_score       := (p ->> 'engagement_score')::smallint;
  select g.total_score, g.lead_status_tag, g.intent_level, g.urgency_level, g.budget_constraint,
         g.fit_alignment, g.engagement_health
    into r.total_score, r.lead_status_tag, r.intent_level, r.urgency_level, r.budget_constraint,
         r.fit_alignment, r.engagement_health
    from app_hidden.lead_grade(r.intent_score, r.urgency_score, r.budget_score, r.fit_score, r.engagement_score) g;
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
  -- conversation intelligence (issue 17)
  r.sentiment_label          := p ->> 'sentiment_label';
  r.sentiment_score          := (p ->> 'sentiment_score')::smallint;
  r.topics                   := case when jsonb_typeof(p -> 'topics') = 'array'
                                  then array(select distinct t from jsonb_array_elements_text(p -> 'topics') t order by t) end;
  r.free_topics              := case when jsonb_typeof(p -> 'free_topics') = 'array'
                                  then array(select distinct t from jsonb_array_elements_text(p -> 'free_topics') t order by t) end;
  r.objections               := case when jsonb_typeof(p -> 'objections') = 'array'
                                  then array(select distinct t from jsonb_array_elements_text(p -> 'objections') t order by t) end;
  r.next_steps               := nullif(btrim(p ->> 'next_steps'), '');
  r.call_quality_score       := (p ->> 'call_quality_score')::smallint;
  r.csat_score               := (p ->> 'csat_score')::smallint;
  r.human_transfer_requested := (p ->> 'human_transfer_requested')::boolean;
  r.human_transfer_happened  := (p ->> 'human_transfer_happened')::boolean;
  r.conversation_outcome     := p ->> 'conversation_outcome';
  return r;
end
$function$;
comment on function app_hidden.analysis_values(p jsonb) is 'THE mapping from a validated analysis (JSON, worker/analysis/schema.ts) to lead_analytics values; only the analysis columns are set. total_score, lead_status_tag and the five levels come from app_hidden.lead_grade of the five sub-scores, whatever the JSON says. Topics, free topics and objections are stored de-duplicated and sorted.';

CREATE OR REPLACE FUNCTION app_hidden.record_call_analysis(p_call_id uuid, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text, p_content_md5 text DEFAULT NULL::text)
 RETURNS uuid
 LANGUAGE plpgsql
AS $function$
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
    sentiment_label, sentiment_score, topics, free_topics, objections, next_steps, call_quality_score, csat_score, human_transfer_requested, human_transfer_happened, conversation_outcome,
    analyzer, model, prompt_version, analyzed_at, is_read)
  values (
    c.user_id, 'individual', c.id, c.phone_number,
    f.intent_level, f.intent_score, f.urgency_level, f.urgency_score, f.budget_constraint, f.budget_score,
    f.fit_alignment, f.fit_score, f.engagement_health, f.engagement_score, f.total_score, f.lead_status_tag,
    f.reasoning, f.cta_interactions, f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
    f.cta_escalated_to_human, f.extracted_name, f.extracted_email, f.company_name, f.smart_notification, f.demo_book_datetime,
    f.sentiment_label, f.sentiment_score, f.topics, f.free_topics, f.objections, f.next_steps, f.call_quality_score, f.csat_score, f.human_transfer_requested, f.human_transfer_happened, f.conversation_outcome,
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
        sentiment_label = excluded.sentiment_label, sentiment_score = excluded.sentiment_score, topics = excluded.topics, free_topics = excluded.free_topics, objections = excluded.objections, next_steps = excluded.next_steps, call_quality_score = excluded.call_quality_score, csat_score = excluded.csat_score, human_transfer_requested = excluded.human_transfer_requested, human_transfer_happened = excluded.human_transfer_happened, conversation_outcome = excluded.conversation_outcome,
        analyzer = excluded.analyzer, model = excluded.model, prompt_version = excluded.prompt_version,
        analyzed_at = excluded.analyzed_at,
        is_read = a.is_read and a.smart_notification is not distinct from excluded.smart_notification
  returning a.id into v_id;
  -- The call's answers to the tenant's success criteria, replaced with the analysis
  -- (criteria of another tenant or deleted meanwhile are ignored).
  delete from app_public.call_criterion_results r where r.call_id = c.id;
  insert into app_public.call_criterion_results (call_id, criterion_id, user_id, passed, evidence)
  select c.id, k.id, c.user_id, bool_and((e ->> 'passed')::boolean), left(min(nullif(btrim(e ->> 'evidence'), '')), 500)
    from jsonb_array_elements(case when jsonb_typeof(p_analysis -> 'success_criteria') = 'array'
                                   then p_analysis -> 'success_criteria' else '[]' end) e
    join app_public.success_criteria k on k.id::text = e ->> 'criterion_id' and k.user_id = c.user_id
   where jsonb_typeof(e -> 'passed') = 'boolean'
   group by k.id;
  update app_public.transcripts t
     set analysis_status = 'completed', analysis_error = null, analyzed_at = now()
   where t.call_id = c.id;
  return v_id;
end
$function$;
comment on function app_hidden.record_call_analysis(p_call_id uuid, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text, p_content_md5 text) is 'Records (replaces) a call''s individual analysis and its success-criteria answers (call_criterion_results) in one transaction and marks its transcript analysed. Given p_content_md5, the MD5 of the transcript text the analysis was made from, it records nothing and returns null if the transcript now has other text (THE stale-transcript guard: the worker passes it). Values from app_hidden.analysis_values. Idempotent.';

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
    sentiment_label, sentiment_score, topics, free_topics, objections, next_steps, call_quality_score, csat_score, human_transfer_requested, human_transfer_happened, conversation_outcome,
    analyzer, model, prompt_version, analyzed_at, is_read)
  values (
    p_user_id, 'complete', p_phone, v_latest, v_calls,
    f.intent_level, f.intent_score, f.urgency_level, f.urgency_score, f.budget_constraint, f.budget_score,
    f.fit_alignment, f.fit_score, f.engagement_health, f.engagement_score, f.total_score, f.lead_status_tag,
    f.reasoning, f.cta_interactions, f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
    f.cta_escalated_to_human, f.extracted_name, f.extracted_email, f.company_name, f.smart_notification, f.demo_book_datetime,
    f.sentiment_label, f.sentiment_score, f.topics, f.free_topics, f.objections, f.next_steps, f.call_quality_score, f.csat_score, f.human_transfer_requested, f.human_transfer_happened, f.conversation_outcome,
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
        sentiment_label = excluded.sentiment_label, sentiment_score = excluded.sentiment_score, topics = excluded.topics, free_topics = excluded.free_topics, objections = excluded.objections, next_steps = excluded.next_steps, call_quality_score = excluded.call_quality_score, csat_score = excluded.csat_score, human_transfer_requested = excluded.human_transfer_requested, human_transfer_happened = excluded.human_transfer_happened, conversation_outcome = excluded.conversation_outcome,
        analyzer = excluded.analyzer, model = excluded.model, prompt_version = excluded.prompt_version,
        analyzed_at = excluded.analyzed_at, is_read = true
  returning a.id into v_id;
  return v_id;
end
$function$;

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__rollup()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  tz    text;
  c     app_public.calls;
  old_a app_public.lead_analytics;
  new_a app_public.lead_analytics;
begin
  if tg_op = 'UPDATE' then
    -- (call, type and tenant are immutable: _010_guard_immutable)
    if (new.total_score, new.lead_status_tag, new.cta_pricing_clicked, new.cta_demo_clicked,
        new.cta_followup_clicked, new.cta_sample_clicked, new.cta_escalated_to_human,
        new.intent_score, new.urgency_score, new.budget_score, new.fit_score, new.engagement_score,
        new.demo_book_datetime is null,
        -- conversation intelligence (issue 17)
        new.sentiment_label, new.sentiment_score, new.call_quality_score, new.csat_score,
        new.human_transfer_requested, new.human_transfer_happened, new.conversation_outcome)
       is not distinct from
       (old.total_score, old.lead_status_tag, old.cta_pricing_clicked, old.cta_demo_clicked,
        old.cta_followup_clicked, old.cta_sample_clicked, old.cta_escalated_to_human,
        old.intent_score, old.urgency_score, old.budget_score, old.fit_score, old.engagement_score,
        old.demo_book_datetime is null,
        old.sentiment_label, old.sentiment_score, old.call_quality_score, old.csat_score,
        old.human_transfer_requested, old.human_transfer_happened, old.conversation_outcome) then
      return null;
    end if;
  end if;
  if coalesce(new.analysis_type, old.analysis_type) <> 'individual' then
    return null;
  end if;
  if tg_op in ('UPDATE', 'DELETE') then old_a := old; end if;
  if tg_op in ('UPDATE', 'INSERT') then new_a := new; end if;

  -- FOR SHARE: a concurrent move of the call (agent, start) waits for this
  -- transaction, or this one waits for the move and then reads the moved call.
  select * into c from app_public.calls k where k.id = coalesce(new.call_id, old.call_id) for share;
  if not found then
    return null;  -- the call itself is being deleted; its trigger took the whole contribution
  end if;
  select u.timezone into tz from app_public.users u where u.id = c.user_id for key share;
  if tz is null then
    return null;  -- the tenant itself is being deleted
  end if;
  -- Only the analysis part changes, counted on the call's day whenever it arrives.
  insert into app_hidden.rollup_deltas
  select d.* from app_hidden.call_contribution(c, old_a, tz, -1, false) d
  union all
  select d.* from app_hidden.call_contribution(c, new_a, tz, 1, false) d;
  return null;
end
$function$;

-- 5. Additive measures (sql/README.md "Adding a KPI").
alter table app_private.rollup_measures
  add column sentiment_score_sum bigint not null default 0,
  add column sentiment_score_count bigint not null default 0,
  add column sentiment_positive bigint not null default 0,
  add column sentiment_neutral bigint not null default 0,
  add column sentiment_negative bigint not null default 0,
  add column sentiment_mixed bigint not null default 0,
  add column quality_score_sum bigint not null default 0,
  add column quality_score_count bigint not null default 0,
  add column csat_score_sum bigint not null default 0,
  add column csat_score_count bigint not null default 0,
  add column transfer_requested_calls bigint not null default 0,
  add column transfer_happened_calls bigint not null default 0,
  add column convo_converted bigint not null default 0,
  add column convo_interested bigint not null default 0,
  add column convo_callback_requested bigint not null default 0,
  add column convo_not_interested bigint not null default 0,
  add column convo_wrong_person bigint not null default 0,
  add column convo_no_outcome bigint not null default 0;

call app_private.generate_rollup_code();

CREATE OR REPLACE FUNCTION app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean DEFAULT true)
 RETURNS SETOF app_hidden.rollup_deltas
 LANGUAGE sql
 STABLE PARALLEL SAFE ROWS 1
AS $function$
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
                   + a.cta_sample_clicked::int + a.cta_escalated_to_human::int) else 0 end,
    case when a.demo_book_datetime is not null then s else 0 end,             -- booked_calls
    coalesce(s * a.sentiment_score, 0),                                      -- sentiment_score_sum
    case when a.sentiment_score is not null then s else 0 end,               -- sentiment_score_count
    case when a.sentiment_label = 'positive' then s else 0 end,              -- sentiment_positive
    case when a.sentiment_label = 'neutral' then s else 0 end,               -- sentiment_neutral
    case when a.sentiment_label = 'negative' then s else 0 end,              -- sentiment_negative
    case when a.sentiment_label = 'mixed' then s else 0 end,                 -- sentiment_mixed
    coalesce(s * a.call_quality_score, 0),                                   -- quality_score_sum
    case when a.call_quality_score is not null then s else 0 end,            -- quality_score_count
    coalesce(s * a.csat_score, 0),                                           -- csat_score_sum
    case when a.csat_score is not null then s else 0 end,                    -- csat_score_count
    case when a.human_transfer_requested then s else 0 end,                  -- transfer_requested_calls
    case when a.human_transfer_happened then s else 0 end,                   -- transfer_happened_calls
    case when a.conversation_outcome = 'converted' then s else 0 end,        -- convo_converted
    case when a.conversation_outcome = 'interested' then s else 0 end,       -- convo_interested
    case when a.conversation_outcome = 'callback_requested' then s else 0 end, -- convo_callback_requested
    case when a.conversation_outcome = 'not_interested' then s else 0 end,   -- convo_not_interested
    case when a.conversation_outcome = 'wrong_person' then s else 0 end,     -- convo_wrong_person
    case when a.conversation_outcome = 'no_outcome' then s else 0 end        /* convo_no_outcome */
   where c.id is not null
$function$;

select app_hidden.rebuild_rollups(u.id) from app_public.users u;

CREATE OR REPLACE FUNCTION app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas)
 RETURNS boolean
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
    -- bookings: the calls whose analysis booked; booking rate = booked / connected: its denominator
    when 'booked_calls'             then d.booked_calls <> 0
    when 'booking_rate'             then d.successful_calls <> 0
    when 'cost_per_booked_appointment_cents' then d.booked_calls <> 0
    -- conversation intelligence (issue 17): averages by their denominator, counts by their measure
    when 'average_sentiment'        then d.sentiment_score_count <> 0
    when 'sentiment_positive'       then d.sentiment_positive <> 0
    when 'sentiment_neutral'        then d.sentiment_neutral <> 0
    when 'sentiment_negative'       then d.sentiment_negative <> 0
    when 'sentiment_mixed'          then d.sentiment_mixed <> 0
    when 'average_call_quality'     then d.quality_score_count <> 0
    when 'average_csat'             then d.csat_score_count <> 0
    when 'transfer_requested_calls' then d.transfer_requested_calls <> 0
    when 'transfer_happened_calls'  then d.transfer_happened_calls <> 0
    when 'convo_converted'          then d.convo_converted <> 0
    when 'convo_interested'         then d.convo_interested <> 0
    when 'convo_callback_requested' then d.convo_callback_requested <> 0
    when 'convo_not_interested'     then d.convo_not_interested <> 0
    when 'convo_wrong_person'       then d.convo_wrong_person <> 0
    when 'convo_no_outcome'         then d.convo_no_outcome <> 0
  end;
end
$function$;

CREATE OR REPLACE FUNCTION app_hidden.drilldown_figures()
 RETURNS text[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
    'cost_per_lead_cents', 'cost_per_qualified_lead_cents', 'cta_interactions', 'cta_call_conversion_rate',
    'booked_calls', 'booking_rate', 'cost_per_booked_appointment_cents',
    'average_sentiment', 'sentiment_positive', 'sentiment_neutral', 'sentiment_negative', 'sentiment_mixed',
    'average_call_quality', 'average_csat', 'transfer_requested_calls', 'transfer_happened_calls',
    'convo_converted', 'convo_interested', 'convo_callback_requested', 'convo_not_interested',
    'convo_wrong_person', 'convo_no_outcome'
  ]
$function$;


-- 6. The API's readers. Rollup figures (sentiment, quality, satisfaction, transfers, outcome
-- classes) read the rollups through measures_by_bucket; topics, objections and criterion pass
-- rates are exact reads of the analyses of the range's calls (calls_user_started_idx /
-- calls_agent_started_idx, then one index probe per call), so they are exact at commit too.
create type app_public.conversation_summary as (
  analysed_calls bigint,
  average_sentiment numeric,
  sentiment_positive bigint,
  sentiment_neutral bigint,
  sentiment_negative bigint,
  sentiment_mixed bigint,
  average_call_quality numeric,
  average_csat numeric,
  transfer_requested_calls bigint,
  transfer_happened_calls bigint,
  transfer_request_rate numeric
);
comment on type app_public.conversation_summary is 'How the conversations of a period went, from their analyses.';
comment on column app_public.conversation_summary.analysed_calls is 'Calls with an analysis (leads).';
comment on column app_public.conversation_summary.average_sentiment is 'Average caller sentiment, -100 (very negative) to 100 (very positive), over the analyses that scored it.';
comment on column app_public.conversation_summary.sentiment_positive is 'Analysed calls whose caller was positive overall.';
comment on column app_public.conversation_summary.sentiment_neutral is 'Analysed calls whose caller was neutral overall.';
comment on column app_public.conversation_summary.sentiment_negative is 'Analysed calls whose caller was negative overall.';
comment on column app_public.conversation_summary.sentiment_mixed is 'Analysed calls whose caller was both positive and negative.';
comment on column app_public.conversation_summary.average_call_quality is 'Average call quality score (0-100): how well the agent handled the conversation.';
comment on column app_public.conversation_summary.average_csat is 'Average estimated customer satisfaction (0-100).';
comment on column app_public.conversation_summary.transfer_requested_calls is 'Analysed calls in which the caller asked for a person.';
comment on column app_public.conversation_summary.transfer_happened_calls is 'Analysed calls handed over to a person.';
comment on column app_public.conversation_summary.transfer_request_rate is 'Share of analysed calls in which the caller asked for a person (fraction).';

create function app_hidden.conversation_summary_of(m app_hidden.measures) returns app_public.conversation_summary
  language sql immutable parallel safe
as $$
  select row(m.leads_generated, app_hidden.average(m.sentiment_score_sum, m.sentiment_score_count),
             m.sentiment_positive, m.sentiment_neutral, m.sentiment_negative, m.sentiment_mixed,
             app_hidden.average(m.quality_score_sum, m.quality_score_count),
             app_hidden.average(m.csat_score_sum, m.csat_score_count),
             m.transfer_requested_calls, m.transfer_happened_calls,
             app_hidden.ratio(m.transfer_requested_calls, m.leads_generated))::app_public.conversation_summary
$$;
comment on function app_hidden.conversation_summary_of(m app_hidden.measures) is 'THE formulas of the conversation figures: averages through app_hidden.average, rates through app_hidden.ratio.';
grant execute on function app_hidden.conversation_summary_of(m app_hidden.measures) to app_user;

create function app_public.conversation_summary(from_date date default null, to_date date default null, agent_id uuid default null)
  returns app_public.conversation_summary
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_hidden.conversation_summary_of(m)
    from app_hidden.kpi_range(conversation_summary.from_date, conversation_summary.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, conversation_summary.agent_id) m
$$;
comment on function app_public.conversation_summary(from_date date, to_date date, agent_id uuid) is 'Sentiment, call quality, estimated satisfaction and human transfers of the analysed calls over tenant-local days fromDate..toDate (default the last 30 days), for the business or one agent. Exact at commit (rollups plus pending changes).';
grant execute on function app_public.conversation_summary(from_date date, to_date date, agent_id uuid) to app_user;

create type app_public.conversation_day as (
  day date,
  analysed_calls bigint,
  average_sentiment numeric,
  sentiment_positive bigint,
  sentiment_neutral bigint,
  sentiment_negative bigint,
  sentiment_mixed bigint,
  average_call_quality numeric,
  average_csat numeric
);
comment on type app_public.conversation_day is 'One day of the sentiment trend.';
comment on column app_public.conversation_day.day is 'Tenant-local day of the calls.';
comment on column app_public.conversation_day.analysed_calls is 'Calls of the day with an analysis.';
comment on column app_public.conversation_day.average_sentiment is 'Average caller sentiment (-100..100) of the day''s analysed calls; null when none scored it.';
comment on column app_public.conversation_day.average_call_quality is 'Average call quality score (0-100).';
comment on column app_public.conversation_day.average_csat is 'Average estimated customer satisfaction (0-100).';

create function app_public.conversation_trend(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.conversation_day
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select d.day::date, s.analysed_calls, s.average_sentiment, s.sentiment_positive, s.sentiment_neutral,
         s.sentiment_negative, s.sentiment_mixed, s.average_call_quality, s.average_csat
    from app_hidden.kpi_range(conversation_trend.from_date, conversation_trend.to_date, 366) r
   cross join lateral generate_series(r.from_date, r.to_date, interval '1 day') d(day)
    left join lateral app_hidden.measures_by_bucket(r.user_id, r.from_date, r.to_date, conversation_trend.agent_id, 'day') b
      on b.bucket = d.day::date
   cross join lateral app_hidden.conversation_summary_of(coalesce(b.measures, app_hidden.zero_measures())) s
   order by d.day
$$;
comment on function app_public.conversation_trend(from_date date, to_date date, agent_id uuid) is 'The sentiment trend: per tenant-local day of fromDate..toDate (at most 366 days, every day listed), the analysed calls, their average sentiment, the sentiment split, average call quality and estimated satisfaction.';
grant execute on function app_public.conversation_trend(from_date date, to_date date, agent_id uuid) to app_user;

create function app_public.conversation_outcomes(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select b.key, b.label, b.value,
         app_hidden.ratio(b.value, sum(b.value) over ())
    from app_hidden.kpi_range(conversation_outcomes.from_date, conversation_outcomes.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, conversation_outcomes.agent_id) m,
         lateral (values
           (1, 'converted', 'Converted', m.convo_converted),
           (2, 'interested', 'Interested', m.convo_interested),
           (3, 'callback_requested', 'Callback requested', m.convo_callback_requested),
           (4, 'not_interested', 'Not interested', m.convo_not_interested),
           (5, 'wrong_person', 'Wrong person', m.convo_wrong_person),
           (6, 'no_outcome', 'No clear outcome', m.convo_no_outcome)) b(ord, key, label, value)
   order by b.ord
$$;
comment on function app_public.conversation_outcomes(from_date date, to_date date, agent_id uuid) is 'How the analysed conversations ended (converted, interested, callback requested, not interested, wrong person, no clear outcome), each with its share of the classified calls. The drill-down figure of a class is convo_<key>.';
grant execute on function app_public.conversation_outcomes(from_date date, to_date date, agent_id uuid) to app_user;

create type app_public.conversation_topic as (
  key text,
  label text,
  calls bigint,
  share numeric
);
comment on type app_public.conversation_topic is 'A topic or objection with the number of analysed calls that raised it.';
comment on column app_public.conversation_topic.key is 'Taxonomy key (topics, objections) or the free topic''s text (lower case).';
comment on column app_public.conversation_topic.calls is 'Analysed calls that mention it.';
comment on column app_public.conversation_topic.share is 'Share of the analysed calls (those analysed for topics and objections) that mention it.';

create function app_hidden.objection_label(k text) returns text
  language sql immutable parallel safe
as $$
  select case k when 'price' then 'Price' when 'timing' then 'Timing' when 'authority' then 'Authority'
                when 'need' then 'No need' when 'competitor' then 'Competitor' when 'trust' then 'Trust'
                when 'other' then 'Other' end
$$;
comment on function app_hidden.objection_label(k text) is 'The label of an objection class.';
grant execute on function app_hidden.objection_label(k text) to app_user;

create function app_public.conversation_topics(kind text default 'topic', from_date date default null, to_date date default null,
                                               agent_id uuid default null, max_rows integer default 10)
  returns setof app_public.conversation_topic
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  with r as (select * from app_hidden.kpi_range(conversation_topics.from_date, conversation_topics.to_date)),
  analysed as materialized (
    select case conversation_topics.kind when 'topic' then a.topics when 'objection' then a.objections
                when 'free_topic' then array(select distinct lower(f) from unnest(a.free_topics) f) end as keys
      from r
      join app_public.calls c
        on c.user_id = r.user_id
       and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
       and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
       and (conversation_topics.agent_id is null or c.agent_id = conversation_topics.agent_id)
      join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
     where a.topics is not null
  ),
  counted as (
    -- a call counts once per key, even if a row lists a key twice
    select x.k, count(*) as calls from analysed, lateral (select distinct u.k from unnest(analysed.keys) u(k)) x group by x.k
  )
  select x.k,
         case conversation_topics.kind
           when 'topic' then coalesce((select t.label from app_public.analysis_topics t, r
                                        where t.user_id = r.user_id and t.key = x.k), initcap(replace(x.k, '_', ' ')))
           when 'objection' then app_hidden.objection_label(x.k)
           else x.k end,
         x.calls, app_hidden.ratio(x.calls, (select count(*) from analysed))
    from counted x
   order by x.calls desc, x.k
   limit least(greatest(coalesce(conversation_topics.max_rows, 10), 1), 100)
$$;
comment on function app_public.conversation_topics(kind text, from_date date, to_date date, agent_id uuid, max_rows integer) is 'The most frequent topics (kind topic: keys of the taxonomy; free_topic: the model''s free topics) or objections (kind objection) of the analysed calls over tenant-local days fromDate..toDate, for the business or one agent, most frequent first (at most maxRows, 1-100). An exact read of the analyses (not a rollup).';
grant execute on function app_public.conversation_topics(kind text, from_date date, to_date date, agent_id uuid, max_rows integer) to app_user;

create type app_public.criterion_pass_rate as (
  criterion_id uuid,
  name text,
  question text,
  is_active boolean,
  evaluated bigint,
  passed bigint,
  pass_rate numeric
);
comment on type app_public.criterion_pass_rate is 'A success criterion''s pass rate over a period.';
comment on column app_public.criterion_pass_rate.evaluated is 'Analysed calls of the period that answered the criterion.';
comment on column app_public.criterion_pass_rate.passed is 'Of those, the calls that passed (yes).';
comment on column app_public.criterion_pass_rate.pass_rate is 'passed / evaluated (fraction); null when none was evaluated.';

create function app_public.success_criteria_pass_rates(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.criterion_pass_rate
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  with r as (select * from app_hidden.kpi_range(success_criteria_pass_rates.from_date, success_criteria_pass_rates.to_date)),
  results as (
    select x.criterion_id, count(*) as evaluated, count(*) filter (where x.passed) as passed
      from r
      join app_public.calls c
        on c.user_id = r.user_id
       and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
       and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
       and (success_criteria_pass_rates.agent_id is null or c.agent_id = success_criteria_pass_rates.agent_id)
      join app_public.call_criterion_results x on x.call_id = c.id
     group by x.criterion_id
  )
  select k.id, k.name, k.question, k.is_active, coalesce(s.evaluated, 0), coalesce(s.passed, 0),
         app_hidden.ratio(s.passed, s.evaluated)
    from r
    join app_public.success_criteria k on k.user_id = r.user_id
    left join results s on s.criterion_id = k.id
   where k.is_active or s.evaluated > 0
   order by k.name, k.id
$$;
comment on function app_public.success_criteria_pass_rates(from_date date, to_date date, agent_id uuid) is 'Every success criterion (active, or answered in the period) with how many analysed calls of tenant-local days fromDate..toDate answered it, how many passed, and the pass rate; for the business or one agent. An exact read of the per-call results (not a rollup).';
grant execute on function app_public.success_criteria_pass_rates(from_date date, to_date date, agent_id uuid) to app_user;
