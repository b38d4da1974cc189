--! Previous: sha1:cc0ef6e5dcfc5a526d6dbcf114d0682496fc449d
--! Hash: sha1:2819f4a7ed62170a3f212cc67dbfcab9728bde3d
--! Message: Sign-up, onboarding and admin: calls.is_test (from the delivery), test calls through the ingest path and their removal, onboarding_status, admin_tenant_summaries, audit-logged read-only start_tenant_view

-- Self-serve sign-up, onboarding and admin (issue 14, items 1, 2 and 5).

-- Test calls --------------------------------------------------------------
-- A test call is an ordinary call whose delivery says so: the dashboard's
-- "send a test call" posts a Bolna execution with
-- context_details.switchboard_test = true through the webhook ingest path, and
-- apply_bolna_execution keeps context_details in metadata. Generated, so it has
-- one definition and no apply function changes.
alter table app_public.calls drop column if exists is_test;
alter table app_public.calls add column is_test boolean
  generated always as (coalesce(metadata #> '{bolna,context_details,switchboard_test}' = 'true'::jsonb, false)) stored not null;
comment on column app_public.calls.is_test is 'A test call sent from the dashboard (its Bolna delivery has context_details.switchboard_test = true). Counts in the KPIs like any call until removed with removeTestCalls.';
create index if not exists calls_user_test_idx on app_public.calls (user_id) where is_test;

create or replace function app_public.remove_test_calls() returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user     uuid := app_public.current_user_id();
  v_calls    uuid[];
  v_contacts uuid[];
  n          integer;
begin
  if v_user is null then
    raise exception 'Sign in to remove test calls.' using errcode = '42501';
  end if;
  -- KEY SHARE on the tenant, like every writer of its calls.
  perform 1 from app_public.users u where u.id = v_user for key share;
  select coalesce(array_agg(k.id), '{}'), coalesce(array_agg(distinct k.contact_id) filter (where k.contact_id is not null), '{}')
    into v_calls, v_contacts
    from app_public.calls k where k.user_id = v_user and k.is_test;
  if cardinality(v_calls) = 0 then
    return 0;
  end if;
  -- The credits the test calls used come back through the ledger (a refund per call).
  insert into app_hidden.credit_charges (user_id, call_id, amount, description)
    select k.user_id, k.id, k.credits_used, 'Test call removed: its credits are returned'
      from app_public.calls k where k.id = any (v_calls) and k.credits_used > 0;
  -- The calls' own triggers take their contribution out of the rollups (analyses included);
  -- transcripts and analyses go with them (on delete cascade).
  delete from app_public.calls k where k.id = any (v_calls);
  get diagnostics n = row_count;
  -- Contacts the test calls created, when no other call uses them.
  with gone as (
    delete from app_public.contacts c
     where c.user_id = v_user and c.id = any (v_contacts) and c.is_auto_created
       and c.auto_created_from_call_id = any (v_calls)
       and not exists (select 1 from app_public.calls k where k.user_id = v_user and k.contact_id = c.id)
    returning c.id, c.phone_number
  ), deltas as (
    delete from app_hidden.contact_count_deltas d using gone g where d.contact_id = g.id and d.user_id = v_user
  )
  delete from app_public.lead_analytics a using gone g
   where a.user_id = v_user and a.analysis_type = 'complete' and a.phone_number = g.phone_number;
  -- Their raw deliveries, so a replay cannot bring them back.
  delete from app_private.webhook_events w
   where w.user_id = v_user and w.provider = 'bolna'
     and w.payload #> '{context_details,switchboard_test}' = 'true'::jsonb;
  return n;
end
$$;
comment on function app_public.remove_test_calls() is 'Removes the signed-in business''s test calls (is_test) with their transcripts, analyses, the contacts only they created and their raw deliveries; the KPIs drop them exactly and their credits are refunded. Returns how many calls were removed.';
revoke all on function app_public.remove_test_calls() from public;
grant execute on function app_public.remove_test_calls() to app_user;

-- Onboarding ----------------------------------------------------------------
drop function if exists app_public.onboarding_status();
drop type if exists app_public.onboarding_status;
create type app_public.onboarding_status as (
  bolna_connected boolean,
  twilio_connected boolean,
  agents integer,
  active_agents integer,
  calls bigint,
  test_calls bigint,
  latest_test_call_id uuid,
  latest_test_call_status text
);
comment on type app_public.onboarding_status is 'Where a business stands in setting up: providers connected, agents, real and test calls.';
comment on column app_public.onboarding_status.bolna_connected is 'A Bolna webhook token has been issued.';
comment on column app_public.onboarding_status.twilio_connected is 'Twilio credentials (account SID) are set.';
comment on column app_public.onboarding_status.calls is 'Calls that are not test calls.';
comment on column app_public.onboarding_status.test_calls is 'Test calls sent from the dashboard, not yet removed.';

create or replace function app_public.onboarding_status() returns app_public.onboarding_status
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select coalesce(p.bolna_token_hash is not null, false),
         coalesce(p.twilio_account_sid is not null, false),
         (select count(*)::integer from app_public.agents g where g.user_id = u.id),
         (select count(*)::integer from app_public.agents g where g.user_id = u.id and g.is_active),
         (select count(*) from app_public.calls k where k.user_id = u.id and not k.is_test),
         (select count(*) from app_public.calls k where k.user_id = u.id and k.is_test),
         t.id, t.status
    from app_public.users u
    left join app_private.provider_credentials p on p.user_id = u.id
    left join lateral (select k.id, k.status from app_public.calls k
                        where k.user_id = u.id and k.is_test order by k.created_at desc limit 1) t on true
   where u.id = app_public.current_user_id()
$$;
comment on function app_public.onboarding_status() is 'The signed-in business''s set-up state for the onboarding checklist (null when signed out).';
revoke all on function app_public.onboarding_status() from public;
grant execute on function app_public.onboarding_status() to app_user;

-- Admin ---------------------------------------------------------------------
create or replace function app_public.admin_tenant_summaries() returns setof app_public.kpi_summaries
  language plpgsql stable
  set search_path = pg_catalog, pg_temp
as $$
begin
  -- Security invoker: kpi_summaries' own filter applies too; this refuses instead of showing one row.
  if not app_public.current_user_is_admin() then
    raise exception 'Only platform operators can list all businesses.' using errcode = '42501';
  end if;
  return query select * from app_public.kpi_summaries s order by s.calls_30d desc, s.user_id;
end
$$;
comment on function app_public.admin_tenant_summaries() is 'Platform operators: every business''s KPI summary, busiest first. Refused (FORBIDDEN) for everyone else.';
revoke all on function app_public.admin_tenant_summaries() from public;
grant execute on function app_public.admin_tenant_summaries() to app_user;

create or replace function app_public.start_tenant_view(tenant_id uuid) returns app_public.users
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_tenant app_public.users;
begin
  -- Only app_admin may execute this (grant); the role setting says who is really calling.
  if pg_catalog.current_setting('role', true) is distinct from 'app_admin' then
    raise exception 'Only platform operators can view another business.' using errcode = '42501';
  end if;
  select * into v_tenant from app_public.users u where u.id = start_tenant_view.tenant_id;
  if v_tenant.id is null then
    raise exception 'No such business.' using errcode = 'SB104';
  end if;
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, details)
  values (v_tenant.id, 'tenant.view', 'users', v_tenant.id::text, jsonb_build_object('read_only', true));
  return v_tenant;
end
$$;
comment on function app_public.start_tenant_view(tenant_id uuid) is 'Platform operators: opens a read-only view of a business for an hour and records it in that business''s audit trail (who, when, from where). The server then runs the operator''s requests that carry the view as that business, in read-only transactions.';
revoke all on function app_public.start_tenant_view(uuid) from public;
grant execute on function app_public.start_tenant_view(uuid) to app_admin;

create or replace function app_hidden.tenant_view_allowed(p_admin_id uuid, p_tenant_id uuid) returns boolean
  language sql stable security definer
  set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1 from app_hidden.audit_log a
     where a.user_id = p_tenant_id and a.action = 'tenant.view' and a.actor_id = p_admin_id
       and a.created_at > now() - interval '1 hour')
$$;
comment on function app_hidden.tenant_view_allowed(p_admin_id uuid, p_tenant_id uuid) is 'True when this operator opened a view of this business (start_tenant_view, audit-logged) within the last hour: the server checks it before running a request as that business.';
revoke all on function app_hidden.tenant_view_allowed(uuid, uuid) from public;
grant execute on function app_hidden.tenant_view_allowed(uuid, uuid) to app_authenticator;

-- Test calls through the webhook ingest path ---------------------------------
create or replace function app_hidden.ingest_test_delivery(p_payload jsonb)
  returns table (duplicate boolean, status text, call_id uuid, error_code text, error text)
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
declare
  v_user uuid := app_public.current_user_id();
begin
  if v_user is null then
    raise exception 'Sign in to send a test call.' using errcode = '42501';
  end if;
  -- Only test executions: marked, and with an id no real Bolna execution has.
  if p_payload #> '{context_details,switchboard_test}' is distinct from 'true'::jsonb
     or left(p_payload ->> 'id', 17) <> 'switchboard-test-' then
    raise exception 'Only a test delivery can be sent this way.' using errcode = '22023';
  end if;
  -- A write, so a read-only transaction (a viewer, an operator's read-only view) is refused here.
  perform 1 from app_public.users u where u.id = v_user for key share;
  return query
  select w.duplicate, w.status, w.call_id, w.error_code, w.error
    from app_hidden.ingest_webhook('bolna', v_user,
                                   format('%s:%s:%s', p_payload ->> 'id', p_payload ->> 'status', p_payload ->> 'updated_at'),
                                   p_payload, '{"user-agent": "Switchboard test call (dashboard)"}'::jsonb) w;
end
$$;
comment on function app_hidden.ingest_test_delivery(p_payload jsonb) is 'The dashboard''s "send a test call": stores and applies one Bolna execution (marked context_details.switchboard_test, id switchboard-test-...) for the signed-in business through app_hidden.ingest_webhook, the same statement as POST /webhooks/bolna/:token. Called by server/graphql/test-call-plugin.ts after the same payload validation as the route.';
revoke all on function app_hidden.ingest_test_delivery(jsonb) from public;
grant execute on function app_hidden.ingest_test_delivery(jsonb) to app_user;
