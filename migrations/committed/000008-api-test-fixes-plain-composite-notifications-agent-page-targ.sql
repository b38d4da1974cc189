--! Previous: sha1:4e274d08e9f259206c25db74752dbcca912d9494
--! Hash: sha1:f4d12d8e7bba4114423ba6b814a2f9b0109e1991
--! Message: API test fixes: plain-composite notifications, agent page targets via targetsVsActuals, KPI windows end today, per-tenant number-per-agent key, API key scope errors

-- =============================================================================
-- 31. Fixes found by the API tests
-- =============================================================================
-- (a) Arrays of table rows inside a composite are re-read by PostGraphile
-- (unnest, ordered by primary key): the overview's notifications lost their
-- order and cost another round trip. Plain composites keep both.
create type app_public.notification_item as (
  lead_analytic_id   uuid,
  call_id            uuid,
  phone_number       text,
  extracted_name     text,
  company_name       text,
  lead_status_tag    text,
  total_score        smallint,
  smart_notification text,
  demo_book_datetime timestamptz,
  analyzed_at        timestamptz
);
comment on type app_public.notification_item is 'An unread smart notification: who to call back and why (mark it read with markNotificationRead(leadAnalyticId)).';

alter type app_public.dashboard_overview drop attribute notifications;
alter type app_public.dashboard_overview add attribute notifications app_public.notification_item[];
comment on column app_public.dashboard_overview.notifications is
  'The 10 newest unread smart notifications (all dates), higher scores first within the same time: who to call back.';

create or replace function app_public.dashboard_overview(from_date date default null, to_date date default null)
  returns app_public.dashboard_overview
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_public.kpi_summary(r.from_date, r.to_date),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day') s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         array(select h from app_public.kpi_hourly_matrix(r.from_date, r.to_date) h),
         app_public.data_freshness(),
         (select count(*) from app_public.lead_analytics a
           where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read),
         array(select row(a.id, coalesce(a.call_id, a.latest_call_id), a.phone_number, a.extracted_name, a.company_name,
                          a.lead_status_tag, a.total_score, a.smart_notification, a.demo_book_datetime,
                          a.analyzed_at)::app_public.notification_item
                 from app_public.lead_analytics a
                where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read
                order by a.analyzed_at desc, a.total_score desc nulls last, a.id
                limit 10)
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$$;

-- The agent page's targets had the same problem; targetsVsActuals(agentId)
-- already answers it in order, so the page asks for that instead.
alter type app_public.agent_overview drop attribute targets;
create or replace function app_public.agent_overview(agent_id uuid, from_date date default null, to_date date default null)
  returns app_public.agent_overview
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_public.kpi_summary(r.from_date, r.to_date, agent_overview.agent_id),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day', agent_overview.agent_id) s)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$$;
comment on type app_public.agent_overview is 'An agent''s page in one query: kpiSummary and daily kpiSeries for that agent (targets: targetsVsActuals(agentId)).';

-- (b) Calls scheduled in the future counted in the materialized summary's
-- 30-day, 7-day and lifetime windows and in the agent views (the KPI
-- functions end their ranges today). Every window now ends today.
drop view app_public.kpi_summaries;
drop materialized view app_hidden.user_kpi_summary;
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
    join app_public.tenant_daily_stats d on d.user_id = t.user_id and d.day <= t.today
   group by t.user_id
), best as (
  -- Per tenant (LATERAL), so the tenant and day range reach the rollup's index
  -- instead of aggregating every agent's whole history first.
  select t.user_id, b.agent_id, b.successful, b.qualified
    from tenants t
    cross join lateral (
      select a.agent_id, sum(a.successful_calls) as successful, sum(a.qualified_leads) as qualified
        from app_public.agent_daily_stats a
       where a.user_id = t.user_id and a.day > t.today - 30 and a.day <= t.today
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
  'Per tenant: 30-day rolling, 7-day and lifetime KPIs up to today and the best agent (most qualified leads in 30 days), from the rollups. Refreshed concurrently every 5 minutes and shortly after data changes.';

create view app_public.kpi_summaries as
  select s.* from app_hidden.user_kpi_summary s
   where s.user_id = app_public.current_user_id() or app_public.current_user_is_admin();
comment on view app_public.kpi_summaries is
  'The materialized KPI summary: the current tenant''s row; platform admins see every tenant.';

grant select on app_public.kpi_summaries to app_user;

create or replace view app_public.agent_performance with (security_invoker = true) as
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
    from t join app_public.agent_daily_stats d on d.agent_id = t.agent_id and d.user_id = t.user_id and d.day <= t.today
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


create or replace view app_public.agent_trends with (security_invoker = true) as
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
      on d.agent_id = t.agent_id and d.user_id = t.user_id and d.day > t.today - 2 * p.days and d.day <= t.today
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


-- (c) "One number per agent" was checked on agent_id alone, before the
-- foreign key: a tenant pointing a number at another tenant's agent learnt
-- whether that agent had a number (ALREADY_EXISTS). Keyed with the tenant,
-- the foreign key's INVALID_REFERENCE answers first. Same rule: an agent
-- belongs to one tenant.
drop index app_public.phone_numbers_agent_key;
create unique index phone_numbers_agent_key on app_public.phone_numbers (agent_id, user_id) where agent_id is not null;

-- (d) createApiKey with no scopes: a clear error instead of a null violation.
create or replace function app_hidden.normalize_api_key_scopes(scopes text[]) returns text[]
  language plpgsql immutable
as $$
declare
  v text[];
begin
  if scopes is null or cardinality(scopes) = 0 then
    raise exception 'scopes must include read and/or write' using errcode = '22023';
  end if;
  if not scopes <@ array['read', 'write'] then
    raise exception 'unknown scope in %; scopes are read and write', scopes using errcode = '22023';
  end if;
  -- write implies read; sorted and de-duplicated
  select array_agg(distinct s order by s) into v
    from unnest(scopes || case when 'write' = any (scopes) then array['read'] else array[]::text[] end) s;
  return v;
end
$$;
comment on function app_hidden.normalize_api_key_scopes(text[]) is 'Validated scopes, with read added to write, sorted and de-duplicated (22023 when empty or unknown).';

grant execute on function app_hidden.normalize_api_key_scopes(text[]) to app_user;

create or replace function app_public.create_api_key(name text, scopes text[] default '{read}', expires_at timestamptz default null)
  returns app_public.created_api_key
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user_id uuid := app_public.current_user_id();
  v_key     app_public.api_keys;
  v_prefix  text;
  v_secret  text;
  v_scopes  text[];
begin
  if v_user_id is null then
    raise exception 'sign in to create API keys' using errcode = '42501';
  end if;
  if nullif(current_setting('jwt.claims.api_key_id', true), '') is not null then
    raise exception 'API keys cannot create API keys; sign in with a password' using errcode = '42501';
  end if;
  if expires_at is not null and expires_at <= now() then
    raise exception 'expires_at must be in the future' using errcode = '22023';
  end if;
  v_scopes := app_hidden.normalize_api_key_scopes(coalesce(scopes, '{read}'));
  if (select count(*) from app_public.api_keys k
       where k.user_id = v_user_id and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())) >= 50 then
    raise exception 'a tenant can have at most 50 active API keys; revoke one first' using errcode = '54000';
  end if;
  loop
    v_prefix := encode(gen_random_bytes(4), 'hex');
    exit when not exists (select 1 from app_public.api_keys k where k.key_prefix = v_prefix);
  end loop;
  v_secret := format('sbk_%s_%s', v_prefix,
                     translate(rtrim(encode(gen_random_bytes(32), 'base64'), '='), '+/', '-_'));
  insert into app_public.api_keys (user_id, name, key_prefix, scopes, expires_at)
  values (v_user_id, create_api_key.name, v_prefix, v_scopes, create_api_key.expires_at)
  returning * into v_key;
  insert into app_private.api_key_secrets (api_key_id, key_hash)
  values (v_key.id, sha256(convert_to(v_secret, 'UTF8')));
  insert into app_private.audit_log (user_id, action, resource_type, resource_id, details)
  values (v_user_id, 'api_key.create', 'api_key', v_key.id::text, jsonb_build_object('scopes', v_scopes));
  return row(v_key, v_secret)::app_public.created_api_key;
end
$$;

comment on column app_public.agent_target_progress.period_end is 'The first day after the period (exclusive end).';
