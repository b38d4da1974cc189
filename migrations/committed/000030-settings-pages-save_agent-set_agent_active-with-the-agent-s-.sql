--! Previous: sha1:39146022d6c4b7029c69afa702184e3f312c3c2b
--! Hash: sha1:24a38b78b32721d2fb67a1565b4744d606a52887
--! Message: Settings pages: save_agent / set_agent_active with the agent's number, set_agent_target and target_pacing (expected so far in the business's time zone), set_business_profile / set_analysis_prompts / set_alert_phone, usage_alert_thresholds per business used by check_usage_alerts

-- =============================================================================
-- Settings pages (issue 14, item 3): agents and numbers, targets with pacing,
-- account (name, time zone, analysis prompts, alert phone, usage alert thresholds).
-- Every write is a security-invoker function (RLS and grants decide), raising
-- SB6xx codes whose messages are written for people (server/errors.ts, block
-- "Settings pages").
-- =============================================================================

-- (a) Phone numbers as people type them: spaces, dashes, dots and brackets go.
create or replace function app_hidden.normalize_phone(p_phone text)
  returns text
  language sql immutable parallel safe
as $$
  select nullif(regexp_replace(coalesce(p_phone, ''), '[[:space:]().-]', '', 'g'), '')
$$;
comment on function app_hidden.normalize_phone(text) is
  'A phone number without spaces, dashes, dots and brackets; null when nothing is left.';
grant execute on function app_hidden.normalize_phone(text) to app_user;

create or replace function app_hidden.require_e164(p_phone text)
  returns text
  language plpgsql immutable
as $$
declare
  v text := app_hidden.normalize_phone(p_phone);
begin
  if v is not null and v !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Enter the number in international format: a + then the country code and number, like +14155550123.'
      using errcode = 'SB404', column = 'phone_number';
  end if;
  return v;
end
$$;
comment on function app_hidden.require_e164(text) is
  'The normalized phone number, or null for an empty one; SB404 (INVALID_PHONE_NUMBER) unless E.164.';
grant execute on function app_hidden.require_e164(text) to app_user;

-- (b) Agents and their number. --------------------------------------------------
create or replace function app_public.agents_phone_number(a app_public.agents)
  returns text
  language sql stable
as $$
  select n.phone_number from app_public.phone_numbers n
   where n.agent_id = a.id and n.user_id = a.user_id
$$;
comment on function app_public.agents_phone_number(app_public.agents) is
  'The phone number assigned to the agent (E.164), if any.';
grant execute on function app_public.agents_phone_number(app_public.agents) to app_user;

create or replace function app_public.agents_has_history(a app_public.agents)
  returns boolean
  language sql stable
as $$
  select exists (select 1 from app_public.agent_daily_stats s where s.agent_id = a.id and s.user_id = a.user_id and s.calls <> 0)
$$;
comment on function app_public.agents_has_history(app_public.agents) is
  'Whether calls of this agent count in the KPIs (then it can only be deactivated, never deleted).';
grant execute on function app_public.agents_has_history(app_public.agents) to app_user;

create or replace function app_public.save_agent(
  agent_id uuid default null, provider text default null, provider_agent_id text default null, name text default null,
  phone_number text default null)
  returns app_public.agents
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user  uuid := app_public.current_user_id();
  v_name  text := btrim(save_agent.name);
  v_pid   text := btrim(save_agent.provider_agent_id);
  v_phone text := app_hidden.require_e164(save_agent.phone_number);
  v_agent app_public.agents;
  v_other text;
begin
  if v_user is null then
    raise exception 'Sign in first.' using errcode = '42501';
  end if;
  if v_name is null or length(v_name) < 1 or length(v_name) > 200 then
    raise exception 'Give the agent a name of 1 to 200 characters.' using errcode = 'SB704', column = 'name';
  end if;
  if save_agent.agent_id is null then
    if save_agent.provider is null or save_agent.provider not in ('bolna', 'twilio', 'vapi', 'retell', 'other') then
      raise exception 'Choose the provider: Bolna, Twilio, Vapi, Retell or other.' using errcode = 'SB705', column = 'provider';
    end if;
    if v_pid is null or length(v_pid) < 1 or length(v_pid) > 200 then
      raise exception 'Enter the agent''s id at the provider (1 to 200 characters).' using errcode = 'SB706', column = 'provider_agent_id';
    end if;
    select g.name into v_other from app_public.agents g
     where g.user_id = v_user and g.provider = save_agent.provider and g.provider_agent_id = v_pid;
    if found then
      raise exception 'Your agent "%" already has this provider agent id; each id can be used once per provider.', v_other
        using errcode = 'SB701', column = 'provider_agent_id';
    end if;
    insert into app_public.agents (user_id, provider, provider_agent_id, name)
    values (v_user, save_agent.provider, v_pid, v_name)
    returning * into v_agent;
  else
    select * into v_agent from app_public.agents g where g.id = save_agent.agent_id;
    if not found then
      raise exception 'No such agent (it does not exist or is not yours).' using errcode = 'SB104', column = 'agent_id';
    end if;
    if (save_agent.provider is not null and save_agent.provider is distinct from v_agent.provider)
       or (v_pid is not null and v_pid is distinct from v_agent.provider_agent_id) then
      raise exception 'The provider and the provider agent id of an existing agent cannot change (calls are matched by them); add a new agent instead.'
        using errcode = 'SB001', column = 'provider_agent_id';
    end if;
    update app_public.agents g set name = v_name where g.id = v_agent.id returning * into v_agent;
  end if;

  -- The number: an active number belongs to one agent of the business.
  if v_phone is not null then
    select g.name into v_other
      from app_public.phone_numbers n join app_public.agents g on g.id = n.agent_id and g.user_id = n.user_id
     where n.user_id = v_user and n.phone_number = v_phone and n.is_active and n.agent_id <> v_agent.id;
    if found then
      raise exception 'This number is already assigned to your agent "%"; remove it there first.', v_other
        using errcode = 'SB703', column = 'phone_number';
    end if;
  end if;
  -- Release the agent's previous number when it changes (kept, inactive, for the audit trail).
  update app_public.phone_numbers n set agent_id = null, is_active = false
   where n.agent_id = v_agent.id and n.user_id = v_user and n.phone_number is distinct from v_phone;
  if v_phone is not null then
    update app_public.phone_numbers n set agent_id = v_agent.id
     where n.user_id = v_user and n.phone_number = v_phone and n.is_active and n.agent_id is null;
    if not found and not exists (select 1 from app_public.phone_numbers n where n.agent_id = v_agent.id and n.user_id = v_user) then
      insert into app_public.phone_numbers (user_id, agent_id, phone_number) values (v_user, v_agent.id, v_phone);
    end if;
  end if;
  return v_agent;
exception
  when unique_violation then
    raise exception 'This agent or number was just added by someone else; reload the page.'
      using errcode = 'SB701', column = 'provider_agent_id';
end
$$;
comment on function app_public.save_agent(uuid, text, text, text, text) is
  'Creates (agentId null) or renames an agent and sets its phone number (E.164; empty: none). The provider and provider agent id are fixed once created. SB701 duplicate provider agent id, SB703 number used by another agent, SB404 not E.164, SB704-SB706 bad name/provider/id, SB001 changing the provider id.';
grant execute on function app_public.save_agent(uuid, text, text, text, text) to app_user;

create or replace function app_public.set_agent_active(agent_id uuid, active boolean)
  returns app_public.agents
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_agent app_public.agents;
begin
  update app_public.agents g set is_active = coalesce(set_agent_active.active, true)
   where g.id = set_agent_active.agent_id
  returning * into v_agent;
  if not found then
    raise exception 'No such agent (it does not exist or is not yours).' using errcode = 'SB104', column = 'agent_id';
  end if;
  return v_agent;
end
$$;
comment on function app_public.set_agent_active(uuid, boolean) is
  'Deactivates or reactivates an agent. Agents with call history are never deleted: deactivate them (their calls stay in the KPIs).';
grant execute on function app_public.set_agent_active(uuid, boolean) to app_user;

-- (c) Targets: one metric at a time, and pacing. ---------------------------------
create or replace function app_public.set_agent_target(
  agent_id uuid, period_type text, period_start date, metric text, value numeric default null)
  returns app_public.agent_targets
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user  uuid := app_public.current_user_id();
  v_start date;
  v_rate  boolean := set_agent_target.metric in ('success_rate', 'conversion_rate');
  v_row   app_public.agent_targets;
begin
  if not exists (select 1 from app_public.agents g where g.id = set_agent_target.agent_id) then
    raise exception 'Choose one of your agents.' using errcode = 'SB104', column = 'agent_id';
  end if;
  if set_agent_target.period_type is null or set_agent_target.period_type not in ('day', 'week', 'month') then
    raise exception 'Choose the period: a day, a week (Monday to Sunday) or a month.' using errcode = 'SB707', column = 'period_type';
  end if;
  if set_agent_target.period_start is null then
    raise exception 'Choose a date in the target''s period.' using errcode = 'SB707', column = 'period_start';
  end if;
  if set_agent_target.metric is null or set_agent_target.metric not in
     ('calls', 'successful_calls', 'leads', 'qualified_leads', 'success_rate', 'conversion_rate') then
    raise exception 'Choose what the target counts: calls, successful calls, leads, qualified leads, success rate or conversion rate.'
      using errcode = 'SB708', column = 'metric';
  end if;
  if v_rate and set_agent_target.value is not null and (set_agent_target.value < 0 or set_agent_target.value > 1) then
    raise exception 'A rate target is a percentage from 0 to 100.' using errcode = 'SB709', column = 'value';
  end if;
  if not v_rate and set_agent_target.value is not null
     and (set_agent_target.value < 0 or set_agent_target.value <> trunc(set_agent_target.value) or set_agent_target.value > 2147483647) then
    raise exception 'A target is a whole number, 0 or more.' using errcode = 'SB709', column = 'value';
  end if;
  -- The period that contains the given day (weeks start on Monday).
  v_start := date_trunc(set_agent_target.period_type, set_agent_target.period_start::timestamp)::date;

  insert into app_public.agent_targets as t (user_id, agent_id, period_type, period_start,
         target_calls, target_successful_calls, target_leads, target_qualified_leads, target_success_rate, target_conversion_rate)
  select v_user, set_agent_target.agent_id, set_agent_target.period_type, v_start,
         case when m = 'calls' then set_agent_target.value end::integer,
         case when m = 'successful_calls' then set_agent_target.value end::integer,
         case when m = 'leads' then set_agent_target.value end::integer,
         case when m = 'qualified_leads' then set_agent_target.value end::integer,
         case when m = 'success_rate' then set_agent_target.value end::numeric(5,4),
         case when m = 'conversion_rate' then set_agent_target.value end::numeric(5,4)
    from (select set_agent_target.metric as m) x
   where set_agent_target.value is not null
      or exists (select 1 from app_public.agent_targets e
                  where e.agent_id = set_agent_target.agent_id and e.period_type = set_agent_target.period_type
                    and e.period_start = v_start)
  on conflict on constraint agent_targets_agent_id_period_type_period_start_key do update
    set target_calls = case when set_agent_target.metric = 'calls' then excluded.target_calls else t.target_calls end,
        target_successful_calls = case when set_agent_target.metric = 'successful_calls' then excluded.target_successful_calls else t.target_successful_calls end,
        target_leads = case when set_agent_target.metric = 'leads' then excluded.target_leads else t.target_leads end,
        target_qualified_leads = case when set_agent_target.metric = 'qualified_leads' then excluded.target_qualified_leads else t.target_qualified_leads end,
        target_success_rate = case when set_agent_target.metric = 'success_rate' then excluded.target_success_rate else t.target_success_rate end,
        target_conversion_rate = case when set_agent_target.metric = 'conversion_rate' then excluded.target_conversion_rate else t.target_conversion_rate end
  returning t.* into v_row;

  -- A target row without any metric left is removed.
  if v_row.id is not null and num_nonnulls(v_row.target_calls, v_row.target_successful_calls, v_row.target_leads,
       v_row.target_qualified_leads, v_row.target_success_rate, v_row.target_conversion_rate) = 0 then
    delete from app_public.agent_targets t where t.id = v_row.id;
    return null;
  end if;
  return v_row;
end
$$;
comment on function app_public.set_agent_target(uuid, text, date, text, numeric) is
  'Sets one metric of an agent''s target for the day, week (from Monday) or month containing periodStart; value null removes that metric (and the target when none is left). Rates are fractions (0.25 = 25 %). SB707 period, SB708 metric, SB709 value.';
grant execute on function app_public.set_agent_target(uuid, text, date, text, numeric) to app_user;

create type app_public.target_pacing_row as (
  target_id uuid,
  agent_id uuid,
  agent_name text,
  period_type text,
  period_start date,
  period_end date,
  metric text,
  target numeric,
  actual numeric,
  achievement numeric,
  elapsed_share numeric,
  expected_so_far numeric,
  pace numeric
);
comment on type app_public.target_pacing_row is 'One metric of an agent target: target, actual so far, achievement (actual / target) and pacing.';
comment on column app_public.target_pacing_row.period_end is 'The first day after the period (exclusive end).';
comment on column app_public.target_pacing_row.metric is 'calls, successful_calls, leads, qualified_leads, success_rate or conversion_rate (rates as fractions).';
comment on column app_public.target_pacing_row.elapsed_share is 'Share of the period elapsed at asOf, in the business''s time zone (0 before it starts, 1 after it ends; DST days have 23 or 25 hours).';
comment on column app_public.target_pacing_row.expected_so_far is 'Counts: target x elapsed share (what is due by now to be on pace). Rates: the target itself.';
comment on column app_public.target_pacing_row.pace is 'actual / expected so far (1 = on pace); null while nothing is expected yet.';

create or replace function app_public.target_pacing(agent_id uuid default null, as_of timestamptz default null)
  returns setof app_public.target_pacing_row
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
  with u as (
    select u.id, u.timezone from app_public.users u where u.id = app_public.current_user_id()
  ), p as (
    select p.*, g.name as agent_name,
           greatest(0::numeric, least(1::numeric,
             (extract(epoch from coalesce(target_pacing.as_of, now()) - (p.period_start::timestamp at time zone u.timezone))
              / extract(epoch from (p.period_end::timestamp at time zone u.timezone) - (p.period_start::timestamp at time zone u.timezone)))
           )) as share
      from u
      join app_public.agent_target_progress p on p.user_id = u.id
      join app_public.agents g on g.id = p.agent_id and g.user_id = p.user_id
     where target_pacing.agent_id is null or p.agent_id = target_pacing.agent_id
  )
  select p.target_id, p.agent_id, p.agent_name, p.period_type, p.period_start, p.period_end,
         m.metric, m.target, m.actual, m.achievement, round(p.share, 4),
         m.expected,
         app_hidden.ratio(m.actual, m.expected)
    from p
   cross join lateral (values
     (1, 'calls', p.target_calls::numeric, p.actual_calls::numeric, p.calls_achievement, true),
     (2, 'successful_calls', p.target_successful_calls::numeric, p.actual_successful_calls::numeric, p.successful_calls_achievement, true),
     (3, 'leads', p.target_leads::numeric, p.actual_leads::numeric, p.leads_achievement, true),
     (4, 'qualified_leads', p.target_qualified_leads::numeric, p.actual_qualified_leads::numeric, p.qualified_leads_achievement, true),
     (5, 'success_rate', p.target_success_rate::numeric, p.actual_success_rate, app_hidden.ratio(p.actual_success_rate, p.target_success_rate), false),
     (6, 'conversion_rate', p.target_conversion_rate::numeric, p.actual_conversion_rate, app_hidden.ratio(p.actual_conversion_rate, p.target_conversion_rate), false)
   ) v(ord, metric, target, actual, achievement, counted)
   cross join lateral (select v.metric, v.target, v.actual, v.achievement,
                              case when v.counted then round(v.target * p.share, 2) else v.target end as expected) m
   where v.target is not null
   order by p.period_start desc, p.agent_name, p.agent_id, p.period_type, v.ord
$$;
comment on function app_public.target_pacing(uuid, timestamptz) is
  'Every agent target (or one agent''s), one row per metric: target, actual so far, achievement, and pacing: the elapsed share of the period at asOf (default now) in the business''s time zone, the expected figure by then (target x share) and pace (actual / expected).';
grant execute on function app_public.target_pacing(uuid, timestamptz) to app_user;

-- (d) Account. ---------------------------------------------------------------------
create or replace function app_public.set_business_profile(name text, timezone text)
  returns app_public.users
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_name text := btrim(set_business_profile.name);
  v_user app_public.users;
begin
  if v_name is null or length(v_name) < 1 or length(v_name) > 200 then
    raise exception 'Give the business a name of 1 to 200 characters.' using errcode = 'SB710', column = 'name';
  end if;
  if set_business_profile.timezone is null or not app_hidden.is_valid_timezone(set_business_profile.timezone) then
    raise exception 'Choose a time zone from the list (such as Europe/Berlin or America/New_York).'
      using errcode = 'SB711', column = 'timezone';
  end if;
  -- A new time zone rebuilds the rollups inside this update (tg_users__timezone_changed).
  update app_public.users u set name = v_name, timezone = set_business_profile.timezone
   where u.id = app_public.current_user_id()
  returning * into v_user;
  if not found then
    raise exception 'Sign in first.' using errcode = '42501';
  end if;
  return v_user;
end
$$;
comment on function app_public.set_business_profile(text, text) is
  'Renames the business and sets its time zone. A new time zone re-buckets every call into its local day and hour: the rollups are rebuilt synchronously, before this returns. SB710 name, SB711 time zone.';
grant execute on function app_public.set_business_profile(text, text) to app_user;

create or replace function app_public.set_analysis_prompts(individual text default null, complete text default null)
  returns app_public.users
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_individual text := nullif(btrim(set_analysis_prompts.individual), '');
  v_complete   text := nullif(btrim(set_analysis_prompts.complete), '');
  v_user app_public.users;
begin
  if length(v_individual) > 20000 then
    raise exception 'The prompt for one call is % characters long; at most 20,000 are allowed.', length(v_individual)
      using errcode = 'SB712', column = 'analysis_prompt_individual';
  end if;
  if length(v_complete) > 20000 then
    raise exception 'The prompt for a whole contact is % characters long; at most 20,000 are allowed.', length(v_complete)
      using errcode = 'SB715', column = 'analysis_prompt_complete';
  end if;
  update app_public.users u set analysis_prompt_individual = v_individual, analysis_prompt_complete = v_complete
   where u.id = app_public.current_user_id()
  returning * into v_user;
  if not found then
    raise exception 'Sign in first.' using errcode = '42501';
  end if;
  return v_user;
end
$$;
comment on function app_public.set_analysis_prompts(text, text) is
  'Sets the analysis prompts (empty: the platform default); analysisPromptVersion goes up by one when either changes. SB712 / SB715 too long.';
grant execute on function app_public.set_analysis_prompts(text, text) to app_user;

create or replace function app_public.set_alert_phone(phone_number text default null)
  returns app_public.users
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user app_public.users;
begin
  update app_public.users u set alert_phone = app_hidden.require_e164(set_alert_phone.phone_number)
   where u.id = app_public.current_user_id()
  returning * into v_user;
  if not found then
    raise exception 'Sign in first.' using errcode = '42501';
  end if;
  return v_user;
end
$$;
comment on function app_public.set_alert_phone(text) is
  'Sets where usage alerts are sent by SMS (E.164; empty: no SMS). SB404 unless E.164.';
grant execute on function app_public.set_alert_phone(text) to app_user;

-- (e) Usage alert thresholds of the business (none: the platform's). -------------
create table app_public.usage_alert_thresholds (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  threshold_percent integer not null,
  created_at timestamptz default now() not null,
  updated_at timestamptz default now() not null,
  constraint usage_alert_thresholds_pkey primary key (id),
  constraint usage_alert_thresholds_user_id_fkey foreign key (user_id) references app_public.users (id) on delete cascade,
  constraint usage_alert_thresholds_user_percent_key unique (user_id, threshold_percent),
  constraint usage_alert_thresholds_percent_range check (threshold_percent between 1 and 99)
);
comment on table app_public.usage_alert_thresholds is
  'The business''s own usage alert thresholds: an alert fires when the credit balance falls below this percentage of the month''s highest balance. With none, the platform''s (system_config usage_alerts.thresholds_percent) apply.';
alter table app_public.usage_alert_thresholds enable row level security;
create policy select_own on app_public.usage_alert_thresholds for select to app_user using (user_id = app_public.current_user_id());
create policy insert_own on app_public.usage_alert_thresholds for insert to app_user with check (user_id = app_public.current_user_id());
create policy update_own on app_public.usage_alert_thresholds for update to app_user using (user_id = app_public.current_user_id());
create policy delete_own on app_public.usage_alert_thresholds for delete to app_user using (user_id = app_public.current_user_id());
grant select, delete on table app_public.usage_alert_thresholds to app_user;
grant insert (user_id, threshold_percent), update (threshold_percent) on table app_public.usage_alert_thresholds to app_user;
create trigger _100_set_updated_at before update on app_public.usage_alert_thresholds
  for each row execute function app_private.tg__set_updated_at();
create trigger _900_audit after insert or update or delete on app_public.usage_alert_thresholds
  for each row execute function app_private.tg__audit();

create or replace function app_public.default_usage_alert_thresholds()
  returns integer[]
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(array_agg((v #>> '{}')::integer order by (v #>> '{}')::integer desc), '{}')
    from app_private.system_config c, jsonb_array_elements(c.value) v
   where c.key = 'usage_alerts.thresholds_percent'
$$;
comment on function app_public.default_usage_alert_thresholds() is
  'The platform''s usage alert thresholds (percent), used by a business that has none of its own.';
grant execute on function app_public.default_usage_alert_thresholds() to app_user;

create or replace function app_public.save_usage_alert_threshold(threshold_id uuid default null, threshold_percent integer default null)
  returns app_public.usage_alert_thresholds
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.usage_alert_thresholds;
begin
  if save_usage_alert_threshold.threshold_percent is null or save_usage_alert_threshold.threshold_percent not between 1 and 99 then
    raise exception 'A threshold is a whole percentage from 1 to 99.' using errcode = 'SB713', column = 'threshold_percent';
  end if;
  if exists (select 1 from app_public.usage_alert_thresholds t
              where t.user_id = app_public.current_user_id() and t.threshold_percent = save_usage_alert_threshold.threshold_percent
                and t.id is distinct from save_usage_alert_threshold.threshold_id) then
    raise exception 'You already have an alert at % %%.', save_usage_alert_threshold.threshold_percent
      using errcode = 'SB714', column = 'threshold_percent';
  end if;
  if save_usage_alert_threshold.threshold_id is null then
    insert into app_public.usage_alert_thresholds (user_id, threshold_percent)
    values (app_public.current_user_id(), save_usage_alert_threshold.threshold_percent)
    returning * into v_row;
  else
    update app_public.usage_alert_thresholds t set threshold_percent = save_usage_alert_threshold.threshold_percent
     where t.id = save_usage_alert_threshold.threshold_id
    returning * into v_row;
    if not found then
      raise exception 'No such alert (it does not exist or is not yours).' using errcode = 'SB104', column = 'threshold_id';
    end if;
  end if;
  return v_row;
exception
  when unique_violation then
    raise exception 'You already have an alert at % %%.', save_usage_alert_threshold.threshold_percent
      using errcode = 'SB714', column = 'threshold_percent';
end
$$;
comment on function app_public.save_usage_alert_threshold(uuid, integer) is
  'Adds (thresholdId null) or changes a usage alert threshold of the business. SB713 out of 1-99, SB714 already there.';
grant execute on function app_public.save_usage_alert_threshold(uuid, integer) to app_user;

create or replace function app_public.remove_usage_alert_threshold(threshold_id uuid)
  returns app_public.usage_alert_thresholds
  language plpgsql volatile
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_row app_public.usage_alert_thresholds;
begin
  delete from app_public.usage_alert_thresholds t where t.id = remove_usage_alert_threshold.threshold_id returning * into v_row;
  if not found then
    raise exception 'No such alert (it does not exist or is not yours).' using errcode = 'SB104', column = 'threshold_id';
  end if;
  return v_row;
end
$$;
comment on function app_public.remove_usage_alert_threshold(uuid) is
  'Removes a usage alert threshold of the business (with none left, the platform''s apply).';
grant execute on function app_public.remove_usage_alert_threshold(uuid) to app_user;

-- The job uses the business's thresholds, or the platform's when it has none.
create or replace function app_hidden.check_usage_alerts()
  returns setof app_public.usage_alerts
  language sql
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
  ), platform as (
    select (v #>> '{}')::integer as pct
      from app_private.system_config c, jsonb_array_elements(c.value) v
     where c.key = 'usage_alerts.thresholds_percent'
  )
  insert into app_public.usage_alerts as a (user_id, period_start, threshold_percent, balance, reference_balance, sms_to, sms_status)
  select r.user_id, r.period_start, th.pct, r.balance, r.reference, r.alert_phone,
         case when r.alert_phone is null then 'none' else 'pending' end
    from ref r
   cross join lateral (
     select o.threshold_percent as pct from app_public.usage_alert_thresholds o where o.user_id = r.user_id
     union all
     select p.pct from platform p
      where not exists (select 1 from app_public.usage_alert_thresholds o where o.user_id = r.user_id)
   ) th
   where r.reference > 0 and r.balance::bigint * 100 < r.reference::bigint * th.pct
  on conflict (user_id, period_start, threshold_percent) do nothing
  returning a.*
$$;
comment on function app_hidden.check_usage_alerts() is
  'Creates the usage alerts due (balance below a threshold percentage of the month''s highest balance), once per tenant, month and threshold; the thresholds are the business''s own (usage_alert_thresholds) or else the platform''s; returns the new ones.';
