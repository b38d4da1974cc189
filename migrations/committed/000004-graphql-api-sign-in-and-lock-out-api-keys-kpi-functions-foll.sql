--! Previous: sha1:794fdadcf4bdfcdb68229e2ae19d973d8d02456c
--! Hash: sha1:4fe3c98d65dc3642cd2efe9cc2cfd8940db5b49a
--! Message: GraphQL API: sign-in and lock-out, API keys, KPI functions, follow-up and notification mutations

-- =============================================================================
-- 20. Sign-up, sign-in and lock-out
-- =============================================================================
-- Passwords are hashed with pgcrypto's bcrypt (cost 10) in app_private.user_secrets.
-- The GraphQL `register` / `authenticate` mutations (server/graphql/auth-plugin.ts)
-- call these functions as app_anonymous and sign the JWT in the server.
alter table app_private.user_secrets
  add column failed_logins        integer not null default 0 check (failed_logins >= 0),
  add column first_failed_login_at timestamptz,
  add column locked_until         timestamptz,
  add column last_login_at        timestamptz;
comment on column app_private.user_secrets.failed_logins is 'Failed sign-ins since first_failed_login_at (the lock-out window).';
comment on column app_private.user_secrets.locked_until is 'Sign-in is refused until then (lock-out after repeated failures).';

create table app_private.login_attempts (
  id           bigint generated always as identity primary key,
  email        citext not null,
  user_id      uuid references app_public.users on delete cascade,
  outcome      text not null check (outcome in ('ok', 'invalid_credentials', 'locked', 'inactive')),
  ip_address   text,
  attempted_at timestamptz not null default now()
);
create index login_attempts_attempted_idx on app_private.login_attempts (attempted_at);
create index login_attempts_user_idx on app_private.login_attempts (user_id, attempted_at) where user_id is not null;
comment on table app_private.login_attempts is 'Every sign-in attempt (also for unknown emails), for audit and lock-out review; old rows are cleaned up by a job.';

insert into app_private.system_config (key, value, description) values
  ('auth.max_failed_logins', '5', 'Failed sign-ins within auth.lockout_window_minutes that lock the account.'),
  ('auth.lockout_window_minutes', '15', 'Window in which failed sign-ins are counted.'),
  ('auth.lockout_minutes', '15', 'How long an account stays locked.')
on conflict (key) do nothing;

create function app_hidden.config_int(p_key text, p_default integer) returns integer
  language sql stable parallel safe security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce((select (c.value #>> '{}')::integer from app_private.system_config c where c.key = p_key), p_default)
$$;
comment on function app_hidden.config_int(text, integer) is 'An integer platform setting from app_private.system_config, or the default.';

create function app_hidden.register_user(email text, password text, name text, timezone text default 'UTC')
  returns uuid
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user_id uuid;
begin
  if password is null or length(password) < 8 then
    raise exception 'password must be at least 8 characters long' using errcode = 'SB101';
  end if;
  if octet_length(password) > 72 then
    -- bcrypt only reads the first 72 bytes: refuse rather than silently truncate
    raise exception 'password must be at most 72 bytes long' using errcode = 'SB101';
  end if;
  begin
    insert into app_public.users (email, name, timezone)
    values (register_user.email, register_user.name, coalesce(register_user.timezone, 'UTC'))
    returning id into v_user_id;
  exception when unique_violation then
    raise exception 'an account with this email already exists' using errcode = 'SB102';
  end;
  insert into app_private.user_secrets (user_id, password_hash)
  values (v_user_id, crypt(password, gen_salt('bf', 10)));
  insert into app_private.audit_log (user_id, action, resource_type, resource_id)
  values (v_user_id, 'register', 'user', v_user_id::text);
  return v_user_id;
end
$$;
comment on function app_hidden.register_user(text, text, text, text) is
  'Creates a tenant with a bcrypt-hashed password. SB101: password too short or long; SB102: email taken; 23514: bad email or time zone.';

create function app_hidden.login(email text, password text, ip text default null)
  returns table (outcome text, user_id uuid, db_role text)
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user      app_public.users;
  v_secret    app_private.user_secrets;
  v_outcome   text;
  v_failures  integer;
  v_max       integer := app_hidden.config_int('auth.max_failed_logins', 5);
  v_window    interval := make_interval(mins => app_hidden.config_int('auth.lockout_window_minutes', 15));
  v_lock      interval := make_interval(mins => app_hidden.config_int('auth.lockout_minutes', 15));
begin
  -- Never raises for bad credentials: the attempt and the failure count must commit.
  select u.* into v_user from app_public.users u where u.email = login.email::citext;
  if v_user.id is not null then
    select s.* into v_secret from app_private.user_secrets s where s.user_id = v_user.id for update;
  end if;

  if v_secret.password_hash is null then
    -- Unknown email (or no password): spend the same bcrypt time, so timing
    -- does not reveal which emails exist.
    perform crypt(coalesce(password, ''), '$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW2G3cAwjKoh1WZO');
    v_outcome := 'invalid_credentials';
  elsif v_secret.locked_until > now() then
    v_outcome := 'locked';
  elsif v_secret.password_hash = crypt(coalesce(password, ''), v_secret.password_hash) then
    v_outcome := case when v_user.is_active then 'ok' else 'inactive' end;
    update app_private.user_secrets s
       set failed_logins = 0, first_failed_login_at = null, locked_until = null,
           last_login_at = case when v_outcome = 'ok' then now() else s.last_login_at end
     where s.user_id = v_user.id;
  else
    update app_private.user_secrets s
       set failed_logins = case when s.first_failed_login_at > now() - v_window then s.failed_logins + 1 else 1 end,
           first_failed_login_at = case when s.first_failed_login_at > now() - v_window then s.first_failed_login_at else now() end
     where s.user_id = v_user.id
    returning s.failed_logins into v_failures;
    if v_failures >= v_max then
      update app_private.user_secrets s set locked_until = now() + v_lock where s.user_id = v_user.id;
      v_outcome := 'locked';
    else
      v_outcome := 'invalid_credentials';
    end if;
  end if;

  insert into app_private.login_attempts (email, user_id, outcome, ip_address)
  values (coalesce(login.email, ''), v_user.id, v_outcome, left(ip, 100));

  return query select v_outcome, case when v_outcome = 'ok' then v_user.id end,
                      case when v_outcome <> 'ok' then null
                           when v_user.role in ('admin', 'super_admin') then 'app_admin'
                           else 'app_user' end;
end
$$;
comment on function app_hidden.login(text, text, text) is
  'Checks a password and records the attempt. One row: outcome ok | invalid_credentials | locked | inactive, with the user id and database role when ok. Never raises for bad credentials, so the failure count commits.';

-- =============================================================================
-- 21. API keys
-- =============================================================================
create table app_public.api_keys (
  id           uuid primary key default uuidv7(),
  user_id      uuid not null default app_public.current_user_id() references app_public.users on delete cascade,
  name         text not null check (length(name) between 1 and 100),
  key_prefix   text not null unique check (key_prefix ~ '^[0-9a-f]{8}$'),
  scopes       text[] not null default '{read}'
                 constraint api_keys_scopes_valid check (cardinality(scopes) > 0 and scopes <@ array['read', 'write']),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  created_at   timestamptz not null default now()
);
create index api_keys_user_idx on app_public.api_keys (user_id, created_at);
comment on table app_public.api_keys is
  'API keys for integrations (Authorization: Bearer sbk_...). The secret is shown once by createApiKey and stored only as a SHA-256 hash.';
comment on column app_public.api_keys.key_prefix is 'The visible part of the key (sbk_<prefix>_...), to recognise it in lists.';
comment on column app_public.api_keys.scopes is 'read: queries only; write: queries and mutations (the database refuses writes for read-only keys).';
comment on column app_public.api_keys.last_used_at is 'Last successful use (to the minute).';

create table app_private.api_key_secrets (
  api_key_id uuid primary key references app_public.api_keys on delete cascade,
  key_hash   bytea not null
);
comment on table app_private.api_key_secrets is 'SHA-256 of each full API key.';

create type app_public.created_api_key as (
  api_key app_public.api_keys,
  secret  text
);
comment on type app_public.created_api_key is 'A new API key and its secret. The secret is never shown again: store it now.';
comment on column app_public.created_api_key.secret is 'The full key, to send as `Authorization: Bearer <secret>`. Shown once.';

create function app_public.create_api_key(name text, scopes text[] default '{read}', expires_at timestamptz default null)
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
  -- write implies read; sorted and de-duplicated
  select array_agg(distinct s order by s) into v_scopes
    from unnest(coalesce(scopes, '{read}') || case when 'write' = any (scopes) then array['read'] else array[]::text[] end) s;
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
comment on function app_public.create_api_key(text, text[], timestamptz) is
  'Creates an API key for the signed-in tenant (scopes read and/or write; optional expiry) and returns its secret once. Requires a password sign-in, not another API key.';

create function app_public.revoke_api_key(key_id uuid) returns app_public.api_keys
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_key app_public.api_keys;
begin
  if nullif(current_setting('jwt.claims.api_key_id', true), '') is not null then
    raise exception 'API keys cannot revoke API keys; sign in with a password' using errcode = '42501';
  end if;
  update app_public.api_keys k
     set revoked_at = coalesce(k.revoked_at, now())
   where k.id = key_id and k.user_id = app_public.current_user_id()
  returning * into v_key;
  if v_key.id is null then
    raise exception 'API key not found' using errcode = 'SB104';
  end if;
  insert into app_private.audit_log (user_id, action, resource_type, resource_id)
  values (v_key.user_id, 'api_key.revoke', 'api_key', v_key.id::text);
  return v_key;
end
$$;
comment on function app_public.revoke_api_key(uuid) is 'Revokes one of the tenant''s API keys (immediately; idempotent).';

create function app_hidden.authenticate_api_key(key text)
  returns table (api_key_id uuid, user_id uuid, db_role text, scopes text[])
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  m      text[] := regexp_match(key, '^sbk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$');
  v_key  app_public.api_keys;
  v_role text;
begin
  if m is null then
    return;
  end if;
  select k.* into v_key
    from app_public.api_keys k
    join app_private.api_key_secrets s on s.api_key_id = k.id
   where k.key_prefix = m[1]
     and s.key_hash = sha256(convert_to(key, 'UTF8'))
     and k.revoked_at is null
     and (k.expires_at is null or k.expires_at > now());
  if v_key.id is null then
    return;
  end if;
  select case when u.role in ('admin', 'super_admin') then 'app_admin' else 'app_user' end into v_role
    from app_public.users u where u.id = v_key.user_id and u.is_active;
  if v_role is null then
    return;
  end if;
  -- At most one write per key and minute, so a busy key does not queue on its row.
  if v_key.last_used_at is null or v_key.last_used_at < now() - interval '1 minute' then
    update app_public.api_keys k set last_used_at = now() where k.id = v_key.id;
  end if;
  return query select v_key.id, v_key.user_id, v_role, v_key.scopes;
end
$$;
comment on function app_hidden.authenticate_api_key(text) is
  'The key''s tenant, database role and scopes; no row when the key is malformed, unknown, revoked or expired, or the tenant inactive. Stamps last_used_at.';

-- =============================================================================
-- 22. Tenant-owned rows default to the signed-in tenant
-- =============================================================================
-- Clients never pass user_id; RLS (with check) still refuses another tenant's id.
alter table app_public.agents alter column user_id set default app_public.current_user_id();
alter table app_public.phone_numbers alter column user_id set default app_public.current_user_id();
alter table app_public.contacts alter column user_id set default app_public.current_user_id();
alter table app_public.follow_ups alter column user_id set default app_public.current_user_id();
alter table app_public.customers alter column user_id set default app_public.current_user_id();
alter table app_public.agent_targets alter column user_id set default app_public.current_user_id();

create function app_public.current_tenant() returns app_public.users
  language sql stable
as $$
  select u.* from app_public.users u where u.id = app_public.current_user_id()
$$;
comment on function app_public.current_tenant() is 'The signed-in tenant (null when anonymous).';

-- =============================================================================
-- 23. Mutations users need beyond create / update / delete
-- =============================================================================
create function app_public.complete_follow_up(follow_up_id uuid, remark text default null)
  returns app_public.follow_ups
  language plpgsql volatile
as $$
declare
  v app_public.follow_ups;
begin
  update app_public.follow_ups f
     set status = 'completed', remark = coalesce(complete_follow_up.remark, f.remark)
   where f.id = follow_up_id
  returning * into v;
  if v.id is null then
    raise exception 'follow-up not found' using errcode = 'SB104';
  end if;
  return v;
end
$$;
comment on function app_public.complete_follow_up(uuid, text) is 'Marks a follow-up completed (who and when are stamped by the database), optionally with a remark.';

create function app_public.cancel_follow_up(follow_up_id uuid, remark text default null)
  returns app_public.follow_ups
  language plpgsql volatile
as $$
declare
  v app_public.follow_ups;
begin
  update app_public.follow_ups f
     set status = 'cancelled', remark = coalesce(cancel_follow_up.remark, f.remark)
   where f.id = follow_up_id
  returning * into v;
  if v.id is null then
    raise exception 'follow-up not found' using errcode = 'SB104';
  end if;
  return v;
end
$$;
comment on function app_public.cancel_follow_up(uuid, text) is 'Cancels a follow-up, optionally with a remark.';

create function app_public.mark_notification_read(lead_analytic_id uuid, is_read boolean default true)
  returns app_public.lead_analytics
  language plpgsql volatile
as $$
declare
  v app_public.lead_analytics;
begin
  update app_public.lead_analytics a set is_read = mark_notification_read.is_read
   where a.id = lead_analytic_id
  returning * into v;
  if v.id is null then
    raise exception 'analysis not found' using errcode = 'SB104';
  end if;
  return v;
end
$$;
comment on function app_public.mark_notification_read(uuid, boolean) is 'Marks one smart notification read (or unread again).';

create function app_public.mark_all_notifications_read() returns integer
  language sql volatile
as $$
  with done as (
    update app_public.lead_analytics a set is_read = true
     where a.user_id = app_public.current_user_id() and a.smart_notification is not null and not a.is_read
    returning 1)
  select count(*)::integer from done
$$;
comment on function app_public.mark_all_notifications_read() is 'Marks every unread smart notification of the tenant read; returns how many.';

-- =============================================================================
-- 24. KPI API: typed results computed from the rollups (plus pending deltas)
-- =============================================================================
-- The measures as a composite type the application roles may name
-- (app_private is owner-only). A template like app_private.rollup_measures:
-- never holds rows; add a measure to it when adding one there.
create table app_hidden.measures (like app_private.rollup_measures including defaults);
comment on table app_hidden.measures is 'Type only (never holds rows): summed rollup measures, as passed between the KPI functions.';

create type app_public.kpi_granularity as enum ('day', 'week', 'month');
comment on type app_public.kpi_granularity is 'Bucket size of a KPI series: tenant-local day, ISO week (Monday) or calendar month.';

create type app_public.kpi_figures as (
  calls                       bigint,
  successful_calls            bigint,
  failed_calls                bigint,
  unanswered_calls            bigint,
  answer_rate                 numeric,
  success_rate                numeric,
  talk_seconds                bigint,
  average_duration_seconds    numeric,
  billed_minutes              bigint,
  credits_used                bigint,
  inbound_calls               bigint,
  outbound_calls              bigint,
  leads                       bigint,
  qualified_leads             bigint,
  hot_leads                   bigint,
  warm_leads                  bigint,
  cold_leads                  bigint,
  conversion_rate             numeric,
  calls_with_cta              bigint,
  cta_rate                    numeric,
  average_lead_score          numeric,
  average_intent_score        numeric,
  average_urgency_score       numeric,
  average_budget_score        numeric,
  average_fit_score           numeric,
  average_engagement_score    numeric
);
comment on type app_public.kpi_figures is
  'The KPIs of a set of calls. Rates are fractions (0.4215 = 42.15%) rounded to 4 places, null when there is nothing to divide by; averages are rounded to 2 places.';
comment on column app_public.kpi_figures.answer_rate is 'Answered / (answered + unanswered): technical failures excluded.';
comment on column app_public.kpi_figures.success_rate is 'Successful / all ended calls.';
comment on column app_public.kpi_figures.average_duration_seconds is 'Talk time / successful calls.';
comment on column app_public.kpi_figures.leads is 'Analysed calls (each individual analysis is a lead).';
comment on column app_public.kpi_figures.qualified_leads is 'Leads with a total score of 60 or more.';
comment on column app_public.kpi_figures.conversion_rate is 'Qualified leads / leads.';
comment on column app_public.kpi_figures.cta_rate is 'Leads with any call-to-action interaction / leads.';

create function app_hidden.kpi_figures(m app_hidden.measures) returns app_public.kpi_figures
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
    app_hidden.average(m.engagement_score_sum, m.engagement_score_count)
  )::app_public.kpi_figures
$$;
comment on function app_hidden.kpi_figures(app_hidden.measures) is
  'THE mapping from summed rollup measures to KPI figures (through the rate and average functions).';

create type app_public.kpi_changes as (
  calls                    numeric,
  answer_rate              numeric,
  success_rate             numeric,
  average_duration_seconds numeric,
  talk_seconds             numeric,
  leads                    numeric,
  qualified_leads          numeric,
  hot_leads                numeric,
  conversion_rate          numeric,
  cta_rate                 numeric,
  credits_used             numeric
);
comment on type app_public.kpi_changes is
  'Current period against the previous one. Counts, durations and credits: relative change ((current - previous) / previous, null when previous is 0). Rates: difference in rate units (0.05 = 5 percentage points).';

create function app_hidden.relative_change(cur numeric, prev numeric) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(cur - prev, prev) $$;
comment on function app_hidden.relative_change(numeric, numeric) is '(cur - prev) / prev, 4 places; null when prev is 0 or null.';

create function app_hidden.kpi_changes(cur app_public.kpi_figures, prev app_public.kpi_figures) returns app_public.kpi_changes
  language sql immutable parallel safe
as $$
  select row(
    app_hidden.relative_change(cur.calls, prev.calls),
    cur.answer_rate - prev.answer_rate,
    cur.success_rate - prev.success_rate,
    app_hidden.relative_change(cur.average_duration_seconds, prev.average_duration_seconds),
    app_hidden.relative_change(cur.talk_seconds, prev.talk_seconds),
    app_hidden.relative_change(cur.leads, prev.leads),
    app_hidden.relative_change(cur.qualified_leads, prev.qualified_leads),
    app_hidden.relative_change(cur.hot_leads, prev.hot_leads),
    cur.conversion_rate - prev.conversion_rate,
    cur.cta_rate - prev.cta_rate,
    app_hidden.relative_change(cur.credits_used, prev.credits_used)
  )::app_public.kpi_changes
$$;
comment on function app_hidden.kpi_changes(app_public.kpi_figures, app_public.kpi_figures) is 'THE definition of period-over-period changes.';

-- The date range of a KPI request, resolved once: defaults to the last 30
-- tenant-local days ending today; validated (SB103).
create function app_hidden.kpi_range(p_from date, p_to date, max_days integer default 3660)
  returns table (user_id uuid, timezone text, from_date date, to_date date)
  language plpgsql stable
as $$
declare
  v_user uuid := app_public.current_user_id();
  v_tz   text;
  v_to   date;
  v_from date;
begin
  select u.timezone into v_tz from app_public.users u where u.id = v_user;
  if v_tz is null then
    raise exception 'sign in to read KPIs' using errcode = '42501';
  end if;
  v_to := coalesce(p_to, app_hidden.tenant_today(v_tz));
  v_from := coalesce(p_from, v_to - 29);
  if v_from > v_to then
    raise exception 'fromDate (%) must not be after toDate (%)', v_from, v_to using errcode = 'SB103';
  end if;
  if v_to - v_from + 1 > max_days then
    raise exception 'the date range covers % days; at most % are allowed', v_to - v_from + 1, max_days using errcode = 'SB103';
  end if;
  return query select v_user, v_tz, v_from, v_to;
end
$$;
comment on function app_hidden.kpi_range(date, date, integer) is
  'The signed-in tenant, its time zone and the validated date range (default: the 30 tenant-local days ending today). SB103 for an inverted or too long range.';

-- Summed measures per bucket for one tenant (or one of its agents) and a
-- tenant-local day range: the rollup plus the pending deltas, in one snapshot.
-- Generated from the measure list like the other rollup code.
do $gen$
declare
  plain text;
  sums  text;
  zero  text;
begin
  select string_agg(format('%I', attname), ', ' order by attnum),
         string_agg(format('coalesce(sum(%1$I), 0)::bigint', attname), ', ' order by attnum),
         string_agg('0', ', ' order by attnum)
    into plain, sums, zero
    from pg_attribute
   where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped;

  execute format($f$
    create function app_hidden.measures_by_bucket(
      p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_bucket text)
      returns table (bucket date, measures app_hidden.measures)
      language sql stable
    as $body$
      select case p_bucket when 'range' then p_from else date_trunc(p_bucket, s.day::timestamp)::date end,
             row(%2$s)::app_hidden.measures
        from (
          select r.day, %1$s from app_public.user_analytics r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.day, %1$s from app_hidden.rollup_deltas r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'user_day')
          union all
          select r.day, %1$s from app_public.agent_analytics r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to
          union all
          select r.day, %1$s from app_hidden.rollup_deltas r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to and (r.target is null or r.target = 'agent_day')
        ) s
       group by 1
    $body$
  $f$, plain, sums);

  execute format($f$
    create function app_hidden.zero_measures() returns app_hidden.measures
      language sql immutable parallel safe
    as $body$ select row(%s)::app_hidden.measures $body$
  $f$, zero);

  execute $f$
    create function app_hidden.range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid)
      returns app_hidden.measures
      language sql stable
    as $body$
      select coalesce((select b.measures from app_hidden.measures_by_bucket(p_user_id, p_from, p_to, p_agent_id, 'range') b),
                      app_hidden.zero_measures())
    $body$
  $f$;
end
$gen$;
comment on function app_hidden.measures_by_bucket(uuid, date, date, uuid, text) is
  'Summed rollup measures (rollup + pending deltas) per bucket (day | week | month | range) for a tenant, or one of its agents, over tenant-local days (generated from app_private.rollup_measures).';
comment on function app_hidden.range_measures(uuid, date, date, uuid) is 'Summed measures over the whole range (zeros when nothing happened).';
comment on function app_hidden.zero_measures() is 'All measures zero (generated).';

create type app_public.kpi_range_summary as (
  from_date           date,
  to_date             date,
  previous_from_date  date,
  previous_to_date    date,
  timezone            text,
  current             app_public.kpi_figures,
  previous            app_public.kpi_figures,
  change              app_public.kpi_changes,
  credits_available   integer
);
comment on type app_public.kpi_range_summary is 'KPIs for a date range, the same-length period just before it, and the change between them.';
comment on column app_public.kpi_range_summary.credits_available is 'The tenant''s credit balance now (including charges not yet posted).';

create function app_public.kpi_summary(from_date date default null, to_date date default null, agent_id uuid default null)
  returns app_public.kpi_range_summary
  language sql stable
as $$
  select r.from_date, r.to_date,
         r.from_date - (r.to_date - r.from_date + 1), r.from_date - 1,
         r.timezone,
         cur.f, prev.f, app_hidden.kpi_changes(cur.f, prev.f),
         (select app_public.users_available_credits(u) from app_public.users u where u.id = r.user_id)
    from app_hidden.kpi_range(kpi_summary.from_date, kpi_summary.to_date) r
    cross join lateral (select app_hidden.kpi_figures(
                          app_hidden.range_measures(r.user_id, r.from_date, r.to_date, kpi_summary.agent_id)) as f) cur
    cross join lateral (select app_hidden.kpi_figures(
                          app_hidden.range_measures(r.user_id, r.from_date - (r.to_date - r.from_date + 1),
                                                    r.from_date - 1, kpi_summary.agent_id)) as f) prev
$$;
comment on function app_public.kpi_summary(date, date, uuid) is
  'KPIs for tenant-local days fromDate..toDate (default: the last 30 days), optionally for one agent, with the previous period of the same length and the change. Exact: rollups plus not-yet-compacted changes.';

create type app_public.kpi_series_point as (
  period_start date,
  period_end   date,
  figures      app_public.kpi_figures
);
comment on type app_public.kpi_series_point is
  'One bucket of a KPI series. periodStart..periodEnd is the whole day, week or month; only days inside the requested range are counted.';

create function app_public.kpi_series(
  from_date date default null, to_date date default null,
  granularity app_public.kpi_granularity default 'day', agent_id uuid default null)
  returns setof app_public.kpi_series_point
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(kpi_series.from_date, kpi_series.to_date)),
  g as (select coalesce(kpi_series.granularity, 'day')::text as unit),
  buckets as (
    select b::date as period_start,
           (b + ('1 ' || g.unit)::interval)::date - 1 as period_end
      from r, g,
           generate_series(date_trunc(g.unit, r.from_date::timestamp), r.to_date::timestamp, ('1 ' || g.unit)::interval) b
  ),
  m as (
    select x.bucket, x.measures
      from r, g, app_hidden.measures_by_bucket(r.user_id, r.from_date, r.to_date, kpi_series.agent_id, g.unit) x
  )
  select b.period_start, b.period_end,
         app_hidden.kpi_figures(coalesce(m.measures, app_hidden.zero_measures()))
    from buckets b
    left join m on m.bucket = b.period_start
   order by b.period_start
$$;
comment on function app_public.kpi_series(date, date, app_public.kpi_granularity, uuid) is
  'KPIs per tenant-local day, ISO week or month over fromDate..toDate (default: the last 30 days), optionally for one agent; every bucket present, zeros where nothing happened.';

create type app_public.kpi_hour_cell as (
  iso_weekday       smallint,
  hour              smallint,
  calls             bigint,
  successful_calls  bigint,
  unanswered_calls  bigint,
  failed_calls      bigint,
  answer_rate       numeric,
  leads             bigint,
  hot_leads         bigint
);
comment on type app_public.kpi_hour_cell is 'Calls in one tenant-local hour of one weekday (isoWeekday 1 = Monday ... 7 = Sunday).';

create function app_public.kpi_hourly_matrix(from_date date default null, to_date date default null)
  returns setof app_public.kpi_hour_cell
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(kpi_hourly_matrix.from_date, kpi_hourly_matrix.to_date)),
  s as (
    select extract(isodow from x.day)::smallint as dow, x.hour,
           sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful,
           sum(x.unanswered_calls)::bigint as unanswered, sum(x.failed_calls)::bigint as failed,
           sum(x.leads_generated)::bigint as leads, sum(x.hot_leads)::bigint as hot
      from r, lateral (
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.user_hourly_analytics h
         where h.user_id = r.user_id and h.day between r.from_date and r.to_date
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where d.user_id = r.user_id and d.day between r.from_date and r.to_date
           and (d.target is null or d.target = 'user_hour')) x
     group by 1, 2
  )
  select w::smallint, h::smallint, coalesce(s.calls, 0), coalesce(s.successful, 0), coalesce(s.unanswered, 0),
         coalesce(s.failed, 0), app_hidden.answer_rate(coalesce(s.successful, 0), coalesce(s.unanswered, 0)),
         coalesce(s.leads, 0), coalesce(s.hot, 0)
    from generate_series(1, 7) w
    cross join generate_series(0, 23) h
    left join s on s.dow = w and s.hour = h
   order by w, h
$$;
comment on function app_public.kpi_hourly_matrix(date, date) is
  'Calls by tenant-local weekday and hour over fromDate..toDate (default: the last 30 days): all 168 cells, zeros included. Tenant-wide (the hourly rollup is per tenant).';

create type app_public.agent_leaderboard_row as (
  agent_id                 uuid,
  name                     text,
  is_active                boolean,
  rank                     integer,
  figures                  app_public.kpi_figures,
  daily_calls              bigint[],
  daily_successful_calls   bigint[]
);
comment on type app_public.agent_leaderboard_row is
  'One agent''s KPIs over the range, its rank (qualified leads, then successful calls) and per-day call counts for sparklines (one entry per day of the range, oldest first).';

do $gen$
declare
  plain text;
  sums  text;
begin
  select string_agg(format('%I', attname), ', ' order by attnum),
         string_agg(format('coalesce(sum(%1$I), 0)::bigint', attname), ', ' order by attnum)
    into plain, sums
    from pg_attribute
   where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped;

  execute format($f$
    create function app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date)
      returns table (agent_id uuid, day date, measures app_hidden.measures)
      language sql stable
    as $body$
      select s.agent_id, s.day, row(%2$s)::app_hidden.measures
        from (
          select r.agent_id, r.day, %1$s from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, r.day, %1$s from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id, s.day
    $body$
  $f$, plain, sums);

  execute format($f$
    create function app_hidden.sum_measures(ms app_hidden.measures[])
      returns app_hidden.measures
      language sql immutable parallel safe
    as $body$
      select row(%s)::app_hidden.measures from unnest(ms) m
    $body$
  $f$, (select string_agg(format('coalesce(sum(m.%1$I), 0)::bigint', attname), ', ' order by attnum)
          from pg_attribute
         where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped));
end
$gen$;
comment on function app_hidden.agent_day_measures(uuid, date, date) is
  'Summed measures per agent and tenant-local day (rollup + pending deltas) for a tenant and day range (generated).';
comment on function app_hidden.sum_measures(app_hidden.measures[]) is 'Column-wise sum of measure rows (generated).';

create function app_public.agent_leaderboard(from_date date default null, to_date date default null)
  returns setof app_public.agent_leaderboard_row
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(agent_leaderboard.from_date, agent_leaderboard.to_date, 366)),
  days as (select d::date as day from r, generate_series(r.from_date, r.to_date, interval '1 day') d),
  per_day as (select x.* from r, app_hidden.agent_day_measures(r.user_id, r.from_date, r.to_date) x),
  per_agent as (
    select g.id as agent_id, g.name, g.is_active,
           app_hidden.kpi_figures(app_hidden.sum_measures(
             array(select p.measures from per_day p where p.agent_id = g.id))) as f,
           array(select coalesce((p.measures).calls, 0) from days
                   left join per_day p on p.agent_id = g.id and p.day = days.day order by days.day) as daily_calls,
           array(select coalesce((p.measures).successful_calls, 0) from days
                   left join per_day p on p.agent_id = g.id and p.day = days.day order by days.day) as daily_successful
      from r join app_public.agents g on g.user_id = r.user_id
  )
  select a.agent_id, a.name, a.is_active,
         rank() over (order by (a.f).qualified_leads desc, (a.f).successful_calls desc, (a.f).calls desc)::integer,
         a.f, a.daily_calls, a.daily_successful
    from per_agent a
   order by 4, a.name, a.agent_id
$$;
comment on function app_public.agent_leaderboard(date, date) is
  'Every agent of the tenant with its KPIs over fromDate..toDate (default: the last 30 days; at most 366 days), ranked by qualified leads, then successful calls, then calls, with daily call counts for sparklines.';

create type app_public.kpi_breakdown_row as (
  key     text,
  label   text,
  value   bigint,
  share   numeric
);
comment on type app_public.kpi_breakdown_row is 'One slice of a breakdown: a stable key, a human label, the count and its share of the whole (fraction).';

create function app_public.lead_temperature(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(lead_temperature.from_date, lead_temperature.to_date)),
  m as (select x.* from r, lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, lead_temperature.agent_id) x)
  select v.key, v.label, v.value, app_hidden.ratio(v.value, m.leads_generated)
    from m cross join lateral (values
      (1, 'hot', 'Hot', m.hot_leads),
      (2, 'warm', 'Warm', m.warm_leads),
      (3, 'cold', 'Cold', m.cold_leads),
      (4, 'unscored', 'Not tagged', m.leads_generated - m.hot_leads - m.warm_leads - m.cold_leads)) v(ord, key, label, value)
   order by v.ord
$$;
comment on function app_public.lead_temperature(date, date, uuid) is 'Leads by hot / warm / cold tag (and untagged) with shares of all leads.';

create function app_public.cta_funnel(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(cta_funnel.from_date, cta_funnel.to_date)),
  m as (select x.* from r, lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, cta_funnel.agent_id) x)
  select v.key, v.label, v.value, app_hidden.ratio(v.value, m.leads_generated)
    from m cross join lateral (values
      (1, 'leads', 'Leads', m.leads_generated),
      (2, 'pricing', 'Asked for pricing', m.cta_pricing),
      (3, 'demo', 'Asked for a demo', m.cta_demo),
      (4, 'followup', 'Agreed to a follow-up', m.cta_followup),
      (5, 'human_escalation', 'Escalated to a human', m.cta_human_escalation),
      (6, 'sample', 'Asked for a sample', m.cta_sample),
      (7, 'any_cta', 'Any call to action', m.calls_with_cta)) v(ord, key, label, value)
   order by v.ord
$$;
comment on function app_public.cta_funnel(date, date, uuid) is
  'The call-to-action funnel: leads, then leads that asked for pricing, a demo, a follow-up, a human (and samples, and any CTA), each with its share of leads.';

create function app_public.call_source_breakdown(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.kpi_breakdown_row
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(call_source_breakdown.from_date, call_source_breakdown.to_date)),
  m as (select x.* from r, lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, call_source_breakdown.agent_id) x)
  select v.key, v.label, v.value, app_hidden.ratio(v.value, m.calls)
    from m cross join lateral (values
      (1, 'phone', 'Phone', m.phone_calls),
      (2, 'internet', 'Web call', m.internet_calls),
      (3, 'unknown', 'Unknown', m.unknown_source_calls)) v(ord, key, label, value)
   order by v.ord
$$;
comment on function app_public.call_source_breakdown(date, date, uuid) is 'Calls by source (phone, web call, unknown) with shares of all calls.';

create function app_public.targets_vs_actuals(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.agent_target_progress
  language sql stable
as $$
  select p.*
    from app_hidden.kpi_range(targets_vs_actuals.from_date, targets_vs_actuals.to_date) r
    join app_public.agent_target_progress p
      on p.user_id = r.user_id and p.period_start <= r.to_date and p.period_end > r.from_date
   where targets_vs_actuals.agent_id is null or p.agent_id = targets_vs_actuals.agent_id
   order by p.period_start, p.agent_id, p.period_type
$$;
comment on function app_public.targets_vs_actuals(date, date, uuid) is
  'Agent targets whose period overlaps fromDate..toDate (default: the last 30 days), each with the actual figures of its whole period and the achievement.';

-- Data freshness: replaces the view of the same name with a function that
-- also reports the tenant's own pending changes and latest call.
drop view app_public.data_freshness;

create type app_public.data_freshness as (
  server_time                 timestamptz,
  rollups_compacted_at        timestamptz,
  pending_rollup_changes      bigint,
  kpi_summary_refreshed_at    timestamptz,
  latest_call_at              timestamptz
);
comment on type app_public.data_freshness is
  'How current the figures are. KPI fields include pending rollup changes, so they are exact at commit; kpiSummaries (the materialized view) is as of kpiSummaryRefreshedAt.';

create function app_public.data_freshness() returns app_public.data_freshness
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select now(),
         (select max(l.compacted_at) from app_private.rollup_compaction_log l),
         (select count(*) from app_hidden.rollup_deltas d where d.user_id = app_public.current_user_id()),
         (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary'),
         (select max(c.started_at) from app_public.calls c where c.user_id = app_public.current_user_id())
$$;
comment on function app_public.data_freshness() is
  'When the rollups were last compacted and the KPI summary last refreshed, the signed-in tenant''s not-yet-compacted changes and its latest call.';

-- =============================================================================
-- 25. Grants for the API
-- =============================================================================
grant usage on schema app_hidden to app_authenticator;
grant execute on function app_hidden.authenticate_api_key(text) to app_authenticator;
grant execute on function app_hidden.register_user(text, text, text, text), app_hidden.login(text, text, text)
  to app_anonymous, app_user;

alter table app_public.api_keys enable row level security;
create policy select_own on app_public.api_keys for select to app_user
  using (user_id = (select app_public.current_user_id()));

grant select on app_public.api_keys to app_user;
grant execute on function app_public.create_api_key(text, text[], timestamptz), app_public.revoke_api_key(uuid),
  app_public.current_tenant(),
  app_public.complete_follow_up(uuid, text), app_public.cancel_follow_up(uuid, text),
  app_public.mark_notification_read(uuid, boolean), app_public.mark_all_notifications_read(),
  app_public.kpi_summary(date, date, uuid), app_public.kpi_series(date, date, app_public.kpi_granularity, uuid),
  app_public.kpi_hourly_matrix(date, date), app_public.agent_leaderboard(date, date),
  app_public.lead_temperature(date, date, uuid), app_public.cta_funnel(date, date, uuid),
  app_public.call_source_breakdown(date, date, uuid), app_public.targets_vs_actuals(date, date, uuid),
  app_public.data_freshness(),
  app_hidden.kpi_figures(app_hidden.measures), app_hidden.kpi_changes(app_public.kpi_figures, app_public.kpi_figures),
  app_hidden.relative_change(numeric, numeric), app_hidden.kpi_range(date, date, integer),
  app_hidden.measures_by_bucket(uuid, date, date, uuid, text), app_hidden.range_measures(uuid, date, date, uuid),
  app_hidden.zero_measures(),
  app_hidden.agent_day_measures(uuid, date, date), app_hidden.sum_measures(app_hidden.measures[])
  to app_user;
