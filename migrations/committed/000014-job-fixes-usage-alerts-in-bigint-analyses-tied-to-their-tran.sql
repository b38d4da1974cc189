--! Previous: sha1:015425db4008cdda043329898937d56e644bd425
--! Hash: sha1:24206721319059df6216662c9fd988f68e00988a
--! Message: Job fixes: usage alerts in bigint, analyses tied to their transcript text, per-tenant retention for every data type, maintenance log retention, calls by number index

-- =============================================================================
-- 42. Job fixes found by the worker tests
-- =============================================================================
-- (a) Usage alerts in bigint: one tenant with more than 21M credits overflowed
-- the comparison and stopped every tenant's alerts.
create or replace function app_hidden.check_usage_alerts() returns setof app_public.usage_alerts
  language sql volatile
as $$
  with t as (
    select u.id as user_id, u.credits as balance, u.alert_phone,
           date_trunc('month', now() at time zone u.timezone)::date as period_start,
           date_trunc('month', now() at time zone u.timezone)::timestamp at time zone u.timezone as period_from
      from app_public.users u where u.is_active
  ), ref as (
    select t.*, greatest(
             coalesce((select max(x.balance_after) from app_public.credit_transactions x
                        where x.user_id = t.user_id and x.posted_at >= t.period_from), 0),
             coalesce((select x.balance_after from app_public.credit_transactions x
                        where x.user_id = t.user_id and x.posted_at < t.period_from
                        order by x.posted_at desc, x.id desc limit 1), 0)) as reference
      from t
  ), thresholds as (
    select (v #>> '{}')::integer as pct
      from app_private.system_config c, jsonb_array_elements(c.value) v
     where c.key = 'usage_alerts.thresholds_percent'
  )
  insert into app_public.usage_alerts as a (user_id, period_start, threshold_percent, balance, reference_balance, sms_to, sms_status)
  select r.user_id, r.period_start, th.pct, r.balance, r.reference, r.alert_phone,
         case when r.alert_phone is null then 'none' else 'pending' end
    from ref r cross join thresholds th
   where r.reference > 0 and r.balance::bigint * 100 < r.reference::bigint * th.pct
  on conflict (user_id, period_start, threshold_percent) do nothing
  returning a.*
$$;

-- (b) The analysis of an older transcript text never overwrites a newer one.
drop function app_hidden.record_call_analysis(uuid, jsonb, text, text, text);
create function app_hidden.record_call_analysis(
  p_call_id uuid, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text,
  p_content_md5 text default null)
  returns uuid
  language plpgsql volatile
as $$
declare
  c    app_public.calls;
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
    p_analysis ->> 'intent_level', (p_analysis ->> 'intent_score')::smallint,
    p_analysis ->> 'urgency_level', (p_analysis ->> 'urgency_score')::smallint,
    p_analysis ->> 'budget_constraint', (p_analysis ->> 'budget_score')::smallint,
    p_analysis ->> 'fit_alignment', (p_analysis ->> 'fit_score')::smallint,
    p_analysis ->> 'engagement_health', (p_analysis ->> 'engagement_score')::smallint,
    (p_analysis ->> 'total_score')::smallint, p_analysis ->> 'lead_status_tag',
    coalesce(p_analysis -> 'reasoning', '{}'), coalesce(p_analysis -> 'cta_interactions', '{}'),
    coalesce((p_analysis -> 'cta_interactions' ->> 'pricing_clicked')::boolean, false),
    coalesce((p_analysis -> 'cta_interactions' ->> 'demo_clicked')::boolean, false),
    coalesce((p_analysis -> 'cta_interactions' ->> 'followup_clicked')::boolean, false),
    coalesce((p_analysis -> 'cta_interactions' ->> 'sample_clicked')::boolean, false),
    coalesce((p_analysis -> 'cta_interactions' ->> 'escalated_to_human')::boolean, false),
    p_analysis ->> 'extracted_name', nullif(p_analysis ->> 'extracted_email', '')::citext, p_analysis ->> 'company_name',
    p_analysis ->> 'smart_notification', app_hidden.ts(p_analysis ->> 'demo_book_datetime'),
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
comment on function app_hidden.record_call_analysis(uuid, jsonb, text, text, text, text) is
  'Writes (or replaces) the individual analysis of a call from validated JSON and marks its transcript analysed; with p_content_md5, only if the transcript still has that text (else null). Idempotent.';

-- (c) Per-tenant retention overrides for every tenant-owned data type, and the
-- maintenance logs (which grew without limit) as a data type of their own.
alter table app_private.retention_policies drop constraint retention_policies_data_type_check;
alter table app_private.retention_policies add constraint retention_policies_data_type_check
  check (data_type in ('calls', 'webhook_events', 'login_attempts', 'trigger_errors', 'audit_log', 'maintenance_logs'));
insert into app_private.retention_policies (data_type, retain_days, description) values
  ('maintenance_logs', 90, 'Compaction, materialized view refresh, verification and retention logs.');

create or replace function app_hidden.retention_batch(p_data_type text, p_batch integer default 1000) returns integer
  language plpgsql volatile
as $$
declare
  n       integer := 0;
  m       integer := 0;
  total   integer := 0;
  v_days  integer := (select p.retain_days from app_private.retention_policies p where p.data_type = p_data_type);
  t       record;
begin
  if v_days is null then
    raise exception 'no retention policy for %', p_data_type using errcode = '22023';
  end if;
  if p_data_type = 'calls' then
    for t in
      select u.id, coalesce(r.retain_days, v_days) as days
        from app_public.users u
        left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'calls'
    loop
      n := app_hidden.purge_calls(t.id, now() - make_interval(days => t.days), p_batch);
      total := total + n;
    end loop;
    return total;
  elsif p_data_type = 'webhook_events' then
    delete from app_private.webhook_events w
     where w.id in (select x.id from app_private.webhook_events x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'webhook_events'
                     where x.status in ('processed', 'ignored')
                       and x.received_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'login_attempts' then
    delete from app_private.login_attempts a
     where a.id in (select x.id from app_private.login_attempts x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'login_attempts'
                     where x.attempted_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'trigger_errors' then
    delete from app_private.trigger_error_log a
     where a.id in (select x.id from app_private.trigger_error_log x
                     where x.occurred_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'audit_log' then
    delete from app_private.audit_log a
     where a.id in (select x.id from app_private.audit_log x
                      left join app_private.tenant_retention r on r.user_id = x.user_id and r.data_type = 'audit_log'
                     where x.created_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'maintenance_logs' then
    delete from app_private.rollup_compaction_log a
     where a.id in (select x.id from app_private.rollup_compaction_log x
                     where x.compacted_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics m = row_count;
    delete from app_private.mv_refresh_log a
     where a.id in (select x.id from app_private.mv_refresh_log x
                     where x.started_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    m := m + n;
    delete from app_private.rollup_verification_log a
     where a.id in (select x.id from app_private.rollup_verification_log x
                     where x.ran_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    m := m + n;
    delete from app_private.retention_log a
     where a.id in (select x.id from app_private.retention_log x
                     where x.ran_at < now() - make_interval(days => v_days) limit p_batch);
    get diagnostics n = row_count;
    n := m + n;
  end if;
  if n > 0 then
    insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
    values ('00000000-0000-0000-0000-000000000000', p_data_type, now() - make_interval(days => v_days), n);
  end if;
  return n;
end
$$;
comment on function app_hidden.retention_batch(text, integer) is
  'Removes up to one batch (default 1000) of data older than its retention (per-tenant overrides from tenant_retention; calls per tenant, their history kept in the rollups via purged_rollups) and logs it in retention_log (user_id zero for platform-wide rows). Returns the rows removed.';

-- (d) A contact's calls by number (the complete analysis reads them on every job).
create index calls_user_phone_idx on app_public.calls (user_id, phone_number) where phone_number is not null;
