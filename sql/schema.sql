-- The current schema of the Switchboard database, generated from the catalog after running every
-- committed migration (migrations/committed/). Do not edit: run `npm run db:dump` (db:migrate,
-- db:commit, db:uncommit and db:watch also rewrite it); a test fails when it drifts from the migrations.
--
-- Order: extensions, roles, schemas and their grants, database-wide default privileges, then per
-- schema: types, tables (columns, defaults, constraints, indexes, comments, grants), sequences,
-- functions, views and materialized views, triggers, row-level security, default privileges.
-- Objects are sorted by name, not by dependency: read it, diff it, do not run it.
-- Not shown: the schemas of libraries (graphile_worker, graphile_migrate: graphile-worker installs its own,
-- graphile-migrate tracks migrations there), objects that belong to extensions, object owners (the role
-- that ran the migrations), database-level settings and privileges.

------------------------------------------------------------------------------
-- Extensions
------------------------------------------------------------------------------

create extension if not exists citext with schema public;
create extension if not exists pgcrypto with schema public;

------------------------------------------------------------------------------
-- Roles (cluster-wide; created by the migrations if missing)
------------------------------------------------------------------------------

create role app_admin nologin;
create role app_anonymous nologin;
create role app_authenticator login noinherit;
create role app_owner nologin;
create role app_user nologin;
create role app_viewer nologin;
grant app_admin to app_authenticator;
grant app_anonymous to app_authenticator;
grant app_owner to app_admin;
grant app_owner to app_authenticator;
grant app_user to app_admin;
grant app_user to app_authenticator;
grant app_user to app_owner;
grant app_user to app_viewer;
grant app_viewer to app_authenticator;

------------------------------------------------------------------------------
-- Schemas
------------------------------------------------------------------------------

create schema app_hidden;
comment on schema app_hidden is 'Callable by application roles but not exposed through GraphQL.';
grant usage on schema app_hidden to app_admin;
grant usage on schema app_hidden to app_anonymous;
grant usage on schema app_hidden to app_authenticator;
grant usage on schema app_hidden to app_user;

create schema app_private;
comment on schema app_private is 'Secrets, raw events and internal state; owner only.';

create schema app_public;
comment on schema app_public is 'Exposed through the GraphQL API; RLS on every tenant table.';
grant usage on schema app_public to app_anonymous;
grant usage on schema app_public to app_user;

-- schema public is built in
comment on schema public is 'standard public schema';
grant usage on schema public to app_anonymous;
grant usage on schema public to app_user;

------------------------------------------------------------------------------
-- Default privileges (database-wide)
------------------------------------------------------------------------------

alter default privileges revoke execute on functions from public;

------------------------------------------------------------------------------
-- Schema app_hidden
------------------------------------------------------------------------------

-- Types ---------------------------------------------------------------------

create type app_hidden.calendar_sync_result as (
  appointment_id uuid,
  created boolean,
  applied boolean,
  status text,
  scheduled_at timestamp with time zone,
  external_updated_at timestamp with time zone
);

-- Tables --------------------------------------------------------------------

create table app_hidden.audit_log (
  id bigint generated always as identity,
  user_id uuid,
  actor text default app_hidden.request_actor() not null,
  action text not null,
  resource_type text,
  resource_id text,
  details jsonb default '{}'::jsonb not null,
  ip_address inet default app_hidden.request_client_ip(),
  created_at timestamp with time zone default now() not null,
  actor_id uuid default app_public.current_user_id(),
  api_key_id uuid default NULLIF(current_setting('jwt.claims.api_key_id'::text, true), ''::text)::uuid,
  user_agent text default app_hidden.request_user_agent(),
  old_values jsonb,
  new_values jsonb,
  member_id uuid default NULLIF(current_setting('jwt.claims.member_id'::text, true), ''::text)::uuid,
  constraint audit_log_pkey PRIMARY KEY (id),
  constraint audit_log_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE SET NULL
);
comment on table app_hidden.audit_log is 'Append-only audit trail of a tenant''s changes (settings, agents, numbers, targets, API keys, provider credentials, retention). Written by app_private.tg__audit() and a few functions; readable by the tenant (RLS) through app_public.audit_entries.';
comment on column app_hidden.audit_log.user_id is 'The tenant the change belongs to (null once the tenant is deleted).';
comment on column app_hidden.audit_log.actor is 'user, api_key, admin, anonymous or system (worker, webhooks); older rows hold the database role.';
comment on column app_hidden.audit_log.action is 'insert, update or delete for data changes (older rows: named events such as api_key.create).';
comment on column app_hidden.audit_log.resource_type is 'The table changed (without schema).';
comment on column app_hidden.audit_log.resource_id is 'The changed row''s id (or its primary key values joined by /).';
comment on column app_hidden.audit_log.ip_address is 'The client address of the request (null for the worker and webhooks).';
comment on column app_hidden.audit_log.actor_id is 'The signed-in user who made the change; null for the worker, webhooks and sign-up.';
comment on column app_hidden.audit_log.api_key_id is 'The API key the change was made with, if any.';
comment on column app_hidden.audit_log.user_agent is 'The client''s User-Agent (at most 512 characters).';
comment on column app_hidden.audit_log.old_values is 'Before the change: the changed columns (update) or the whole row (delete); secret columns as "[redacted]".';
comment on column app_hidden.audit_log.new_values is 'After the change: the changed columns (update) or the whole row (insert); secret columns as "[redacted]".';
comment on column app_hidden.audit_log.member_id is 'The login (member) who made the change, for password sessions.';
CREATE INDEX audit_log_user_latest_idx ON app_hidden.audit_log USING btree (user_id, id DESC);
grant select on table app_hidden.audit_log to app_user;

create table app_hidden.contact_count_deltas (
  contact_id uuid not null,
  user_id uuid not null,
  delta integer not null
) with (autovacuum_vacuum_threshold=10000, autovacuum_vacuum_scale_factor=0, autovacuum_vacuum_insert_threshold=10000, autovacuum_vacuum_insert_scale_factor=0, autovacuum_vacuum_cost_delay=0);
comment on table app_hidden.contact_count_deltas is 'Pending not-connected counter changes (append-only; applied by app_hidden.sync_contacts()).';

create table app_hidden.credit_charges (
  user_id uuid not null,
  call_id uuid not null,
  amount integer not null,
  description text not null,
  created_at timestamp with time zone default now() not null
) with (autovacuum_vacuum_threshold=10000, autovacuum_vacuum_scale_factor=0, autovacuum_vacuum_insert_threshold=10000, autovacuum_vacuum_insert_scale_factor=0, autovacuum_vacuum_cost_delay=0);
comment on table app_hidden.credit_charges is 'Credit changes of calls not yet moved into the ledger (append-only; app_hidden.post_credit_transactions moves them).';
grant select on table app_hidden.credit_charges to app_user;

create table app_hidden.measures (
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null
);
comment on table app_hidden.measures is 'Type only (never holds rows): summed rollup measures, as passed between the KPI functions.';

create table app_hidden.purged_rollups (
  user_id uuid not null,
  agent_id uuid,
  day date not null,
  hour smallint,
  target text,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  purged_at timestamp with time zone default now() not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint purged_rollups_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE
);
comment on table app_hidden.purged_rollups is 'Contributions of calls deleted by retention clean-up (kept so verification does not report them as drift).';
CREATE INDEX purged_rollups_user_day_idx ON app_hidden.purged_rollups USING btree (user_id, day);

create table app_hidden.rollup_deltas (
  user_id uuid not null,
  agent_id uuid,
  day date not null,
  hour smallint,
  target text,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint rollup_deltas_hour_check CHECK (hour >= 0 AND hour <= 23),
  constraint rollup_deltas_target_check CHECK (target = ANY (ARRAY['agent_day'::text, 'user_day'::text, 'user_hour'::text, 'agent_hour'::text]))
) with (autovacuum_vacuum_threshold=10000, autovacuum_vacuum_scale_factor=0, autovacuum_vacuum_insert_threshold=10000, autovacuum_vacuum_insert_scale_factor=0, autovacuum_vacuum_cost_delay=0);
comment on table app_hidden.rollup_deltas is 'Not-yet-compacted signed rollup contributions (append-only; the compactor moves them into the rollup tables).';
grant select on table app_hidden.rollup_deltas to app_user;

-- Functions and procedures --------------------------------------------------

CREATE OR REPLACE FUNCTION app_hidden.accept_invitation(token text, name text, password text)
 RETURNS TABLE(user_id uuid, member_id uuid, db_role text, member_role text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_link   app_private.member_links;
  v_inv    app_public.invitations;
  v_member app_public.members;
begin
  perform app_hidden.check_new_password(password);
  v_link := app_hidden.consume_link(token, 'invitation');
  update app_public.invitations i set accepted_at = now()
   where i.id = v_link.invitation_id and i.accepted_at is null and i.revoked_at is null
  returning * into v_inv;
  if v_inv.id is null then
    raise exception 'This link is invalid, expired or already used: ask for a new one.' using errcode = 'SB202';
  end if;
  begin
    insert into app_public.members (user_id, email, name, role, last_sign_in_at)
    values (v_inv.user_id, v_inv.email, accept_invitation.name, v_inv.role, now())
    returning * into v_member;
  exception when unique_violation then
    raise exception 'This email already signs in to Switchboard: each login belongs to one business.' using errcode = 'SB102';
  end;
  insert into app_private.member_secrets (member_id, password_hash) values (v_member.id, crypt(password, gen_salt('bf', 10)));
  return query select v_member.user_id, v_member.id,
                      app_hidden.member_db_role(v_member.role, u.role), v_member.role
                 from app_public.users u where u.id = v_member.user_id;
end
$function$;
comment on function app_hidden.accept_invitation(token text, name text, password text) is 'Accepts an invitation link (once): creates the login with its name and password and returns what signing in needs. SB202: link invalid, expired or used; SB101: weak password; SB102: email already a login.';
grant execute on function app_hidden.accept_invitation(token text, name text, password text) to app_anonymous;

CREATE OR REPLACE FUNCTION app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date)
 RETURNS TABLE(agent_id uuid, day date, measures app_hidden.measures)
 LANGUAGE sql
 STABLE
AS $function$
      select s.agent_id, s.day, row(coalesce(sum(calls), 0)::bigint, coalesce(sum(successful_calls), 0)::bigint, coalesce(sum(failed_calls), 0)::bigint, coalesce(sum(unanswered_calls), 0)::bigint, coalesce(sum(talk_seconds), 0)::bigint, coalesce(sum(billed_minutes), 0)::bigint, coalesce(sum(credits_used), 0)::bigint, coalesce(sum(inbound_calls), 0)::bigint, coalesce(sum(outbound_calls), 0)::bigint, coalesce(sum(phone_calls), 0)::bigint, coalesce(sum(internet_calls), 0)::bigint, coalesce(sum(unknown_source_calls), 0)::bigint, coalesce(sum(leads_generated), 0)::bigint, coalesce(sum(qualified_leads), 0)::bigint, coalesce(sum(hot_leads), 0)::bigint, coalesce(sum(warm_leads), 0)::bigint, coalesce(sum(cold_leads), 0)::bigint, coalesce(sum(cta_pricing), 0)::bigint, coalesce(sum(cta_demo), 0)::bigint, coalesce(sum(cta_followup), 0)::bigint, coalesce(sum(cta_sample), 0)::bigint, coalesce(sum(cta_human_escalation), 0)::bigint, coalesce(sum(calls_with_cta), 0)::bigint, coalesce(sum(intent_score_sum), 0)::bigint, coalesce(sum(intent_score_count), 0)::bigint, coalesce(sum(urgency_score_sum), 0)::bigint, coalesce(sum(urgency_score_count), 0)::bigint, coalesce(sum(budget_score_sum), 0)::bigint, coalesce(sum(budget_score_count), 0)::bigint, coalesce(sum(fit_score_sum), 0)::bigint, coalesce(sum(fit_score_count), 0)::bigint, coalesce(sum(engagement_score_sum), 0)::bigint, coalesce(sum(engagement_score_count), 0)::bigint, coalesce(sum(total_score_sum), 0)::bigint, coalesce(sum(total_score_count), 0)::bigint, coalesce(sum(call_seconds), 0)::bigint, coalesce(sum(voicemail_calls), 0)::bigint, coalesce(sum(busy_calls), 0)::bigint, coalesce(sum(no_answer_calls), 0)::bigint, coalesce(sum(canceled_calls), 0)::bigint, coalesce(sum(agent_hangup_calls), 0)::bigint, coalesce(sum(caller_hangup_calls), 0)::bigint, coalesce(sum(time_to_answer_ms_sum), 0)::bigint, coalesce(sum(time_to_answer_count), 0)::bigint, coalesce(sum(cost_micros), 0)::bigint, coalesce(sum(costed_calls), 0)::bigint, coalesce(sum(cta_interactions), 0)::bigint, coalesce(sum(booked_calls), 0)::bigint, coalesce(sum(sentiment_score_sum), 0)::bigint, coalesce(sum(sentiment_score_count), 0)::bigint, coalesce(sum(sentiment_positive), 0)::bigint, coalesce(sum(sentiment_neutral), 0)::bigint, coalesce(sum(sentiment_negative), 0)::bigint, coalesce(sum(sentiment_mixed), 0)::bigint, coalesce(sum(quality_score_sum), 0)::bigint, coalesce(sum(quality_score_count), 0)::bigint, coalesce(sum(csat_score_sum), 0)::bigint, coalesce(sum(csat_score_count), 0)::bigint, coalesce(sum(transfer_requested_calls), 0)::bigint, coalesce(sum(transfer_happened_calls), 0)::bigint, coalesce(sum(convo_converted), 0)::bigint, coalesce(sum(convo_interested), 0)::bigint, coalesce(sum(convo_callback_requested), 0)::bigint, coalesce(sum(convo_not_interested), 0)::bigint, coalesce(sum(convo_wrong_person), 0)::bigint, coalesce(sum(convo_no_outcome), 0)::bigint)::app_hidden.measures
        from (
          select r.agent_id, r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id, s.day
    $function$;
comment on function app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date) is 'Summed measures per agent and tenant-local day (rollup + pending deltas) for a tenant and day range (generated).';
grant execute on function app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date)
 RETURNS TABLE(agent_id uuid, measures app_hidden.measures)
 LANGUAGE sql
 STABLE
AS $function$
      select s.agent_id, row(coalesce(sum(calls), 0)::bigint, coalesce(sum(successful_calls), 0)::bigint, coalesce(sum(failed_calls), 0)::bigint, coalesce(sum(unanswered_calls), 0)::bigint, coalesce(sum(talk_seconds), 0)::bigint, coalesce(sum(billed_minutes), 0)::bigint, coalesce(sum(credits_used), 0)::bigint, coalesce(sum(inbound_calls), 0)::bigint, coalesce(sum(outbound_calls), 0)::bigint, coalesce(sum(phone_calls), 0)::bigint, coalesce(sum(internet_calls), 0)::bigint, coalesce(sum(unknown_source_calls), 0)::bigint, coalesce(sum(leads_generated), 0)::bigint, coalesce(sum(qualified_leads), 0)::bigint, coalesce(sum(hot_leads), 0)::bigint, coalesce(sum(warm_leads), 0)::bigint, coalesce(sum(cold_leads), 0)::bigint, coalesce(sum(cta_pricing), 0)::bigint, coalesce(sum(cta_demo), 0)::bigint, coalesce(sum(cta_followup), 0)::bigint, coalesce(sum(cta_sample), 0)::bigint, coalesce(sum(cta_human_escalation), 0)::bigint, coalesce(sum(calls_with_cta), 0)::bigint, coalesce(sum(intent_score_sum), 0)::bigint, coalesce(sum(intent_score_count), 0)::bigint, coalesce(sum(urgency_score_sum), 0)::bigint, coalesce(sum(urgency_score_count), 0)::bigint, coalesce(sum(budget_score_sum), 0)::bigint, coalesce(sum(budget_score_count), 0)::bigint, coalesce(sum(fit_score_sum), 0)::bigint, coalesce(sum(fit_score_count), 0)::bigint, coalesce(sum(engagement_score_sum), 0)::bigint, coalesce(sum(engagement_score_count), 0)::bigint, coalesce(sum(total_score_sum), 0)::bigint, coalesce(sum(total_score_count), 0)::bigint, coalesce(sum(call_seconds), 0)::bigint, coalesce(sum(voicemail_calls), 0)::bigint, coalesce(sum(busy_calls), 0)::bigint, coalesce(sum(no_answer_calls), 0)::bigint, coalesce(sum(canceled_calls), 0)::bigint, coalesce(sum(agent_hangup_calls), 0)::bigint, coalesce(sum(caller_hangup_calls), 0)::bigint, coalesce(sum(time_to_answer_ms_sum), 0)::bigint, coalesce(sum(time_to_answer_count), 0)::bigint, coalesce(sum(cost_micros), 0)::bigint, coalesce(sum(costed_calls), 0)::bigint, coalesce(sum(cta_interactions), 0)::bigint, coalesce(sum(booked_calls), 0)::bigint, coalesce(sum(sentiment_score_sum), 0)::bigint, coalesce(sum(sentiment_score_count), 0)::bigint, coalesce(sum(sentiment_positive), 0)::bigint, coalesce(sum(sentiment_neutral), 0)::bigint, coalesce(sum(sentiment_negative), 0)::bigint, coalesce(sum(sentiment_mixed), 0)::bigint, coalesce(sum(quality_score_sum), 0)::bigint, coalesce(sum(quality_score_count), 0)::bigint, coalesce(sum(csat_score_sum), 0)::bigint, coalesce(sum(csat_score_count), 0)::bigint, coalesce(sum(transfer_requested_calls), 0)::bigint, coalesce(sum(transfer_happened_calls), 0)::bigint, coalesce(sum(convo_converted), 0)::bigint, coalesce(sum(convo_interested), 0)::bigint, coalesce(sum(convo_callback_requested), 0)::bigint, coalesce(sum(convo_not_interested), 0)::bigint, coalesce(sum(convo_wrong_person), 0)::bigint, coalesce(sum(convo_no_outcome), 0)::bigint)::app_hidden.measures
        from (
          select r.agent_id, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id
    $function$;
comment on function app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date) is 'Summed measures per agent (rollup + pending deltas) for a tenant and tenant-local day range (generated).';
grant execute on function app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.agent_version_measures(p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[])
 RETURNS TABLE(agent_version_id uuid, measures app_hidden.measures)
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  v_sums text;
begin
  -- Every measure, summed by name: the column list is read from app_hidden.measures (which the rollup generator
  -- keeps in step with app_private.rollup_measures), so a new measure needs nothing here. Summing the columns of
  -- call_contribution directly costs about 3 us per call; converting each row (jsonb_populate_record) and
  -- summing an array of measures rows cost 60-300 us per call.
  select string_agg(format('coalesce(sum(d.%I), 0)::%s', a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum)
    into v_sums
    from pg_catalog.pg_attribute a
   where a.attrelid = 'app_hidden.measures'::regclass and a.attnum > 0 and not a.attisdropped;
  return query execute format($q$
    select r.id, row(%s)::app_hidden.measures
      from app_hidden.agent_version_ranges($2) r
      join app_public.calls c on c.user_id = $1 and c.agent_id = $2 and c.started_at >= r.lo and c.started_at < r.hi
      left join app_public.lead_analytics a on a.call_id = c.id and a.user_id = c.user_id and a.analysis_type = 'individual'
     cross join lateral app_hidden.call_contribution(c, a, $3, 1) d
     where r.id = any ($6)
       and c.started_at >= ($4::timestamp at time zone $3)
       and c.started_at < (($5 + 1)::timestamp at time zone $3)
     group by r.id$q$, v_sums)
  using p_user_id, p_agent_id, p_tz, p_from, p_to, p_versions;
end
$function$;
comment on function app_hidden.agent_version_measures(p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[]) is 'Summed measures per agent version of the calls that started in a tenant-local day range: app_hidden.call_contribution of each call with its current analysis (exactly what the rollups add up), every measure by name. Security invoker: RLS applies.';
grant execute on function app_hidden.agent_version_measures(p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[]) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.agent_version_ranges(p_agent_id uuid)
 RETURNS TABLE(id uuid, version integer, lo timestamp with time zone, hi timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
  -- THE rule: a call runs with the agent's latest version created at or before its start; a call dated before
  -- the agent's first version (an import, a late delivery) with that first version.
  select v.id, v.version,
         case when row_number() over w = 1 then '-infinity'::timestamptz else v.created_at end,
         coalesce(lead(v.created_at) over w, 'infinity'::timestamptz)
    from app_public.agent_versions v
   where v.agent_id = p_agent_id
  window w as (order by v.created_at, v.version)
$function$;
comment on function app_hidden.agent_version_ranges(p_agent_id uuid) is 'THE rule for the version a call ran with, as ranges of start times: each version of the agent holds the calls that started in [lo, hi) (the first version from -infinity). Security invoker: RLS applies.';
grant execute on function app_hidden.agent_version_ranges(p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.analysis_document(a app_public.lead_analytics)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select to_jsonb(a) - '{id,user_id,analysis_type,call_id,latest_call_id,phone_number,calls_analyzed,is_read,created_at,updated_at,call_started_at}'::text[]
$function$;
comment on function app_hidden.analysis_document(a app_public.lead_analytics) is 'The analysis columns of a lead_analytics row as JSON: every column but the row''s identity and bookkeeping (id, user_id, analysis_type, call_id, latest_call_id, phone_number, calls_analyzed, is_read, created_at, updated_at, call_started_at), so new analysis columns are kept without changing this.';

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

CREATE OR REPLACE FUNCTION app_hidden.answer_rate(successful bigint, unanswered bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(successful, successful + unanswered) $function$;
comment on function app_hidden.answer_rate(successful bigint, unanswered bigint) is 'Answered calls / calls that rang out (technical failures excluded).';
grant execute on function app_hidden.answer_rate(successful bigint, unanswered bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.apply_bolna_execution(p_user_id uuid, p jsonb)
 RETURNS TABLE(call_id uuid, applied boolean)
 LANGUAGE plpgsql
AS $function$
declare
  s         record;
  v_agent   uuid;
  tel       jsonb := coalesce(p -> 'telephony_data', '{}');
  v_dir     text := case when tel ->> 'call_type' = 'inbound' then 'inbound' else 'outbound' end;
  -- the other party's number ('' counts as none; web calls have none)
  v_number  text := nullif(btrim(case when v_dir = 'inbound' then tel ->> 'from_number' else tel ->> 'to_number' end), '');
  v_created timestamptz := app_hidden.ts(p ->> 'created_at');
  v_updated timestamptz := app_hidden.ts(p ->> 'updated_at');
begin
  select * into s from app_hidden.bolna_status(p ->> 'status');
  if s.status is null then
    raise exception 'unknown Bolna status "%"', p ->> 'status' using errcode = 'SB107';
  end if;
  select g.id into v_agent from app_public.agents g
   where g.user_id = p_user_id and g.provider = 'bolna' and g.provider_agent_id = p ->> 'agent_id';
  if v_agent is null then
    raise exception 'unknown agent "%": add it with provider bolna and this provider agent id, then replay', p ->> 'agent_id'
      using errcode = 'SB108';
  end if;
  return query
  select * from app_hidden.apply_call_event(
    p_user_id, v_agent, 'bolna', p ->> 'id', s.status, s.rank, s.terminal,
    v_updated,
    case when s.status in ('scheduled', 'queued') then coalesce(v_created, v_updated)
         else greatest(v_created,
                       v_updated - case when s.terminal
                                        then make_interval(secs => coalesce((tel ->> 'duration')::numeric, 0)::double precision)
                                        else interval '0' end) end,
    v_dir,
    case when v_number is null then 'internet' else 'phone' end,
    app_hidden.e164_or_null(v_number),
    (p ->> 'answered_by_voice_mail')::boolean,
    round(coalesce((p ->> 'conversation_duration')::numeric, (p ->> 'conversation_time')::numeric,
                   (tel ->> 'duration')::numeric, 0))::integer,
    (p ->> 'total_cost')::numeric,
    tel ->> 'recording_url',
    tel ->> 'hangup_by', tel ->> 'hangup_reason', app_hidden.int_or_null(tel ->> 'hangup_provider_code'),
    jsonb_strip_nulls(jsonb_build_object(
      'bolna', jsonb_build_object('status', p -> 'status', 'batch_id', p -> 'batch_id', 'error_message', p -> 'error_message',
                                  'cost_breakdown', p -> 'cost_breakdown', 'extracted_data', p -> 'extracted_data',
                                  'context_details', p -> 'context_details', 'provider', tel -> 'provider',
                                  'provider_call_id', tel -> 'provider_call_id'))),
    p ->> 'transcript');
end
$function$;
comment on function app_hidden.apply_bolna_execution(p_user_id uuid, p jsonb) is 'Applies a Bolna execution payload; the call counts when it was dialled (not when a scheduled execution was created). SB107: unknown status; SB108: no Bolna agent with that agent_id for the tenant.';

CREATE OR REPLACE FUNCTION app_hidden.apply_call_event(p_user_id uuid, p_agent_id uuid, p_provider text, p_provider_call_id text, p_status text, p_rank integer, p_terminal boolean, p_event_at timestamp with time zone, p_started_at timestamp with time zone, p_direction text, p_call_source text, p_phone_number text, p_voicemail boolean, p_duration integer, p_cost_cents numeric, p_recording_url text, p_hangup_by text, p_hangup_reason text, p_hangup_code integer, p_metadata jsonb, p_transcript text)
 RETURNS TABLE(call_id uuid, applied boolean)
 LANGUAGE plpgsql
AS $function$
declare
  v_call    app_public.calls;
  v_moment  timestamptz := coalesce(p_event_at, now());
  v_predial boolean := p_status in ('scheduled', 'queued');
begin
  insert into app_public.calls as c (
    user_id, agent_id, provider, provider_call_id, status, started_at, direction, call_source, phone_number,
    answered_by_voicemail, duration_seconds, cost_cents, recording_url, hangup_by, hangup_reason, hangup_code,
    metadata, provider_event_rank, provider_event_at,
    ringing_at, answered_at, disconnected_at, ended_at)
  values (
    p_user_id, p_agent_id, p_provider, p_provider_call_id, p_status, coalesce(p_started_at, v_moment),
    coalesce(p_direction, 'outbound'), coalesce(p_call_source, 'phone'), p_phone_number,
    p_terminal and coalesce(p_voicemail, false),
    case when p_terminal then coalesce(p_duration, 0) else 0 end,
    case when p_terminal then p_cost_cents end,
    case when p_terminal then p_recording_url end,
    case when p_terminal then p_hangup_by end,
    case when p_terminal then p_hangup_reason end,
    case when p_terminal then p_hangup_code end,
    coalesce(p_metadata, '{}'), p_rank, p_event_at,
    case when p_status = 'ringing' then v_moment end,
    case when p_status = 'in_progress' then v_moment end,
    case when p_status = 'disconnected' then v_moment end,
    case when p_terminal then v_moment end)
  on conflict (user_id, provider, provider_call_id) do update
    set status = excluded.status,
        agent_id = excluded.agent_id,
        -- the first dialled event replaces a pre-dial (provisional) start
        started_at = case when c.status in ('scheduled', 'queued') and not v_predial then excluded.started_at
                          else least(c.started_at, coalesce(p_started_at, c.started_at)) end,
        phone_number = coalesce(c.phone_number, excluded.phone_number),
        answered_by_voicemail = case when p_terminal then excluded.answered_by_voicemail else c.answered_by_voicemail end,
        duration_seconds = case when p_terminal then excluded.duration_seconds else c.duration_seconds end,
        cost_cents = case when p_terminal then excluded.cost_cents else c.cost_cents end,
        recording_url = case when p_terminal then coalesce(excluded.recording_url, c.recording_url) else c.recording_url end,
        hangup_by = case when p_terminal then excluded.hangup_by else c.hangup_by end,
        hangup_reason = case when p_terminal then excluded.hangup_reason else c.hangup_reason end,
        hangup_code = case when p_terminal then excluded.hangup_code else c.hangup_code end,
        metadata = c.metadata || excluded.metadata,
        provider_event_rank = excluded.provider_event_rank,
        provider_event_at = excluded.provider_event_at,
        ringing_at = coalesce(c.ringing_at, excluded.ringing_at),
        answered_at = coalesce(c.answered_at, excluded.answered_at),
        disconnected_at = coalesce(c.disconnected_at, excluded.disconnected_at),
        ended_at = coalesce(c.ended_at, excluded.ended_at)
    where (excluded.provider_event_rank, coalesce(excluded.provider_event_at, '-infinity'))
          > (c.provider_event_rank, coalesce(c.provider_event_at, '-infinity'))
  returning c.* into v_call;

  if v_call.id is null then
    -- Not applied: a repeat or a late event. It may still know an earlier
    -- start (a pre-dial event only while nothing was dialled) or fill a
    -- lifecycle time nothing else recorded; it never changes what a later
    -- event set.
    update app_public.calls c
       set started_at = case when v_predial and c.status not in ('scheduled', 'queued') then c.started_at
                             else least(c.started_at, coalesce(p_started_at, c.started_at)) end,
           ringing_at = coalesce(c.ringing_at, case when p_status = 'ringing' then v_moment end),
           answered_at = coalesce(c.answered_at, case when p_status = 'in_progress' then v_moment end),
           disconnected_at = coalesce(c.disconnected_at, case when p_status = 'disconnected' then v_moment end)
     where c.user_id = p_user_id and c.provider = p_provider and c.provider_call_id = p_provider_call_id
       and ((p_started_at < c.started_at and (not v_predial or c.status in ('scheduled', 'queued')))
            or (c.ringing_at is null and p_status = 'ringing')
            or (c.answered_at is null and p_status = 'in_progress')
            or (c.disconnected_at is null and p_status = 'disconnected'))
    returning c.* into v_call;
    if v_call.id is null then
      return query
      select c.id, false from app_public.calls c
       where c.user_id = p_user_id and c.provider = p_provider and c.provider_call_id = p_provider_call_id;
      return;
    end if;
    return query select v_call.id, true;
    return;
  end if;

  if p_terminal and nullif(btrim(p_transcript), '') is not null then
    insert into app_public.transcripts as t (user_id, call_id, content)
    values (p_user_id, v_call.id, p_transcript)
    on conflict on constraint transcripts_call_id_key do update
      set content = excluded.content, analysis_status = 'pending', analysis_error = null
      where t.content is distinct from excluded.content;
  end if;
  return query select v_call.id, true;
end
$function$;
comment on function app_hidden.apply_call_event(p_user_id uuid, p_agent_id uuid, p_provider text, p_provider_call_id text, p_status text, p_rank integer, p_terminal boolean, p_event_at timestamp with time zone, p_started_at timestamp with time zone, p_direction text, p_call_source text, p_phone_number text, p_voicemail boolean, p_duration integer, p_cost_cents numeric, p_recording_url text, p_hangup_by text, p_hangup_reason text, p_hangup_code integer, p_metadata jsonb, p_transcript text) is 'Applies one mapped provider event to the tenant''s call (insert or monotonic update, keyed by tenant, provider and provider call id) and stores a final transcript. A pre-dial event (scheduled, queued) gives a provisional start that the first dialled event replaces. Returns the call and whether anything changed.';

CREATE OR REPLACE FUNCTION app_hidden.apply_rescoring_run(p_run_id uuid)
 RETURNS app_public.rescoring_runs
 LANGUAGE plpgsql
AS $function$
declare
  v     app_public.rescoring_runs;
  v_set text;
  n     integer;
begin
  select * into v from app_public.rescoring_runs r where r.id = p_run_id for update;
  if v.id is null or v.status <> 'running' then
    return v;  -- cancelled (or already applied): nothing switches
  end if;
  if exists (select 1 from app_private.rescoring_run_calls rc
              where rc.run_id = v.id
                and not exists (select 1 from app_public.analysis_versions h where h.run_id = v.id and h.call_id = rc.call_id)) then
    raise exception 're-scoring run % still has calls to analyse', v.id using errcode = 'SB193';
  end if;
  -- KEY SHARE on the tenant, like every writer of its analyses (a time zone change waits).
  perform 1 from app_public.users u where u.id = v.user_id for key share;
  perform pg_catalog.set_config('switchboard.rescoring_apply', v.user_id::text, true);
  -- Every analysis column of lead_analytics from the version, whatever columns there are (the analysis
  -- helper adds some): one statement, so the rollup trigger moves the KPIs in this one transaction.
  select string_agg(case
                      when a.attname = 'is_read' then 'is_read = a.is_read and a.smart_notification is not distinct from r.smart_notification'
                      when a.attnotnull then format('%1$I = coalesce(r.%1$I, a.%1$I)', a.attname)
                      else format('%1$I = r.%1$I', a.attname)
                    end, ', ' order by a.attnum)
    into v_set
    from pg_catalog.pg_attribute a
   where a.attrelid = 'app_public.lead_analytics'::regclass and a.attnum > 0 and not a.attisdropped
     and a.attgenerated = ''
     and a.attname not in ('id', 'user_id', 'analysis_type', 'call_id', 'latest_call_id', 'phone_number',
                           'calls_analyzed', 'created_at', 'updated_at');
  execute format(
    $f$
    with v as (
      select h.call_id, h.analysis
        from app_public.analysis_versions h
        join app_public.transcripts t on t.call_id = h.call_id and md5(t.content) = h.content_md5
       where h.run_id = $1 and h.user_id = $2
    ), applied as (
      update app_public.lead_analytics a set %s
        from v cross join lateral jsonb_populate_record(null::app_public.lead_analytics, v.analysis) r
       where a.call_id = v.call_id and a.analysis_type = 'individual' and a.user_id = $2
      returning a.call_id
    ), old_latest as (
      update app_public.analysis_versions h set is_latest = false
        from applied
       where h.call_id = applied.call_id and h.is_latest and h.analysis_type = 'individual'
      returning h.id
    )
    select count(*) from applied
    $f$, v_set) using v.id, v.user_id into n;
  -- (after the old versions let go of is_latest: the partial unique index allows one per call)
  update app_public.analysis_versions h set is_latest = true
    from app_public.lead_analytics a
   where h.run_id = v.id and a.call_id = h.call_id and a.analysis_type = 'individual'
     and not exists (select 1 from app_public.analysis_versions o where o.call_id = h.call_id and o.is_latest)
     and exists (select 1 from app_public.transcripts t where t.call_id = h.call_id and md5(t.content) = h.content_md5);
  perform pg_catalog.set_config('switchboard.rescoring_apply', '', true);
  update app_public.rescoring_runs r set status = 'completed', calls_applied = n, finished_at = now()
   where r.id = v.id returning * into v;
  return v;
end
$function$;
comment on function app_hidden.apply_rescoring_run(p_run_id uuid) is 'Completes a running re-scoring run in one transaction: every version it made becomes the call''s analysis in lead_analytics (one UPDATE built from the table''s columns; the rollup trigger moves the KPIs), is_latest moves to it, the run is completed. A call whose transcript changed since it was analysed keeps its newer analysis. Nothing when the run was cancelled.';

CREATE OR REPLACE FUNCTION app_hidden.apply_twilio_status(p_user_id uuid, p jsonb)
 RETURNS TABLE(call_id uuid, applied boolean)
 LANGUAGE plpgsql
AS $function$
declare
  s       record;
  v_agent uuid;
  v_dir   text := case when p ->> 'Direction' = 'inbound' then 'inbound' else 'outbound' end;
  v_ours  text := case when v_dir = 'inbound' then p ->> 'To' else p ->> 'From' end;
  v_them  text := case when v_dir = 'inbound' then p ->> 'From' else p ->> 'To' end;
  v_seq   integer := coalesce(app_hidden.int_or_null(p ->> 'SequenceNumber'), 0);
begin
  select * into s from app_hidden.twilio_status(p ->> 'CallStatus');
  if s.status is null then
    raise exception 'unknown Twilio CallStatus "%"', p ->> 'CallStatus' using errcode = 'SB107';
  end if;
  select n.agent_id into v_agent from app_public.phone_numbers n
   where n.user_id = p_user_id and n.phone_number = v_ours and n.is_active and n.agent_id is not null;
  if v_agent is null then
    raise exception 'no agent has the number %: assign it to an agent, then replay', v_ours using errcode = 'SB108';
  end if;
  return query
  select * from app_hidden.apply_call_event(
    p_user_id, v_agent, 'twilio', p ->> 'CallSid', s.status, s.rank * 1000 + least(v_seq, 999), s.terminal,
    app_hidden.ts(p ->> 'Timestamp'),
    -- a final event knows the duration: the call started that long before it
    app_hidden.ts(p ->> 'Timestamp')
      - case when s.terminal then make_interval(secs => coalesce(app_hidden.int_or_null(p ->> 'CallDuration'), 0)) else interval '0' end,
    v_dir, 'phone',
    app_hidden.e164_or_null(v_them),
    p ->> 'AnsweredBy' like 'machine%',
    coalesce(app_hidden.int_or_null(p ->> 'CallDuration'), 0),
    null::numeric,
    p ->> 'RecordingUrl',
    null, null, null,
    jsonb_strip_nulls(jsonb_build_object('twilio', jsonb_build_object(
      'account_sid', p -> 'AccountSid', 'parent_call_sid', p -> 'ParentCallSid', 'caller_name', p -> 'CallerName',
      'recording_sid', p -> 'RecordingSid', 'sequence', v_seq))),
    null);
end
$function$;
comment on function app_hidden.apply_twilio_status(p_user_id uuid, p jsonb) is 'Applies a Twilio voice status callback (form fields as JSON). Ordered by status rank, then SequenceNumber. SB107: unknown status; SB108: no agent has the number.';

CREATE OR REPLACE FUNCTION app_hidden.apply_webhook_event(p_event_id bigint)
 RETURNS TABLE(event_id_call uuid, state text, code text, message text)
 LANGUAGE plpgsql
AS $function$
declare
  e      app_private.webhook_events;
  v_call uuid;
begin
  select * into e from app_private.webhook_events w where w.id = p_event_id for update;
  if e.id is null then
    raise exception 'webhook event % not found', p_event_id using errcode = 'SB104';
  end if;
  begin
    if e.provider = 'bolna' then
      select a.call_id into v_call from app_hidden.apply_bolna_execution(e.user_id, e.payload) a;
    elsif e.provider = 'twilio' then
      select a.call_id into v_call from app_hidden.apply_twilio_status(e.user_id, e.payload) a;
    else
      raise exception 'unknown provider %', e.provider using errcode = 'SB107';
    end if;
    update app_private.webhook_events w
       set status = 'processed', processed_at = now(), attempts = w.attempts + 1, call_id = v_call,
           error = null, error_code = null
     where w.id = e.id;
    return query select v_call, 'processed'::text, null::text, null::text;
  exception when others then
    update app_private.webhook_events w
       set status = 'failed', processed_at = now(), attempts = w.attempts + 1,
           error = sqlerrm, error_code = sqlstate
     where w.id = e.id;
    perform pg_catalog.pg_notify('business_changed', e.user_id::text);
    return query select null::uuid, 'failed'::text, sqlstate::text, sqlerrm::text;
  end;
end
$function$;
comment on function app_hidden.apply_webhook_event(p_event_id bigint) is 'Applies one stored delivery in a subtransaction and records the outcome (processed, or failed with the error; a failure notifies business_changed).';

CREATE OR REPLACE FUNCTION app_hidden.appointment_links(p_user_id uuid, p_call_id uuid, p_agent_id uuid, p_phone text, OUT agent_id uuid, OUT contact_id uuid, OUT phone_number text)
 RETURNS record
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  c app_public.calls;
begin
  if p_call_id is not null then
    select * into c from app_public.calls k where k.id = p_call_id and k.user_id = p_user_id;
    if c.id is null then
      raise exception 'No call with this id in this business (callId).' using errcode = 'SB187';
    end if;
  end if;
  agent_id := coalesce(p_agent_id, c.agent_id);
  if p_agent_id is not null and not exists (select 1 from app_public.agents a where a.id = p_agent_id and a.user_id = p_user_id) then
    raise exception 'No agent with this id in this business (agentId).' using errcode = 'SB187';
  end if;
  phone_number := coalesce(p_phone, c.phone_number);
  contact_id := coalesce(c.contact_id,
    (select k.id from app_public.contacts k where k.user_id = p_user_id and k.phone_number = coalesce(p_phone, c.phone_number)));
end
$function$;
comment on function app_hidden.appointment_links(p_user_id uuid, p_call_id uuid, p_agent_id uuid, p_phone text, OUT agent_id uuid, OUT contact_id uuid, OUT phone_number text) is 'Checks an appointment''s call and agent belong to the tenant (SB187) and derives its agent, contact and phone from them.';

CREATE OR REPLACE FUNCTION app_hidden.appointment_status(p_status text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
declare
  v text := lower(replace(trim(p_status), '-', '_'));
begin
  if v = 'canceled' then v := 'cancelled'; end if;
  if v is null or v not in ('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', 'rescheduled') then
    raise exception 'Unknown appointment status "%": use scheduled, confirmed, completed, no_show, cancelled or rescheduled.', left(p_status, 40)
      using errcode = 'SB185';
  end if;
  return v;
end
$function$;
comment on function app_hidden.appointment_status(p_status text) is 'The appointment status for a name (no-show and canceled accepted), or SB185.';

CREATE OR REPLACE FUNCTION app_hidden.audit_log_tenant()
 RETURNS uuid
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select app_public.current_user_id() where pg_catalog.pg_has_role(current_user, 'app_owner', 'usage')
$function$;
comment on function app_hidden.audit_log_tenant() is 'The tenant whose audit log the caller may read: the signed-in business, for its owners (app_owner, admins included); none for managers and viewers.';
grant execute on function app_hidden.audit_log_tenant() to app_user;

CREATE OR REPLACE FUNCTION app_hidden.audit_password_change(p_user_id uuid, p_member_id uuid, p_how text)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, new_values)
  values (p_user_id, 'update', 'member_secrets', p_member_id::text,
          pg_catalog.jsonb_build_object('password_hash', '[redacted]', 'how', p_how))
$function$;
comment on function app_hidden.audit_password_change(p_user_id uuid, p_member_id uuid, p_how text) is 'Records a password change of a member in the audit trail (how: changed, reset link, operator), never the hash.';

CREATE OR REPLACE FUNCTION app_hidden.authenticate_api_key(key text)
 RETURNS TABLE(api_key_id uuid, user_id uuid, db_role text, scopes text[])
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
  select app_hidden.member_db_role('owner', u.role) into v_role
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
$function$;
comment on function app_hidden.authenticate_api_key(key text) is 'The key''s tenant, database role (app_owner, or app_admin in a platform admin business: keys are created by owners) and scopes; no row when the key is malformed, unknown, revoked or expired, or the tenant inactive. Stamps last_used_at.';
grant execute on function app_hidden.authenticate_api_key(key text) to app_authenticator;

CREATE OR REPLACE FUNCTION app_hidden.authenticate_member(p_user_id uuid, p_member_id uuid)
 RETURNS TABLE(db_role text, member_role text)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
  select app_hidden.member_db_role(m.role, u.role), m.role
    from app_public.members m
    join app_public.users u on u.id = m.user_id
   where m.id = p_member_id and m.user_id = p_user_id and m.is_active and u.is_active
$function$;
comment on function app_hidden.authenticate_member(p_user_id uuid, p_member_id uuid) is 'The current database role and member role of a signed-in login, read on every request; no row when the member was removed or deactivated, or the business is inactive.';
grant execute on function app_hidden.authenticate_member(p_user_id uuid, p_member_id uuid) to app_authenticator;

CREATE OR REPLACE FUNCTION app_hidden.average(total bigint, n bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select case when n > 0 then round(total::numeric / n, 2) end $function$;
comment on function app_hidden.average(total bigint, n bigint) is 'total / n rounded to 2 places (average duration, average scores); null when n is 0.';
grant execute on function app_hidden.average(total bigint, n bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.begin_rescoring_run(p_run_id uuid, p_prompt_version text, p_prompt_hash text, p_analyzer text, p_model text)
 RETURNS app_public.rescoring_runs
 LANGUAGE sql
AS $function$
  update app_public.rescoring_runs r
     set status = 'running', started_at = coalesce(r.started_at, now()),
         prompt_version = coalesce(r.prompt_version, p_prompt_version), prompt_hash = coalesce(r.prompt_hash, p_prompt_hash),
         analyzer = coalesce(r.analyzer, p_analyzer), model = coalesce(r.model, p_model)
   where r.id = p_run_id and r.status in ('queued', 'running')
  returning r.*
$function$;
comment on function app_hidden.begin_rescoring_run(p_run_id uuid, p_prompt_version text, p_prompt_hash text, p_analyzer text, p_model text) is 'The worker takes a queued (or resumes a running) run: status running, and the prompt version, analyser and model it analyses with (kept from the first attempt). No row when the run has ended (cancelled).';

CREATE OR REPLACE FUNCTION app_hidden.bolna_status(s text)
 RETURNS TABLE(status text, rank integer, terminal boolean)
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select v.status, v.rank, v.rank >= 6
    from (values
      ('scheduled', 'scheduled', 0), ('queued', 'queued', 1), ('rescheduled', 'queued', 1),
      ('initiated', 'initiated', 2), ('ringing', 'ringing', 3), ('in-progress', 'in_progress', 4),
      ('call-disconnected', 'disconnected', 5),
      ('completed', 'completed', 6), ('busy', 'busy', 6), ('no-answer', 'no_answer', 6),
      ('balance-low', 'failed', 6), ('canceled', 'canceled', 6), ('stopped', 'canceled', 6),
      ('failed', 'failed', 6), ('error', 'failed', 6)) v(name, status, rank)
   where v.name = s
$function$;
comment on function app_hidden.bolna_status(s text) is 'A Bolna execution status as our call status, its rank in the lifecycle and whether it is final; no row for an unknown status. balance-low is failed (never dialled), not unanswered; see sql/README.md.';

CREATE OR REPLACE FUNCTION app_hidden.booking_counts(p_user_id uuid, p_tz text, p_from date, p_to date, p_agent_id uuid)
 RETURNS TABLE(agent_id uuid, day date, connected_calls bigint, booked_calls bigint, appointments bigint, confirmed bigint, completed bigint, no_shows bigint, cancelled bigint, pending bigint)
 LANGUAGE sql
 STABLE
AS $function$
  select s.agent_id, s.day, sum(s.connected)::bigint, sum(s.booked)::bigint, sum(s.appointments)::bigint,
         sum(s.confirmed)::bigint, sum(s.completed)::bigint, sum(s.no_shows)::bigint, sum(s.cancelled)::bigint,
         sum(s.pending)::bigint
    from (select d.agent_id, d.day, (d.measures).successful_calls connected, (d.measures).booked_calls booked,
                 0 appointments, 0 confirmed, 0 completed, 0 no_shows, 0 cancelled, 0 pending
            from app_hidden.agent_day_measures(p_user_id, p_from, p_to) d
           where p_agent_id is null or d.agent_id = p_agent_id
          union all
          select p.agent_id, (p.scheduled_at at time zone p_tz)::date, 0, 0, 1,
                 (p.confirmed_at is not null)::int, (p.status = 'completed')::int, (p.status = 'no_show')::int,
                 (p.status = 'cancelled')::int, (p.status in ('scheduled', 'confirmed', 'rescheduled'))::int
            from app_public.appointments p
           where p.user_id = p_user_id
             and p.scheduled_at >= (p_from::timestamp at time zone p_tz)
             and p.scheduled_at < ((p_to + 1)::timestamp at time zone p_tz)
             and (p_agent_id is null or p.agent_id = p_agent_id)) s
   group by s.agent_id, s.day
$function$;
comment on function app_hidden.booking_counts(p_user_id uuid, p_tz text, p_from date, p_to date, p_agent_id uuid) is 'Booking counts per agent and tenant-local day: connected and booked calls on the call''s day, appointments by status on the appointment''s day.';
grant execute on function app_hidden.booking_counts(p_user_id uuid, p_tz text, p_from date, p_to date, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.booking_rate(booked_calls numeric, connected_calls numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(booked_calls, connected_calls) $function$;
comment on function app_hidden.booking_rate(booked_calls numeric, connected_calls numeric) is 'Booking rate: calls whose analysis booked an appointment / connected (successful) calls.';
grant execute on function app_hidden.booking_rate(booked_calls numeric, connected_calls numeric) to app_user;

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
comment on function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean) is 'What one call (with its individual analysis, if any) adds to the rollups, multiplied by s (+1 or -1), keyed by agent and tenant-local day and hour; with_call = false gives only the analysis part. One row; none when c is null. Set-returning plain SQL, so the planner inlines it into the triggers'' cached plans.';
grant execute on function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case
    when status = 'completed' and answered_by_voicemail then 'voicemail'
    when status = 'completed' and duration_seconds > 0 then 'connected'
    when status = 'completed' then 'no_conversation'
    when status = 'busy' then 'busy'
    when status = 'no_answer' then 'no_answer'
    when status = 'canceled' then 'canceled'
    when status = 'failed' then 'errored'
  end
$function$;
comment on function app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean) is 'THE disposition of an ended call, a split of calls.outcome: connected (= successful), voicemail, no_conversation, busy, no_answer (= unanswered), canceled, errored (= failed); null while in progress. Bolna balance-low is errored (sql/README.md).';
grant execute on function app_hidden.call_disposition(status text, duration_seconds integer, answered_by_voicemail boolean) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_export(from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean)
 RETURNS SETOF app_public.call_log_row
 LANGUAGE sql
 STABLE
AS $function$
  select (m.r).*
    from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions, sources,
           temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
           coalesce(sort, 'started_at'), null) p
    cross join lateral app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
           providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
           has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, coalesce(sort, 'started_at')) m
   order by case when coalesce(descending, true) then m.sort_key end desc,
            case when coalesce(descending, true) then (m.r).call_id end desc,
            case when not coalesce(descending, true) then m.sort_key end,
            case when not coalesce(descending, true) then (m.r).call_id end
$function$;
comment on function app_hidden.call_log_export(from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean) is 'Every row of the call log for these filters, in the page''s order (the CSV export; same checks as app_public.call_log).';
grant execute on function app_hidden.call_log_export(from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_filtered(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text)
 RETURNS TABLE(r app_public.call_log_row, sort_key numeric, c app_public.calls, a app_public.lead_analytics)
 LANGUAGE sql
 STABLE
AS $function$
  select row(c.id, c.started_at, c.agent_id, g.name, c.contact_id, c.phone_number, c.caller_name, k.name,
             c.provider, c.direction, c.call_source, c.status, c.outcome, c.duration_seconds, c.credits_used,
             t.id is not null, a.id is not null, c.recording_url is not null, a.total_score, a.lead_status_tag,
             x.key::text || '~' || c.id::text)::app_public.call_log_row,
         x.key, c, a
    from app_public.calls c
    join app_public.agents g on g.id = c.agent_id and g.user_id = c.user_id
    left join app_public.contacts k on k.id = c.contact_id and k.user_id = c.user_id
    -- a filter that needs an analysis reads the analyses of the range (lead_analytics_individual_started_idx);
    -- sorted by time, the copy of the call's start is joined too, so the analyses come in call order (the
    -- condition is always true; another sort leaves it out, where it only cost the planner's row estimate)
    left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          and a.user_id = c.user_id and (sort <> 'started_at' or a.call_started_at = c.started_at)
          and a.call_started_at >= p_lo and a.call_started_at < p_hi
    left join app_public.transcripts t on t.call_id = c.id
    cross join lateral (select case sort
                                 when 'duration' then c.duration_seconds::numeric
                                 when 'score' then coalesce(a.total_score, -1)::numeric
                                 when 'credits' then c.credits_used::numeric
                                 else extract(epoch from c.started_at)
                               end as key) x
   where c.user_id = p_user_id
     and c.started_at >= p_lo and c.started_at < p_hi
     and (call_log_filtered.agent_id is null or c.agent_id = call_log_filtered.agent_id)
     and (outcomes is null or coalesce(c.outcome, 'in_progress') = any (outcomes))
     and (statuses is null or c.status = any (statuses))
     and (providers is null or c.provider = any (providers))
     and (directions is null or c.direction = any (directions))
     and (sources is null or c.call_source = any (sources))
     and (temperatures is null or (a.id is not null and coalesce(a.lead_status_tag, 'untagged') = any (temperatures)))
     and (min_score is null or a.total_score >= min_score)
     and (max_score is null or a.total_score <= max_score)
     and (min_duration is null or c.duration_seconds >= min_duration)
     and (max_duration is null or c.duration_seconds <= max_duration)
     and (call_log_filtered.has_transcript is null or (t.id is not null) = call_log_filtered.has_transcript)
     and (has_analysis is null or (a.id is not null) = has_analysis)
     and (has_recording is null or (c.recording_url is not null) = has_recording)
     and (search is null
          or c.phone_number like '%' || regexp_replace(search, '[^0-9+]', '', 'g') || '%' and search ~ '^[0-9+ ().-]+$'
          or c.caller_name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%'
          or k.name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%')
     -- a lead figure needs an analysis: said first, so the planner joins only analysed calls and tests
     -- the figure on those (a plain condition on a constant figure, folded away for the other figures)
     and (figure is null or a.id is not null
          or not (figure = any (array['leads', 'qualified_leads', 'hot_leads', 'warm_leads', 'cold_leads', 'untagged_leads',
                                      'conversion_rate', 'calls_with_cta', 'cta_rate', 'cta_pricing', 'cta_demo', 'cta_followup',
                                      'cta_sample', 'cta_human_escalation', 'average_lead_score'])
                  or figure ~ '^(topic|objection|free_topic):'))
     -- a topic, objection or free topic of the Insights page (figure 'topic:<key>'): the calls whose analysis
     -- lists it (app_public.conversation_topics counts the same); a KPI figure's rule: app_hidden.call_log_matches
     and (figure is null or case
            when figure like 'topic:%' then substr(figure, 7) = any (a.topics)
            when figure like 'objection:%' then substr(figure, 11) = any (a.objections)
            when figure like 'free_topic:%' then exists (select 1 from unnest(a.free_topics) f where lower(f) = substr(figure, 12))
            else true
          end)
     -- a heatmap cell (tenant-local weekday and/or hour): first the call's UTC quarter-hour of the week against
     -- those the cell covers in this range (arithmetic, computed once), then the time-zone conversions on those
     -- calls only (a CASE keeps that order)
     and (iso_weekday is null and call_log_filtered.hour is null
          or case when (extract(epoch from c.started_at)::bigint / 900 % 672)::integer
                       = any ((select app_hidden.cell_quarter_hours(p_tz, p_lo, p_hi, iso_weekday, call_log_filtered.hour))::integer[])
                  then (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
                   and (call_log_filtered.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_filtered.hour)
                  else false
             end)
$function$;
comment on function app_hidden.call_log_filtered(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text) is 'The call log''s filters but a KPI figure''s rule: the tenant''s calls in [p_lo, p_hi) matching every other given filter (null = any), each with its row, its sort key, the call and its analysis. Without the contribution to the measures, so that planning a page does not inline app_hidden.call_contribution (3-15 ms a request). THE filter is app_hidden.call_log_matches.';
grant execute on function app_hidden.call_log_filtered(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_matches(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text)
 RETURNS TABLE(r app_public.call_log_row, sort_key numeric, d app_hidden.rollup_deltas)
 LANGUAGE sql
 STABLE
AS $function$
  select m.r, m.sort_key, d
    from app_hidden.call_log_filtered(p_user_id, p_tz, p_lo, p_hi, agent_id, outcomes, statuses, providers, directions,
           sources, temperatures, min_score, max_score, min_duration, max_duration, has_transcript, has_analysis,
           has_recording, search, figure, iso_weekday, hour, sort) m
    cross join lateral app_hidden.call_contribution(m.c, m.a, p_tz, 1) d
   -- a KPI figure: its rule on the call's contribution (the other figures are call_log_filtered's)
   where figure is null or figure ~ '^(topic|objection|free_topic):' or app_hidden.figure_calls(figure, d)
$function$;
comment on function app_hidden.call_log_matches(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text) is 'THE call log filter: the tenant''s calls in [p_lo, p_hi) matching every given filter (null = any), each with its row, its sort key and its contribution to the measures (app_hidden.call_log_filtered and a KPI figure''s rule, app_hidden.figure_calls). Used by app_public.call_log (pages with a KPI figure, totals) and app_hidden.call_log_export.';
grant execute on function app_hidden.call_log_matches(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_params(from_date date, to_date date, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, search text, figure text, iso_weekday integer, hour integer, sort text, after text)
 RETURNS TABLE(p_user_id uuid, p_timezone text, p_from date, p_to date, p_lo timestamp with time zone, p_hi timestamp with time zone, p_search text, p_after_key numeric, p_after_id uuid)
 LANGUAGE plpgsql
 STABLE ROWS 1
 SET plan_cache_mode TO 'auto'
AS $function$
declare
  r record;
  bad text;
  v_search text := nullif(btrim(call_log_params.search), '');
begin
  select * into r from app_hidden.kpi_range(call_log_params.from_date, call_log_params.to_date) k;
  select string_agg(x, ', ') into bad from (
    select 'outcome ' || quote_literal(v) x from unnest(outcomes) v where v is null or v not in ('successful', 'unanswered', 'failed', 'in_progress')
    union all
    select 'status ' || quote_literal(v) from unnest(statuses) v
     where v is null or v not in ('scheduled', 'queued', 'initiated', 'ringing', 'in_progress', 'disconnected', 'completed', 'busy', 'no_answer', 'canceled', 'failed')
    union all
    select 'provider ' || quote_literal(v) from unnest(providers) v where v is null or v not in ('bolna', 'twilio', 'vapi', 'retell', 'other')
    union all
    select 'direction ' || quote_literal(v) from unnest(directions) v where v is null or v not in ('inbound', 'outbound')
    union all
    select 'source ' || quote_literal(v) from unnest(sources) v where v is null or v not in ('phone', 'internet', 'unknown')
    union all
    select 'temperature ' || quote_literal(v) from unnest(temperatures) v where v is null or v not in ('hot', 'warm', 'cold', 'untagged')
    union all
    select 'figure ' || quote_literal(figure) where figure is not null and not (figure = any (app_hidden.drilldown_figures()))
       and figure !~ '^(topic|objection|free_topic):.{1,200}$'
    union all
    select 'sort ' || quote_literal(sort) where sort is null or sort not in ('started_at', 'duration', 'score', 'credits')
  ) b;
  if bad is not null then
    raise exception 'Unknown filter value: %.', left(bad, 200) using errcode = 'SB160';
  end if;
  if min_score > max_score then
    raise exception 'The minimum score (%) is above the maximum (%).', min_score, max_score using errcode = 'SB161';
  end if;
  if min_duration > max_duration then
    raise exception 'The minimum duration (% s) is above the maximum (% s).', min_duration, max_duration using errcode = 'SB161';
  end if;
  if min_score < 0 or max_score > 100 or min_duration < 0 or max_duration > 86400
     or iso_weekday not between 1 and 7 or hour not between 0 and 23 then
    raise exception 'A score is 0-100, a duration 0-86400 seconds, a weekday 1-7 and an hour 0-23.' using errcode = 'SB161';
  end if;
  if length(v_search) > 100 then
    raise exception 'The search is % characters long; at most 100 are allowed.', length(v_search) using errcode = 'SB162';
  end if;
  if after is not null and after !~ '^-?[0-9]+(\.[0-9]+)?~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'The page cursor is not one this call log gave; start from the first page.' using errcode = 'SB163';
  end if;
  return query select r.user_id, r.timezone, r.from_date, r.to_date,
                      r.from_date::timestamp at time zone r.timezone,
                      (r.to_date + 1)::timestamp at time zone r.timezone,
                      v_search,
                      split_part(after, '~', 1)::numeric, nullif(split_part(after, '~', 2), '')::uuid;
end
$function$;
comment on function app_hidden.call_log_params(from_date date, to_date date, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, search text, figure text, iso_weekday integer, hour integer, sort text, after text) is 'Checks the call log''s filters (SB160 unknown value, SB161 inverted or out-of-bounds range, SB162 search too long, SB163 bad cursor, SB103 dates) and resolves the tenant-local date range to timestamps. A figure is a key of app_hidden.drilldown_figures() or topic:/objection:/free_topic: and a key.';
grant execute on function app_hidden.call_log_params(from_date date, to_date date, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, search text, figure text, iso_weekday integer, hour integer, sort text, after text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid)
 RETURNS app_hidden.measures
 LANGUAGE plpgsql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
begin
  return (select b.measures from app_hidden.measures_by_bucket(p_user_id, p_from, p_to, p_agent_id, 'range') b);
end
$function$;
comment on function app_hidden.call_log_range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) is 'The measures of a tenant-local day range, of the tenant or one agent, from the rollups (rollup + pending deltas): the call log''s totals without other filters (one generic plan).';
grant execute on function app_hidden.call_log_range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_log_rows(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_ids uuid[], p_sort text)
 RETURNS app_public.call_log_row[]
 LANGUAGE plpgsql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
begin
  return array(
    select m.r
      from unnest(p_ids) with ordinality u(id, n)
      join lateral (
        select x.r
          from app_hidden.call_log_filtered(p_user_id, p_tz, p_lo, p_hi, null, null, null, null, null, null, null, null,
                 null, null, null, null, null, null, null, null, null, null, p_sort) x
         where (x.r).call_id = u.id
      ) m on true
     order by u.n);
end
$function$;
comment on function app_hidden.call_log_rows(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_ids uuid[], p_sort text) is 'The call log rows of the given calls (in [p_lo, p_hi)), in the order of p_ids (the page''s second step; one generic plan).';
grant execute on function app_hidden.call_log_rows(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_ids uuid[], p_sort text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.call_source_rows(m app_hidden.measures)
 RETURNS app_public.kpi_breakdown_row[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select array[
    row('phone', 'Phone', m.phone_calls, app_hidden.ratio(m.phone_calls, m.calls)),
    row('internet', 'Web call', m.internet_calls, app_hidden.ratio(m.internet_calls, m.calls)),
    row('unknown', 'Unknown', m.unknown_source_calls, app_hidden.ratio(m.unknown_source_calls, m.calls))
  ]::app_public.kpi_breakdown_row[]
$function$;
comment on function app_hidden.call_source_rows(m app_hidden.measures) is 'Calls by source with shares of all calls.';
grant execute on function app_hidden.call_source_rows(m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cell_quarter_hours(p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_isodow integer, p_hour integer)
 RETURNS integer[]
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select coalesce(array_agg(distinct (extract(epoch from g.s)::bigint / 900 % 672)::integer), '{}')
    from generate_series(date_trunc('hour', p_lo), p_hi, interval '15 minutes') g(s)
   cross join lateral (values (g.s at time zone p_tz), ((g.s + interval '15 minutes' - interval '1 microsecond') at time zone p_tz)) l(t)
   where (p_isodow is null or extract(isodow from l.t) = p_isodow)
     and (p_hour is null or extract(hour from l.t) = p_hour)
$function$;
comment on function app_hidden.cell_quarter_hours(p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_isodow integer, p_hour integer) is 'A heatmap cell''s UTC quarter-hours of the week (epoch / 900 mod 672) in [p_lo, p_hi): those whose start or end falls on the tenant-local ISO weekday and hour (null = any). A call outside them is outside the cell; app_hidden.call_log_filtered tests the time zone on the others.';
grant execute on function app_hidden.cell_quarter_hours(p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, p_isodow integer, p_hour integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.change_member_password(p_user_id uuid, p_member_id uuid, current_password text, new_password text)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_hash text;
begin
  select s.password_hash into v_hash
    from app_private.member_secrets s join app_public.members m on m.id = s.member_id
   where m.id = p_member_id and m.user_id = p_user_id and m.is_active
     for update of s;
  if v_hash is null or v_hash <> crypt(coalesce(current_password, ''), v_hash) then
    raise exception 'The current password is not correct.' using errcode = 'SB204';
  end if;
  perform app_hidden.check_new_password(new_password);
  update app_private.member_secrets s set password_hash = crypt(new_password, gen_salt('bf', 10)), updated_at = now()
   where s.member_id = p_member_id;
  perform app_hidden.audit_password_change(p_user_id, p_member_id, 'changed');
end
$function$;
comment on function app_hidden.change_member_password(p_user_id uuid, p_member_id uuid, current_password text, new_password text) is 'A member changes its own password (the current one is required: SB204). Called by the server for the verified signed-in member.';
grant execute on function app_hidden.change_member_password(p_user_id uuid, p_member_id uuid, current_password text, new_password text) to app_authenticator;

CREATE OR REPLACE FUNCTION app_hidden.check_appointment_time(p_at timestamp with time zone)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE
AS $function$
begin
  if p_at is null then
    raise exception 'The appointment needs a date and time (scheduledAt).' using errcode = 'SB188';
  end if;
  if p_at < pg_catalog.now() - interval '2 years' or p_at > pg_catalog.now() + interval '2 years' then
    raise exception 'The appointment time must be within two years of today.' using errcode = 'SB188';
  end if;
  return p_at;
end
$function$;
comment on function app_hidden.check_appointment_time(p_at timestamp with time zone) is 'The time if it is set and within two years of now, else SB188.';

CREATE OR REPLACE FUNCTION app_hidden.check_new_password(password text)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
begin
  if password is null or length(password) < 8 then
    raise exception 'password must be at least 8 characters long' using errcode = 'SB101';
  end if;
  if octet_length(password) > 72 then
    -- bcrypt only reads the first 72 bytes: refuse rather than silently truncate
    raise exception 'password must be at most 72 bytes long' using errcode = 'SB101';
  end if;
end
$function$;
comment on function app_hidden.check_new_password(password text) is 'SB101 unless 8 characters to 72 bytes (bcrypt reads no more).';

CREATE OR REPLACE FUNCTION app_hidden.check_usage_alerts()
 RETURNS SETOF app_public.usage_alerts
 LANGUAGE sql
AS $function$
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
$function$;
comment on function app_hidden.check_usage_alerts() is 'Creates the usage alerts due (balance below a threshold percentage of the month''s highest balance), once per tenant, month and threshold; the thresholds are the business''s own (usage_alert_thresholds) or else the platform''s; returns the new ones.';

CREATE OR REPLACE FUNCTION app_hidden.compact_rollups(max_rows integer DEFAULT 500000)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
    declare
      moved_rows integer;
      started    timestamptz := clock_timestamp();
    begin
      -- One compactor at a time: rollup rows then have a single writer, so
      -- there is nothing to deadlock with and no hot-row queue.
      if not pg_try_advisory_xact_lock(hashtextextended('switchboard.compact_rollups', 0)) then
        return 0;
      end if;
      with moved as (
        delete from app_hidden.rollup_deltas d
         where d.ctid = any (array(select x.ctid from app_hidden.rollup_deltas x limit max_rows))
        returning d.*
      ), agent_day as (
        insert into app_public.agent_analytics as t (user_id, agent_id, day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome)
        select m.user_id, m.agent_id, m.day, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome from moved m
         where (m.target is null or m.target = 'agent_day')
           -- deltas of a deleted agent or tenant are dropped with it
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.day, m.agent_id
         order by user_id, day, agent_id
        on conflict (user_id, day, agent_id) do update set calls = t.calls + excluded.calls, successful_calls = t.successful_calls + excluded.successful_calls, failed_calls = t.failed_calls + excluded.failed_calls, unanswered_calls = t.unanswered_calls + excluded.unanswered_calls, talk_seconds = t.talk_seconds + excluded.talk_seconds, billed_minutes = t.billed_minutes + excluded.billed_minutes, credits_used = t.credits_used + excluded.credits_used, inbound_calls = t.inbound_calls + excluded.inbound_calls, outbound_calls = t.outbound_calls + excluded.outbound_calls, phone_calls = t.phone_calls + excluded.phone_calls, internet_calls = t.internet_calls + excluded.internet_calls, unknown_source_calls = t.unknown_source_calls + excluded.unknown_source_calls, leads_generated = t.leads_generated + excluded.leads_generated, qualified_leads = t.qualified_leads + excluded.qualified_leads, hot_leads = t.hot_leads + excluded.hot_leads, warm_leads = t.warm_leads + excluded.warm_leads, cold_leads = t.cold_leads + excluded.cold_leads, cta_pricing = t.cta_pricing + excluded.cta_pricing, cta_demo = t.cta_demo + excluded.cta_demo, cta_followup = t.cta_followup + excluded.cta_followup, cta_sample = t.cta_sample + excluded.cta_sample, cta_human_escalation = t.cta_human_escalation + excluded.cta_human_escalation, calls_with_cta = t.calls_with_cta + excluded.calls_with_cta, intent_score_sum = t.intent_score_sum + excluded.intent_score_sum, intent_score_count = t.intent_score_count + excluded.intent_score_count, urgency_score_sum = t.urgency_score_sum + excluded.urgency_score_sum, urgency_score_count = t.urgency_score_count + excluded.urgency_score_count, budget_score_sum = t.budget_score_sum + excluded.budget_score_sum, budget_score_count = t.budget_score_count + excluded.budget_score_count, fit_score_sum = t.fit_score_sum + excluded.fit_score_sum, fit_score_count = t.fit_score_count + excluded.fit_score_count, engagement_score_sum = t.engagement_score_sum + excluded.engagement_score_sum, engagement_score_count = t.engagement_score_count + excluded.engagement_score_count, total_score_sum = t.total_score_sum + excluded.total_score_sum, total_score_count = t.total_score_count + excluded.total_score_count, call_seconds = t.call_seconds + excluded.call_seconds, voicemail_calls = t.voicemail_calls + excluded.voicemail_calls, busy_calls = t.busy_calls + excluded.busy_calls, no_answer_calls = t.no_answer_calls + excluded.no_answer_calls, canceled_calls = t.canceled_calls + excluded.canceled_calls, agent_hangup_calls = t.agent_hangup_calls + excluded.agent_hangup_calls, caller_hangup_calls = t.caller_hangup_calls + excluded.caller_hangup_calls, time_to_answer_ms_sum = t.time_to_answer_ms_sum + excluded.time_to_answer_ms_sum, time_to_answer_count = t.time_to_answer_count + excluded.time_to_answer_count, cost_micros = t.cost_micros + excluded.cost_micros, costed_calls = t.costed_calls + excluded.costed_calls, cta_interactions = t.cta_interactions + excluded.cta_interactions, booked_calls = t.booked_calls + excluded.booked_calls, sentiment_score_sum = t.sentiment_score_sum + excluded.sentiment_score_sum, sentiment_score_count = t.sentiment_score_count + excluded.sentiment_score_count, sentiment_positive = t.sentiment_positive + excluded.sentiment_positive, sentiment_neutral = t.sentiment_neutral + excluded.sentiment_neutral, sentiment_negative = t.sentiment_negative + excluded.sentiment_negative, sentiment_mixed = t.sentiment_mixed + excluded.sentiment_mixed, quality_score_sum = t.quality_score_sum + excluded.quality_score_sum, quality_score_count = t.quality_score_count + excluded.quality_score_count, csat_score_sum = t.csat_score_sum + excluded.csat_score_sum, csat_score_count = t.csat_score_count + excluded.csat_score_count, transfer_requested_calls = t.transfer_requested_calls + excluded.transfer_requested_calls, transfer_happened_calls = t.transfer_happened_calls + excluded.transfer_happened_calls, convo_converted = t.convo_converted + excluded.convo_converted, convo_interested = t.convo_interested + excluded.convo_interested, convo_callback_requested = t.convo_callback_requested + excluded.convo_callback_requested, convo_not_interested = t.convo_not_interested + excluded.convo_not_interested, convo_wrong_person = t.convo_wrong_person + excluded.convo_wrong_person, convo_no_outcome = t.convo_no_outcome + excluded.convo_no_outcome, updated_at = now()
      ), user_day as (
        insert into app_public.user_analytics as t (user_id, day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome)
        select m.user_id, m.day, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome from moved m
         where (m.target is null or m.target = 'user_day')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day
         order by user_id, day
        on conflict (user_id, day) do update set calls = t.calls + excluded.calls, successful_calls = t.successful_calls + excluded.successful_calls, failed_calls = t.failed_calls + excluded.failed_calls, unanswered_calls = t.unanswered_calls + excluded.unanswered_calls, talk_seconds = t.talk_seconds + excluded.talk_seconds, billed_minutes = t.billed_minutes + excluded.billed_minutes, credits_used = t.credits_used + excluded.credits_used, inbound_calls = t.inbound_calls + excluded.inbound_calls, outbound_calls = t.outbound_calls + excluded.outbound_calls, phone_calls = t.phone_calls + excluded.phone_calls, internet_calls = t.internet_calls + excluded.internet_calls, unknown_source_calls = t.unknown_source_calls + excluded.unknown_source_calls, leads_generated = t.leads_generated + excluded.leads_generated, qualified_leads = t.qualified_leads + excluded.qualified_leads, hot_leads = t.hot_leads + excluded.hot_leads, warm_leads = t.warm_leads + excluded.warm_leads, cold_leads = t.cold_leads + excluded.cold_leads, cta_pricing = t.cta_pricing + excluded.cta_pricing, cta_demo = t.cta_demo + excluded.cta_demo, cta_followup = t.cta_followup + excluded.cta_followup, cta_sample = t.cta_sample + excluded.cta_sample, cta_human_escalation = t.cta_human_escalation + excluded.cta_human_escalation, calls_with_cta = t.calls_with_cta + excluded.calls_with_cta, intent_score_sum = t.intent_score_sum + excluded.intent_score_sum, intent_score_count = t.intent_score_count + excluded.intent_score_count, urgency_score_sum = t.urgency_score_sum + excluded.urgency_score_sum, urgency_score_count = t.urgency_score_count + excluded.urgency_score_count, budget_score_sum = t.budget_score_sum + excluded.budget_score_sum, budget_score_count = t.budget_score_count + excluded.budget_score_count, fit_score_sum = t.fit_score_sum + excluded.fit_score_sum, fit_score_count = t.fit_score_count + excluded.fit_score_count, engagement_score_sum = t.engagement_score_sum + excluded.engagement_score_sum, engagement_score_count = t.engagement_score_count + excluded.engagement_score_count, total_score_sum = t.total_score_sum + excluded.total_score_sum, total_score_count = t.total_score_count + excluded.total_score_count, call_seconds = t.call_seconds + excluded.call_seconds, voicemail_calls = t.voicemail_calls + excluded.voicemail_calls, busy_calls = t.busy_calls + excluded.busy_calls, no_answer_calls = t.no_answer_calls + excluded.no_answer_calls, canceled_calls = t.canceled_calls + excluded.canceled_calls, agent_hangup_calls = t.agent_hangup_calls + excluded.agent_hangup_calls, caller_hangup_calls = t.caller_hangup_calls + excluded.caller_hangup_calls, time_to_answer_ms_sum = t.time_to_answer_ms_sum + excluded.time_to_answer_ms_sum, time_to_answer_count = t.time_to_answer_count + excluded.time_to_answer_count, cost_micros = t.cost_micros + excluded.cost_micros, costed_calls = t.costed_calls + excluded.costed_calls, cta_interactions = t.cta_interactions + excluded.cta_interactions, booked_calls = t.booked_calls + excluded.booked_calls, sentiment_score_sum = t.sentiment_score_sum + excluded.sentiment_score_sum, sentiment_score_count = t.sentiment_score_count + excluded.sentiment_score_count, sentiment_positive = t.sentiment_positive + excluded.sentiment_positive, sentiment_neutral = t.sentiment_neutral + excluded.sentiment_neutral, sentiment_negative = t.sentiment_negative + excluded.sentiment_negative, sentiment_mixed = t.sentiment_mixed + excluded.sentiment_mixed, quality_score_sum = t.quality_score_sum + excluded.quality_score_sum, quality_score_count = t.quality_score_count + excluded.quality_score_count, csat_score_sum = t.csat_score_sum + excluded.csat_score_sum, csat_score_count = t.csat_score_count + excluded.csat_score_count, transfer_requested_calls = t.transfer_requested_calls + excluded.transfer_requested_calls, transfer_happened_calls = t.transfer_happened_calls + excluded.transfer_happened_calls, convo_converted = t.convo_converted + excluded.convo_converted, convo_interested = t.convo_interested + excluded.convo_interested, convo_callback_requested = t.convo_callback_requested + excluded.convo_callback_requested, convo_not_interested = t.convo_not_interested + excluded.convo_not_interested, convo_wrong_person = t.convo_wrong_person + excluded.convo_wrong_person, convo_no_outcome = t.convo_no_outcome + excluded.convo_no_outcome, updated_at = now()
      ), user_hour as (
        insert into app_public.user_hourly_analytics as t (user_id, day, hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome)
        select m.user_id, m.day, m.hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome from moved m
         where (m.target is null or m.target = 'user_hour')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day, m.hour
         order by user_id, day, hour
        on conflict (user_id, day, hour) do update set calls = t.calls + excluded.calls, successful_calls = t.successful_calls + excluded.successful_calls, failed_calls = t.failed_calls + excluded.failed_calls, unanswered_calls = t.unanswered_calls + excluded.unanswered_calls, talk_seconds = t.talk_seconds + excluded.talk_seconds, billed_minutes = t.billed_minutes + excluded.billed_minutes, credits_used = t.credits_used + excluded.credits_used, inbound_calls = t.inbound_calls + excluded.inbound_calls, outbound_calls = t.outbound_calls + excluded.outbound_calls, phone_calls = t.phone_calls + excluded.phone_calls, internet_calls = t.internet_calls + excluded.internet_calls, unknown_source_calls = t.unknown_source_calls + excluded.unknown_source_calls, leads_generated = t.leads_generated + excluded.leads_generated, qualified_leads = t.qualified_leads + excluded.qualified_leads, hot_leads = t.hot_leads + excluded.hot_leads, warm_leads = t.warm_leads + excluded.warm_leads, cold_leads = t.cold_leads + excluded.cold_leads, cta_pricing = t.cta_pricing + excluded.cta_pricing, cta_demo = t.cta_demo + excluded.cta_demo, cta_followup = t.cta_followup + excluded.cta_followup, cta_sample = t.cta_sample + excluded.cta_sample, cta_human_escalation = t.cta_human_escalation + excluded.cta_human_escalation, calls_with_cta = t.calls_with_cta + excluded.calls_with_cta, intent_score_sum = t.intent_score_sum + excluded.intent_score_sum, intent_score_count = t.intent_score_count + excluded.intent_score_count, urgency_score_sum = t.urgency_score_sum + excluded.urgency_score_sum, urgency_score_count = t.urgency_score_count + excluded.urgency_score_count, budget_score_sum = t.budget_score_sum + excluded.budget_score_sum, budget_score_count = t.budget_score_count + excluded.budget_score_count, fit_score_sum = t.fit_score_sum + excluded.fit_score_sum, fit_score_count = t.fit_score_count + excluded.fit_score_count, engagement_score_sum = t.engagement_score_sum + excluded.engagement_score_sum, engagement_score_count = t.engagement_score_count + excluded.engagement_score_count, total_score_sum = t.total_score_sum + excluded.total_score_sum, total_score_count = t.total_score_count + excluded.total_score_count, call_seconds = t.call_seconds + excluded.call_seconds, voicemail_calls = t.voicemail_calls + excluded.voicemail_calls, busy_calls = t.busy_calls + excluded.busy_calls, no_answer_calls = t.no_answer_calls + excluded.no_answer_calls, canceled_calls = t.canceled_calls + excluded.canceled_calls, agent_hangup_calls = t.agent_hangup_calls + excluded.agent_hangup_calls, caller_hangup_calls = t.caller_hangup_calls + excluded.caller_hangup_calls, time_to_answer_ms_sum = t.time_to_answer_ms_sum + excluded.time_to_answer_ms_sum, time_to_answer_count = t.time_to_answer_count + excluded.time_to_answer_count, cost_micros = t.cost_micros + excluded.cost_micros, costed_calls = t.costed_calls + excluded.costed_calls, cta_interactions = t.cta_interactions + excluded.cta_interactions, booked_calls = t.booked_calls + excluded.booked_calls, sentiment_score_sum = t.sentiment_score_sum + excluded.sentiment_score_sum, sentiment_score_count = t.sentiment_score_count + excluded.sentiment_score_count, sentiment_positive = t.sentiment_positive + excluded.sentiment_positive, sentiment_neutral = t.sentiment_neutral + excluded.sentiment_neutral, sentiment_negative = t.sentiment_negative + excluded.sentiment_negative, sentiment_mixed = t.sentiment_mixed + excluded.sentiment_mixed, quality_score_sum = t.quality_score_sum + excluded.quality_score_sum, quality_score_count = t.quality_score_count + excluded.quality_score_count, csat_score_sum = t.csat_score_sum + excluded.csat_score_sum, csat_score_count = t.csat_score_count + excluded.csat_score_count, transfer_requested_calls = t.transfer_requested_calls + excluded.transfer_requested_calls, transfer_happened_calls = t.transfer_happened_calls + excluded.transfer_happened_calls, convo_converted = t.convo_converted + excluded.convo_converted, convo_interested = t.convo_interested + excluded.convo_interested, convo_callback_requested = t.convo_callback_requested + excluded.convo_callback_requested, convo_not_interested = t.convo_not_interested + excluded.convo_not_interested, convo_wrong_person = t.convo_wrong_person + excluded.convo_wrong_person, convo_no_outcome = t.convo_no_outcome + excluded.convo_no_outcome, updated_at = now()
      ), agent_hour as (
        insert into app_public.agent_hourly_analytics as t (user_id, agent_id, day, hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome)
        select m.user_id, m.agent_id, m.day, m.hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome from moved m
         where (m.target is null or m.target = 'agent_hour')
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.agent_id, m.day, m.hour
         order by user_id, agent_id, day, hour
        on conflict (user_id, agent_id, day, hour) do update set calls = t.calls + excluded.calls, successful_calls = t.successful_calls + excluded.successful_calls, failed_calls = t.failed_calls + excluded.failed_calls, unanswered_calls = t.unanswered_calls + excluded.unanswered_calls, talk_seconds = t.talk_seconds + excluded.talk_seconds, billed_minutes = t.billed_minutes + excluded.billed_minutes, credits_used = t.credits_used + excluded.credits_used, inbound_calls = t.inbound_calls + excluded.inbound_calls, outbound_calls = t.outbound_calls + excluded.outbound_calls, phone_calls = t.phone_calls + excluded.phone_calls, internet_calls = t.internet_calls + excluded.internet_calls, unknown_source_calls = t.unknown_source_calls + excluded.unknown_source_calls, leads_generated = t.leads_generated + excluded.leads_generated, qualified_leads = t.qualified_leads + excluded.qualified_leads, hot_leads = t.hot_leads + excluded.hot_leads, warm_leads = t.warm_leads + excluded.warm_leads, cold_leads = t.cold_leads + excluded.cold_leads, cta_pricing = t.cta_pricing + excluded.cta_pricing, cta_demo = t.cta_demo + excluded.cta_demo, cta_followup = t.cta_followup + excluded.cta_followup, cta_sample = t.cta_sample + excluded.cta_sample, cta_human_escalation = t.cta_human_escalation + excluded.cta_human_escalation, calls_with_cta = t.calls_with_cta + excluded.calls_with_cta, intent_score_sum = t.intent_score_sum + excluded.intent_score_sum, intent_score_count = t.intent_score_count + excluded.intent_score_count, urgency_score_sum = t.urgency_score_sum + excluded.urgency_score_sum, urgency_score_count = t.urgency_score_count + excluded.urgency_score_count, budget_score_sum = t.budget_score_sum + excluded.budget_score_sum, budget_score_count = t.budget_score_count + excluded.budget_score_count, fit_score_sum = t.fit_score_sum + excluded.fit_score_sum, fit_score_count = t.fit_score_count + excluded.fit_score_count, engagement_score_sum = t.engagement_score_sum + excluded.engagement_score_sum, engagement_score_count = t.engagement_score_count + excluded.engagement_score_count, total_score_sum = t.total_score_sum + excluded.total_score_sum, total_score_count = t.total_score_count + excluded.total_score_count, call_seconds = t.call_seconds + excluded.call_seconds, voicemail_calls = t.voicemail_calls + excluded.voicemail_calls, busy_calls = t.busy_calls + excluded.busy_calls, no_answer_calls = t.no_answer_calls + excluded.no_answer_calls, canceled_calls = t.canceled_calls + excluded.canceled_calls, agent_hangup_calls = t.agent_hangup_calls + excluded.agent_hangup_calls, caller_hangup_calls = t.caller_hangup_calls + excluded.caller_hangup_calls, time_to_answer_ms_sum = t.time_to_answer_ms_sum + excluded.time_to_answer_ms_sum, time_to_answer_count = t.time_to_answer_count + excluded.time_to_answer_count, cost_micros = t.cost_micros + excluded.cost_micros, costed_calls = t.costed_calls + excluded.costed_calls, cta_interactions = t.cta_interactions + excluded.cta_interactions, booked_calls = t.booked_calls + excluded.booked_calls, sentiment_score_sum = t.sentiment_score_sum + excluded.sentiment_score_sum, sentiment_score_count = t.sentiment_score_count + excluded.sentiment_score_count, sentiment_positive = t.sentiment_positive + excluded.sentiment_positive, sentiment_neutral = t.sentiment_neutral + excluded.sentiment_neutral, sentiment_negative = t.sentiment_negative + excluded.sentiment_negative, sentiment_mixed = t.sentiment_mixed + excluded.sentiment_mixed, quality_score_sum = t.quality_score_sum + excluded.quality_score_sum, quality_score_count = t.quality_score_count + excluded.quality_score_count, csat_score_sum = t.csat_score_sum + excluded.csat_score_sum, csat_score_count = t.csat_score_count + excluded.csat_score_count, transfer_requested_calls = t.transfer_requested_calls + excluded.transfer_requested_calls, transfer_happened_calls = t.transfer_happened_calls + excluded.transfer_happened_calls, convo_converted = t.convo_converted + excluded.convo_converted, convo_interested = t.convo_interested + excluded.convo_interested, convo_callback_requested = t.convo_callback_requested + excluded.convo_callback_requested, convo_not_interested = t.convo_not_interested + excluded.convo_not_interested, convo_wrong_person = t.convo_wrong_person + excluded.convo_wrong_person, convo_no_outcome = t.convo_no_outcome + excluded.convo_no_outcome, updated_at = now()
      )
      select count(*) into moved_rows from moved;
      if moved_rows > 0 then
        insert into app_private.rollup_compaction_log (delta_rows, duration_ms)
        values (moved_rows, extract(epoch from clock_timestamp() - started) * 1000);
        perform app_hidden.request_kpi_refresh();
      end if;
      return moved_rows;
    end
    $function$;
comment on function app_hidden.compact_rollups(max_rows integer) is 'Moves up to max_rows pending deltas into the four rollup tables in one statement (generated). Returns the rows moved.';

CREATE OR REPLACE FUNCTION app_hidden.config_int(p_key text, p_default integer)
 RETURNS integer
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce((select (c.value #>> '{}')::integer from app_private.system_config c where c.key = p_key), p_default)
$function$;
comment on function app_hidden.config_int(p_key text, p_default integer) is 'An integer platform setting from app_private.system_config, or the default.';

CREATE OR REPLACE FUNCTION app_hidden.config_numeric(p_key text, p_default numeric)
 RETURNS numeric
 LANGUAGE sql
 STABLE PARALLEL SAFE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce((select (c.value #>> '{}')::numeric from app_private.system_config c where c.key = p_key), p_default)
$function$;
comment on function app_hidden.config_numeric(p_key text, p_default numeric) is 'A numeric platform setting from app_private.system_config, or the default.';
grant execute on function app_hidden.config_numeric(p_key text, p_default numeric) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.consume_link(p_token text, p_kind text)
 RETURNS app_private.member_links
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_link app_private.member_links;
begin
  update app_private.member_links l set used_at = now()
   where l.token_hash = public.digest(coalesce(p_token, ''), 'sha256') and l.kind = p_kind
     and l.used_at is null and l.expires_at > now()
  returning * into v_link;
  if v_link.token_hash is null then
    raise exception 'This link is invalid, expired or already used: ask for a new one.' using errcode = 'SB202';
  end if;
  return v_link;
end
$function$;
comment on function app_hidden.consume_link(p_token text, p_kind text) is 'Marks a one-time link used and returns it; SB202 when it is unknown, expired or used.';

CREATE OR REPLACE FUNCTION app_hidden.contact_analysis_fingerprint(p_user_id uuid, p_phone text)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  select coalesce(md5(string_agg(x.id::text || ':' || md5(x.content), ',' order by x.id)), '')
    from (select c.id, t.content
            from app_public.calls c
            join app_public.transcripts t on t.call_id = c.id
            join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
           where c.user_id = p_user_id and c.phone_number = p_phone) x
$function$;
comment on function app_hidden.contact_analysis_fingerprint(p_user_id uuid, p_phone text) is 'Identity of the set of analysed calls of a tenant''s number (ids and transcript texts): changes whenever a call of the number is analysed, removed or its transcript changes. The complete analysis is written only if it is still the set it was made from.';

CREATE OR REPLACE FUNCTION app_hidden.contact_conversions(p_user_id uuid)
 RETURNS TABLE(contact_id uuid, converted_at timestamp with time zone)
 LANGUAGE sql
 STABLE
AS $function$
  -- THE rule for "a contact became a customer": a customer record linked to it (customers.contact_id) or
  -- carrying its number (customers.phone), at the earliest conversion_date; or the contact flagged
  -- is_customer without a record (conversion time unknown: every call counts as before it).
  select ct.id, coalesce(min(s.conversion_date), 'infinity'::timestamptz)
    from app_public.contacts ct
    left join app_public.customers s
      on s.user_id = ct.user_id and (s.contact_id = ct.id or s.phone = ct.phone_number)
   where ct.user_id = p_user_id
   group by ct.id, ct.is_customer
  having ct.is_customer or count(s.id) > 0
$function$;
comment on function app_hidden.contact_conversions(p_user_id uuid) is 'The contacts of a tenant that became customers and when (infinity when only flagged is_customer).';
grant execute on function app_hidden.contact_conversions(p_user_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.contact_lock_key(user_id uuid, phone_number text)
 RETURNS bigint
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select hashtextextended(user_id::text || phone_number, 1)
$function$;
comment on function app_hidden.contact_lock_key(user_id uuid, phone_number text) is 'Advisory lock key of the contact being created for a tenant and phone number (taken with try-lock only: nobody waits).';

CREATE OR REPLACE FUNCTION app_hidden.conversation_summary_of(m app_hidden.measures)
 RETURNS app_public.conversation_summary
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select row(m.leads_generated, app_hidden.average(m.sentiment_score_sum, m.sentiment_score_count),
             m.sentiment_positive, m.sentiment_neutral, m.sentiment_negative, m.sentiment_mixed,
             app_hidden.average(m.quality_score_sum, m.quality_score_count),
             app_hidden.average(m.csat_score_sum, m.csat_score_count),
             m.transfer_requested_calls, m.transfer_happened_calls,
             app_hidden.ratio(m.transfer_requested_calls, m.leads_generated))::app_public.conversation_summary
$function$;
comment on function app_hidden.conversation_summary_of(m app_hidden.measures) is 'THE formulas of the conversation figures: averages through app_hidden.average, rates through app_hidden.ratio.';
grant execute on function app_hidden.conversation_summary_of(m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.conversion_rate(qualified_leads bigint, leads bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(qualified_leads, leads) $function$;
comment on function app_hidden.conversion_rate(qualified_leads bigint, leads bigint) is 'Qualified leads / leads (analysed calls).';
grant execute on function app_hidden.conversion_rate(qualified_leads bigint, leads bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cost_cents(cost_micros bigint, costed_calls bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select case when costed_calls > 0 then round(cost_micros::numeric / 10000, 4) end $function$;
comment on function app_hidden.cost_cents(cost_micros bigint, costed_calls bigint) is 'Provider cost in cents (4 places) from the cost_micros measure; null when no call has a reported cost (unknown, not free).';
grant execute on function app_hidden.cost_cents(cost_micros bigint, costed_calls bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint DEFAULT 1)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case when costed_calls > 0 and units > 0
              then round(cost_micros::numeric * units_per / (10000::numeric * units), 4) end
$function$;
comment on function app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint) is 'Provider cost in cents per unit (a call, a lead, a qualified lead; per minute: units talk seconds, units_per 60), one division, 4 places; null when no call has a reported cost or there are no units.';
grant execute on function app_hidden.cost_per(cost_micros bigint, costed_calls bigint, units bigint, units_per bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(calls_with_cta, calls) $function$;
comment on function app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint) is 'Calls with any CTA interaction / every call (seed 003''s cta_conversion_rate; app_hidden.cta_conversion_rate divides by leads instead).';
grant execute on function app_hidden.cta_call_conversion_rate(calls_with_cta bigint, calls bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cta_conversion_rate(calls_with_cta bigint, leads bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(calls_with_cta, leads) $function$;
comment on function app_hidden.cta_conversion_rate(calls_with_cta bigint, leads bigint) is 'Analysed calls with any CTA interaction / analysed calls.';
grant execute on function app_hidden.cta_conversion_rate(calls_with_cta bigint, leads bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.cta_funnel_rows(m app_hidden.measures)
 RETURNS app_public.kpi_breakdown_row[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select array[
    row('leads', 'Leads', m.leads_generated, app_hidden.ratio(m.leads_generated, m.leads_generated)),
    row('pricing', 'Asked for pricing', m.cta_pricing, app_hidden.ratio(m.cta_pricing, m.leads_generated)),
    row('demo', 'Asked for a demo', m.cta_demo, app_hidden.ratio(m.cta_demo, m.leads_generated)),
    row('followup', 'Agreed to a follow-up', m.cta_followup, app_hidden.ratio(m.cta_followup, m.leads_generated)),
    row('human_escalation', 'Escalated to a human', m.cta_human_escalation, app_hidden.ratio(m.cta_human_escalation, m.leads_generated)),
    row('sample', 'Asked for a sample', m.cta_sample, app_hidden.ratio(m.cta_sample, m.leads_generated)),
    row('any_cta', 'Any call to action', m.calls_with_cta, app_hidden.ratio(m.calls_with_cta, m.leads_generated))
  ]::app_public.kpi_breakdown_row[]
$function$;
comment on function app_hidden.cta_funnel_rows(m app_hidden.measures) is 'The CTA funnel steps with shares of leads.';
grant execute on function app_hidden.cta_funnel_rows(m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.default_analysis_topics()
 RETURNS TABLE(key text, label text, description text, keywords text[])
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
$function$;
comment on function app_hidden.default_analysis_topics() is 'The topic taxonomy every business starts with.';

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
comment on function app_hidden.drilldown_figures() is 'Every figure the call log can drill down to (the keys of app_hidden.figure_calls).';
grant execute on function app_hidden.drilldown_figures() to app_user;

CREATE OR REPLACE FUNCTION app_hidden.e164_or_null(v text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case when v ~ '^\+[1-9][0-9]{6,14}$' then v end
$function$;
comment on function app_hidden.e164_or_null(v text) is 'The number when it is E.164, else null.';

CREATE OR REPLACE FUNCTION app_hidden.export_archive(p_request_id uuid)
 RETURNS TABLE(status text, archive_bytes bigint, archive_sha256 text, chunks integer, expires_at timestamp with time zone)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select r.status, r.archive_bytes, r.archive_sha256,
         (select count(*)::integer from app_private.privacy_export_chunks c where c.request_id = r.id),
         r.expires_at
    from app_public.privacy_requests r
   where r.id = p_request_id and r.kind = 'export' and r.user_id = app_public.current_user_id()
$function$;
comment on function app_hidden.export_archive(p_request_id uuid) is 'The signed-in business''s export (status, size, checksum, number of chunks); no row for another business''s or an unknown id.';
grant execute on function app_hidden.export_archive(p_request_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.export_archive_chunk(p_request_id uuid, p_seq integer)
 RETURNS bytea
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select c.data
    from app_private.privacy_export_chunks c
    join app_public.privacy_requests r on r.id = c.request_id
   where c.request_id = p_request_id and c.seq = p_seq
     and r.user_id = app_public.current_user_id() and r.status = 'completed'
$function$;
comment on function app_hidden.export_archive_chunk(p_request_id uuid, p_seq integer) is 'One chunk of the signed-in business''s completed export (null for another business''s).';
grant execute on function app_hidden.export_archive_chunk(p_request_id uuid, p_seq integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.fail_rescoring_run(p_run_id uuid, p_error text)
 RETURNS app_public.rescoring_runs
 LANGUAGE sql
AS $function$
  update app_public.rescoring_runs r set status = 'failed', error = left(p_error, 2000), finished_at = now()
   where r.id = p_run_id and r.status in ('queued', 'running')
  returning r.*
$function$;
comment on function app_hidden.fail_rescoring_run(p_run_id uuid, p_error text) is 'Marks a run failed with the reason (the job gave up): nothing of it is applied.';

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
comment on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) is 'THE drill-down rule: whether a call whose contribution (app_hidden.call_contribution) is d is behind the figure. Counts: the calls that add to the measure; rates and averages: their denominator. Null for an unknown figure.';
grant execute on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.guard_last_owner(p_user_id uuid, p_member_id uuid)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
begin
  -- Owners of the business, locked so two concurrent demotions cannot both pass.
  perform 1 from app_public.members m where m.user_id = p_user_id and m.role = 'owner' and m.is_active for update;
  if not exists (select 1 from app_public.members m
                  where m.user_id = p_user_id and m.role = 'owner' and m.is_active and m.id <> p_member_id) then
    raise exception 'A business needs at least one owner: make another member owner first.' using errcode = 'SB203';
  end if;
end
$function$;
comment on function app_hidden.guard_last_owner(p_user_id uuid, p_member_id uuid) is 'SB203 when the member is the business''s last active owner (rows locked for the check).';

CREATE OR REPLACE FUNCTION app_hidden.hangup_side(hangup_by text, direction text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case lower(btrim(hangup_by))
    when 'agent' then 'agent' when 'assistant' then 'agent' when 'bot' then 'agent' when 'ai' then 'agent'
    when 'api request' then 'agent' when 'api' then 'agent' when 'bolna' then 'agent' when 'system' then 'agent'
    when 'user' then 'caller' when 'customer' then 'caller' when 'human' then 'caller' when 'contact' then 'caller'
    -- Bolna names the telephony legs: on an outbound call the callee is the person called,
    -- on an inbound call the caller is the person who called.
    when 'callee' then case when direction = 'outbound' then 'caller' else 'agent' end
    when 'caller' then case when direction = 'inbound' then 'caller' else 'agent' end
  end
$function$;
comment on function app_hidden.hangup_side(hangup_by text, direction text) is 'Who ended a call, from the provider''s hangup_by and the call direction: agent (the AI agent or its platform: agent, API request, system, the Bolna leg), caller (the person: user, customer, Callee of an outbound call, Caller of an inbound one), or null (carrier, unknown, none).';
grant execute on function app_hidden.hangup_side(hangup_by text, direction text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.hour_cells(p_user_id uuid, p_from date, p_to date, p_agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_hour_cell
 LANGUAGE sql
 STABLE
AS $function$
  with s as (
    select extract(isodow from x.day)::smallint as dow, x.hour,
           sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful,
           sum(x.unanswered_calls)::bigint as unanswered, sum(x.failed_calls)::bigint as failed,
           sum(x.leads_generated)::bigint as leads, sum(x.hot_leads)::bigint as hot
      from (
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.user_hourly_analytics h
         where p_agent_id is null and h.user_id = p_user_id and h.day between p_from and p_to
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where p_agent_id is null and d.user_id = p_user_id and d.day between p_from and p_to
           and (d.target is null or d.target = 'user_hour')
        union all
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.agent_hourly_analytics h
         where p_agent_id is not null and h.user_id = p_user_id and h.agent_id = p_agent_id
           and h.day between p_from and p_to
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where p_agent_id is not null and d.user_id = p_user_id and d.agent_id = p_agent_id
           and d.day between p_from and p_to and (d.target is null or d.target = 'agent_hour')) x
     group by 1, 2
  )
  select w::smallint, h::smallint, coalesce(s.calls, 0), coalesce(s.successful, 0), coalesce(s.unanswered, 0),
         coalesce(s.failed, 0), app_hidden.answer_rate(coalesce(s.successful, 0), coalesce(s.unanswered, 0)),
         coalesce(s.leads, 0), coalesce(s.hot, 0)
    from generate_series(1, 7) w
    cross join generate_series(0, 23) h
    left join s on s.dow = w and s.hour = h
   order by w, h
$function$;
comment on function app_hidden.hour_cells(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) is 'THE hour x weekday cells of a tenant (p_agent_id null) or of one of its agents over tenant-local days p_from..p_to (rollup + pending deltas): all 168, Monday 00:00 first, zeros included.';
grant execute on function app_hidden.hour_cells(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.hour_matrix(p_user_id uuid, p_from date, p_to date, p_agent_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.kpi_hour_matrix
 LANGUAGE sql
 STABLE
AS $function$
  select array_agg(c.calls order by c.iso_weekday, c.hour),
         array_agg(c.successful_calls order by c.iso_weekday, c.hour),
         array_agg(c.unanswered_calls order by c.iso_weekday, c.hour),
         array_agg(c.failed_calls order by c.iso_weekday, c.hour),
         array_agg(c.answer_rate order by c.iso_weekday, c.hour),
         array_agg(c.leads order by c.iso_weekday, c.hour),
         array_agg(c.hot_leads order by c.iso_weekday, c.hour)
    from app_hidden.hour_cells(p_user_id, p_from, p_to, p_agent_id) c
$function$;
comment on function app_hidden.hour_matrix(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) is 'app_hidden.hour_cells as one array per measure (weekday-major).';
grant execute on function app_hidden.hour_matrix(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.ingest_test_delivery(p_payload jsonb)
 RETURNS TABLE(duplicate boolean, status text, call_id uuid, error_code text, error text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_hidden.ingest_test_delivery(p_payload jsonb) is 'The dashboard''s "send a test call": stores and applies one Bolna execution (marked context_details.switchboard_test, id switchboard-test-...) for the signed-in business through app_hidden.ingest_webhook, the same statement as POST /webhooks/bolna/:token. Called by server/graphql/test-call-plugin.ts after the same payload validation as the route.';
grant execute on function app_hidden.ingest_test_delivery(p_payload jsonb) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.ingest_webhook(p_provider text, p_user_id uuid, p_event_key text, p_payload jsonb, p_headers jsonb DEFAULT '{}'::jsonb)
 RETURNS TABLE(event_id bigint, duplicate boolean, status text, call_id uuid, error_code text, error text)
 LANGUAGE plpgsql
AS $function$
declare
  v_id    bigint;
  v_call  uuid;
  v_state text;
  v_code  text;
  v_error text;
begin
  insert into app_private.webhook_events as e (provider, event_key, user_id, payload, headers)
  values (p_provider, p_event_key, p_user_id, p_payload, coalesce(p_headers, '{}'))
  on conflict (user_id, provider, event_key) do nothing
  returning e.id into v_id;
  if v_id is null then
    return query
    select e.id, true, e.status, e.call_id, e.error_code, e.error
      from app_private.webhook_events e
     where e.user_id = p_user_id and e.provider = p_provider and e.event_key = p_event_key;
    return;
  end if;
  select a.event_id_call, a.state, a.code, a.message into v_call, v_state, v_code, v_error
    from app_hidden.apply_webhook_event(v_id) a;
  return query select v_id, false, v_state, v_call, v_code, v_error;
end
$function$;
comment on function app_hidden.ingest_webhook(p_provider text, p_user_id uuid, p_event_key text, p_payload jsonb, p_headers jsonb) is 'Stores a provider delivery once per (tenant, provider, event key) and applies it; a duplicate returns the first delivery''s outcome and changes nothing.';

CREATE OR REPLACE FUNCTION app_hidden.int_or_null(v text)
 RETURNS integer
 LANGUAGE plpgsql
 IMMUTABLE PARALLEL SAFE
AS $function$
begin
  return round(v::numeric)::integer;
exception when others then
  return null;
end
$function$;
comment on function app_hidden.int_or_null(v text) is 'An integer from provider text, or null when it is not a number.';

CREATE OR REPLACE FUNCTION app_hidden.is_valid_timezone(tz text)
 RETURNS boolean
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  -- Names only: POSIX strings such as 'UTC+5' would be accepted by AT TIME ZONE
  -- (with the sign inverted), so they are not.
  select exists (select 1 from pg_catalog.pg_timezone_names n where n.name = tz)
$function$;
comment on function app_hidden.is_valid_timezone(tz text) is 'True when tz is an IANA time zone name PostgreSQL knows (declared immutable for use in CHECK constraints).';
grant execute on function app_hidden.is_valid_timezone(tz text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.kpi_changes(cur app_public.kpi_figures, prev app_public.kpi_figures)
 RETURNS app_public.kpi_changes
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
$function$;
comment on function app_hidden.kpi_changes(cur app_public.kpi_figures, prev app_public.kpi_figures) is 'THE definition of period-over-period changes.';
grant execute on function app_hidden.kpi_changes(cur app_public.kpi_figures, prev app_public.kpi_figures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.kpi_figures(m app_hidden.measures)
 RETURNS app_public.kpi_figures
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
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
    app_hidden.cta_call_conversion_rate(m.calls_with_cta, m.calls),
    m.booked_calls,
    app_hidden.booking_rate(m.booked_calls, m.successful_calls),
    app_hidden.cost_per(m.cost_micros, m.costed_calls, m.booked_calls)
  )::app_public.kpi_figures
$function$;
comment on function app_hidden.kpi_figures(m app_hidden.measures) is 'THE mapping from summed rollup measures to KPI figures (through the rate and average functions).';
grant execute on function app_hidden.kpi_figures(m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.kpi_range(p_from date, p_to date, max_days integer DEFAULT 3660)
 RETURNS TABLE(user_id uuid, timezone text, from_date date, to_date date)
 LANGUAGE plpgsql
 STABLE ROWS 1
AS $function$
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
$function$;
comment on function app_hidden.kpi_range(p_from date, p_to date, max_days integer) is 'The signed-in tenant, its time zone and the validated date range (default: the 30 tenant-local days ending today). SB103 for an inverted or too long range.';
grant execute on function app_hidden.kpi_range(p_from date, p_to date, max_days integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.lead_filter_check(temperature text, min_score integer, max_score integer)
 RETURNS void
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
begin
  if temperature is not null and temperature not in ('hot', 'warm', 'cold', 'untagged') then
    raise exception 'temperature must be hot, warm, cold or untagged' using errcode = 'SB150';
  end if;
  if min_score not between 0 and 100 or max_score not between 0 and 100 then
    raise exception 'scores are between 0 and 100' using errcode = 'SB150';
  end if;
  if min_score > max_score then
    raise exception 'the minimum score (%) must not be above the maximum (%)', min_score, max_score using errcode = 'SB150';
  end if;
end
$function$;
comment on function app_hidden.lead_filter_check(temperature text, min_score integer, max_score integer) is 'Refuses a lead filter that cannot be meant (SB150): an unknown temperature, a score outside 0-100, an inverted score range.';
grant execute on function app_hidden.lead_filter_check(temperature text, min_score integer, max_score integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.lead_grade(intent_score integer, urgency_score integer, budget_score integer, fit_score integer, engagement_score integer)
 RETURNS TABLE(total_score smallint, lead_status_tag text, intent_level text, urgency_level text, budget_constraint text, fit_alignment text, engagement_health text)
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE ROWS 1
AS $function$
  select t.total::smallint,
         case when t.total >= 70 then 'hot' when t.total >= 45 then 'warm' when t.total is not null then 'cold' end,
         case when intent_score >= 70 then 'high' when intent_score >= 40 then 'medium'
              when intent_score is not null then 'low' end,
         case when urgency_score >= 70 then 'high' when urgency_score >= 40 then 'medium'
              when urgency_score is not null then 'low' end,
         case when budget_score >= 65 then 'flexible' when budget_score >= 35 then 'moderate'
              when budget_score is not null then 'tight' end,
         case when fit_score >= 65 then 'strong' when fit_score >= 40 then 'partial'
              when fit_score is not null then 'weak' end,
         case when engagement_score >= 65 then 'healthy' when engagement_score >= 35 then 'neutral'
              when engagement_score is not null then 'at_risk' end
    from (select round(0.30 * intent_score + 0.15 * urgency_score + 0.20 * budget_score
                       + 0.15 * fit_score + 0.20 * engagement_score) as total) t
$function$;
comment on function app_hidden.lead_grade(intent_score integer, urgency_score integer, budget_score integer, fit_score integer, engagement_score integer) is 'THE lead rules: total_score = round(0.30 intent + 0.15 urgency + 0.20 budget + 0.15 fit + 0.20 engagement); temperature hot >= 70, warm >= 45, else cold; levels: intent and urgency low < 40 <= medium < 70 <= high, budget tight < 35 <= moderate < 65 <= flexible, fit weak < 40 <= partial < 65 <= strong, engagement at_risk < 35 <= neutral < 65 <= healthy. Null in, null out. Used by analysis_values (so by record_call_analysis and record_contact_analysis), the built-in analyser and the seed.';

CREATE OR REPLACE FUNCTION app_hidden.lead_rows(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_temperature text, p_unread_only boolean, p_min_score integer, p_max_score integer)
 RETURNS SETOF app_public.notification_item
 LANGUAGE sql
 STABLE
AS $function$
  select a.id, c.id, c.phone_number, a.extracted_name, a.company_name, a.lead_status_tag, a.total_score,
         a.smart_notification, a.demo_book_datetime, a.analyzed_at, c.contact_id, c.agent_id, c.started_at, a.is_read
    from app_public.users u
    join app_public.calls c
      on c.user_id = u.id
     and c.started_at >= coalesce(p_from::timestamp at time zone u.timezone, '-infinity')
     and c.started_at < coalesce((p_to + 1)::timestamp at time zone u.timezone, 'infinity')
     and (p_agent_id is null or c.agent_id = p_agent_id)
    -- the analysis's copy of the call's start joins too: unread leads are read in call order from their own
    -- index (the overview's unread hot leads of a range, not of the tenant's whole history)
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
     and a.user_id = c.user_id and a.call_started_at = c.started_at
     and a.call_started_at >= coalesce(p_from::timestamp at time zone u.timezone, '-infinity')
     and a.call_started_at < coalesce((p_to + 1)::timestamp at time zone u.timezone, 'infinity')
   where u.id = p_user_id
     and (p_temperature is null or coalesce(a.lead_status_tag, 'untagged') = p_temperature)
     and (not coalesce(p_unread_only, false) or not a.is_read)
     and (p_min_score is null or a.total_score >= p_min_score)
     and (p_max_score is null or a.total_score <= p_max_score)
$function$;
comment on function app_hidden.lead_rows(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_temperature text, p_unread_only boolean, p_min_score integer, p_max_score integer) is 'THE leads of a tenant: calls with an individual analysis, on the call''s tenant-local day p_from..p_to (null = unbounded), of one agent or all, filtered by temperature (hot / warm / cold / untagged), unread, score range. The same rule as the leads_generated and hot_leads measures, so a count of these rows equals the card.';
grant execute on function app_hidden.lead_rows(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_temperature text, p_unread_only boolean, p_min_score integer, p_max_score integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.lead_temperature_rows(m app_hidden.measures)
 RETURNS app_public.kpi_breakdown_row[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select array[
    row('hot', 'Hot', m.hot_leads, app_hidden.ratio(m.hot_leads, m.leads_generated)),
    row('warm', 'Warm', m.warm_leads, app_hidden.ratio(m.warm_leads, m.leads_generated)),
    row('cold', 'Cold', m.cold_leads, app_hidden.ratio(m.cold_leads, m.leads_generated)),
    row('unscored', 'Not tagged', m.leads_generated - m.hot_leads - m.warm_leads - m.cold_leads,
        app_hidden.ratio(m.leads_generated - m.hot_leads - m.warm_leads - m.cold_leads, m.leads_generated))
  ]::app_public.kpi_breakdown_row[]
$function$;
comment on function app_hidden.lead_temperature_rows(m app_hidden.measures) is 'Leads by tag (hot, warm, cold, untagged) with shares of all leads.';
grant execute on function app_hidden.lead_temperature_rows(m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.login(email text, password text, ip text DEFAULT NULL::text)
 RETURNS TABLE(outcome text, user_id uuid, db_role text, member_id uuid, member_role text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_email    citext := coalesce(login.email, '');
  -- The server passes the client address; else the request's pgSetting.
  v_source   text := app_hidden.login_source(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)));
  v_member   app_public.members;
  v_business app_public.users;
  v_hash     text;
  v_throttle app_private.login_throttles;
  v_outcome  text;
  v_failures integer;
  v_max      integer := greatest(1, app_hidden.config_int('auth.max_failed_logins', 5));
  v_window   interval := make_interval(mins => app_hidden.config_int('auth.lockout_window_minutes', 15));
  v_lock     interval := make_interval(mins => app_hidden.config_int('auth.lockout_minutes', 15));
  v_max_lock interval := make_interval(mins => app_hidden.config_int('auth.lockout_max_minutes', 1440));
begin
  -- Never raises for bad credentials: the attempt and the failure count must commit.

  -- Sources idle for longer than the longest lock are forgotten (their back-off starts over).
  delete from app_private.login_throttles t where t.updated_at < now() - (v_max_lock + v_window);

  -- The (email, source) row, created if needed and locked: attempts from one source queue here.
  insert into app_private.login_throttles as t (email, source) values (v_email, v_source)
  on conflict on constraint login_throttles_pkey do update set updated_at = t.updated_at
  returning t.* into v_throttle;

  select m.* into v_member from app_public.members m where m.email = v_email;
  if v_member.id is not null then
    select s.password_hash into v_hash from app_private.member_secrets s where s.member_id = v_member.id;
    select u.* into v_business from app_public.users u where u.id = v_member.user_id;
  end if;

  if v_throttle.locked_until > now() then
    -- Locked for this source: no password is checked, for known and unknown emails alike.
    v_outcome := 'locked';
  elsif v_hash is not null and v_hash = crypt(coalesce(password, ''), v_hash) then
    v_outcome := case when v_member.is_active and v_business.is_active then 'ok' else 'inactive' end;
    -- A success clears this source's failures and back-off (other sources keep theirs).
    delete from app_private.login_throttles t where t.email = v_email and t.source = v_source;
    if v_outcome = 'ok' then
      update app_public.members m set last_sign_in_at = now() where m.id = v_member.id;
    end if;
  else
    if v_hash is null then
      -- Unknown email (or no password): spend the same bcrypt time, so timing
      -- does not reveal which emails exist.
      perform crypt(coalesce(password, ''), '$2a$10$CwTycUXWue0Thq9StjUM0uJ8DPLKXt1FYlwYpQW2G3cAwjKoh1WZO');
    end if;
    v_failures := case when v_throttle.first_failed_at > now() - v_window then v_throttle.failures + 1 else 1 end;
    if v_failures >= v_max then
      update app_private.login_throttles t
         set failures = 0, first_failed_at = null, lockouts = t.lockouts + 1,
             locked_until = now() + least(v_lock * power(2, least(t.lockouts, 20)), v_max_lock),
             updated_at = now()
       where t.email = v_email and t.source = v_source;
      v_outcome := 'locked';
    else
      update app_private.login_throttles t
         set failures = v_failures,
             first_failed_at = case when v_failures = 1 then now() else t.first_failed_at end,
             updated_at = now()
       where t.email = v_email and t.source = v_source;
      v_outcome := 'invalid_credentials';
    end if;
  end if;

  insert into app_private.login_attempts (email, user_id, outcome, ip_address)
  values (v_email, v_member.user_id, v_outcome, left(coalesce(nullif(login.ip, ''), current_setting('switchboard.client_ip', true)), 100));

  return query select v_outcome,
                      case when v_outcome = 'ok' then v_member.user_id end,
                      case when v_outcome = 'ok' then app_hidden.member_db_role(v_member.role, v_business.role) end,
                      case when v_outcome = 'ok' then v_member.id end,
                      case when v_outcome = 'ok' then v_member.role end;
end
$function$;
comment on function app_hidden.login(email text, password text, ip text) is 'Checks a login''s (member''s) password and records the attempt. One row: outcome ok | invalid_credentials | locked | inactive, with the business id, database role, member id and member role when ok. Never raises for bad credentials, so the failure count commits. Lock-out is per (email, source) (app_private.login_throttles), the same for unknown emails; ip defaults to the switchboard.client_ip setting.';
grant execute on function app_hidden.login(email text, password text, ip text) to app_anonymous;
grant execute on function app_hidden.login(email text, password text, ip text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.login_source(ip text)
 RETURNS text
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
declare
  -- An IPv4-mapped IPv6 address (::ffff:a.b.c.d, from a dual-stack listener) is its IPv4 address.
  v_ip text := regexp_replace(btrim(coalesce(ip, '')), '^::ffff:([0-9]{1,3}(\.[0-9]{1,3}){3})$', '\1', 'i');
begin
  -- plpgsql, not sql: a constant argument must not be cast to inet before it is checked.
  if not pg_input_is_valid(v_ip, 'inet') then
    return 'unknown';
  end if;
  return case when family(v_ip::inet) = 4 then host(v_ip::inet) else network(set_masklen(v_ip::inet, 64))::text end;
end
$function$;
comment on function app_hidden.login_source(ip text) is 'The source a sign-in is counted against: the IPv4 address (IPv4-mapped IPv6 included), the /64 of an IPv6 address (one subscriber''s block), else ''unknown''.';

CREATE OR REPLACE FUNCTION app_hidden.mark_analysis_failed(p_call_id uuid, p_error text)
 RETURNS void
 LANGUAGE sql
AS $function$
  update app_public.transcripts t
     set analysis_status = 'failed', analysis_error = left(p_error, 2000)
   where t.call_id = p_call_id
$function$;
comment on function app_hidden.mark_analysis_failed(p_call_id uuid, p_error text) is 'Marks a call''s transcript analysis failed with the reason (after the job gave up).';

CREATE OR REPLACE FUNCTION app_hidden.measures_by_bucket(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_bucket text)
 RETURNS TABLE(bucket date, measures app_hidden.measures)
 LANGUAGE sql
 STABLE
AS $function$
      select case p_bucket when 'range' then p_from else date_trunc(p_bucket, s.day::timestamp)::date end,
             row(coalesce(sum(calls), 0)::bigint, coalesce(sum(successful_calls), 0)::bigint, coalesce(sum(failed_calls), 0)::bigint, coalesce(sum(unanswered_calls), 0)::bigint, coalesce(sum(talk_seconds), 0)::bigint, coalesce(sum(billed_minutes), 0)::bigint, coalesce(sum(credits_used), 0)::bigint, coalesce(sum(inbound_calls), 0)::bigint, coalesce(sum(outbound_calls), 0)::bigint, coalesce(sum(phone_calls), 0)::bigint, coalesce(sum(internet_calls), 0)::bigint, coalesce(sum(unknown_source_calls), 0)::bigint, coalesce(sum(leads_generated), 0)::bigint, coalesce(sum(qualified_leads), 0)::bigint, coalesce(sum(hot_leads), 0)::bigint, coalesce(sum(warm_leads), 0)::bigint, coalesce(sum(cold_leads), 0)::bigint, coalesce(sum(cta_pricing), 0)::bigint, coalesce(sum(cta_demo), 0)::bigint, coalesce(sum(cta_followup), 0)::bigint, coalesce(sum(cta_sample), 0)::bigint, coalesce(sum(cta_human_escalation), 0)::bigint, coalesce(sum(calls_with_cta), 0)::bigint, coalesce(sum(intent_score_sum), 0)::bigint, coalesce(sum(intent_score_count), 0)::bigint, coalesce(sum(urgency_score_sum), 0)::bigint, coalesce(sum(urgency_score_count), 0)::bigint, coalesce(sum(budget_score_sum), 0)::bigint, coalesce(sum(budget_score_count), 0)::bigint, coalesce(sum(fit_score_sum), 0)::bigint, coalesce(sum(fit_score_count), 0)::bigint, coalesce(sum(engagement_score_sum), 0)::bigint, coalesce(sum(engagement_score_count), 0)::bigint, coalesce(sum(total_score_sum), 0)::bigint, coalesce(sum(total_score_count), 0)::bigint, coalesce(sum(call_seconds), 0)::bigint, coalesce(sum(voicemail_calls), 0)::bigint, coalesce(sum(busy_calls), 0)::bigint, coalesce(sum(no_answer_calls), 0)::bigint, coalesce(sum(canceled_calls), 0)::bigint, coalesce(sum(agent_hangup_calls), 0)::bigint, coalesce(sum(caller_hangup_calls), 0)::bigint, coalesce(sum(time_to_answer_ms_sum), 0)::bigint, coalesce(sum(time_to_answer_count), 0)::bigint, coalesce(sum(cost_micros), 0)::bigint, coalesce(sum(costed_calls), 0)::bigint, coalesce(sum(cta_interactions), 0)::bigint, coalesce(sum(booked_calls), 0)::bigint, coalesce(sum(sentiment_score_sum), 0)::bigint, coalesce(sum(sentiment_score_count), 0)::bigint, coalesce(sum(sentiment_positive), 0)::bigint, coalesce(sum(sentiment_neutral), 0)::bigint, coalesce(sum(sentiment_negative), 0)::bigint, coalesce(sum(sentiment_mixed), 0)::bigint, coalesce(sum(quality_score_sum), 0)::bigint, coalesce(sum(quality_score_count), 0)::bigint, coalesce(sum(csat_score_sum), 0)::bigint, coalesce(sum(csat_score_count), 0)::bigint, coalesce(sum(transfer_requested_calls), 0)::bigint, coalesce(sum(transfer_happened_calls), 0)::bigint, coalesce(sum(convo_converted), 0)::bigint, coalesce(sum(convo_interested), 0)::bigint, coalesce(sum(convo_callback_requested), 0)::bigint, coalesce(sum(convo_not_interested), 0)::bigint, coalesce(sum(convo_wrong_person), 0)::bigint, coalesce(sum(convo_no_outcome), 0)::bigint)::app_hidden.measures
        from (
          select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.user_analytics r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r
           where p_agent_id is null and r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'user_day')
          union all
          select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.agent_analytics r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to
          union all
          select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r
           where p_agent_id is not null and r.user_id = p_user_id and r.agent_id = p_agent_id
             and r.day between p_from and p_to and (r.target is null or r.target = 'agent_day')
        ) s
       group by 1
    $function$;
comment on function app_hidden.measures_by_bucket(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_bucket text) is 'Summed rollup measures (rollup + pending deltas) per bucket (day | week | month | range) for a tenant, or one of its agents, over tenant-local days (generated from app_private.rollup_measures).';
grant execute on function app_hidden.measures_by_bucket(p_user_id uuid, p_from date, p_to date, p_agent_id uuid, p_bucket text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.member_db_role(member_role text, business_role text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case member_role
           when 'owner' then case when business_role in ('admin', 'super_admin') then 'app_admin' else 'app_owner' end
           when 'manager' then 'app_user'
           when 'viewer' then 'app_viewer'
         end
$function$;
comment on function app_hidden.member_db_role(member_role text, business_role text) is 'The database role a member acts as: owner -> app_owner (app_admin in a platform admin business), manager -> app_user, viewer -> app_viewer.';

CREATE OR REPLACE FUNCTION app_hidden.new_link_token(p_prefix text)
 RETURNS text
 LANGUAGE sql
AS $function$ select p_prefix || translate(rtrim(encode(public.gen_random_bytes(32), 'base64'), '='), '+/', '-_') $function$;
comment on function app_hidden.new_link_token(p_prefix text) is 'A random one-time link token (prefix + 43 base64url characters).';

CREATE OR REPLACE FUNCTION app_hidden.no_show_rate(completed numeric, no_shows numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(no_shows, completed + no_shows) $function$;
comment on function app_hidden.no_show_rate(completed numeric, no_shows numeric) is 'No-show rate: no-show / (completed + no-show) appointments.';
grant execute on function app_hidden.no_show_rate(completed numeric, no_shows numeric) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.normalize_api_key_scopes(scopes text[])
 RETURNS text[]
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
declare
  v       text[];
  unknown text;
begin
  if scopes is null or cardinality(scopes) = 0 then
    raise exception 'Choose at least one scope: read, or read and write.' using errcode = 'SB603';
  end if;
  select s into unknown from unnest(scopes) s where s is null or s not in ('read', 'write') limit 1;
  if found then
    raise exception 'Unknown scope "%": a key''s scopes are read and write.', coalesce(unknown, '') using errcode = 'SB602';
  end if;
  -- write implies read; sorted and de-duplicated
  select array_agg(distinct s order by s) into v
    from unnest(scopes || case when 'write' = any (scopes) then array['read'] else array[]::text[] end) s;
  return v;
end
$function$;
comment on function app_hidden.normalize_api_key_scopes(scopes text[]) is 'Validated scopes, with read added to write, sorted and de-duplicated (SB603 when empty, SB602 when unknown).';
grant execute on function app_hidden.normalize_api_key_scopes(scopes text[]) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.normalize_phone(p_phone text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select nullif(regexp_replace(coalesce(p_phone, ''), '[[:space:]().-]', '', 'g'), '')
$function$;
comment on function app_hidden.normalize_phone(p_phone text) is 'A phone number without spaces, dashes, dots and brackets; null when nothing is left.';
grant execute on function app_hidden.normalize_phone(p_phone text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.objection_label(k text)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case k when 'price' then 'Price' when 'timing' then 'Timing' when 'authority' then 'Authority'
                when 'need' then 'No need' when 'competitor' then 'Competitor' when 'trust' then 'Trust'
                when 'other' then 'Other' end
$function$;
comment on function app_hidden.objection_label(k text) is 'The label of an objection class.';
grant execute on function app_hidden.objection_label(k text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.password_reset_token(p_member_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_member app_public.members;
  v_token  text := app_hidden.new_link_token('sbr_');
begin
  select m.* into v_member from app_public.members m where m.id = p_member_id;
  if v_member.id is null then
    raise exception 'No such member.' using errcode = 'SB104';
  end if;
  -- Earlier unused reset links of this member stop working.
  update app_private.member_links l set used_at = now()
   where l.member_id = v_member.id and l.kind = 'password_reset' and l.used_at is null;
  insert into app_private.member_links (token_hash, kind, user_id, member_id, expires_at)
  values (public.digest(v_token, 'sha256'), 'password_reset', v_member.user_id, v_member.id,
          now() + make_interval(hours => app_hidden.config_int('team.password_reset_hours', 24)));
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, new_values)
  values (v_member.user_id, 'insert', 'password_reset_links', v_member.id::text,
          pg_catalog.jsonb_build_object('member_id', v_member.id, 'email', v_member.email));
  return v_token;
end
$function$;
comment on function app_hidden.password_reset_token(p_member_id uuid) is 'A new one-time password-reset link token for a member (earlier unused ones stop working), audit-logged. Used by issue_password_reset (owners) and the operator''s npm run password-reset.';

CREATE OR REPLACE FUNCTION app_hidden.post_credit_transactions()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  if not pg_try_advisory_xact_lock(hashtextextended('switchboard.post_credits', 0)) then
    return 0;
  end if;
  -- Charges of calls become ledger rows (a call deleted since keeps its charge, without the link).
  with moved as (
    delete from app_hidden.credit_charges c returning c.*
  )
  insert into app_public.credit_transactions (user_id, type, amount, call_id, description, created_at)
    select m.user_id, case when m.amount < 0 then 'usage' else 'refund' end, m.amount, k.id, m.description, m.created_at
      from moved m
      left join app_public.calls k on k.id = m.call_id and k.user_id = m.user_id
     where exists (select 1 from app_public.users u where u.id = m.user_id)
     order by m.user_id, m.created_at;
  with pending as (
    select t.id, t.user_id, t.amount,
           sum(t.amount) over (partition by t.user_id order by t.created_at, t.id) as running
      from app_public.credit_transactions t
     where t.posted_at is null
  ), sums as (
    select p.user_id, sum(p.amount)::integer as total from pending p group by p.user_id
  ), upd_users as (
    update app_public.users u
       set credits = u.credits + s.total
      from sums s
     where u.id = s.user_id
    returning u.id, u.credits - s.total as base
  )
  update app_public.credit_transactions ct
     set balance_after = uu.base + p.running, posted_at = now()
    from pending p
    join upd_users uu on uu.id = p.user_id
   where ct.id = p.id;
  get diagnostics n = row_count;
  return n;
end
$function$;
comment on function app_hidden.post_credit_transactions() is 'Moves pending call charges into the ledger, then posts pending ledger rows in order: assigns balance_after and moves users.credits (one writer at a time).';

CREATE OR REPLACE FUNCTION app_hidden.privacy_request_origin(OUT client_ip text, OUT user_agent text)
 RETURNS record
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select nullif(current_setting('switchboard.client_ip', true), ''), nullif(current_setting('switchboard.user_agent', true), '')
$function$;
comment on function app_hidden.privacy_request_origin(OUT client_ip text, OUT user_agent text) is 'The client address and User-Agent the server set for this request (switchboard.client_ip, switchboard.user_agent).';
grant execute on function app_hidden.privacy_request_origin(OUT client_ip text, OUT user_agent text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.privacy_subject_hash(p_value text)
 RETURNS text
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
  select encode(hmac(convert_to(lower(p_value), 'UTF8'),
                     convert_to((select c.value #>> '{}' from app_private.system_config c where c.key = 'privacy.subject_hash_key'), 'UTF8'),
                     'sha256'), 'hex')
$function$;
comment on function app_hidden.privacy_subject_hash(p_value text) is 'HMAC-SHA256 (platform key) of a phone number or email: recorded instead of the value itself.';

CREATE OR REPLACE FUNCTION app_hidden.prompt_hash(p_user_id uuid, p_kind text, p_prompt_version text)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  select md5(case p_kind when 'complete' then u.analysis_prompt_complete else u.analysis_prompt_individual end)
    from app_public.users u
   where u.id = p_user_id and p_prompt_version = 'tenant-v' || u.analysis_prompt_version
$function$;
comment on function app_hidden.prompt_hash(p_user_id uuid, p_kind text, p_prompt_version text) is 'MD5 of the tenant''s own prompt text (individual or complete) when p_prompt_version is its current version; null otherwise (platform default, or an older version whose text is gone).';

CREATE OR REPLACE FUNCTION app_hidden.purge_calls(p_user_id uuid, p_before timestamp with time zone, p_batch integer DEFAULT 1000)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
    declare
      ids uuid[];
      n   integer;
      tz  text;
    begin
      -- KEY SHARE on the tenant: a concurrent time zone change (FOR UPDATE) waits
      -- for this purge or this purge waits for it, never a mix of the two zones.
      select u.timezone into tz from app_public.users u where u.id = p_user_id for key share;
      if tz is null then
        return 0;
      end if;
      select array_agg(id) into ids
        from (select c.id from app_public.calls c
               where c.user_id = p_user_id and c.started_at < p_before
               order by c.started_at limit p_batch
               for update skip locked) x;
      if ids is null then
        return 0;
      end if;
      -- Record what leaves (one snapshot, same definition as the triggers) ...
      insert into app_hidden.purged_rollups (user_id, agent_id, day, hour, target, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome, purged_at)
        select d.user_id, d.agent_id, d.day, d.hour, d.target, d.calls, d.successful_calls, d.failed_calls, d.unanswered_calls, d.talk_seconds, d.billed_minutes, d.credits_used, d.inbound_calls, d.outbound_calls, d.phone_calls, d.internet_calls, d.unknown_source_calls, d.leads_generated, d.qualified_leads, d.hot_leads, d.warm_leads, d.cold_leads, d.cta_pricing, d.cta_demo, d.cta_followup, d.cta_sample, d.cta_human_escalation, d.calls_with_cta, d.intent_score_sum, d.intent_score_count, d.urgency_score_sum, d.urgency_score_count, d.budget_score_sum, d.budget_score_count, d.fit_score_sum, d.fit_score_count, d.engagement_score_sum, d.engagement_score_count, d.total_score_sum, d.total_score_count, d.call_seconds, d.voicemail_calls, d.busy_calls, d.no_answer_calls, d.canceled_calls, d.agent_hangup_calls, d.caller_hangup_calls, d.time_to_answer_ms_sum, d.time_to_answer_count, d.cost_micros, d.costed_calls, d.cta_interactions, d.booked_calls, d.sentiment_score_sum, d.sentiment_score_count, d.sentiment_positive, d.sentiment_neutral, d.sentiment_negative, d.sentiment_mixed, d.quality_score_sum, d.quality_score_count, d.csat_score_sum, d.csat_score_count, d.transfer_requested_calls, d.transfer_happened_calls, d.convo_converted, d.convo_interested, d.convo_callback_requested, d.convo_not_interested, d.convo_wrong_person, d.convo_no_outcome, now()
          from app_public.calls c
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, tz, 1) d
         where c.id = any (ids);
      -- ... then delete without taking it out of the rollups.
      perform set_config('switchboard.purging', 'on', true);
      delete from app_public.calls c where c.id = any (ids);
      get diagnostics n = row_count;
      perform set_config('switchboard.purging', 'off', true);
      insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
        values (p_user_id, 'calls', p_before, n);
      return n;
    end
    $function$;
comment on function app_hidden.purge_calls(p_user_id uuid, p_before timestamp with time zone, p_batch integer) is 'Retention: deletes up to p_batch of a tenant''s calls started before p_before (with transcripts and analyses) while keeping their history in the rollups (generated).';

CREATE OR REPLACE FUNCTION app_hidden.purged_history_in(p_from date, p_to date)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public'
AS $function$
  select exists (select 1 from app_hidden.purged_rollups g
                  where g.user_id = app_public.current_user_id() and g.day between p_from and p_to)
$function$;
comment on function app_hidden.purged_history_in(p_from date, p_to date) is 'Whether retention purged calls of the signed-in business on these tenant-local days (then the rollups count calls the call log no longer lists). Only the caller''s own business; a yes or no, never the figures.';
grant execute on function app_hidden.purged_history_in(p_from date, p_to date) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.qualified_score_threshold()
 RETURNS integer
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select 60 $function$;
comment on function app_hidden.qualified_score_threshold() is 'A lead with total_score at or above this is qualified.';
grant execute on function app_hidden.qualified_score_threshold() to app_user;

CREATE OR REPLACE FUNCTION app_hidden.range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid)
 RETURNS app_hidden.measures
 LANGUAGE sql
 STABLE
AS $function$
      select coalesce((select b.measures from app_hidden.measures_by_bucket(p_user_id, p_from, p_to, p_agent_id, 'range') b),
                      app_hidden.zero_measures())
    $function$;
comment on function app_hidden.range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) is 'Summed measures over the whole range (zeros when nothing happened).';
grant execute on function app_hidden.range_measures(p_user_id uuid, p_from date, p_to date, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures)
 RETURNS app_public.rate_test[]
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  -- Numerators and denominators of the rates of app_hidden.kpi_figures (success_rate, answer_rate,
  -- conversion_rate, cta_conversion_rate); tests/db/agent-versions.test.ts checks that x/n gives those rates.
  select array[
    app_hidden.two_proportion_test('success_rate', base.successful_calls,
      base.successful_calls + base.failed_calls + base.unanswered_calls,
      m.successful_calls, m.successful_calls + m.failed_calls + m.unanswered_calls),
    app_hidden.two_proportion_test('answer_rate', base.successful_calls, base.successful_calls + base.unanswered_calls,
      m.successful_calls, m.successful_calls + m.unanswered_calls),
    app_hidden.two_proportion_test('conversion_rate', base.qualified_leads, base.leads_generated,
      m.qualified_leads, m.leads_generated),
    app_hidden.two_proportion_test('cta_rate', base.calls_with_cta, base.leads_generated,
      m.calls_with_cta, m.leads_generated)
  ]
$function$;
comment on function app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures) is 'The z-tests of every rate of kpi_figures, m against the baseline base.';
grant execute on function app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.ratio(numerator numeric, denominator numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case when denominator > 0 then round(numerator / denominator, 4) end
$function$;
comment on function app_hidden.ratio(numerator numeric, denominator numeric) is 'numerator / denominator rounded to 4 places; null when the denominator is 0 or null.';
grant execute on function app_hidden.ratio(numerator numeric, denominator numeric) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.rebuild_rollups(p_user_id uuid, p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  -- One statement, one snapshot: each correction is exactly expected - stored
  -- as of that snapshot, and is appended as a delta, so concurrent writers
  -- and the compactor need no lock.
  insert into app_hidden.rollup_deltas
    select p_user_id, c.agent_id, c.day, c.hour, c.rollup, m.*
      from app_hidden.rollup_comparison(p_user_id, p_from, p_to) c
      cross join lateral app_hidden.rollup_measures_diff(c.expected, c.actual) m
     where c.expected is distinct from c.actual;
  get diagnostics n = row_count;
  return n;
end
$function$;
comment on function app_hidden.rebuild_rollups(p_user_id uuid, p_from date, p_to date) is 'Repairs a tenant''s rollups over a tenant-local day range (null = all) by appending correction deltas; returns the keys corrected.';

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
comment on function app_hidden.record_contact_analysis(p_user_id uuid, p_phone text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text) is 'Writes (or replaces) the complete analysis of a tenant''s phone number over all its analysed calls (the seed''s dual analysis). Complete analyses never count in the rollups and are never notifications (written read: the call''s individual analysis is the notification, one per contact per analysis).';

CREATE OR REPLACE FUNCTION app_hidden.record_contact_analysis_if(p_user_id uuid, p_phone text, p_fingerprint text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text)
 RETURNS boolean
 LANGUAGE plpgsql
AS $function$
begin
  -- One writer per number at a time; the check below runs after the lock (a volatile function's
  -- statements each take a new snapshot), so it sees every analysis committed before it.
  perform pg_advisory_xact_lock(hashtextextended('switchboard:contact-analysis:' || p_user_id::text || ':' || p_phone, 0));
  if app_hidden.contact_analysis_fingerprint(p_user_id, p_phone) is distinct from p_fingerprint then
    return false;
  end if;
  perform app_hidden.record_contact_analysis(p_user_id, p_phone, p_analysis, p_analyzer, p_model, p_prompt_version);
  return true;
end
$function$;
comment on function app_hidden.record_contact_analysis_if(p_user_id uuid, p_phone text, p_fingerprint text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text) is 'Writes the complete analysis of a tenant''s number (app_hidden.record_contact_analysis) only if its analysed calls are still the set with p_fingerprint (app_hidden.contact_analysis_fingerprint), checked under a per-number lock, in the caller''s one statement. False (nothing written) when the set changed: analyse again.';

CREATE OR REPLACE FUNCTION app_hidden.record_rescoring_versions(p_run_id uuid, p_versions jsonb)
 RETURNS app_public.rescoring_runs
 LANGUAGE sql
AS $function$
  -- p_versions: [{callId, contentMd5, analysis}], analysed by the run; stored as not-latest versions.
  with run as (
    select r.* from app_public.rescoring_runs r where r.id = p_run_id and r.status = 'running' for no key update
  ), ins as (
    insert into app_public.analysis_versions (user_id, analysis_type, call_id, analysis, total_score, lead_status_tag,
                                              analyzer, model, prompt_version, prompt_hash, content_md5, run_id, is_latest, analyzed_at)
    select run.user_id, 'individual', rc.call_id, d.doc, (d.doc ->> 'total_score')::smallint, d.doc ->> 'lead_status_tag',
           run.analyzer, run.model, run.prompt_version, run.prompt_hash, x.value ->> 'contentMd5', run.id, false, now()
      from run
      cross join jsonb_array_elements(p_versions) x
      join app_private.rescoring_run_calls rc on rc.run_id = run.id and rc.call_id = (x.value ->> 'callId')::uuid
      cross join lateral (
        select app_hidden.analysis_document(app_hidden.analysis_values(x.value -> 'analysis'))
                 || jsonb_build_object('analyzer', run.analyzer, 'model', run.model, 'prompt_version', run.prompt_version,
                                       'analyzed_at', now()) as doc) d
    on conflict (run_id, call_id) where run_id is not null do nothing
    returning 1
  )
  update app_public.rescoring_runs r
     set calls_done = least(r.calls_total, r.calls_done + (select count(*) from ins))
    from run
   where r.id = run.id
  returning r.*
$function$;
comment on function app_hidden.record_rescoring_versions(p_run_id uuid, p_versions jsonb) is 'Stores analyses a running re-scoring run made ([{callId, contentMd5, analysis}], values through app_hidden.analysis_values) as not-latest versions and advances calls_done. Nothing when the run is no longer running (cancelled); a call already done is kept as it was.';

CREATE OR REPLACE FUNCTION app_hidden.refresh_kpi_summary()
 RETURNS numeric
 LANGUAGE plpgsql
AS $function$
declare
  started timestamptz := clock_timestamp();
  ms numeric;
begin
  if not pg_try_advisory_xact_lock(hashtextextended('switchboard.refresh_kpi_summary', 0)) then
    return null;  -- another refresh is running
  end if;
  refresh materialized view concurrently app_hidden.user_kpi_summary;
  ms := round(extract(epoch from clock_timestamp() - started)::numeric * 1000, 3);
  insert into app_private.mv_refresh_log (view_name, started_at, duration_ms)
    values ('user_kpi_summary', started, ms);
  return ms;
end
$function$;
comment on function app_hidden.refresh_kpi_summary() is 'Refreshes user_kpi_summary concurrently and logs the duration (ms, returned).';

CREATE OR REPLACE FUNCTION app_hidden.register_user(email text, password text, name text, timezone text DEFAULT 'UTC'::text)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_user_id uuid;
  v_bonus   integer := app_hidden.config_int('credits.signup_bonus', 0);
begin
  perform app_hidden.check_new_password(password);
  begin
    -- The owner member (same id, email and name) comes from _050_create_owner_member.
    insert into app_public.users (email, name, timezone)
    values (register_user.email, register_user.name, coalesce(register_user.timezone, 'UTC'))
    returning id into v_user_id;
  exception when unique_violation then
    raise exception 'an account with this email already exists' using errcode = 'SB102';
  end;
  insert into app_private.member_secrets (member_id, password_hash)
  values (v_user_id, crypt(password, gen_salt('bf', 10)));
  if v_bonus > 0 then
    -- A ledger row like any other: counted in available_credits at once, posted by the ledger job.
    insert into app_public.credit_transactions (user_id, type, amount, description)
    values (v_user_id, 'bonus', v_bonus, 'Sign-up bonus');
  end if;
  return v_user_id;
end
$function$;
comment on function app_hidden.register_user(email text, password text, name text, timezone text) is 'Creates a business, its owner login (bcrypt-hashed password) and the sign-up bonus (credits.signup_bonus) as a ledger row. SB101: password too short or long; SB102: email taken; 23514: bad email or time zone.';
grant execute on function app_hidden.register_user(email text, password text, name text, timezone text) to app_anonymous;
grant execute on function app_hidden.register_user(email text, password text, name text, timezone text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.relative_change(cur numeric, prev numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(cur - prev, prev) $function$;
comment on function app_hidden.relative_change(cur numeric, prev numeric) is '(cur - prev) / prev, 4 places; null when prev is 0 or null.';
grant execute on function app_hidden.relative_change(cur numeric, prev numeric) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.replay_webhook_events(p_max integer DEFAULT 1000, p_max_attempts integer DEFAULT 10)
 RETURNS TABLE(replayed integer, processed integer, failed integer)
 LANGUAGE plpgsql
AS $function$
declare
  v_id bigint;
  n_replayed integer := 0;
  n_ok integer := 0;
  v_state text;
begin
  -- Fewest attempts first (a backlog that keeps failing cannot starve newer
  -- deliveries), then oldest first, so a call's events are re-applied in order.
  for v_id in
    select w.id from app_private.webhook_events w
     where w.status in ('pending', 'failed') and w.attempts < p_max_attempts
     order by w.attempts, w.received_at, w.id
     limit p_max
  loop
    select a.state into v_state from app_hidden.apply_webhook_event(v_id) a;
    n_replayed := n_replayed + 1;
    if v_state = 'processed' then n_ok := n_ok + 1; end if;
  end loop;
  return query select n_replayed, n_ok, n_replayed - n_ok;
end
$function$;
comment on function app_hidden.replay_webhook_events(p_max integer, p_max_attempts integer) is 'Re-applies pending and failed deliveries (oldest first; events already applied are no-ops, so replaying is always safe).';

CREATE OR REPLACE FUNCTION app_hidden.request_actor()
 RETURNS text
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select case
           when pg_catalog.current_setting('role', true) in ('app_user', 'app_owner', 'app_viewer') then
             case when nullif(pg_catalog.current_setting('jwt.claims.api_key_id', true), '') is null then 'user' else 'api_key' end
           when pg_catalog.current_setting('role', true) = 'app_admin' then 'admin'
           when pg_catalog.current_setting('role', true) = 'app_anonymous' then 'anonymous'
           else 'system'
         end
$function$;
comment on function app_hidden.request_actor() is 'What kind of caller makes the current change: user (password session of any member role), api_key, admin, anonymous (sign-up, invitations, reset links) or system (worker, webhooks, migrations). Reads the role setting, so it is right inside security definer functions too.';

CREATE OR REPLACE FUNCTION app_hidden.request_client_ip()
 RETURNS inet
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select case when pg_catalog.pg_input_is_valid(s.ip, 'inet') then s.ip::inet end
    from (select nullif(pg_catalog.current_setting('switchboard.client_ip', true), '') as ip) s
$function$;
comment on function app_hidden.request_client_ip() is 'The client address of the current GraphQL request (switchboard.client_ip), null outside requests or when malformed.';

CREATE OR REPLACE FUNCTION app_hidden.request_kpi_refresh()
 RETURNS void
 LANGUAGE plpgsql
AS $function$
begin
  -- Debounced: the first change schedules a refresh 5 s later; changes until
  -- then join it (preserve_run_at keeps the earlier time).
  if to_regnamespace('graphile_worker') is not null then
    perform graphile_worker.add_job('kpi__refresh', '{}'::json,
                                    queue_name := 'kpi__refresh',
                                    job_key := 'kpi__refresh',
                                    run_at := now() + interval '5 seconds',
                                    job_key_mode := 'preserve_run_at');
  end if;
end
$function$;
comment on function app_hidden.request_kpi_refresh() is 'Schedules a debounced user_kpi_summary refresh through graphile-worker.';

CREATE OR REPLACE FUNCTION app_hidden.request_user_agent()
 RETURNS text
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select pg_catalog.left(nullif(pg_catalog.current_setting('switchboard.user_agent', true), ''), 512)
$function$;
comment on function app_hidden.request_user_agent() is 'The User-Agent of the current GraphQL request (switchboard.user_agent, at most 512 characters), null outside requests.';

CREATE OR REPLACE FUNCTION app_hidden.require_e164(p_phone text)
 RETURNS text
 LANGUAGE plpgsql
 IMMUTABLE
AS $function$
declare
  v text := app_hidden.normalize_phone(p_phone);
begin
  if v is not null and v !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Enter the number in international format: a + then the country code and number, like +14155550123.'
      using errcode = 'SB404', column = 'phone_number';
  end if;
  return v;
end
$function$;
comment on function app_hidden.require_e164(p_phone text) is 'The normalized phone number, or null for an empty one; SB404 (INVALID_PHONE_NUMBER) unless E.164.';
grant execute on function app_hidden.require_e164(p_phone text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.require_owner()
 RETURNS app_public.members
 LANGUAGE plpgsql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_member app_public.members;
begin
  perform app_hidden.require_password_session();
  select m.* into v_member from app_public.members m
   where m.id = app_public.current_member_id() and m.user_id = app_public.current_user_id() and m.is_active;
  if v_member.id is null or v_member.role <> 'owner' then
    raise exception 'Only an owner of this business can manage its members.' using errcode = '42501';
  end if;
  return v_member;
end
$function$;
comment on function app_hidden.require_owner() is 'The signed-in owner (a password session of an active owner member), else 42501.';

CREATE OR REPLACE FUNCTION app_hidden.require_password_session()
 RETURNS uuid
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  v_user uuid := app_public.current_user_id();
begin
  if v_user is null then
    raise exception 'sign in first' using errcode = '42501';
  end if;
  if nullif(current_setting('jwt.claims.api_key_id', true), '') is not null then
    raise exception 'API keys cannot change credentials; sign in with a password' using errcode = '42501';
  end if;
  return v_user;
end
$function$;
comment on function app_hidden.require_password_session() is 'The signed-in tenant, refusing API-key sessions (42501).';
grant execute on function app_hidden.require_password_session() to app_user;

CREATE OR REPLACE FUNCTION app_hidden.rescoring_pending_calls(p_run_id uuid, p_limit integer)
 RETURNS TABLE(call_id uuid, started_at timestamp with time zone, direction text, duration_seconds integer, content text)
 LANGUAGE sql
 STABLE
AS $function$
  select c.id, c.started_at, c.direction, c.duration_seconds, t.content
    from app_private.rescoring_run_calls rc
    join app_public.calls c on c.id = rc.call_id
    join app_public.transcripts t on t.call_id = c.id
   where rc.run_id = p_run_id
     and not exists (select 1 from app_public.analysis_versions h where h.run_id = p_run_id and h.call_id = rc.call_id)
   order by rc.call_id
   limit p_limit
$function$;
comment on function app_hidden.rescoring_pending_calls(p_run_id uuid, p_limit integer) is 'The next calls of a run still to analyse (no version of the run yet), with their transcript.';

CREATE OR REPLACE FUNCTION app_hidden.rescoring_scope(p_user_id uuid, p_tz text, p_from date, p_to date)
 RETURNS TABLE(call_id uuid, transcript_characters integer)
 LANGUAGE sql
 STABLE
AS $function$
  select c.id, length(t.content)
    from app_public.calls c
    join app_public.transcripts t on t.call_id = c.id
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
   where c.user_id = p_user_id
     and c.started_at >= (p_from::timestamp at time zone p_tz)
     and c.started_at < ((p_to + 1)::timestamp at time zone p_tz)
     and btrim(t.content) <> ''
$function$;
comment on function app_hidden.rescoring_scope(p_user_id uuid, p_tz text, p_from date, p_to date) is 'The calls a re-scoring run over a tenant-local day range covers: started in the range, with a non-empty transcript and a current individual analysis.';
grant execute on function app_hidden.rescoring_scope(p_user_id uuid, p_tz text, p_from date, p_to date) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.reset_password(token text, password text)
 RETURNS TABLE(user_id uuid, member_id uuid, db_role text, member_role text)
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_link app_private.member_links;
begin
  perform app_hidden.check_new_password(password);
  v_link := app_hidden.consume_link(token, 'password_reset');
  update app_private.member_secrets s set password_hash = crypt(password, gen_salt('bf', 10)), updated_at = now()
   where s.member_id = v_link.member_id;
  if not found then
    insert into app_private.member_secrets (member_id, password_hash) values (v_link.member_id, crypt(password, gen_salt('bf', 10)));
  end if;
  perform app_hidden.audit_password_change(v_link.user_id, v_link.member_id, 'reset link');
  update app_public.members m set last_sign_in_at = now() where m.id = v_link.member_id;
  return query select m.user_id, m.id, app_hidden.member_db_role(m.role, u.role), m.role
                 from app_public.members m join app_public.users u on u.id = m.user_id
                where m.id = v_link.member_id and m.is_active and u.is_active;
end
$function$;
comment on function app_hidden.reset_password(token text, password text) is 'Sets a new password with a reset link (once) and returns what signing in needs (no row if the login is inactive). SB202: link invalid, expired or used; SB101: weak password.';
grant execute on function app_hidden.reset_password(token text, password text) to app_anonymous;

CREATE OR REPLACE FUNCTION app_hidden.retention_batch(p_data_type text, p_batch integer DEFAULT 1000)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
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
  elsif p_data_type = 'transcripts' then
    -- Per tenant (its override or the default), by the call's start; no KPI depends on a transcript.
    delete from app_public.transcripts tr
     where tr.id in (select x.id
                       from app_public.users u
                       left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'transcripts'
                       cross join lateral (
                         select x.id from app_public.calls k join app_public.transcripts x on x.call_id = k.id
                          where k.user_id = u.id and k.started_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                          order by k.started_at limit p_batch) x
                      limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'recordings' then
    -- Only the recording link goes; the call's figures do not change (no rollup delta).
    update app_public.calls k set recording_url = null
     where k.id in (select x.id
                      from app_public.users u
                      left join app_private.tenant_retention r on r.user_id = u.id and r.data_type = 'recordings'
                      cross join lateral (
                        select x.id from app_public.calls x
                         where x.user_id = u.id and x.recording_url is not null
                           and x.started_at < now() - make_interval(days => coalesce(r.retain_days, v_days))
                         order by x.started_at limit p_batch) x
                     limit p_batch);
    get diagnostics n = row_count;
  elsif p_data_type = 'privacy_exports' then
    -- Export archives past their expiry: the chunks go, the request row stays (expired).
    with expired as (
      update app_public.privacy_requests r set status = 'expired'
       where r.id in (select x.id from app_public.privacy_requests x
                       where x.kind = 'export' and x.status = 'completed' and x.expires_at < now() limit p_batch)
      returning r.id
    )
    delete from app_private.privacy_export_chunks c using expired e where c.request_id = e.id;
    get diagnostics n = row_count;
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
$function$;
comment on function app_hidden.retention_batch(p_data_type text, p_batch integer) is 'Removes up to one batch (default 1000) of data older than its retention (per-tenant overrides from tenant_retention; calls per tenant, their history kept in the rollups via purged_rollups; transcripts and recording links apart from call rows; expired export archives) and logs it in retention_log (user_id zero for platform-wide rows). Returns the rows removed.';

CREATE OR REPLACE FUNCTION app_hidden.rollup_comparison(p_user_id uuid, p_from date, p_to date)
 RETURNS TABLE(rollup text, agent_id uuid, day date, hour smallint, expected app_private.rollup_measures, actual app_private.rollup_measures)
 LANGUAGE sql
 STABLE
AS $function$
      with tenant as (
        select u.timezone as tz,
               coalesce(p_from, '-infinity'::date) as d_from,
               coalesce(p_to, 'infinity'::date) as d_to
          from app_public.users u where u.id = p_user_id
      ), base as (
        select d.*
          from tenant t
          join app_public.calls c
            on c.user_id = p_user_id
           and c.started_at >= (t.d_from::timestamp at time zone t.tz)
           and c.started_at < ((t.d_to + 1)::timestamp at time zone t.tz)
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, t.tz, 1) d
        union all
        select p.user_id, p.agent_id, p.day, p.hour, p.target, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome
          from app_hidden.purged_rollups p, tenant t
         where p.user_id = p_user_id and p.day between t.d_from and t.d_to
      ), expected as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from base where target is null or target = 'agent_day' group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from base where target is null or target = 'user_day' group by day
        union all
        select 'user_hour', null::uuid, day, hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from base where target is null or target = 'user_hour' group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from base where target is null or target = 'agent_hour' group by agent_id, day, hour
      ), actual as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from (select r.agent_id, r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.agent_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_day')) x
         group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from (select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.user_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_day')) x
         group by day
        union all
        select 'user_hour', null::uuid, day, hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from (select r.day, r.hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.user_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, r.hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_hour')) x
         group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, sum(calls)::bigint as calls, sum(successful_calls)::bigint as successful_calls, sum(failed_calls)::bigint as failed_calls, sum(unanswered_calls)::bigint as unanswered_calls, sum(talk_seconds)::bigint as talk_seconds, sum(billed_minutes)::bigint as billed_minutes, sum(credits_used)::bigint as credits_used, sum(inbound_calls)::bigint as inbound_calls, sum(outbound_calls)::bigint as outbound_calls, sum(phone_calls)::bigint as phone_calls, sum(internet_calls)::bigint as internet_calls, sum(unknown_source_calls)::bigint as unknown_source_calls, sum(leads_generated)::bigint as leads_generated, sum(qualified_leads)::bigint as qualified_leads, sum(hot_leads)::bigint as hot_leads, sum(warm_leads)::bigint as warm_leads, sum(cold_leads)::bigint as cold_leads, sum(cta_pricing)::bigint as cta_pricing, sum(cta_demo)::bigint as cta_demo, sum(cta_followup)::bigint as cta_followup, sum(cta_sample)::bigint as cta_sample, sum(cta_human_escalation)::bigint as cta_human_escalation, sum(calls_with_cta)::bigint as calls_with_cta, sum(intent_score_sum)::bigint as intent_score_sum, sum(intent_score_count)::bigint as intent_score_count, sum(urgency_score_sum)::bigint as urgency_score_sum, sum(urgency_score_count)::bigint as urgency_score_count, sum(budget_score_sum)::bigint as budget_score_sum, sum(budget_score_count)::bigint as budget_score_count, sum(fit_score_sum)::bigint as fit_score_sum, sum(fit_score_count)::bigint as fit_score_count, sum(engagement_score_sum)::bigint as engagement_score_sum, sum(engagement_score_count)::bigint as engagement_score_count, sum(total_score_sum)::bigint as total_score_sum, sum(total_score_count)::bigint as total_score_count, sum(call_seconds)::bigint as call_seconds, sum(voicemail_calls)::bigint as voicemail_calls, sum(busy_calls)::bigint as busy_calls, sum(no_answer_calls)::bigint as no_answer_calls, sum(canceled_calls)::bigint as canceled_calls, sum(agent_hangup_calls)::bigint as agent_hangup_calls, sum(caller_hangup_calls)::bigint as caller_hangup_calls, sum(time_to_answer_ms_sum)::bigint as time_to_answer_ms_sum, sum(time_to_answer_count)::bigint as time_to_answer_count, sum(cost_micros)::bigint as cost_micros, sum(costed_calls)::bigint as costed_calls, sum(cta_interactions)::bigint as cta_interactions, sum(booked_calls)::bigint as booked_calls, sum(sentiment_score_sum)::bigint as sentiment_score_sum, sum(sentiment_score_count)::bigint as sentiment_score_count, sum(sentiment_positive)::bigint as sentiment_positive, sum(sentiment_neutral)::bigint as sentiment_neutral, sum(sentiment_negative)::bigint as sentiment_negative, sum(sentiment_mixed)::bigint as sentiment_mixed, sum(quality_score_sum)::bigint as quality_score_sum, sum(quality_score_count)::bigint as quality_score_count, sum(csat_score_sum)::bigint as csat_score_sum, sum(csat_score_count)::bigint as csat_score_count, sum(transfer_requested_calls)::bigint as transfer_requested_calls, sum(transfer_happened_calls)::bigint as transfer_happened_calls, sum(convo_converted)::bigint as convo_converted, sum(convo_interested)::bigint as convo_interested, sum(convo_callback_requested)::bigint as convo_callback_requested, sum(convo_not_interested)::bigint as convo_not_interested, sum(convo_wrong_person)::bigint as convo_wrong_person, sum(convo_no_outcome)::bigint as convo_no_outcome
          from (select r.agent_id, r.day, r.hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_public.agent_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, r.hour, calls, successful_calls, failed_calls, unanswered_calls, talk_seconds, billed_minutes, credits_used, inbound_calls, outbound_calls, phone_calls, internet_calls, unknown_source_calls, leads_generated, qualified_leads, hot_leads, warm_leads, cold_leads, cta_pricing, cta_demo, cta_followup, cta_sample, cta_human_escalation, calls_with_cta, intent_score_sum, intent_score_count, urgency_score_sum, urgency_score_count, budget_score_sum, budget_score_count, fit_score_sum, fit_score_count, engagement_score_sum, engagement_score_count, total_score_sum, total_score_count, call_seconds, voicemail_calls, busy_calls, no_answer_calls, canceled_calls, agent_hangup_calls, caller_hangup_calls, time_to_answer_ms_sum, time_to_answer_count, cost_micros, costed_calls, cta_interactions, booked_calls, sentiment_score_sum, sentiment_score_count, sentiment_positive, sentiment_neutral, sentiment_negative, sentiment_mixed, quality_score_sum, quality_score_count, csat_score_sum, csat_score_count, transfer_requested_calls, transfer_happened_calls, convo_converted, convo_interested, convo_callback_requested, convo_not_interested, convo_wrong_person, convo_no_outcome from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_hour')) x
         group by agent_id, day, hour
      ), keyed_e as (
        select e.*, coalesce(e.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(e.hour, -1) as hour_key from expected e
      ), keyed_a as (
        select a.*, coalesce(a.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(a.hour, -1) as hour_key from actual a
      )
      select coalesce(e.rollup, a.rollup), coalesce(e.agent_id, a.agent_id),
             coalesce(e.day, a.day), coalesce(e.hour, a.hour),
             row(coalesce(e.calls, 0), coalesce(e.successful_calls, 0), coalesce(e.failed_calls, 0), coalesce(e.unanswered_calls, 0), coalesce(e.talk_seconds, 0), coalesce(e.billed_minutes, 0), coalesce(e.credits_used, 0), coalesce(e.inbound_calls, 0), coalesce(e.outbound_calls, 0), coalesce(e.phone_calls, 0), coalesce(e.internet_calls, 0), coalesce(e.unknown_source_calls, 0), coalesce(e.leads_generated, 0), coalesce(e.qualified_leads, 0), coalesce(e.hot_leads, 0), coalesce(e.warm_leads, 0), coalesce(e.cold_leads, 0), coalesce(e.cta_pricing, 0), coalesce(e.cta_demo, 0), coalesce(e.cta_followup, 0), coalesce(e.cta_sample, 0), coalesce(e.cta_human_escalation, 0), coalesce(e.calls_with_cta, 0), coalesce(e.intent_score_sum, 0), coalesce(e.intent_score_count, 0), coalesce(e.urgency_score_sum, 0), coalesce(e.urgency_score_count, 0), coalesce(e.budget_score_sum, 0), coalesce(e.budget_score_count, 0), coalesce(e.fit_score_sum, 0), coalesce(e.fit_score_count, 0), coalesce(e.engagement_score_sum, 0), coalesce(e.engagement_score_count, 0), coalesce(e.total_score_sum, 0), coalesce(e.total_score_count, 0), coalesce(e.call_seconds, 0), coalesce(e.voicemail_calls, 0), coalesce(e.busy_calls, 0), coalesce(e.no_answer_calls, 0), coalesce(e.canceled_calls, 0), coalesce(e.agent_hangup_calls, 0), coalesce(e.caller_hangup_calls, 0), coalesce(e.time_to_answer_ms_sum, 0), coalesce(e.time_to_answer_count, 0), coalesce(e.cost_micros, 0), coalesce(e.costed_calls, 0), coalesce(e.cta_interactions, 0), coalesce(e.booked_calls, 0), coalesce(e.sentiment_score_sum, 0), coalesce(e.sentiment_score_count, 0), coalesce(e.sentiment_positive, 0), coalesce(e.sentiment_neutral, 0), coalesce(e.sentiment_negative, 0), coalesce(e.sentiment_mixed, 0), coalesce(e.quality_score_sum, 0), coalesce(e.quality_score_count, 0), coalesce(e.csat_score_sum, 0), coalesce(e.csat_score_count, 0), coalesce(e.transfer_requested_calls, 0), coalesce(e.transfer_happened_calls, 0), coalesce(e.convo_converted, 0), coalesce(e.convo_interested, 0), coalesce(e.convo_callback_requested, 0), coalesce(e.convo_not_interested, 0), coalesce(e.convo_wrong_person, 0), coalesce(e.convo_no_outcome, 0))::app_private.rollup_measures,
             row(coalesce(a.calls, 0), coalesce(a.successful_calls, 0), coalesce(a.failed_calls, 0), coalesce(a.unanswered_calls, 0), coalesce(a.talk_seconds, 0), coalesce(a.billed_minutes, 0), coalesce(a.credits_used, 0), coalesce(a.inbound_calls, 0), coalesce(a.outbound_calls, 0), coalesce(a.phone_calls, 0), coalesce(a.internet_calls, 0), coalesce(a.unknown_source_calls, 0), coalesce(a.leads_generated, 0), coalesce(a.qualified_leads, 0), coalesce(a.hot_leads, 0), coalesce(a.warm_leads, 0), coalesce(a.cold_leads, 0), coalesce(a.cta_pricing, 0), coalesce(a.cta_demo, 0), coalesce(a.cta_followup, 0), coalesce(a.cta_sample, 0), coalesce(a.cta_human_escalation, 0), coalesce(a.calls_with_cta, 0), coalesce(a.intent_score_sum, 0), coalesce(a.intent_score_count, 0), coalesce(a.urgency_score_sum, 0), coalesce(a.urgency_score_count, 0), coalesce(a.budget_score_sum, 0), coalesce(a.budget_score_count, 0), coalesce(a.fit_score_sum, 0), coalesce(a.fit_score_count, 0), coalesce(a.engagement_score_sum, 0), coalesce(a.engagement_score_count, 0), coalesce(a.total_score_sum, 0), coalesce(a.total_score_count, 0), coalesce(a.call_seconds, 0), coalesce(a.voicemail_calls, 0), coalesce(a.busy_calls, 0), coalesce(a.no_answer_calls, 0), coalesce(a.canceled_calls, 0), coalesce(a.agent_hangup_calls, 0), coalesce(a.caller_hangup_calls, 0), coalesce(a.time_to_answer_ms_sum, 0), coalesce(a.time_to_answer_count, 0), coalesce(a.cost_micros, 0), coalesce(a.costed_calls, 0), coalesce(a.cta_interactions, 0), coalesce(a.booked_calls, 0), coalesce(a.sentiment_score_sum, 0), coalesce(a.sentiment_score_count, 0), coalesce(a.sentiment_positive, 0), coalesce(a.sentiment_neutral, 0), coalesce(a.sentiment_negative, 0), coalesce(a.sentiment_mixed, 0), coalesce(a.quality_score_sum, 0), coalesce(a.quality_score_count, 0), coalesce(a.csat_score_sum, 0), coalesce(a.csat_score_count, 0), coalesce(a.transfer_requested_calls, 0), coalesce(a.transfer_happened_calls, 0), coalesce(a.convo_converted, 0), coalesce(a.convo_interested, 0), coalesce(a.convo_callback_requested, 0), coalesce(a.convo_not_interested, 0), coalesce(a.convo_wrong_person, 0), coalesce(a.convo_no_outcome, 0))::app_private.rollup_measures
        from keyed_e e
        full join keyed_a a
          on a.rollup = e.rollup and a.agent_key = e.agent_key and a.day = e.day and a.hour_key = e.hour_key
    $function$;
comment on function app_hidden.rollup_comparison(p_user_id uuid, p_from date, p_to date) is 'For one tenant and tenant-local day range (null = unbounded): every rollup key with the figures recomputed from raw calls (plus purged history) and the stored ones (rollup plus pending deltas), in one snapshot (generated).';

CREATE OR REPLACE FUNCTION app_hidden.rollup_measures_diff(e app_private.rollup_measures, a app_private.rollup_measures)
 RETURNS app_private.rollup_measures
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select e.calls - a.calls, e.successful_calls - a.successful_calls, e.failed_calls - a.failed_calls, e.unanswered_calls - a.unanswered_calls, e.talk_seconds - a.talk_seconds, e.billed_minutes - a.billed_minutes, e.credits_used - a.credits_used, e.inbound_calls - a.inbound_calls, e.outbound_calls - a.outbound_calls, e.phone_calls - a.phone_calls, e.internet_calls - a.internet_calls, e.unknown_source_calls - a.unknown_source_calls, e.leads_generated - a.leads_generated, e.qualified_leads - a.qualified_leads, e.hot_leads - a.hot_leads, e.warm_leads - a.warm_leads, e.cold_leads - a.cold_leads, e.cta_pricing - a.cta_pricing, e.cta_demo - a.cta_demo, e.cta_followup - a.cta_followup, e.cta_sample - a.cta_sample, e.cta_human_escalation - a.cta_human_escalation, e.calls_with_cta - a.calls_with_cta, e.intent_score_sum - a.intent_score_sum, e.intent_score_count - a.intent_score_count, e.urgency_score_sum - a.urgency_score_sum, e.urgency_score_count - a.urgency_score_count, e.budget_score_sum - a.budget_score_sum, e.budget_score_count - a.budget_score_count, e.fit_score_sum - a.fit_score_sum, e.fit_score_count - a.fit_score_count, e.engagement_score_sum - a.engagement_score_sum, e.engagement_score_count - a.engagement_score_count, e.total_score_sum - a.total_score_sum, e.total_score_count - a.total_score_count, e.call_seconds - a.call_seconds, e.voicemail_calls - a.voicemail_calls, e.busy_calls - a.busy_calls, e.no_answer_calls - a.no_answer_calls, e.canceled_calls - a.canceled_calls, e.agent_hangup_calls - a.agent_hangup_calls, e.caller_hangup_calls - a.caller_hangup_calls, e.time_to_answer_ms_sum - a.time_to_answer_ms_sum, e.time_to_answer_count - a.time_to_answer_count, e.cost_micros - a.cost_micros, e.costed_calls - a.costed_calls, e.cta_interactions - a.cta_interactions, e.booked_calls - a.booked_calls, e.sentiment_score_sum - a.sentiment_score_sum, e.sentiment_score_count - a.sentiment_score_count, e.sentiment_positive - a.sentiment_positive, e.sentiment_neutral - a.sentiment_neutral, e.sentiment_negative - a.sentiment_negative, e.sentiment_mixed - a.sentiment_mixed, e.quality_score_sum - a.quality_score_sum, e.quality_score_count - a.quality_score_count, e.csat_score_sum - a.csat_score_sum, e.csat_score_count - a.csat_score_count, e.transfer_requested_calls - a.transfer_requested_calls, e.transfer_happened_calls - a.transfer_happened_calls, e.convo_converted - a.convo_converted, e.convo_interested - a.convo_interested, e.convo_callback_requested - a.convo_callback_requested, e.convo_not_interested - a.convo_not_interested, e.convo_wrong_person - a.convo_wrong_person, e.convo_no_outcome - a.convo_no_outcome $function$;
comment on function app_hidden.rollup_measures_diff(e app_private.rollup_measures, a app_private.rollup_measures) is 'Measures of e minus those of a (generated).';

CREATE OR REPLACE FUNCTION app_hidden.score_band(score integer)
 RETURNS text
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case when score is null then null
              when score >= 80 then '80-100'
              else (score / 20 * 20)::text || '-' || (score / 20 * 20 + 19)::text end
$function$;
comment on function app_hidden.score_band(score integer) is 'The calibration band of a total score: 0-19, 20-39, 40-59, 60-79, 80-100.';
grant execute on function app_hidden.score_band(score integer) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.settle(steps text[] DEFAULT ARRAY['contacts'::text, 'compact'::text, 'post'::text, 'refresh'::text])
 RETURNS TABLE(contacts_linked integer, compacted integer, posted integer, contacts_ms numeric, compact_ms numeric, post_ms numeric, refresh_ms numeric)
 LANGUAGE plpgsql
AS $function$
declare
  t timestamptz;
  n integer;
begin
  if steps is null or not steps <@ array['contacts', 'compact', 'post', 'refresh'] then
    raise exception 'settle: unknown step in %', steps using errcode = '22023';
  end if;
  contacts_linked := 0;
  compacted := 0;
  posted := 0;
  -- 1. contacts: link the calls the trigger skipped, apply the not-connected counters
  if 'contacts' = any (steps) then
    t := clock_timestamp();
    loop
      n := app_hidden.sync_contacts();
      contacts_linked := contacts_linked + n;
      exit when n = 0;
    end loop;
    contacts_ms := round(extract(epoch from clock_timestamp() - t)::numeric * 1000, 3);
  end if;
  -- 2. every pending rollup delta into the rollups
  if 'compact' = any (steps) then
    t := clock_timestamp();
    loop
      n := app_hidden.compact_rollups();
      compacted := compacted + n;
      exit when n = 0;
    end loop;
    compact_ms := round(extract(epoch from clock_timestamp() - t)::numeric * 1000, 3);
  end if;
  -- 3. the credit ledger
  if 'post' = any (steps) then
    t := clock_timestamp();
    posted := app_hidden.post_credit_transactions();
    post_ms := round(extract(epoch from clock_timestamp() - t)::numeric * 1000, 3);
  end if;
  -- 4. the KPI materialized view
  if 'refresh' = any (steps) then
    t := clock_timestamp();
    perform app_hidden.refresh_kpi_summary();
    refresh_ms := round(extract(epoch from clock_timestamp() - t)::numeric * 1000, 3);
  end if;
  return next;
end
$function$;
comment on function app_hidden.settle(steps text[]) is 'THE settle sequence: sync_contacts until nothing is left, compact_rollups until nothing moves, post_credit_transactions, refresh_kpi_summary, always in that order; steps (default all) runs only some of them. Returns what each step did and its duration (ms; null for a step not run). For loads, benchmarks and tests (the worker runs the same functions as separate jobs).';

CREATE OR REPLACE FUNCTION app_hidden.show_rate(completed numeric, no_shows numeric)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(completed, completed + no_shows) $function$;
comment on function app_hidden.show_rate(completed numeric, no_shows numeric) is 'Show rate: completed / (completed + no-show) appointments; pending and cancelled ones are left out.';
grant execute on function app_hidden.show_rate(completed numeric, no_shows numeric) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.speaker_segments(p_content text)
 RETURNS jsonb
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select case
    -- structured turns (a JSON array of {role, content|message|text}, as Vapi / Retell / OpenAI send them)
    when btrim(p_content) like '[%' and pg_input_is_valid(p_content, 'jsonb') and jsonb_typeof(p_content::jsonb) = 'array' then (
      select coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'speaker', case when lower(e ->> 'role') in ('assistant', 'agent', 'bot', 'ai') then 'agent'
                               when lower(e ->> 'role') in ('user', 'caller', 'customer', 'lead', 'human', 'client', 'prospect', 'callee') then 'user'
                               else 'unknown' end,
               'text', btrim(coalesce(e ->> 'content', e ->> 'message', e ->> 'text')),
               'start', case when jsonb_typeof(coalesce(e -> 'secondsFromStart', e -> 'start', e -> 'words' -> 0 -> 'start')) = 'number'
                             then coalesce(e -> 'secondsFromStart', e -> 'start', e -> 'words' -> 0 -> 'start') end,
               'end', case when jsonb_typeof(coalesce(e -> 'end', e -> 'words' -> -1 -> 'end')) = 'number'
                           then coalesce(e -> 'end', e -> 'words' -> -1 -> 'end') end)) order by n), '[]'::jsonb)
        from jsonb_array_elements(p_content::jsonb) with ordinality x(e, n)
       where jsonb_typeof(e) = 'object'
         and lower(coalesce(e ->> 'role', '')) not in ('system', 'tool', 'function', 'tool_calls', 'tool_call_result')
         and nullif(btrim(coalesce(e ->> 'content', e ->> 'message', e ->> 'text')), '') is not null)
    -- "assistant: ...\nuser: ..." lines (Bolna); an unlabelled line continues the turn before it
    else (
      with lines as (
        select l.n, l.line,
               case when l.line ~* '^\s*(assistant|agent|bot|ai|system)\s*:' then 'agent'
                    when l.line ~* '^\s*(user|caller|customer|lead|human|client|prospect|callee)\s*:' then 'user' end as speaker
          from regexp_split_to_table(coalesce(p_content, ''), E'\\r?\\n') with ordinality l(line, n)
         where btrim(l.line) <> '' and l.line !~ '^###\s'
      ), turns as (
        select count(speaker) over (order by n) as turn, n, speaker,
               btrim(regexp_replace(line, '^\s*(assistant|agent|bot|ai|system|user|caller|customer|lead|human|client|prospect|callee)\s*:\s*', '', 'i')) as txt
          from lines
      ), grouped as (
        select turn, coalesce((array_agg(speaker order by n))[1], 'unknown') as speaker,
               string_agg(txt, ' ' order by n) as txt
          from turns group by turn
      )
      select case when exists (select 1 from lines where speaker is not null)
                  then (select jsonb_agg(jsonb_build_object('speaker', g.speaker, 'text', g.txt) order by g.turn)
                          from grouped g where g.txt <> '')
                  else '[]'::jsonb end)
  end
$function$;
comment on function app_hidden.speaker_segments(p_content text) is 'Speaker turns [{speaker: agent|user|unknown, text, start?, end?}] of a transcript: "assistant: ... / user: ..." lines (Bolna; unlabelled lines continue a turn) or a JSON array of {role, content|message|text} turns (system and tool messages left out). [] when the text has no speaker labels.';

CREATE OR REPLACE FUNCTION app_hidden.store_provider_secret(kind text, ciphertext bytea, twilio_account_sid text DEFAULT NULL::text, require_signature boolean DEFAULT NULL::boolean)
 RETURNS void
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_user uuid := app_hidden.require_password_session();
begin
  if kind = 'bolna_signing_secret' then
    insert into app_private.provider_credentials as c (user_id, bolna_signing_secret_enc, bolna_require_signature)
    values (v_user, ciphertext, coalesce(require_signature, ciphertext is not null))
    on conflict (user_id) do update
      set bolna_signing_secret_enc = excluded.bolna_signing_secret_enc,
          bolna_require_signature = coalesce(store_provider_secret.require_signature, excluded.bolna_signing_secret_enc is not null),
          updated_at = now();
  elsif kind = 'twilio_auth_token' then
    if twilio_account_sid is null or ciphertext is null then
      raise exception 'a Twilio account SID and auth token are both required' using errcode = '22023';
    end if;
    -- Not exclusive: another tenant naming the same account changes nothing
    -- for this one (callbacks go to the tenant whose auth token signed them).
    insert into app_private.provider_credentials as c (user_id, twilio_account_sid, twilio_auth_token_enc)
    values (v_user, store_provider_secret.twilio_account_sid, ciphertext)
    on conflict (user_id) do update
      set twilio_account_sid = excluded.twilio_account_sid, twilio_auth_token_enc = excluded.twilio_auth_token_enc,
          updated_at = now();
  else
    raise exception 'unknown secret kind %', kind using errcode = '22023';
  end if;
end
$function$;
comment on function app_hidden.store_provider_secret(kind text, ciphertext bytea, twilio_account_sid text, require_signature boolean) is 'Stores a server-encrypted provider secret for the signed-in tenant (password sessions only). A Twilio account may be named by several tenants; none can block another. Owner-only.';
grant execute on function app_hidden.store_provider_secret(kind text, ciphertext bytea, twilio_account_sid text, require_signature boolean) to app_owner;

CREATE OR REPLACE FUNCTION app_hidden.success_rate(successful bigint, failed bigint, unanswered bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select app_hidden.ratio(successful, successful + failed + unanswered) $function$;
comment on function app_hidden.success_rate(successful bigint, failed bigint, unanswered bigint) is 'Successful calls / calls that ended.';
grant execute on function app_hidden.success_rate(successful bigint, failed bigint, unanswered bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.sum_deltas(ds app_hidden.rollup_deltas[])
 RETURNS app_hidden.measures
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
      select row(coalesce(sum(m.calls), 0)::bigint, coalesce(sum(m.successful_calls), 0)::bigint, coalesce(sum(m.failed_calls), 0)::bigint, coalesce(sum(m.unanswered_calls), 0)::bigint, coalesce(sum(m.talk_seconds), 0)::bigint, coalesce(sum(m.billed_minutes), 0)::bigint, coalesce(sum(m.credits_used), 0)::bigint, coalesce(sum(m.inbound_calls), 0)::bigint, coalesce(sum(m.outbound_calls), 0)::bigint, coalesce(sum(m.phone_calls), 0)::bigint, coalesce(sum(m.internet_calls), 0)::bigint, coalesce(sum(m.unknown_source_calls), 0)::bigint, coalesce(sum(m.leads_generated), 0)::bigint, coalesce(sum(m.qualified_leads), 0)::bigint, coalesce(sum(m.hot_leads), 0)::bigint, coalesce(sum(m.warm_leads), 0)::bigint, coalesce(sum(m.cold_leads), 0)::bigint, coalesce(sum(m.cta_pricing), 0)::bigint, coalesce(sum(m.cta_demo), 0)::bigint, coalesce(sum(m.cta_followup), 0)::bigint, coalesce(sum(m.cta_sample), 0)::bigint, coalesce(sum(m.cta_human_escalation), 0)::bigint, coalesce(sum(m.calls_with_cta), 0)::bigint, coalesce(sum(m.intent_score_sum), 0)::bigint, coalesce(sum(m.intent_score_count), 0)::bigint, coalesce(sum(m.urgency_score_sum), 0)::bigint, coalesce(sum(m.urgency_score_count), 0)::bigint, coalesce(sum(m.budget_score_sum), 0)::bigint, coalesce(sum(m.budget_score_count), 0)::bigint, coalesce(sum(m.fit_score_sum), 0)::bigint, coalesce(sum(m.fit_score_count), 0)::bigint, coalesce(sum(m.engagement_score_sum), 0)::bigint, coalesce(sum(m.engagement_score_count), 0)::bigint, coalesce(sum(m.total_score_sum), 0)::bigint, coalesce(sum(m.total_score_count), 0)::bigint, coalesce(sum(m.call_seconds), 0)::bigint, coalesce(sum(m.voicemail_calls), 0)::bigint, coalesce(sum(m.busy_calls), 0)::bigint, coalesce(sum(m.no_answer_calls), 0)::bigint, coalesce(sum(m.canceled_calls), 0)::bigint, coalesce(sum(m.agent_hangup_calls), 0)::bigint, coalesce(sum(m.caller_hangup_calls), 0)::bigint, coalesce(sum(m.time_to_answer_ms_sum), 0)::bigint, coalesce(sum(m.time_to_answer_count), 0)::bigint, coalesce(sum(m.cost_micros), 0)::bigint, coalesce(sum(m.costed_calls), 0)::bigint, coalesce(sum(m.cta_interactions), 0)::bigint, coalesce(sum(m.booked_calls), 0)::bigint, coalesce(sum(m.sentiment_score_sum), 0)::bigint, coalesce(sum(m.sentiment_score_count), 0)::bigint, coalesce(sum(m.sentiment_positive), 0)::bigint, coalesce(sum(m.sentiment_neutral), 0)::bigint, coalesce(sum(m.sentiment_negative), 0)::bigint, coalesce(sum(m.sentiment_mixed), 0)::bigint, coalesce(sum(m.quality_score_sum), 0)::bigint, coalesce(sum(m.quality_score_count), 0)::bigint, coalesce(sum(m.csat_score_sum), 0)::bigint, coalesce(sum(m.csat_score_count), 0)::bigint, coalesce(sum(m.transfer_requested_calls), 0)::bigint, coalesce(sum(m.transfer_happened_calls), 0)::bigint, coalesce(sum(m.convo_converted), 0)::bigint, coalesce(sum(m.convo_interested), 0)::bigint, coalesce(sum(m.convo_callback_requested), 0)::bigint, coalesce(sum(m.convo_not_interested), 0)::bigint, coalesce(sum(m.convo_wrong_person), 0)::bigint, coalesce(sum(m.convo_no_outcome), 0)::bigint)::app_hidden.measures from unnest(ds) m
    $function$;
comment on function app_hidden.sum_deltas(ds app_hidden.rollup_deltas[]) is 'Column-wise sum of contributions (app_hidden.call_contribution rows) as measures: the call log''s totals of a filtered set (generated).';
grant execute on function app_hidden.sum_deltas(ds app_hidden.rollup_deltas[]) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.sum_measures(ms app_hidden.measures[])
 RETURNS app_hidden.measures
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
      select row(coalesce(sum(m.calls), 0)::bigint, coalesce(sum(m.successful_calls), 0)::bigint, coalesce(sum(m.failed_calls), 0)::bigint, coalesce(sum(m.unanswered_calls), 0)::bigint, coalesce(sum(m.talk_seconds), 0)::bigint, coalesce(sum(m.billed_minutes), 0)::bigint, coalesce(sum(m.credits_used), 0)::bigint, coalesce(sum(m.inbound_calls), 0)::bigint, coalesce(sum(m.outbound_calls), 0)::bigint, coalesce(sum(m.phone_calls), 0)::bigint, coalesce(sum(m.internet_calls), 0)::bigint, coalesce(sum(m.unknown_source_calls), 0)::bigint, coalesce(sum(m.leads_generated), 0)::bigint, coalesce(sum(m.qualified_leads), 0)::bigint, coalesce(sum(m.hot_leads), 0)::bigint, coalesce(sum(m.warm_leads), 0)::bigint, coalesce(sum(m.cold_leads), 0)::bigint, coalesce(sum(m.cta_pricing), 0)::bigint, coalesce(sum(m.cta_demo), 0)::bigint, coalesce(sum(m.cta_followup), 0)::bigint, coalesce(sum(m.cta_sample), 0)::bigint, coalesce(sum(m.cta_human_escalation), 0)::bigint, coalesce(sum(m.calls_with_cta), 0)::bigint, coalesce(sum(m.intent_score_sum), 0)::bigint, coalesce(sum(m.intent_score_count), 0)::bigint, coalesce(sum(m.urgency_score_sum), 0)::bigint, coalesce(sum(m.urgency_score_count), 0)::bigint, coalesce(sum(m.budget_score_sum), 0)::bigint, coalesce(sum(m.budget_score_count), 0)::bigint, coalesce(sum(m.fit_score_sum), 0)::bigint, coalesce(sum(m.fit_score_count), 0)::bigint, coalesce(sum(m.engagement_score_sum), 0)::bigint, coalesce(sum(m.engagement_score_count), 0)::bigint, coalesce(sum(m.total_score_sum), 0)::bigint, coalesce(sum(m.total_score_count), 0)::bigint, coalesce(sum(m.call_seconds), 0)::bigint, coalesce(sum(m.voicemail_calls), 0)::bigint, coalesce(sum(m.busy_calls), 0)::bigint, coalesce(sum(m.no_answer_calls), 0)::bigint, coalesce(sum(m.canceled_calls), 0)::bigint, coalesce(sum(m.agent_hangup_calls), 0)::bigint, coalesce(sum(m.caller_hangup_calls), 0)::bigint, coalesce(sum(m.time_to_answer_ms_sum), 0)::bigint, coalesce(sum(m.time_to_answer_count), 0)::bigint, coalesce(sum(m.cost_micros), 0)::bigint, coalesce(sum(m.costed_calls), 0)::bigint, coalesce(sum(m.cta_interactions), 0)::bigint, coalesce(sum(m.booked_calls), 0)::bigint, coalesce(sum(m.sentiment_score_sum), 0)::bigint, coalesce(sum(m.sentiment_score_count), 0)::bigint, coalesce(sum(m.sentiment_positive), 0)::bigint, coalesce(sum(m.sentiment_neutral), 0)::bigint, coalesce(sum(m.sentiment_negative), 0)::bigint, coalesce(sum(m.sentiment_mixed), 0)::bigint, coalesce(sum(m.quality_score_sum), 0)::bigint, coalesce(sum(m.quality_score_count), 0)::bigint, coalesce(sum(m.csat_score_sum), 0)::bigint, coalesce(sum(m.csat_score_count), 0)::bigint, coalesce(sum(m.transfer_requested_calls), 0)::bigint, coalesce(sum(m.transfer_happened_calls), 0)::bigint, coalesce(sum(m.convo_converted), 0)::bigint, coalesce(sum(m.convo_interested), 0)::bigint, coalesce(sum(m.convo_callback_requested), 0)::bigint, coalesce(sum(m.convo_not_interested), 0)::bigint, coalesce(sum(m.convo_wrong_person), 0)::bigint, coalesce(sum(m.convo_no_outcome), 0)::bigint)::app_hidden.measures from unnest(ms) m
    $function$;
comment on function app_hidden.sum_measures(ms app_hidden.measures[]) is 'Column-wise sum of measure rows (generated).';
grant execute on function app_hidden.sum_measures(ms app_hidden.measures[]) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.sync_calendar_appointment(p_external_id text, p_updated_at timestamp with time zone, p_status text, p_scheduled_at timestamp with time zone, p_phone_number text DEFAULT NULL::text, p_contact_name text DEFAULT NULL::text, p_notes text DEFAULT NULL::text, p_call_id uuid DEFAULT NULL::uuid, p_agent_id uuid DEFAULT NULL::uuid)
 RETURNS app_hidden.calendar_sync_result
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user   uuid := app_public.current_user_id();
  v_status text := app_hidden.appointment_status(p_status);
  l        record;
  r        app_hidden.calendar_sync_result;
begin
  if v_user is null then
    raise exception 'sign in to sync appointments' using errcode = '42501';
  end if;
  perform app_hidden.check_appointment_time(p_scheduled_at);
  select * into l from app_hidden.appointment_links(v_user, p_call_id, p_agent_id, p_phone_number);
  -- One statement: concurrent deliveries of the same booking serialise on its unique key, and the
  -- WHERE keeps the newest (by the calendar's own change time) whatever order they arrive in.
  insert into app_public.appointments as p
    (user_id, agent_id, call_id, contact_id, phone_number, contact_name, scheduled_at, status, source, status_source,
     external_id, external_updated_at, notes)
  values (v_user, l.agent_id, p_call_id, l.contact_id, l.phone_number, p_contact_name, p_scheduled_at, v_status,
          'calendar', 'calendar', p_external_id, p_updated_at, p_notes)
  on conflict on constraint appointments_external_id_key do update
     set scheduled_at = excluded.scheduled_at, status = excluded.status, status_source = 'calendar',
         external_updated_at = excluded.external_updated_at,
         agent_id = coalesce(excluded.agent_id, p.agent_id), call_id = coalesce(excluded.call_id, p.call_id),
         contact_id = coalesce(excluded.contact_id, p.contact_id), phone_number = coalesce(excluded.phone_number, p.phone_number),
         contact_name = coalesce(excluded.contact_name, p.contact_name), notes = coalesce(excluded.notes, p.notes)
   where p.external_updated_at < excluded.external_updated_at
  returning p.id, p.xmax = 0, true, p.status, p.scheduled_at, p.external_updated_at into r;
  if r.appointment_id is null then
    -- Not newer than what is stored: nothing changes (a repeat or an out-of-order delivery).
    select p.id, false, false, p.status, p.scheduled_at, p.external_updated_at into r
      from app_public.appointments p
     where p.user_id = v_user and p.source = 'calendar' and p.external_id = p_external_id;
  end if;
  return r;
end
$function$;
comment on function app_hidden.sync_calendar_appointment(p_external_id text, p_updated_at timestamp with time zone, p_status text, p_scheduled_at timestamp with time zone, p_phone_number text, p_contact_name text, p_notes text, p_call_id uuid, p_agent_id uuid) is 'A calendar tool''s booking (POST /api/calendar/appointments): created or updated by (tenant, external id) when its updated_at is newer than the stored one; older or equal deliveries change nothing (applied = false).';
grant execute on function app_hidden.sync_calendar_appointment(p_external_id text, p_updated_at timestamp with time zone, p_status text, p_scheduled_at timestamp with time zone, p_phone_number text, p_contact_name text, p_notes text, p_call_id uuid, p_agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.sync_contacts(max_calls integer DEFAULT 10000)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  linked      integer := 0;
  err_context text;
begin
  if not pg_try_advisory_xact_lock(hashtextextended('switchboard.sync_contacts', 0)) then
    return 0;
  end if;
  -- 1. Calls the link trigger skipped: create their contacts, link them and
  --    count the ones that did not connect (one statement, one snapshot).
  --    Writers always win: calls a writer holds are skipped, and if a contact
  --    this job creates is also being created by a writer, the job gives up
  --    after lock_timeout (long before deadlock detection) and retries next run.
  begin
    perform set_config('lock_timeout', '200ms', true);
    with unlinked as (
      select c.id, c.user_id, c.phone_number, c.caller_name, c.caller_email, c.outcome
        from app_public.calls c
       where c.contact_link_pending
       order by c.user_id, c.phone_number
       limit max_calls
         for no key update skip locked
    ), created as (
      insert into app_public.contacts (user_id, phone_number, name, email, is_auto_created,
                                       auto_creation_source, auto_created_from_call_id)
        select distinct on (u.user_id, u.phone_number) u.user_id, u.phone_number, left(u.caller_name, 200),
               u.caller_email, true, 'call', u.id
          from unlinked u
         order by u.user_id, u.phone_number, u.id
        on conflict (user_id, phone_number) do nothing
      returning id, user_id, phone_number
    ), targets as (
      select u.id as call_id, u.user_id, u.outcome, coalesce(n.id, k.id) as contact_id
        from unlinked u
        left join created n on n.user_id = u.user_id and n.phone_number = u.phone_number
        left join app_public.contacts k on k.user_id = u.user_id and k.phone_number = u.phone_number
    ), linked_calls as (
      update app_public.calls c set contact_id = t.contact_id, contact_link_pending = false
        from targets t
       where c.id = t.call_id and t.contact_id is not null
      returning c.id
    ), counted as (
      insert into app_hidden.contact_count_deltas (contact_id, user_id, delta)
        select t.contact_id, t.user_id, 1 from targets t
         where t.contact_id is not null and t.outcome in ('unanswered', 'failed')
    )
    select count(*) into linked from linked_calls;
    perform set_config('lock_timeout', '0', true);
  exception
    when lock_not_available then
      perform set_config('lock_timeout', '0', true);  -- a writer holds one of them: next run
    when others then
      perform set_config('lock_timeout', '0', true);
      get stacked diagnostics err_context = pg_exception_context;
      perform app_private.log_trigger_error('calls', 'sync_contacts', 'LINK', null, sqlstate, sqlerrm, err_context);
  end;

  -- 2. Apply pending not-connected changes (this job is their only writer).
  with moved as (
    delete from app_hidden.contact_count_deltas d returning d.contact_id, d.user_id, d.delta
  ), per_contact as (
    select m.contact_id, m.user_id, sum(m.delta)::integer as delta
      from moved m group by m.contact_id, m.user_id having sum(m.delta) <> 0
  )
  update app_public.contacts k
     set not_connected = greatest(0, k.not_connected + p.delta)
    from per_contact p
   where k.id = p.contact_id and k.user_id = p.user_id;
  return linked;
end
$function$;
comment on function app_hidden.sync_contacts(max_calls integer) is 'Links calls the link trigger skipped (creating their contacts) and applies pending not-connected changes. Run every second by the worker.';

CREATE OR REPLACE FUNCTION app_hidden.tenant_today(tz text)
 RETURNS date
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select (now() at time zone tz)::date
$function$;
comment on function app_hidden.tenant_today(tz text) is 'Today''s date in the given time zone.';
grant execute on function app_hidden.tenant_today(tz text) to app_anonymous;
grant execute on function app_hidden.tenant_today(tz text) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.tenant_view_allowed(p_admin_id uuid, p_tenant_id uuid)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select exists (
    select 1 from app_hidden.audit_log a
     where a.user_id = p_tenant_id and a.action = 'tenant.view' and a.actor_id = p_admin_id
       and a.created_at > now() - interval '1 hour')
$function$;
comment on function app_hidden.tenant_view_allowed(p_admin_id uuid, p_tenant_id uuid) is 'True when this operator opened a view of this business (start_tenant_view, audit-logged) within the last hour: the server checks it before running a request as that business.';
grant execute on function app_hidden.tenant_view_allowed(p_admin_id uuid, p_tenant_id uuid) to app_authenticator;

CREATE OR REPLACE FUNCTION app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint)
 RETURNS numeric
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select case when n > 0 then round(ms_sum::numeric / (n * 1000), 2) end $function$;
comment on function app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint) is 'Average time from ringing to answer, in seconds rounded to 2 places, of the ended calls that have both times; null when none has.';
grant execute on function app_hidden.time_to_answer_seconds(ms_sum bigint, n bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.ts(v text)
 RETURNS timestamp with time zone
 LANGUAGE plpgsql
 STABLE PARALLEL SAFE
AS $function$
begin
  if v ~* '(z|[+-][0-9]{2}(:?[0-9]{2})?|gmt|utc|ut)\s*$' then
    return v::timestamptz;
  end if;
  return v::timestamp at time zone 'UTC';
exception when others then
  return null;
end
$function$;
comment on function app_hidden.ts(v text) is 'A timestamp from provider text (ISO-8601 or RFC 2822; without an offset it is UTC), or null when unreadable.';

CREATE OR REPLACE FUNCTION app_hidden.twilio_status(s text)
 RETURNS TABLE(status text, rank integer, terminal boolean)
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select v.status, v.rank, v.rank >= 4
    from (values
      ('queued', 'queued', 0), ('initiated', 'initiated', 1), ('ringing', 'ringing', 2),
      ('in-progress', 'in_progress', 3), ('answered', 'in_progress', 3),
      ('completed', 'completed', 4), ('busy', 'busy', 4), ('no-answer', 'no_answer', 4),
      ('canceled', 'canceled', 4), ('failed', 'failed', 4)) v(name, status, rank)
   where v.name = s
$function$;
comment on function app_hidden.twilio_status(s text) is 'A Twilio CallStatus as our call status, its rank and whether it is final; no row for an unknown status.';

CREATE OR REPLACE FUNCTION app_hidden.two_proportion_test(rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint)
 RETURNS app_public.rate_test
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$
  select row(
    rate, x1, n1, app_hidden.ratio(x1, n1), x2, n2, app_hidden.ratio(x2, n2),
    app_hidden.ratio(x2, n2) - app_hidden.ratio(x1, n1),
    round(t.z, 4),
    round(t.p, 4),
    t.p < 0.05,
    case
      when n1 = 0 or n2 = 0 then 'Not enough data: one version has nothing to compare.'
      when t.z is null then 'Too few to judge: each version needs at least 5 successes and 5 failures expected (pooled rate), so the test would not be reliable.'
      when t.p < 0.05 then format('Significant at 95%% (p = %s): this version is %s.', round(t.p, 4),
                                  case when t.z > 0 then 'higher' else 'lower' end)
      else format('Not significant at 95%% (p = %s): the difference may be chance.', round(t.p, 4))
    end
  )::app_public.rate_test
  from (
    select z, erfc((abs(z) / sqrt(2::numeric))::float8)::numeric as p  -- two-sided: 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2)
      from (
        select case
                 -- The normal approximation holds when every expected count is at least 5.
                 when n1 > 0 and n2 > 0
                  and least(n1, n2) * pooled >= 5 and least(n1, n2) * (1 - pooled) >= 5
                 then (x2::numeric / n2 - x1::numeric / n1)
                      / sqrt(pooled * (1 - pooled) * (1::numeric / n1 + 1::numeric / n2))
               end as z
          from (select case when n1 + n2 > 0 then (x1 + x2)::numeric / (n1 + n2) end as pooled) p
      ) s
  ) t
$function$;
comment on function app_hidden.two_proportion_test(rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint) is 'Two-proportion z-test (pooled), two-sided, of x2/n2 against the baseline x1/n1; no result when an expected count (n x pooled rate, or its complement) is under 5.';
grant execute on function app_hidden.two_proportion_test(rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint) to app_user;

CREATE OR REPLACE FUNCTION app_hidden.verify_rollups(p_user_id uuid, p_from date DEFAULT NULL::date, p_to date DEFAULT NULL::date)
 RETURNS TABLE(rollup text, agent_id uuid, day date, hour smallint, measure text, expected bigint, actual bigint)
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select c.rollup, c.agent_id, c.day, c.hour, e.key, e.value::bigint, a.value::bigint
    from app_hidden.rollup_comparison(p_user_id, p_from, p_to) c
    cross join lateral jsonb_each_text(to_jsonb(c.expected)) e
    join lateral jsonb_each_text(to_jsonb(c.actual)) a on a.key = e.key
   where c.expected is distinct from c.actual
     and e.value <> a.value
   order by c.rollup, c.day, c.agent_id, c.hour, e.key
$function$;
comment on function app_hidden.verify_rollups(p_user_id uuid, p_from date, p_to date) is 'Recomputes a tenant''s rollups from raw calls (plus purged history) for a tenant-local day range and returns every difference from the stored figures; no rows means exact.';
grant execute on function app_hidden.verify_rollups(p_user_id uuid, p_from date, p_to date) to app_admin;

CREATE OR REPLACE FUNCTION app_hidden.verify_rollups_nightly()
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  started timestamptz := clock_timestamp();
  days    integer;
  n_users integer;
  diffs   jsonb;
  n_diffs integer;
begin
  select (value #>> '{}')::integer into days from app_private.system_config where key = 'rollups.verify_days';
  select count(*) into n_users from app_public.users;
  select coalesce(jsonb_agg(to_jsonb(v) || jsonb_build_object('user_id', u.id)), '[]'), count(v.*)
    into diffs, n_diffs
    from app_public.users u
    cross join lateral app_hidden.verify_rollups(
      u.id,
      case when days is null then null else app_hidden.tenant_today(u.timezone) - days end,
      null) v;
  insert into app_private.rollup_verification_log (tenants, differences, details, duration_ms)
    values (n_users, n_diffs, case when n_diffs > 1000 then '[]'::jsonb else diffs end,
            extract(epoch from clock_timestamp() - started) * 1000);
  return n_diffs;
end
$function$;
comment on function app_hidden.verify_rollups_nightly() is 'Verifies every tenant''s rollups and logs the outcome (run nightly by the worker).';

CREATE OR REPLACE FUNCTION app_hidden.zero_measures()
 RETURNS app_hidden.measures
 LANGUAGE sql
 IMMUTABLE PARALLEL SAFE
AS $function$ select row(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)::app_hidden.measures $function$;
comment on function app_hidden.zero_measures() is 'All measures zero (generated).';
grant execute on function app_hidden.zero_measures() to app_user;

-- Views and materialized views ----------------------------------------------

create materialized view app_hidden.user_kpi_summary as
  WITH tenants AS (
         SELECT u.id AS user_id,
            app_hidden.tenant_today(u.timezone) AS today
           FROM app_public.users u
        ), daily AS (
         SELECT t_1.user_id,
            sum(d_1.calls) FILTER (WHERE d_1.day > (t_1.today - 30)) AS calls_30d,
            sum(d_1.successful_calls) FILTER (WHERE d_1.day > (t_1.today - 30)) AS successful_30d,
            sum(d_1.failed_calls) FILTER (WHERE d_1.day > (t_1.today - 30)) AS failed_30d,
            sum(d_1.unanswered_calls) FILTER (WHERE d_1.day > (t_1.today - 30)) AS unanswered_30d,
            sum(d_1.talk_seconds) FILTER (WHERE d_1.day > (t_1.today - 30)) AS talk_seconds_30d,
            sum(d_1.leads_generated) FILTER (WHERE d_1.day > (t_1.today - 30)) AS leads_30d,
            sum(d_1.qualified_leads) FILTER (WHERE d_1.day > (t_1.today - 30)) AS qualified_30d,
            sum(d_1.hot_leads) FILTER (WHERE d_1.day > (t_1.today - 30)) AS hot_leads_30d,
            sum(d_1.calls_with_cta) FILTER (WHERE d_1.day > (t_1.today - 30)) AS calls_with_cta_30d,
            sum(d_1.credits_used) FILTER (WHERE d_1.day > (t_1.today - 30)) AS credits_30d,
            sum(d_1.calls) FILTER (WHERE d_1.day > (t_1.today - 7)) AS calls_7d,
            sum(d_1.successful_calls) FILTER (WHERE d_1.day > (t_1.today - 7)) AS successful_7d,
            sum(d_1.failed_calls) FILTER (WHERE d_1.day > (t_1.today - 7)) AS failed_7d,
            sum(d_1.unanswered_calls) FILTER (WHERE d_1.day > (t_1.today - 7)) AS unanswered_7d,
            sum(d_1.leads_generated) FILTER (WHERE d_1.day > (t_1.today - 7)) AS leads_7d,
            sum(d_1.qualified_leads) FILTER (WHERE d_1.day > (t_1.today - 7)) AS qualified_7d,
            sum(d_1.calls) AS calls_lifetime,
            sum(d_1.successful_calls) AS successful_lifetime,
            sum(d_1.failed_calls) AS failed_lifetime,
            sum(d_1.unanswered_calls) AS unanswered_lifetime,
            sum(d_1.talk_seconds) AS talk_seconds_lifetime,
            sum(d_1.leads_generated) AS leads_lifetime,
            sum(d_1.qualified_leads) AS qualified_lifetime,
            sum(d_1.credits_used) AS credits_lifetime,
            min(d_1.day) FILTER (WHERE d_1.calls > 0) AS first_call_day,
            max(d_1.day) FILTER (WHERE d_1.calls > 0) AS last_call_day
           FROM tenants t_1
             JOIN app_public.tenant_daily_stats d_1 ON d_1.user_id = t_1.user_id AND d_1.day <= t_1.today
          GROUP BY t_1.user_id
        ), best AS (
         SELECT t_1.user_id,
            b_1.agent_id,
            b_1.successful,
            b_1.qualified
           FROM tenants t_1
             CROSS JOIN LATERAL ( SELECT a.agent_id,
                    sum(a.successful_calls) AS successful,
                    sum(a.qualified_leads) AS qualified
                   FROM app_public.agent_daily_stats a
                  WHERE a.user_id = t_1.user_id AND a.day > (t_1.today - 30) AND a.day <= t_1.today
                  GROUP BY a.agent_id
                 HAVING sum(a.calls) > 0::numeric
                  ORDER BY (sum(a.qualified_leads)) DESC, (sum(a.successful_calls)) DESC, a.agent_id
                 LIMIT 1) b_1
        ), agents AS (
         SELECT g_1.user_id,
            count(*) AS total_agents,
            count(*) FILTER (WHERE g_1.is_active) AS active_agents
           FROM app_public.agents g_1
          GROUP BY g_1.user_id
        )
 SELECT t.user_id,
    COALESCE(d.calls_30d, 0::numeric)::bigint AS calls_30d,
    COALESCE(d.successful_30d, 0::numeric)::bigint AS successful_calls_30d,
    COALESCE(d.failed_30d, 0::numeric)::bigint AS failed_calls_30d,
    COALESCE(d.unanswered_30d, 0::numeric)::bigint AS unanswered_calls_30d,
    COALESCE(d.talk_seconds_30d, 0::numeric)::bigint AS talk_seconds_30d,
    COALESCE(d.leads_30d, 0::numeric)::bigint AS leads_30d,
    COALESCE(d.qualified_30d, 0::numeric)::bigint AS qualified_leads_30d,
    COALESCE(d.hot_leads_30d, 0::numeric)::bigint AS hot_leads_30d,
    COALESCE(d.credits_30d, 0::numeric)::bigint AS credits_used_30d,
    app_hidden.success_rate(d.successful_30d::bigint, d.failed_30d::bigint, d.unanswered_30d::bigint) AS success_rate_30d,
    app_hidden.answer_rate(d.successful_30d::bigint, d.unanswered_30d::bigint) AS answer_rate_30d,
    app_hidden.conversion_rate(d.qualified_30d::bigint, d.leads_30d::bigint) AS conversion_rate_30d,
    app_hidden.cta_conversion_rate(d.calls_with_cta_30d::bigint, d.leads_30d::bigint) AS cta_conversion_rate_30d,
    app_hidden.average(d.talk_seconds_30d::bigint, d.successful_30d::bigint) AS average_duration_seconds_30d,
    COALESCE(d.calls_7d, 0::numeric)::bigint AS calls_7d,
    COALESCE(d.successful_7d, 0::numeric)::bigint AS successful_calls_7d,
    COALESCE(d.leads_7d, 0::numeric)::bigint AS leads_7d,
    COALESCE(d.qualified_7d, 0::numeric)::bigint AS qualified_leads_7d,
    app_hidden.success_rate(d.successful_7d::bigint, d.failed_7d::bigint, d.unanswered_7d::bigint) AS success_rate_7d,
    COALESCE(d.calls_lifetime, 0::numeric)::bigint AS calls_lifetime,
    COALESCE(d.successful_lifetime, 0::numeric)::bigint AS successful_calls_lifetime,
    COALESCE(d.talk_seconds_lifetime, 0::numeric)::bigint AS talk_seconds_lifetime,
    COALESCE(d.leads_lifetime, 0::numeric)::bigint AS leads_lifetime,
    COALESCE(d.qualified_lifetime, 0::numeric)::bigint AS qualified_leads_lifetime,
    COALESCE(d.credits_lifetime, 0::numeric)::bigint AS credits_used_lifetime,
    app_hidden.success_rate(d.successful_lifetime::bigint, d.failed_lifetime::bigint, d.unanswered_lifetime::bigint) AS success_rate_lifetime,
    d.first_call_day,
    d.last_call_day,
    COALESCE(g.total_agents, 0::bigint) AS total_agents,
    COALESCE(g.active_agents, 0::bigint) AS active_agents,
    b.agent_id AS best_agent_id,
    b.qualified::bigint AS best_agent_qualified_leads_30d,
    b.successful::bigint AS best_agent_successful_calls_30d,
    now() AS refreshed_at
   FROM tenants t
     LEFT JOIN daily d ON d.user_id = t.user_id
     LEFT JOIN best b ON b.user_id = t.user_id
     LEFT JOIN agents g ON g.user_id = t.user_id;
comment on materialized view app_hidden.user_kpi_summary is 'Per tenant: 30-day rolling, 7-day and lifetime KPIs up to today and the best agent (most qualified leads in 30 days), from the rollups. Refreshed concurrently every 5 minutes and shortly after data changes.';
CREATE UNIQUE INDEX user_kpi_summary_user_id_key ON app_hidden.user_kpi_summary USING btree (user_id);

-- Triggers ------------------------------------------------------------------

CREATE TRIGGER _010_append_only BEFORE UPDATE ON app_hidden.audit_log FOR EACH ROW EXECUTE FUNCTION app_private.tg_audit_log__append_only();

-- Row-level security --------------------------------------------------------

alter table app_hidden.audit_log enable row level security;
create policy select_all_admin on app_hidden.audit_log for select to app_admin
  using (true);
create policy select_own on app_hidden.audit_log for select to app_user
  using (user_id = (( SELECT app_hidden.audit_log_tenant() AS audit_log_tenant)));

alter table app_hidden.credit_charges enable row level security;
create policy delete_own on app_hidden.credit_charges for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_hidden.credit_charges for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_hidden.credit_charges for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_hidden.credit_charges for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_hidden.purged_rollups enable row level security;
create policy delete_own on app_hidden.purged_rollups for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_hidden.purged_rollups for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_hidden.purged_rollups for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_hidden.purged_rollups for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_hidden.rollup_deltas enable row level security;
create policy delete_own on app_hidden.rollup_deltas for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_hidden.rollup_deltas for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_all_admin on app_hidden.rollup_deltas for select to app_admin
  using (true);
create policy select_own on app_hidden.rollup_deltas for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_hidden.rollup_deltas for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

------------------------------------------------------------------------------
-- Schema app_private
------------------------------------------------------------------------------

-- Tables --------------------------------------------------------------------

create table app_private.api_key_secrets (
  api_key_id uuid not null,
  key_hash bytea not null,
  constraint api_key_secrets_pkey PRIMARY KEY (api_key_id),
  constraint api_key_secrets_api_key_id_fkey FOREIGN KEY (api_key_id) REFERENCES app_public.api_keys(id) ON DELETE CASCADE
);
comment on table app_private.api_key_secrets is 'SHA-256 of each full API key.';

create table app_private.customer_reference_counters (
  user_id uuid not null,
  year integer not null,
  last_used integer not null,
  constraint customer_reference_counters_pkey PRIMARY KEY (user_id, year),
  constraint customer_reference_counters_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE
);
comment on table app_private.customer_reference_counters is 'Per-tenant, per-year counter behind CUST-YYYY-NNNN references (per tenant, so a reference reveals nothing about other tenants).';

create table app_private.erased_businesses (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  email_hash text not null,
  requested_by uuid,
  client_ip text,
  user_agent text,
  counts jsonb default '{}'::jsonb not null,
  erased_at timestamp with time zone default now() not null,
  constraint erased_businesses_pkey PRIMARY KEY (id)
);
comment on table app_private.erased_businesses is 'Platform record of every business erased by its owner: who, when, from where, rows removed per table. No foreign key: it outlives the tenant. The email only as an HMAC.';
CREATE INDEX erased_businesses_user_idx ON app_private.erased_businesses USING btree (user_id);

create table app_private.login_attempts (
  id bigint generated always as identity,
  email public.citext not null,
  user_id uuid,
  outcome text not null,
  ip_address text,
  attempted_at timestamp with time zone default now() not null,
  constraint login_attempts_pkey PRIMARY KEY (id),
  constraint login_attempts_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint login_attempts_outcome_check CHECK (outcome = ANY (ARRAY['ok'::text, 'invalid_credentials'::text, 'locked'::text, 'inactive'::text]))
);
comment on table app_private.login_attempts is 'Every sign-in attempt (also for unknown emails), for audit and lock-out review; old rows are cleaned up by a job.';
CREATE INDEX login_attempts_attempted_idx ON app_private.login_attempts USING btree (attempted_at);
CREATE INDEX login_attempts_user_idx ON app_private.login_attempts USING btree (user_id, attempted_at) WHERE (user_id IS NOT NULL);

create table app_private.login_throttles (
  email public.citext not null,
  source text not null,
  failures integer default 0 not null,
  first_failed_at timestamp with time zone,
  lockouts integer default 0 not null,
  locked_until timestamp with time zone,
  updated_at timestamp with time zone default now() not null,
  constraint login_throttles_pkey PRIMARY KEY (email, source),
  constraint login_throttles_failures_check CHECK (failures >= 0),
  constraint login_throttles_lockouts_check CHECK (lockouts >= 0)
);
comment on table app_private.login_throttles is 'Failed sign-ins per (email, source), known and unknown emails alike: the lock-out state. Rows idle longer than the longest lock are forgotten by app_hidden.login.';
comment on column app_private.login_throttles.source is 'The client address (IPv4, or the /64 of an IPv6 address): app_hidden.login_source.';
comment on column app_private.login_throttles.failures is 'Failures since first_failed_at (within auth.lockout_window_minutes), since the last lock.';
comment on column app_private.login_throttles.lockouts is 'Locks so far: the next one lasts auth.lockout_minutes x 2^lockouts (at most auth.lockout_max_minutes).';
CREATE INDEX login_throttles_updated_idx ON app_private.login_throttles USING btree (updated_at);

create table app_private.member_links (
  token_hash bytea not null,
  kind text not null,
  user_id uuid not null,
  invitation_id uuid,
  member_id uuid,
  expires_at timestamp with time zone not null,
  used_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  constraint member_links_pkey PRIMARY KEY (token_hash),
  constraint member_links_invitation_id_fkey FOREIGN KEY (invitation_id) REFERENCES app_public.invitations(id) ON DELETE CASCADE,
  constraint member_links_member_id_fkey FOREIGN KEY (member_id) REFERENCES app_public.members(id) ON DELETE CASCADE,
  constraint member_links_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint member_links_kind CHECK (kind = 'invitation'::text AND invitation_id IS NOT NULL AND member_id IS NULL OR kind = 'password_reset'::text AND member_id IS NOT NULL AND invitation_id IS NULL)
);
comment on table app_private.member_links is 'One-time links (invitation, password reset): the SHA-256 of the token, its expiry and when it was used.';
CREATE INDEX member_links_invitation_id_idx ON app_private.member_links USING btree (invitation_id) WHERE (invitation_id IS NOT NULL);
CREATE INDEX member_links_member_id_idx ON app_private.member_links USING btree (member_id) WHERE (member_id IS NOT NULL);
CREATE INDEX member_links_user_id_idx ON app_private.member_links USING btree (user_id);

create table app_private.member_secrets (
  member_id uuid not null,
  password_hash text,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint member_secrets_pkey PRIMARY KEY (member_id),
  constraint member_secrets_member_id_fkey FOREIGN KEY (member_id) REFERENCES app_public.members(id) ON DELETE CASCADE
);
comment on table app_private.member_secrets is 'Password hashes (bcrypt via pgcrypto) of the logins (members).';

create table app_private.mv_refresh_log (
  id bigint generated always as identity,
  view_name text not null,
  started_at timestamp with time zone not null,
  duration_ms numeric(12,3) not null,
  constraint mv_refresh_log_pkey PRIMARY KEY (id)
);
comment on table app_private.mv_refresh_log is 'One row per materialized view refresh, with its duration.';
CREATE INDEX mv_refresh_log_view_idx ON app_private.mv_refresh_log USING btree (view_name, started_at);

create table app_private.privacy_export_chunks (
  request_id uuid not null,
  seq integer not null,
  data bytea not null,
  constraint privacy_export_chunks_pkey PRIMARY KEY (request_id, seq),
  constraint privacy_export_chunks_request_id_fkey FOREIGN KEY (request_id) REFERENCES app_public.privacy_requests(id) ON DELETE CASCADE,
  constraint privacy_export_chunks_seq_check CHECK (seq >= 0)
);
comment on table app_private.privacy_export_chunks is 'Export archives (tar.gz) in chunks of about 1 MiB, deleted when the export expires.';

create table app_private.provider_credentials (
  user_id uuid not null,
  bolna_token_hash bytea,
  bolna_token_prefix text,
  bolna_signing_secret_enc bytea,
  bolna_require_signature boolean default false not null,
  twilio_account_sid text,
  twilio_auth_token_enc bytea,
  updated_at timestamp with time zone default now() not null,
  constraint provider_credentials_pkey PRIMARY KEY (user_id),
  constraint provider_credentials_bolna_token_hash_key UNIQUE (bolna_token_hash),
  constraint provider_credentials_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint provider_credentials_twilio_account_sid_check CHECK (twilio_account_sid ~ '^AC[0-9a-fA-F]{32}$'::text)
);
comment on table app_private.provider_credentials is 'Per-tenant webhook credentials: the Bolna URL token (SHA-256), and server-encrypted secrets (Bolna signing secret, Twilio auth token).';
CREATE INDEX provider_credentials_twilio_account_sid_idx ON app_private.provider_credentials USING btree (twilio_account_sid) WHERE (twilio_account_sid IS NOT NULL);

create table app_private.rescoring_run_calls (
  run_id uuid not null,
  call_id uuid not null,
  constraint rescoring_run_calls_pkey PRIMARY KEY (run_id, call_id),
  constraint rescoring_run_calls_call_id_fkey FOREIGN KEY (call_id) REFERENCES app_public.calls(id) ON DELETE CASCADE,
  constraint rescoring_run_calls_run_id_fkey FOREIGN KEY (run_id) REFERENCES app_public.rescoring_runs(id) ON DELETE CASCADE
);
comment on table app_private.rescoring_run_calls is 'The calls of a re-scoring run (fixed at its start); a call is done when the run has a version of it.';
CREATE INDEX rescoring_run_calls_call_id_idx ON app_private.rescoring_run_calls USING btree (call_id);

create table app_private.retention_log (
  id bigint generated always as identity,
  user_id uuid not null,
  data_type text not null,
  cutoff timestamp with time zone not null,
  rows_purged integer not null,
  ran_at timestamp with time zone default now() not null,
  constraint retention_log_pkey PRIMARY KEY (id)
);
comment on table app_private.retention_log is 'What each retention clean-up batch deleted.';

create table app_private.retention_policies (
  data_type text not null,
  retain_days integer not null,
  description text,
  min_days integer,
  max_days integer,
  tenant_editable boolean default false not null,
  constraint retention_policies_pkey PRIMARY KEY (data_type),
  constraint retention_policies_data_type_check CHECK (data_type = ANY (ARRAY['calls'::text, 'transcripts'::text, 'recordings'::text, 'privacy_exports'::text, 'webhook_events'::text, 'login_attempts'::text, 'trigger_errors'::text, 'audit_log'::text, 'maintenance_logs'::text])),
  constraint retention_policies_limits CHECK ((min_days IS NULL OR retain_days >= min_days) AND (max_days IS NULL OR retain_days <= max_days AND max_days >= COALESCE(min_days, 1))),
  constraint retention_policies_min_days_check CHECK (min_days >= 1),
  constraint retention_policies_retain_days_check CHECK (retain_days >= 1)
);
comment on table app_private.retention_policies is 'Platform default retention per data type (days).';
comment on column app_private.retention_policies.min_days is 'Shortest retention a business may choose (null: no limit).';
comment on column app_private.retention_policies.max_days is 'Longest retention a business may choose (null: no limit).';
comment on column app_private.retention_policies.tenant_editable is 'Whether businesses may override this data type''s retention.';

create table app_private.rollup_compaction_log (
  id bigint generated always as identity,
  compacted_at timestamp with time zone default now() not null,
  delta_rows integer not null,
  duration_ms numeric(12,3) not null,
  constraint rollup_compaction_log_pkey PRIMARY KEY (id)
);
comment on table app_private.rollup_compaction_log is 'One row per compaction run that moved deltas (data freshness).';
CREATE INDEX rollup_compaction_log_compacted_at_idx ON app_private.rollup_compaction_log USING btree (compacted_at);

create table app_private.rollup_measures (
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null
);
comment on table app_private.rollup_measures is 'Template (never holds rows): the additive measures every rollup stores. Rates and averages are computed at read time.';
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

create table app_private.rollup_verification_log (
  id bigint generated always as identity,
  ran_at timestamp with time zone default now() not null,
  tenants integer not null,
  differences integer not null,
  repaired boolean default false not null,
  details jsonb default '[]'::jsonb not null,
  duration_ms numeric(12,3) not null,
  constraint rollup_verification_log_pkey PRIMARY KEY (id)
);
comment on table app_private.rollup_verification_log is 'Outcome of each nightly rollup verification.';

create table app_private.system_config (
  key text not null,
  value jsonb not null,
  description text,
  updated_by uuid,
  updated_at timestamp with time zone default now() not null,
  constraint system_config_pkey PRIMARY KEY (key),
  constraint system_config_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES app_public.users(id) ON DELETE SET NULL
);
comment on table app_private.system_config is 'Platform settings (JSON values).';
CREATE INDEX system_config_updated_by_idx ON app_private.system_config USING btree (updated_by) WHERE (updated_by IS NOT NULL);

create table app_private.tenant_retention (
  user_id uuid not null,
  data_type text not null,
  retain_days integer not null,
  constraint tenant_retention_pkey PRIMARY KEY (user_id, data_type),
  constraint tenant_retention_data_type_fkey FOREIGN KEY (data_type) REFERENCES app_private.retention_policies(data_type),
  constraint tenant_retention_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint tenant_retention_retain_days_check CHECK (retain_days >= 1)
);
comment on table app_private.tenant_retention is 'Per-tenant overrides of the retention policy.';
CREATE INDEX tenant_retention_data_type_idx ON app_private.tenant_retention USING btree (data_type);

create table app_private.trigger_error_log (
  id bigint generated always as identity,
  table_name text not null,
  trigger_name text not null,
  operation text not null,
  row_id text,
  error_code text,
  error_message text not null,
  error_context text,
  occurred_at timestamp with time zone default now() not null,
  constraint trigger_error_log_pkey PRIMARY KEY (id)
);
comment on table app_private.trigger_error_log is 'Failures of non-essential triggers, which are logged here instead of failing the write.';
CREATE INDEX trigger_error_log_occurred_idx ON app_private.trigger_error_log USING btree (occurred_at);

create table app_private.webhook_events (
  id bigint generated always as identity,
  provider text not null,
  event_key text not null,
  user_id uuid,
  payload jsonb not null,
  headers jsonb default '{}'::jsonb not null,
  received_at timestamp with time zone default now() not null,
  attempts integer default 0 not null,
  status text default 'pending'::text not null,
  processed_at timestamp with time zone,
  error text,
  call_id uuid,
  error_code text,
  constraint webhook_events_pkey PRIMARY KEY (id),
  constraint webhook_events_user_id_provider_event_key_key UNIQUE NULLS NOT DISTINCT (user_id, provider, event_key),
  constraint webhook_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint webhook_events_status_check CHECK (status = ANY (ARRAY['pending'::text, 'processed'::text, 'failed'::text, 'ignored'::text]))
);
comment on table app_private.webhook_events is 'Raw provider deliveries, stored before they are applied; de-duplicated per tenant by (provider, event_key).';
comment on column app_private.webhook_events.status is 'pending: stored, not yet applied; processed: applied (or a no-op repeat of an applied state); failed: kept with its error for replay; ignored: a duplicate delivery.';
CREATE INDEX webhook_events_pending_idx ON app_private.webhook_events USING btree (received_at) WHERE (status = ANY (ARRAY['pending'::text, 'failed'::text]));
CREATE INDEX webhook_events_provider_call_idx ON app_private.webhook_events USING btree (user_id, provider, split_part(event_key, ':'::text, 1));
CREATE INDEX webhook_events_user_failed_idx ON app_private.webhook_events USING btree (user_id, provider, received_at) WHERE (status = 'failed'::text);
CREATE INDEX webhook_events_user_provider_idx ON app_private.webhook_events USING btree (user_id, provider, received_at);

-- Functions and procedures --------------------------------------------------

CREATE OR REPLACE PROCEDURE app_private.generate_rollup_code()
 LANGUAGE plpgsql
AS $procedure$
declare
  cols  text[];
  plain text;          -- calls, successful_calls, ...
  sums  text;          -- sum(calls)::bigint as calls, ...
  upd   text;          -- calls = t.calls + excluded.calls, ...
  e_row text;          -- coalesce(e.calls, 0), ...
  a_row text;
  diff_e_a text;       -- e.calls - a.calls, ...
  csums text;          -- coalesce(sum(calls), 0)::bigint, ...
  msums text;          -- coalesce(sum(m.calls), 0)::bigint, ...
  zero  text;          -- 0, 0, ...
  d_row text;          -- d.calls, d.successful_calls, ...
  copy  regclass;
  m     record;
begin
  -- Every rollup-shaped copy has every measure (a new one is appended, with
  -- the template's type, nullability and default).
  foreach copy in array array['app_hidden.rollup_deltas', 'app_hidden.purged_rollups',
                              'app_public.agent_analytics', 'app_public.user_analytics',
                              'app_public.user_hourly_analytics', 'app_public.agent_hourly_analytics',
                              'app_hidden.measures']::regclass[] loop
    for m in
      select a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull,
             pg_get_expr(d.adbin, d.adrelid) as def
        from pg_attribute a
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = 'app_private.rollup_measures'::regclass and a.attnum > 0 and not a.attisdropped
         and not exists (select 1 from pg_attribute x
                          where x.attrelid = copy and x.attname = a.attname and not x.attisdropped)
       order by a.attnum
    loop
      execute format('alter table %s add column %I %s%s%s', copy, m.attname, m.type,
                     case when m.def is not null then ' default ' || m.def else '' end,
                     case when m.attnotnull then ' not null' else '' end);
    end loop;
  end loop;

  select array_agg(attname::text order by attnum) into cols
    from pg_attribute
   where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped;

  select string_agg(format('%I', c), ', '),
         string_agg(format('sum(%1$I)::bigint as %1$I', c), ', '),
         string_agg(format('%1$I = t.%1$I + excluded.%1$I', c), ', '),
         string_agg(format('coalesce(e.%I, 0)', c), ', '),
         string_agg(format('coalesce(a.%I, 0)', c), ', '),
         string_agg(format('e.%1$I - a.%1$I', c), ', ')
    into plain, sums, upd, e_row, a_row, diff_e_a
    from unnest(cols) as c;

  execute format($f$
    create or replace function app_hidden.rollup_measures_diff(e app_private.rollup_measures, a app_private.rollup_measures)
      returns app_private.rollup_measures
      language sql immutable parallel safe
    as $body$ select %s $body$
  $f$, diff_e_a);
  comment on function app_hidden.rollup_measures_diff(app_private.rollup_measures, app_private.rollup_measures) is
    'Measures of e minus those of a (generated).';

  execute format($f$
    create or replace function app_hidden.compact_rollups(max_rows integer default 500000)
      returns integer
      language plpgsql
    as $body$
    declare
      moved_rows integer;
      started    timestamptz := clock_timestamp();
    begin
      -- One compactor at a time: rollup rows then have a single writer, so
      -- there is nothing to deadlock with and no hot-row queue.
      if not pg_try_advisory_xact_lock(hashtextextended('switchboard.compact_rollups', 0)) then
        return 0;
      end if;
      with moved as (
        delete from app_hidden.rollup_deltas d
         where d.ctid = any (array(select x.ctid from app_hidden.rollup_deltas x limit max_rows))
        returning d.*
      ), agent_day as (
        insert into app_public.agent_analytics as t (user_id, agent_id, day, %1$s)
        select m.user_id, m.agent_id, m.day, %2$s from moved m
         where (m.target is null or m.target = 'agent_day')
           -- deltas of a deleted agent or tenant are dropped with it
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.day, m.agent_id
         order by user_id, day, agent_id
        on conflict (user_id, day, agent_id) do update set %3$s, updated_at = now()
      ), user_day as (
        insert into app_public.user_analytics as t (user_id, day, %1$s)
        select m.user_id, m.day, %2$s from moved m
         where (m.target is null or m.target = 'user_day')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day
         order by user_id, day
        on conflict (user_id, day) do update set %3$s, updated_at = now()
      ), user_hour as (
        insert into app_public.user_hourly_analytics as t (user_id, day, hour, %1$s)
        select m.user_id, m.day, m.hour, %2$s from moved m
         where (m.target is null or m.target = 'user_hour')
           and exists (select 1 from app_public.users u where u.id = m.user_id)
         group by m.user_id, m.day, m.hour
         order by user_id, day, hour
        on conflict (user_id, day, hour) do update set %3$s, updated_at = now()
      ), agent_hour as (
        insert into app_public.agent_hourly_analytics as t (user_id, agent_id, day, hour, %1$s)
        select m.user_id, m.agent_id, m.day, m.hour, %2$s from moved m
         where (m.target is null or m.target = 'agent_hour')
           and exists (select 1 from app_public.agents g where g.id = m.agent_id and g.user_id = m.user_id)
         group by m.user_id, m.agent_id, m.day, m.hour
         order by user_id, agent_id, day, hour
        on conflict (user_id, agent_id, day, hour) do update set %3$s, updated_at = now()
      )
      select count(*) into moved_rows from moved;
      if moved_rows > 0 then
        insert into app_private.rollup_compaction_log (delta_rows, duration_ms)
        values (moved_rows, extract(epoch from clock_timestamp() - started) * 1000);
        perform app_hidden.request_kpi_refresh();
      end if;
      return moved_rows;
    end
    $body$
  $f$, plain, sums, upd);
  comment on function app_hidden.compact_rollups(integer) is
    'Moves up to max_rows pending deltas into the four rollup tables in one statement (generated). Returns the rows moved.';

  execute format($f$
    create or replace view app_public.agent_daily_stats with (security_invoker = true) as
    select user_id, agent_id, day, %2$s
      from (select user_id, agent_id, day, %1$s from app_public.agent_analytics
            union all
            select user_id, agent_id, day, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'agent_day') s
     group by user_id, agent_id, day
  $f$, plain, sums);
  comment on view app_public.agent_daily_stats is
    'Exact per agent and tenant-local day figures: the agent_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.tenant_daily_stats with (security_invoker = true) as
    select user_id, day, %2$s
      from (select user_id, day, %1$s from app_public.user_analytics
            union all
            select user_id, day, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'user_day') s
     group by user_id, day
  $f$, plain, sums);
  comment on view app_public.tenant_daily_stats is
    'Exact per tenant-local day figures: the user_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.tenant_hourly_stats with (security_invoker = true) as
    select user_id, day, hour, %2$s
      from (select user_id, day, hour, %1$s from app_public.user_hourly_analytics
            union all
            select user_id, day, hour, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'user_hour') s
     group by user_id, day, hour
  $f$, plain, sums);
  comment on view app_public.tenant_hourly_stats is
    'Exact per tenant-local day and hour figures: the user_hourly_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace view app_public.agent_hourly_stats with (security_invoker = true) as
    select user_id, agent_id, day, hour, %2$s
      from (select user_id, agent_id, day, hour, %1$s from app_public.agent_hourly_analytics
            union all
            select user_id, agent_id, day, hour, %1$s from app_hidden.rollup_deltas
             where target is null or target = 'agent_hour') s
     group by user_id, agent_id, day, hour
  $f$, plain, sums);
  comment on view app_public.agent_hourly_stats is
    'Exact per agent, tenant-local day and hour figures: the agent_hourly_analytics rollup plus not-yet-compacted deltas.';

  execute format($f$
    create or replace function app_hidden.rollup_comparison(p_user_id uuid, p_from date, p_to date)
      returns table (rollup text, agent_id uuid, day date, hour smallint,
                     expected app_private.rollup_measures, actual app_private.rollup_measures)
      language sql stable
    as $body$
      with tenant as (
        select u.timezone as tz,
               coalesce(p_from, '-infinity'::date) as d_from,
               coalesce(p_to, 'infinity'::date) as d_to
          from app_public.users u where u.id = p_user_id
      ), base as (
        select d.*
          from tenant t
          join app_public.calls c
            on c.user_id = p_user_id
           and c.started_at >= (t.d_from::timestamp at time zone t.tz)
           and c.started_at < ((t.d_to + 1)::timestamp at time zone t.tz)
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, t.tz, 1) d
        union all
        select p.user_id, p.agent_id, p.day, p.hour, p.target, %1$s
          from app_hidden.purged_rollups p, tenant t
         where p.user_id = p_user_id and p.day between t.d_from and t.d_to
      ), expected as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, %2$s
          from base where target is null or target = 'agent_day' group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, %2$s
          from base where target is null or target = 'user_day' group by day
        union all
        select 'user_hour', null::uuid, day, hour, %2$s
          from base where target is null or target = 'user_hour' group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, %2$s
          from base where target is null or target = 'agent_hour' group by agent_id, day, hour
      ), actual as (
        select 'agent_day'::text as rollup, agent_id, day, null::smallint as hour, %2$s
          from (select r.agent_id, r.day, %1$s from app_public.agent_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_day')) x
         group by agent_id, day
        union all
        select 'user_day', null::uuid, day, null::smallint, %2$s
          from (select r.day, %1$s from app_public.user_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_day')) x
         group by day
        union all
        select 'user_hour', null::uuid, day, hour, %2$s
          from (select r.day, r.hour, %1$s from app_public.user_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.day, r.hour, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'user_hour')) x
         group by day, hour
        union all
        select 'agent_hour', agent_id, day, hour, %2$s
          from (select r.agent_id, r.day, r.hour, %1$s from app_public.agent_hourly_analytics r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                union all
                select r.agent_id, r.day, r.hour, %1$s from app_hidden.rollup_deltas r, tenant t
                 where r.user_id = p_user_id and r.day between t.d_from and t.d_to
                   and (r.target is null or r.target = 'agent_hour')) x
         group by agent_id, day, hour
      ), keyed_e as (
        select e.*, coalesce(e.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(e.hour, -1) as hour_key from expected e
      ), keyed_a as (
        select a.*, coalesce(a.agent_id, '00000000-0000-0000-0000-000000000000') as agent_key,
               coalesce(a.hour, -1) as hour_key from actual a
      )
      select coalesce(e.rollup, a.rollup), coalesce(e.agent_id, a.agent_id),
             coalesce(e.day, a.day), coalesce(e.hour, a.hour),
             row(%3$s)::app_private.rollup_measures,
             row(%4$s)::app_private.rollup_measures
        from keyed_e e
        full join keyed_a a
          on a.rollup = e.rollup and a.agent_key = e.agent_key and a.day = e.day and a.hour_key = e.hour_key
    $body$
  $f$, plain, sums, e_row, a_row);
  comment on function app_hidden.rollup_comparison(uuid, date, date) is
    'For one tenant and tenant-local day range (null = unbounded): every rollup key with the figures recomputed from raw calls (plus purged history) and the stored ones (rollup plus pending deltas), in one snapshot (generated).';

  select string_agg(format('coalesce(sum(%1$I), 0)::bigint', c), ', '),
         string_agg(format('coalesce(sum(m.%1$I), 0)::bigint', c), ', '),
         string_agg('0', ', '),
         string_agg(format('d.%I', c), ', ')
    into csums, msums, zero, d_row
    from unnest(cols) as c;

  -- The KPI API's readers (were migration 000004's and 000005's DO blocks).
  execute format($f$
    create or replace function app_hidden.measures_by_bucket(
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
  $f$, plain, csums);
  comment on function app_hidden.measures_by_bucket(uuid, date, date, uuid, text) is
    'Summed rollup measures (rollup + pending deltas) per bucket (day | week | month | range) for a tenant, or one of its agents, over tenant-local days (generated from app_private.rollup_measures).';

  execute format($f$
    create or replace function app_hidden.zero_measures() returns app_hidden.measures
      language sql immutable parallel safe
    as $body$ select row(%s)::app_hidden.measures $body$
  $f$, zero);
  comment on function app_hidden.zero_measures() is 'All measures zero (generated).';

  execute format($f$
    create or replace function app_hidden.agent_day_measures(p_user_id uuid, p_from date, p_to date)
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
  $f$, plain, csums);
  comment on function app_hidden.agent_day_measures(uuid, date, date) is
    'Summed measures per agent and tenant-local day (rollup + pending deltas) for a tenant and day range (generated).';

  execute format($f$
    create or replace function app_hidden.sum_measures(ms app_hidden.measures[])
      returns app_hidden.measures
      language sql immutable parallel safe
    as $body$
      select row(%s)::app_hidden.measures from unnest(ms) m
    $body$
  $f$, msums);
  comment on function app_hidden.sum_measures(app_hidden.measures[]) is 'Column-wise sum of measure rows (generated).';

  execute format($f$
    create or replace function app_hidden.sum_deltas(ds app_hidden.rollup_deltas[])
      returns app_hidden.measures
      language sql immutable parallel safe
    as $body$
      select row(%s)::app_hidden.measures from unnest(ds) m
    $body$
  $f$, msums);
  comment on function app_hidden.sum_deltas(app_hidden.rollup_deltas[]) is
    'Column-wise sum of contributions (app_hidden.call_contribution rows) as measures: the call log''s totals of a filtered set (generated).';
  execute 'grant execute on function app_hidden.sum_deltas(app_hidden.rollup_deltas[]) to app_user';

  execute format($f$
    create or replace function app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date)
      returns table (agent_id uuid, measures app_hidden.measures)
      language sql stable
    as $body$
      select s.agent_id, row(%2$s)::app_hidden.measures
        from (
          select r.agent_id, %1$s from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, %1$s from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id
    $body$
  $f$, plain, csums);
  comment on function app_hidden.agent_measures(uuid, date, date) is
    'Summed measures per agent (rollup + pending deltas) for a tenant and tenant-local day range (generated).';

  -- Retention: the purged contributions by column name (purged_at follows the
  -- measures in purged_rollups, so a positional copy breaks on a new measure).
  execute format($f$
    create or replace function app_hidden.purge_calls(p_user_id uuid, p_before timestamptz, p_batch integer default 1000)
      returns integer
      language plpgsql
    as $body$
    declare
      ids uuid[];
      n   integer;
      tz  text;
    begin
      -- KEY SHARE on the tenant: a concurrent time zone change (FOR UPDATE) waits
      -- for this purge or this purge waits for it, never a mix of the two zones.
      select u.timezone into tz from app_public.users u where u.id = p_user_id for key share;
      if tz is null then
        return 0;
      end if;
      select array_agg(id) into ids
        from (select c.id from app_public.calls c
               where c.user_id = p_user_id and c.started_at < p_before
               order by c.started_at limit p_batch
               for update skip locked) x;
      if ids is null then
        return 0;
      end if;
      -- Record what leaves (one snapshot, same definition as the triggers) ...
      insert into app_hidden.purged_rollups (user_id, agent_id, day, hour, target, %1$s, purged_at)
        select d.user_id, d.agent_id, d.day, d.hour, d.target, %2$s, now()
          from app_public.calls c
          left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          cross join lateral app_hidden.call_contribution(c, a, tz, 1) d
         where c.id = any (ids);
      -- ... then delete without taking it out of the rollups.
      perform set_config('switchboard.purging', 'on', true);
      delete from app_public.calls c where c.id = any (ids);
      get diagnostics n = row_count;
      perform set_config('switchboard.purging', 'off', true);
      insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
        values (p_user_id, 'calls', p_before, n);
      return n;
    end
    $body$
  $f$, plain, d_row);
  comment on function app_hidden.purge_calls(uuid, timestamptz, integer) is
    'Retention: deletes up to p_batch of a tenant''s calls started before p_before (with transcripts and analyses) while keeping their history in the rollups (generated).';
end
$procedure$;
comment on procedure app_private.generate_rollup_code() is 'THE generator of every object whose body follows app_private.rollup_measures: adds missing measures to the rollup-shaped copies, then re-creates the compactor, the live views, verification, the KPI API''s measure readers and purge_calls. Run after changing the measures (sql/README.md, Adding a KPI).';

CREATE OR REPLACE FUNCTION app_private.log_trigger_error(p_table text, p_trigger text, p_operation text, p_row_id text, p_code text, p_message text, p_context text)
 RETURNS void
 LANGUAGE sql
 SECURITY DEFINER
AS $function$
  insert into app_private.trigger_error_log (table_name, trigger_name, operation, row_id, error_code, error_message, error_context)
  values (p_table, p_trigger, p_operation, p_row_id, p_code, p_message, p_context)
$function$;

CREATE OR REPLACE FUNCTION app_private.tg__audit()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  v_old     jsonb := case when tg_op <> 'INSERT' then pg_catalog.to_jsonb(old) end;
  v_new     jsonb := case when tg_op <> 'DELETE' then pg_catalog.to_jsonb(new) end;
  v_row     jsonb := coalesce(v_new, v_old);
  v_secret  text[] := array(select a from pg_catalog.unnest(tg_argv) a where a not like '-%');
  v_skip    text[] := array['id', 'user_id', 'created_at', 'updated_at']
                      || array(select pg_catalog.substr(a, 2) from pg_catalog.unnest(tg_argv) a where a like '-%');
  v_tenant  uuid := coalesce(v_row ->> 'user_id',
                             case when tg_table_schema = 'app_public' and tg_table_name = 'users' then v_row ->> 'id' end)::uuid;
  v_keys    text[];
  v_row_id  text := v_row ->> 'id';
begin
  if tg_op = 'UPDATE' then
    v_keys := array(select n.key from pg_catalog.jsonb_each(v_new) n
                     where n.key <> all (v_skip) and n.value is distinct from v_old -> n.key);
    if cardinality(v_keys) = 0 then
      return null;
    end if;
  else
    v_keys := array(select n.key from pg_catalog.jsonb_each(v_row) n where n.key <> all (v_skip));
  end if;
  if tg_op = 'DELETE' and not exists (select 1 from app_public.users u where u.id = v_tenant) then
    -- The tenant itself is being deleted: one entry for the tenant (no values:
    -- nothing personal outlives it), none for the rows its deletion cascades to.
    if tg_table_schema = 'app_public' and tg_table_name = 'users' then
      insert into app_hidden.audit_log (user_id, action, resource_type, resource_id)
      values (null, 'delete', tg_table_name, v_row_id);
    end if;
    return null;
  end if;
  if v_row_id is null then
    select pg_catalog.string_agg(v_row ->> a.attname, '/' order by k.ord) into v_row_id
      from pg_catalog.pg_index i
     cross join lateral pg_catalog.unnest(i.indkey::int2[]) with ordinality k(attnum, ord)
      join pg_catalog.pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
     where i.indrelid = tg_relid and i.indisprimary;
  end if;
  insert into app_hidden.audit_log (user_id, action, resource_type, resource_id, old_values, new_values)
  select v_tenant, pg_catalog.lower(tg_op), tg_table_name, v_row_id,
         case when v_old is not null then pg_catalog.jsonb_object_agg(k.key,
           case when k.key = any (v_secret) and v_old -> k.key <> 'null' then '"[redacted]"'::jsonb else v_old -> k.key end) end,
         case when v_new is not null then pg_catalog.jsonb_object_agg(k.key,
           case when k.key = any (v_secret) and v_new -> k.key <> 'null' then '"[redacted]"'::jsonb else v_new -> k.key end) end
    from pg_catalog.unnest(v_keys) k(key);
  return null;
end
$function$;
comment on function app_private.tg__audit() is 'AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW: appends the change to app_hidden.audit_log (tenant, actor, IP, user agent, table, row, changed columns old/new). Arguments: secret columns (recorded as "[redacted]"), and ''-column'' for columns to ignore. To audit a table: create trigger _900_audit after insert or update or delete on <table> for each row execute function app_private.tg__audit(<secret columns>);';

CREATE OR REPLACE FUNCTION app_private.tg__set_updated_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  new.updated_at := now();
  return new;
end
$function$;
comment on function app_private.tg__set_updated_at() is 'BEFORE UPDATE: stamps updated_at.';

CREATE OR REPLACE FUNCTION app_private.tg_agents__guard_history()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  -- When the whole tenant is being deleted its row is already gone: let the cascade run.
  if exists (select 1 from app_public.users u where u.id = old.user_id)
     and (exists (select 1 from app_public.agent_daily_stats s where s.agent_id = old.id and s.user_id = old.user_id and s.calls <> 0)
          or exists (select 1 from app_hidden.purged_rollups p where p.agent_id = old.id and p.user_id = old.user_id and p.calls <> 0)) then
    raise exception 'agent % has call history; deactivate it (is_active = false) instead of deleting it', old.id
      using errcode = 'SB002';
  end if;
  return old;
end
$function$;
comment on function app_private.tg_agents__guard_history() is 'BEFORE DELETE: an agent whose calls count in the KPIs cannot be deleted (SB002), so history never loses its agent.';

CREATE OR REPLACE FUNCTION app_private.tg_agents__record_version()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  v_id uuid;
  v_at timestamptz := case when tg_op = 'INSERT' then new.created_at else pg_catalog.now() end;
begin
  -- Serialised per agent by the row lock the insert or update holds: max(version) + 1 is free.
  insert into app_public.agent_versions (user_id, agent_id, version, name, agent_type, config, created_at)
  select new.user_id, new.id, coalesce(max(v.version), 0) + 1, new.name, new.agent_type, new.config, v_at
    from app_public.agent_versions v
   where v.agent_id = new.id
  returning id into v_id;
  return null;
end
$function$;
comment on function app_private.tg_agents__record_version() is 'AFTER INSERT, and AFTER UPDATE when config or agent_type changed: records the agent''s configuration as its next version (1 for a new agent, effective from its created_at). Calls are not touched: the version a call ran with is derived from its start (app_public.calls_agent_version_id).';

CREATE OR REPLACE FUNCTION app_private.tg_appointments__stamps()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.status_changed_at := pg_catalog.now();
  end if;
  if new.status = 'confirmed' and new.confirmed_at is null then
    new.confirmed_at := pg_catalog.now();
  end if;
  return new;
end
$function$;
comment on function app_private.tg_appointments__stamps() is 'Stamps status_changed_at on a status change and confirmed_at the first time an appointment is confirmed.';

CREATE OR REPLACE FUNCTION app_private.tg_audit_log__append_only()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if new.user_id is null and old.user_id is not null
     and (pg_catalog.to_jsonb(new) - 'user_id') = (pg_catalog.to_jsonb(old) - 'user_id') then
    return new;
  end if;
  raise exception 'audit log entries cannot be changed' using errcode = 'SB130';
end
$function$;
comment on function app_private.tg_audit_log__append_only() is 'BEFORE UPDATE on app_hidden.audit_log: refuses every change (SB130) except the tenant foreign key''s set-null.';

CREATE OR REPLACE FUNCTION app_private.tg_calls__analysis_started_at()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
begin
  -- (the BEFORE trigger of lead_analytics reads the call's new start)
  update app_public.lead_analytics a set call_started_at = new.started_at
   where a.call_id = new.id and a.analysis_type = 'individual' and a.call_started_at is distinct from new.started_at;
  return null;
end
$function$;
comment on function app_private.tg_calls__analysis_started_at() is 'AFTER UPDATE of a call''s start: its individual analysis follows (lead_analytics.call_started_at). A pre-dial start replaced by the dialled one; analysed calls practically never move.';

CREATE OR REPLACE FUNCTION app_private.tg_calls__drop_untouched_appointment()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  -- BEFORE the row goes (the foreign key's SET NULL runs after it): an appointment its analysis
  -- booked and nobody acted on goes with the call; others stay, without their call.
  delete from app_public.appointments p
   where p.call_id = old.id and p.source = 'analysis' and p.status_source = 'analysis';
  return old;
end
$function$;
comment on function app_private.tg_calls__drop_untouched_appointment() is 'Deleting a call deletes the appointment its analysis booked if nobody has acted on it; an acted-on one stays with call_id null.';

CREATE OR REPLACE FUNCTION app_private.tg_calls__guard_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if new.user_id <> old.user_id or new.id <> old.id then
    raise exception 'a call cannot move to another tenant or change its id' using errcode = 'SB001';
  end if;
  return new;
end
$function$;
comment on function app_private.tg_calls__guard_immutable() is 'BEFORE UPDATE: a call''s id and tenant never change (SB001).';

CREATE OR REPLACE FUNCTION app_private.tg_calls__inserted_effects()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  insert into app_hidden.rollup_deltas
    select d.*
      from new_calls n
      join app_public.users u on u.id = n.user_id
     cross join lateral app_hidden.call_contribution(n, null, u.timezone, 1) d;
  insert into app_hidden.credit_charges (user_id, call_id, amount, description)
    select n.user_id, n.id, -n.credits_used, 'Call usage'
      from new_calls n
     where n.credits_used <> 0;
  insert into app_hidden.contact_count_deltas (contact_id, user_id, delta)
    select n.contact_id, n.user_id, 1
      from new_calls n
     where n.contact_id is not null and n.outcome in ('unanswered', 'failed');
  return null;
end
$function$;
comment on function app_private.tg_calls__inserted_effects() is 'AFTER INSERT, once per statement: what the inserted calls cause, set-based (their rollup contribution, credit charges, not-connected counts).';

CREATE OR REPLACE FUNCTION app_private.tg_calls__link_contact()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  err_context      text;
  contacts_created integer;
begin
  if new.contact_id is not null or new.phone_number is null then
    return new;
  end if;
  select c.id into new.contact_id
    from app_public.contacts c
   where c.user_id = new.user_id and c.phone_number = new.phone_number;
  if new.contact_id is not null then
    return new;
  end if;
  -- At most 256 contacts per transaction here (each holds an advisory lock until
  -- commit); a bulk load's further new numbers are created set-based by the job.
  contacts_created := coalesce(nullif(current_setting('switchboard.contacts_created', true), ''), '0')::integer;
  if contacts_created >= 256
     or not pg_try_advisory_xact_lock(app_hidden.contact_lock_key(new.user_id, new.phone_number)) then
    new.contact_link_pending := true;  -- link later (another transaction may be creating it)
    return new;
  end if;
  perform set_config('switchboard.contacts_created', (contacts_created + 1)::text, true);
  begin
    insert into app_public.contacts (user_id, phone_number, name, email, is_auto_created,
                                     auto_creation_source, auto_created_from_call_id)
    values (new.user_id, new.phone_number, left(new.caller_name, 200), new.caller_email, true, 'call', new.id)
    on conflict (user_id, phone_number) do nothing
    returning id into new.contact_id;
    if new.contact_id is null then  -- created and committed since our look-up
      select c.id into new.contact_id
        from app_public.contacts c
       where c.user_id = new.user_id and c.phone_number = new.phone_number;
    end if;
  exception when others then
    get stacked diagnostics err_context = pg_exception_context;
    perform app_private.log_trigger_error(tg_table_name, tg_name, tg_op, new.id::text, sqlstate, sqlerrm, err_context);
    new.contact_id := null;
  end;
  return new;
end
$function$;
comment on function app_private.tg_calls__link_contact() is 'BEFORE INSERT: links the call to the tenant''s contact for its phone number, creating the contact if no other transaction is doing so (otherwise app_hidden.sync_contacts links it shortly).';

CREATE OR REPLACE FUNCTION app_private.tg_calls__write_effects()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
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
$function$;
comment on function app_private.tg_calls__write_effects() is 'A call''s update or delete: the signed change of its rollup contribution, a credit charge when credits_used changes, and not-connected count changes (inserts: tg_calls__inserted_effects, once per statement).';

CREATE OR REPLACE FUNCTION app_private.tg_customers__set_reference()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  y integer;
  n integer;
begin
  select extract(year from coalesce(new.conversion_date, now()) at time zone u.timezone)::integer into y
    from app_public.users u where u.id = new.user_id;
  insert into app_private.customer_reference_counters as c (user_id, year, last_used) values (new.user_id, y, 1)
    on conflict (user_id, year) do update set last_used = c.last_used + 1
    returning last_used into n;
  new.reference := format('CUST-%s-%s', y, lpad(n::text, 4, '0'));
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION app_private.tg_follow_ups__stamp_completion()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  -- Who and when are decided here, never by the client.
  -- Tenants cannot write these columns (no grant); an import run by the owner may backdate them.
  if new.status = 'completed' and (tg_op = 'INSERT' or old.status <> 'completed') then
    new.completed_at := coalesce(new.completed_at, now());
    new.completed_by := coalesce(new.completed_by, app_public.current_user_id());
  elsif new.status <> 'completed' then
    new.completed_at := null;
    new.completed_by := null;
  else
    new.completed_at := old.completed_at;
    new.completed_by := old.completed_by;
  end if;
  return new;
end
$function$;
comment on function app_private.tg_follow_ups__stamp_completion() is 'Stamps completed_at / completed_by when a follow-up is completed and clears them when it is reopened or cancelled.';

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__appointment()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  if coalesce(new.analysis_type, old.analysis_type) <> 'individual' then
    return null;
  end if;
  if tg_op = 'DELETE' then
    -- The analysis is gone: an appointment nobody has acted on goes with it.
    delete from app_public.appointments p
     where p.call_id = old.call_id and p.source = 'analysis' and p.status_source = 'analysis';
    return null;
  end if;
  if new.demo_book_datetime is not null then
    -- Idempotent: one appointment per call (appointments_analysis_call_key); a re-analysis with another
    -- time moves it, the same time changes nothing, and one a person or a calendar changed is left alone.
    insert into app_public.appointments as p
      (user_id, agent_id, call_id, contact_id, phone_number, contact_name, scheduled_at, status, source, status_source)
    select c.user_id, c.agent_id, c.id, c.contact_id, c.phone_number,
           left(coalesce(new.extracted_name, c.caller_name), 200),
           new.demo_book_datetime, 'scheduled', 'analysis', 'analysis'
      from app_public.calls c
     where c.id = new.call_id
    on conflict (call_id) where source = 'analysis' do update
       set scheduled_at = excluded.scheduled_at, status = 'scheduled'
     where p.status_source = 'analysis'
       and (p.scheduled_at, p.status) is distinct from (excluded.scheduled_at, 'scheduled');
  elsif tg_op = 'UPDATE' and old.demo_book_datetime is not null then
    -- A re-analysis found no booking any more: the untouched appointment is cancelled (kept, visible).
    update app_public.appointments p
       set status = 'cancelled'
     where p.call_id = new.call_id and p.source = 'analysis' and p.status_source = 'analysis'
       and p.status <> 'cancelled';
  end if;
  return null;
end
$function$;
comment on function app_private.tg_lead_analytics__appointment() is 'Keeps the appointment an individual analysis booked (demo_book_datetime): creates it, moves it on a re-analysis with another time, cancels it when a re-analysis clears the time, deletes it with the analysis; only while no person or calendar tool has changed it (status_source = analysis).';

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__call_started_at()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  new.call_started_at := case when new.analysis_type = 'individual'
                              then (select c.started_at from app_public.calls c where c.id = new.call_id) end;
  return new;
end
$function$;
comment on function app_private.tg_lead_analytics__call_started_at() is 'BEFORE INSERT/UPDATE: an individual analysis carries its call''s start (call_started_at).';

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__drop_criterion_results()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  delete from app_public.call_criterion_results r where r.call_id = old.call_id;
  return null;
end
$function$;
comment on function app_private.tg_lead_analytics__drop_criterion_results() is 'AFTER DELETE of a call''s individual analysis: its success-criteria answers go with it.';

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__guard_immutable()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if (new.id, new.call_id, new.analysis_type, new.user_id) is distinct from (old.id, old.call_id, old.analysis_type, old.user_id) then
    raise exception 'an analysis cannot change its id, call, type or tenant; insert a new one instead' using errcode = 'SB001';
  end if;
  return new;
end
$function$;
comment on function app_private.tg_lead_analytics__guard_immutable() is 'BEFORE UPDATE: an analysis keeps its id, call, type and tenant (SB001).';

CREATE OR REPLACE FUNCTION app_private.tg_lead_analytics__history()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  v_doc jsonb;
begin
  if tg_op = 'DELETE' then
    -- An erased analysis takes its history with it (a call's also goes with the call); a pending
    -- re-scoring run's version of the call stays with its run (applied only if the call has an analysis again).
    delete from app_public.analysis_versions h
     where h.user_id = old.user_id and h.analysis_type = old.analysis_type
       and (case when old.analysis_type = 'individual' then h.call_id = old.call_id else h.phone_number = old.phone_number end)
       and (h.run_id is null or h.is_latest);
    return null;
  end if;
  -- A completing re-scoring run writes its own versions' values and flips is_latest itself.
  if pg_catalog.current_setting('switchboard.rescoring_apply', true) is not distinct from new.user_id::text then
    return null;
  end if;
  v_doc := app_hidden.analysis_document(new);
  if tg_op = 'UPDATE' and v_doc = app_hidden.analysis_document(old) then
    return null;  -- only the read flag (or nothing) changed
  end if;
  update app_public.analysis_versions h set is_latest = false
   where h.is_latest and h.user_id = new.user_id and h.analysis_type = new.analysis_type
     and (case when new.analysis_type = 'individual' then h.call_id = new.call_id else h.phone_number = new.phone_number end);
  insert into app_public.analysis_versions (user_id, analysis_type, call_id, phone_number, analysis, total_score,
                                            lead_status_tag, analyzer, model, prompt_version, prompt_hash, is_latest, analyzed_at)
  values (new.user_id, new.analysis_type, new.call_id, new.phone_number, v_doc, new.total_score, new.lead_status_tag,
          new.analyzer, new.model, new.prompt_version,
          app_hidden.prompt_hash(new.user_id, new.analysis_type, new.prompt_version), true, new.analyzed_at);
  return null;
end
$function$;
comment on function app_private.tg_lead_analytics__history() is 'AFTER INSERT/UPDATE/DELETE: keeps every analysis in analysis_versions (a new latest version when the analysis columns change; none when only is_read does); a deleted analysis takes its history along. Skipped while a re-scoring run applies its own versions.';

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
  -- A new analysis has no old side and a deleted one no new side: no all-zero delta row for them.
  insert into app_hidden.rollup_deltas
  select d.* from app_hidden.call_contribution(c, old_a, tz, -1, false) d where old_a.id is not null
  union all
  select d.* from app_hidden.call_contribution(c, new_a, tz, 1, false) d where new_a.id is not null;
  return null;
end
$function$;
comment on function app_private.tg_lead_analytics__rollup() is 'Appends the change an individual analysis makes to its call''s contribution (on the call''s day, whenever the analysis arrives).';

CREATE OR REPLACE FUNCTION app_private.tg_tenant_retention__within_limits()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
declare
  p app_private.retention_policies;
begin
  select * into p from app_private.retention_policies x where x.data_type = new.data_type;
  if new.retain_days < coalesce(p.min_days, 1) or new.retain_days > coalesce(p.max_days, 2147483647) then
    raise exception 'The retention of % must be between % and % days.', new.data_type, coalesce(p.min_days, 1), p.max_days
      using errcode = 'SB401';
  end if;
  return new;
end
$function$;
comment on function app_private.tg_tenant_retention__within_limits() is 'BEFORE INSERT/UPDATE: a retention override stays within the platform''s limits for its data type (SB401), whoever writes it.';

CREATE OR REPLACE FUNCTION app_private.tg_transcripts__queue_analysis()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  if new.analysis_status = 'pending' and nullif(btrim(new.content), '') is not null
     and (tg_op = 'INSERT' or new.content is distinct from old.content)
     and to_regnamespace('graphile_worker') is not null then
    perform graphile_worker.add_job('calls__analyze', json_build_object('callId', new.call_id),
                                    job_key := 'calls__analyze:' || new.call_id::text,
                                    max_attempts := 8);
  end if;
  return null;
end
$function$;
comment on function app_private.tg_transcripts__queue_analysis() is 'AFTER INSERT/UPDATE OF content: queues calls__analyze for the call (job key per call: queued once, a newer transcript replaces a waiting job).';

CREATE OR REPLACE FUNCTION app_private.tg_transcripts__speaker_segments()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  -- segments written with the text (the seed's timed turns) are kept; otherwise they follow the text
  if tg_op = 'INSERT' then
    if new.speaker_segments = '[]'::jsonb then
      new.speaker_segments := app_hidden.speaker_segments(new.content);
    end if;
  elsif new.content is distinct from old.content and new.speaker_segments is not distinct from old.speaker_segments then
    new.speaker_segments := app_hidden.speaker_segments(new.content);
  end if;
  return new;
end
$function$;
comment on function app_private.tg_transcripts__speaker_segments() is 'BEFORE INSERT/UPDATE OF content: fills speaker_segments from the text (app_hidden.speaker_segments) unless the writer gave them.';

CREATE OR REPLACE FUNCTION app_private.tg_user_analytics__notify_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  -- One notification per business and statement (PostgreSQL also folds identical ones per transaction).
  perform pg_catalog.pg_notify('business_changed', s.user_id::text)
     from (select distinct n.user_id from new_rows n) s;
  return null;
end
$function$;
comment on function app_private.tg_user_analytics__notify_change() is 'NOTIFY business_changed, <business id> once per business whose user-day rollup rows the statement inserted or updated (the compactor): the server pushes "data changed" to that business''s open dashboards.';

CREATE OR REPLACE FUNCTION app_private.tg_user_secrets__write()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  insert into app_private.member_secrets as s (member_id, password_hash)
  values (new.user_id, new.password_hash)
  on conflict (member_id) do update set password_hash = excluded.password_hash, updated_at = now();
  return new;
end
$function$;
comment on function app_private.tg_user_secrets__write() is 'INSTEAD OF INSERT OR UPDATE on the app_private.user_secrets view: stores the founding owner''s password hash.';

CREATE OR REPLACE FUNCTION app_private.tg_users__bump_prompt_version()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
begin
  if (new.analysis_prompt_individual, new.analysis_prompt_complete)
     is distinct from (old.analysis_prompt_individual, old.analysis_prompt_complete) then
    new.analysis_prompt_version := old.analysis_prompt_version + 1;
  end if;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION app_private.tg_users__create_owner_member()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  insert into app_public.members (id, user_id, email, name, role) values (new.id, new.id, new.email, new.name, 'owner');
  return null;
end
$function$;
comment on function app_private.tg_users__create_owner_member() is 'AFTER INSERT on users: the business''s founding owner login (member id = business id), same email and name.';

CREATE OR REPLACE FUNCTION app_private.tg_users__default_analysis_topics()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  insert into app_public.analysis_topics (user_id, key, label, description, keywords)
  select new.id, d.key, d.label, d.description, d.keywords from app_hidden.default_analysis_topics() d;
  return null;
end
$function$;
comment on function app_private.tg_users__default_analysis_topics() is 'AFTER INSERT on users: the default topic taxonomy.';

CREATE OR REPLACE FUNCTION app_private.tg_users__grant_signup_credits()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  if new.credits <> 0 then
    insert into app_public.credit_transactions (user_id, type, amount, balance_after, posted_at, description)
    values (new.id, 'bonus', new.credits, new.credits, now(), 'Opening balance');
  end if;
  return null;
end
$function$;

CREATE OR REPLACE FUNCTION app_private.tg_users__lock_for_timezone_change()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  -- FOR UPDATE conflicts with the KEY SHARE every writer of this tenant's calls
  -- and analyses holds: wait for those in flight, hold off new ones until commit.
  perform 1 from app_public.users u where u.id = old.id for update;
  return new;
end
$function$;

CREATE OR REPLACE FUNCTION app_private.tg_users__timezone_changed()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
AS $function$
begin
  -- Every call now belongs to a different local day/hour: re-bucket the tenant.
  perform app_hidden.rebuild_rollups(new.id, null, null);
  return null;
end
$function$;

-- Views and materialized views ----------------------------------------------

create view app_private.audit_log as
  SELECT id,
    user_id,
    actor,
    action,
    resource_type,
    resource_id,
    details,
    ip_address,
    created_at
   FROM app_hidden.audit_log;
comment on view app_private.audit_log is 'The audit log''s former name (a view of app_hidden.audit_log, updatable), for code written before it moved. New code uses app_hidden.audit_log.';

create view app_private.user_secrets as
  SELECT m.user_id,
    s.password_hash,
    s.created_at,
    s.updated_at,
    m.last_sign_in_at AS last_login_at
   FROM app_private.member_secrets s
     JOIN app_public.members m ON m.id = s.member_id
  WHERE m.id = m.user_id;
comment on view app_private.user_secrets is 'Compatibility view: the founding owner''s password hash per business (member id = business id). Inserts and updates go to app_private.member_secrets.';

-- Triggers ------------------------------------------------------------------

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_private.provider_credentials FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('bolna_token_hash', 'bolna_signing_secret_enc', 'twilio_auth_token_enc');

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_private.system_config FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();

CREATE TRIGGER _010_within_limits BEFORE INSERT OR UPDATE ON app_private.tenant_retention FOR EACH ROW EXECUTE FUNCTION app_private.tg_tenant_retention__within_limits();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_private.tenant_retention FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _100_write INSTEAD OF INSERT OR UPDATE ON app_private.user_secrets FOR EACH ROW EXECUTE FUNCTION app_private.tg_user_secrets__write();

------------------------------------------------------------------------------
-- Schema app_public
------------------------------------------------------------------------------

-- Types ---------------------------------------------------------------------

create type app_public.agent_brief as (
  agent_id uuid,
  name text,
  is_active boolean
);
comment on type app_public.agent_brief is 'An agent''s id, name and whether it is active.';

create type app_public.agent_leaderboard_row as (
  agent_id uuid,
  name text,
  is_active boolean,
  rank integer,
  figures app_public.kpi_figures,
  daily_calls bigint[],
  daily_successful_calls bigint[]
);
comment on type app_public.agent_leaderboard_row is 'One agent''s KPIs over the range, its rank (qualified leads, then successful calls) and per-day call counts for sparklines (one entry per day of the range, oldest first).';

create type app_public.agent_overview as (
  summary app_public.kpi_range_summary,
  daily app_public.kpi_series_point[],
  targets app_public.target_progress_item[],
  recent_calls app_public.recent_call_item[],
  agent app_public.agent_brief
);
comment on type app_public.agent_overview is 'An agent''s page in one query: kpiSummary and daily kpiSeries for that agent, its targets and its latest calls.';
comment on column app_public.agent_overview.targets is 'The agent''s targets whose period overlaps the range, in order (as targetsVsActuals).';
comment on column app_public.agent_overview.recent_calls is 'The agent''s 20 latest calls (any date), newest first.';
comment on column app_public.agent_overview.agent is 'The agent this page is about; null when the id is not one of your agents.';

create type app_public.agent_version_kpis as (
  version_id uuid,
  version integer,
  name text,
  created_at timestamp with time zone,
  created_by_name text,
  actor text,
  config jsonb,
  figures app_public.kpi_figures,
  compared_with integer,
  tests app_public.rate_test[],
  changes app_public.kpi_changes
);
comment on type app_public.agent_version_kpis is 'The KPIs of the calls one agent version made in the period, and the significance of its rates against the version before it in the list.';
comment on column app_public.agent_version_kpis.version is 'The version number.';
comment on column app_public.agent_version_kpis.name is 'The agent''s name at that version.';
comment on column app_public.agent_version_kpis.created_at is 'When the version took effect.';
comment on column app_public.agent_version_kpis.created_by_name is 'The login that made the change, if any.';
comment on column app_public.agent_version_kpis.config is 'The configuration of that version.';
comment on column app_public.agent_version_kpis.figures is 'The KPIs of the version''s calls that started in the period (tenant-local days), computed exactly from the calls and their current analyses with the same definitions as every other KPI.';
comment on column app_public.agent_version_kpis.compared_with is 'The version the tests compare against (the previous row); null on the first row.';
comment on column app_public.agent_version_kpis.tests is 'Two-proportion z-tests of success, answer, conversion and CTA rates against compared_with; null on the first row.';
comment on column app_public.agent_version_kpis.changes is 'Change against compared_with, as period-over-period changes are defined (app_hidden.kpi_changes: relative for counts and durations, a difference for rates); null on the first row.';

create type app_public.analysis_prompt_version as (
  prompt_version text,
  calls integer,
  current_calls integer,
  first_analyzed_at timestamp with time zone,
  last_analyzed_at timestamp with time zone
);
comment on type app_public.analysis_prompt_version is 'A prompt version that analysed calls of the range: how many calls have a version from it, and for how many it is the current analysis.';

create type app_public.analysis_version_comparison as (
  version_a text,
  version_b text,
  from_date date,
  to_date date,
  calls_compared integer,
  figures_a app_public.kpi_figures,
  figures_b app_public.kpi_figures,
  differences app_public.kpi_figures,
  temperature_changed integer,
  score_raised integer,
  score_lowered integer
);
comment on type app_public.analysis_version_comparison is 'Two prompt versions side by side on the SAME calls (those of the range analysed by both; each call''s newest version of each): the KPI figures of the analyses (leads, qualified leads, conversion rate, average scores, hot/warm/cold, CTA...; call figures are zero), their differences (b - a, per figure), and how many calls changed temperature or score.';

create type app_public.audit_entry as (
  id bigint,
  created_at timestamp with time zone,
  user_id uuid,
  actor text,
  actor_id uuid,
  api_key_id uuid,
  ip_address inet,
  user_agent text,
  action text,
  table_name text,
  record_id text,
  old_values jsonb,
  new_values jsonb,
  details jsonb
);
comment on type app_public.audit_entry is 'One change in the audit trail.';
comment on column app_public.audit_entry.user_id is 'The tenant the change belongs to.';
comment on column app_public.audit_entry.actor is 'user, api_key, admin, anonymous (sign-up) or system (worker, webhooks).';
comment on column app_public.audit_entry.actor_id is 'The signed-in user who made the change; null for the worker, webhooks and sign-up.';
comment on column app_public.audit_entry.api_key_id is 'The API key used, if any.';
comment on column app_public.audit_entry.ip_address is 'The client address (null for the worker and webhooks).';
comment on column app_public.audit_entry.user_agent is 'The client''s User-Agent.';
comment on column app_public.audit_entry.action is 'insert, update or delete (older entries: named events such as api_key.create).';
comment on column app_public.audit_entry.table_name is 'What was changed: users (settings), agents, phone_numbers, agent_targets, api_keys, provider_credentials, tenant_retention...';
comment on column app_public.audit_entry.record_id is 'The changed row''s id.';
comment on column app_public.audit_entry.old_values is 'The changed columns before (the whole row for a delete); secrets as "[redacted]".';
comment on column app_public.audit_entry.new_values is 'The changed columns after (the whole row for an insert); secrets as "[redacted]".';

create type app_public.booking_kpi_row as (
  agent_id uuid,
  day date,
  connected_calls bigint,
  booked_calls bigint,
  booking_rate numeric,
  appointments bigint,
  confirmed bigint,
  completed bigint,
  no_shows bigint,
  cancelled bigint,
  pending bigint,
  show_rate numeric,
  no_show_rate numeric
);
comment on type app_public.booking_kpi_row is 'Booking KPIs of one agent (null: appointments without an agent, or all agents in a total) on one day (null in a range total).';
comment on column app_public.booking_kpi_row.connected_calls is 'Successful (connected) calls, on the call''s day.';
comment on column app_public.booking_kpi_row.booked_calls is 'Calls whose analysis booked an appointment, on the call''s day.';
comment on column app_public.booking_kpi_row.booking_rate is 'booked calls / connected calls.';
comment on column app_public.booking_kpi_row.appointments is 'Appointments scheduled on the day (tenant-local), any status and source.';
comment on column app_public.booking_kpi_row.confirmed is 'Of those, the ones that were confirmed at some point.';
comment on column app_public.booking_kpi_row.completed is 'Of those, the ones that took place (the contact showed up).';
comment on column app_public.booking_kpi_row.no_shows is 'Of those, the no-shows.';
comment on column app_public.booking_kpi_row.pending is 'Of those, still scheduled, confirmed or rescheduled.';
comment on column app_public.booking_kpi_row.show_rate is 'completed / (completed + no-shows).';
comment on column app_public.booking_kpi_row.no_show_rate is 'no-shows / (completed + no-shows).';

create type app_public.call_delivery as (
  id bigint,
  received_at timestamp with time zone,
  provider text,
  provider_status text,
  provider_event_at timestamp with time zone,
  status text,
  attempts integer,
  error_code text,
  error text
);
comment on type app_public.call_delivery is 'One provider delivery (webhook) that built a call, as stored.';
comment on column app_public.call_delivery.received_at is 'When Switchboard received the delivery.';
comment on column app_public.call_delivery.provider_status is 'The status the provider sent (Bolna status, Twilio CallStatus).';
comment on column app_public.call_delivery.provider_event_at is 'The provider''s time of the event (Bolna updated_at, Twilio Timestamp).';
comment on column app_public.call_delivery.status is 'processed, pending, failed (kept with its error for replay).';
comment on column app_public.call_delivery.error_code is 'The error code when the delivery failed (SB107 unknown status, SB108 unknown agent, ...).';

create type app_public.call_log_page as (
  from_date date,
  to_date date,
  timezone text,
  rows app_public.call_log_row[],
  next_cursor text,
  totals app_public.call_log_totals
);
comment on type app_public.call_log_page is 'A page of the call log: the resolved range, the rows, the cursor of the next page (null on the last page) and the totals of the filtered set (null when not asked for).';

create type app_public.call_log_row as (
  call_id uuid,
  started_at timestamp with time zone,
  agent_id uuid,
  agent_name text,
  contact_id uuid,
  phone_number text,
  caller_name text,
  contact_name text,
  provider text,
  direction text,
  call_source text,
  status text,
  outcome text,
  duration_seconds integer,
  credits_used integer,
  has_transcript boolean,
  has_analysis boolean,
  has_recording boolean,
  total_score smallint,
  lead_status_tag text,
  cursor text
);
comment on type app_public.call_log_row is 'One call in the call log. cursor: pass it as `after` to get the calls after this one in the same order.';

create type app_public.call_log_totals as (
  calls bigint,
  duration_seconds bigint,
  credits_used bigint,
  figures app_public.kpi_figures
);
comment on type app_public.call_log_totals is 'Totals of the whole filtered set (not only the page): calls, their summed duration and credits, and every KPI figure of those calls (app_hidden.kpi_figures over their contributions).';

create type app_public.contact_call as (
  call_id uuid,
  started_at timestamp with time zone,
  agent_id uuid,
  agent_name text,
  status text,
  outcome text,
  direction text,
  duration_seconds integer,
  lead_analytic_id uuid,
  total_score smallint,
  lead_status_tag text,
  is_read boolean,
  smart_notification text
);
comment on type app_public.contact_call is 'One call of a contact, with its analysis if any.';

create type app_public.contact_follow_up as (
  follow_up_id uuid,
  follow_up_date date,
  remark text,
  status text,
  created_at timestamp with time zone
);
comment on type app_public.contact_follow_up is 'A follow-up planned with a contact.';

create type app_public.contact_overview as (
  contact_id uuid,
  phone_number text,
  name text,
  email text,
  company text,
  is_customer boolean,
  not_connected integer,
  created_at timestamp with time zone,
  summary_score smallint,
  summary_tag text,
  calls app_public.contact_call[],
  follow_ups app_public.contact_follow_up[]
);
comment on type app_public.contact_overview is 'A contact with every call (oldest first, so the scores read as a series over time), its complete analysis and its follow-ups.';
comment on column app_public.contact_overview.summary_score is 'Score of the contact''s complete analysis (over all its analysed calls), if one was made.';

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

create type app_public.created_api_key as (
  api_key app_public.api_keys,
  secret text
);
comment on type app_public.created_api_key is 'A new API key and its secret. The secret is never shown again: store it now.';
comment on column app_public.created_api_key.secret is 'The full key, to send as `Authorization: Bearer <secret>`. Shown once.';

create type app_public.created_invitation as (
  invitation app_public.invitations,
  token text
);
comment on type app_public.created_invitation is 'A new invitation and its one-time link token (shown once: only its hash is kept).';

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

create type app_public.dashboard_overview as (
  summary app_public.kpi_range_summary,
  daily app_public.kpi_series_point[],
  leaderboard app_public.agent_leaderboard_row[],
  freshness app_public.data_freshness,
  unread_notifications bigint,
  notifications app_public.notification_item[],
  hour_matrix app_public.kpi_hour_matrix
);
comment on type app_public.dashboard_overview is 'Everything the overview page shows for a date range (and optionally one agent), in one query: kpiSummary, daily kpiSeries, agentLeaderboard, the hour x weekday matrix, dataFreshness and the hot-lead inbox.';
comment on column app_public.dashboard_overview.unread_notifications is 'Hot leads of the range (and agent) not yet marked read: the unread part of the Hot leads card''s figure.';
comment on column app_public.dashboard_overview.notifications is 'The 10 newest unread hot leads of the range (and agent), newest call first: who to call back.';
comment on column app_public.dashboard_overview.hour_matrix is 'Calls by tenant-local weekday and hour over the range (as kpiHourlyMatrix, one array per measure; of the agent when agentId is given).';

create type app_public.data_freshness as (
  server_time timestamp with time zone,
  rollups_compacted_at timestamp with time zone,
  pending_rollup_changes bigint,
  kpi_summary_refreshed_at timestamp with time zone,
  latest_call_at timestamp with time zone,
  answered_by text,
  replica_replay_lag_seconds double precision,
  replica_replay_lag_bytes bigint
);
comment on type app_public.data_freshness is 'How current the figures are. KPI fields include pending rollup changes, so they are exact at commit; kpiSummaries (the materialized view) is as of kpiSummaryRefreshedAt.';
comment on column app_public.data_freshness.answered_by is 'Which database answered this request: primary (the read-write database) or replica (a streaming replica, with GRAPHQL_READ_DATABASE_URL set; read-only requests only). A replica never answers a tenant with data older than its own last write (the server falls back to the primary when the replica is behind).';
comment on column app_public.data_freshness.replica_replay_lag_seconds is 'When a replica answered: how old its data is, in seconds: the time since the last transaction it replayed committed on the primary, 0 when it has replayed every change it received. Null when the primary answered (its data is current).';
comment on column app_public.data_freshness.replica_replay_lag_bytes is 'When a replica answered: bytes of write-ahead log it has received from the primary but not yet replayed (changes on their way to these figures). Null when the primary answered.';

create type app_public.delivery_replay as (
  replayed integer,
  applied integer,
  still_failed integer
);
comment on type app_public.delivery_replay is 'What a replay did: deliveries re-applied, of which applied now, and still failing.';

create type app_public.failed_delivery as (
  provider text,
  event_key text,
  received_at timestamp with time zone,
  last_attempt_at timestamp with time zone,
  attempts integer,
  provider_call_id text,
  provider_status text,
  error_sqlstate text,
  error_message text
);
comment on type app_public.failed_delivery is 'A delivery stored but not applied. The API adds its error code and plain message (server/errors.ts, as the webhook answered).';
comment on column app_public.failed_delivery.event_key is 'The delivery''s own key (Bolna id:status:updated_at, Twilio CallSid:SequenceNumber:CallStatus); names it for replayFailedDeliveries.';
comment on column app_public.failed_delivery.provider_call_id is 'The provider''s call (Bolna execution id, Twilio CallSid).';
comment on column app_public.failed_delivery.provider_status is 'The status the delivery carried.';
comment on column app_public.failed_delivery.error_sqlstate is '@behavior -*
The SQLSTATE of the failure (SB107 unknown status, SB108 unknown agent or number, ...); the API exposes its code instead.';
comment on column app_public.failed_delivery.error_message is '@behavior -*
Our own wording of the failure (SB codes only: PostgreSQL''s may name internals); the API exposes its plain message instead.';

create type app_public.ingest_settings as (
  bolna_token_prefix text,
  bolna_signing_secret_set boolean,
  bolna_require_signature boolean,
  twilio_account_sid text,
  twilio_auth_token_set boolean,
  updated_at timestamp with time zone
);
comment on type app_public.ingest_settings is 'How the tenant''s providers authenticate their webhooks (never the secrets themselves).';

create type app_public.kpi_breakdown_row as (
  key text,
  label text,
  value bigint,
  share numeric
);
comment on type app_public.kpi_breakdown_row is 'One slice of a breakdown: a stable key, a human label, the count and its share of the whole (fraction).';

create type app_public.kpi_changes as (
  calls numeric,
  answer_rate numeric,
  success_rate numeric,
  average_duration_seconds numeric,
  talk_seconds numeric,
  leads numeric,
  qualified_leads numeric,
  hot_leads numeric,
  conversion_rate numeric,
  cta_rate numeric,
  credits_used numeric
);
comment on type app_public.kpi_changes is 'Current period against the previous one. Counts, durations and credits: relative change ((current - previous) / previous, null when previous is 0). Rates: difference in rate units (0.05 = 5 percentage points).';

create type app_public.kpi_definition as (
  kpi text,
  definition text
);
comment on type app_public.kpi_definition is 'One KPI and its definition in plain words.';
comment on column app_public.kpi_definition.kpi is 'The KPI''s field of KpiFigures, snake_case (answer_rate is answerRate).';
comment on column app_public.kpi_definition.definition is 'What the KPI counts or divides, in plain words.';

create type app_public.kpi_figures as (
  calls bigint,
  successful_calls bigint,
  failed_calls bigint,
  unanswered_calls bigint,
  answer_rate numeric,
  success_rate numeric,
  talk_seconds bigint,
  average_duration_seconds numeric,
  billed_minutes bigint,
  credits_used bigint,
  inbound_calls bigint,
  outbound_calls bigint,
  leads bigint,
  qualified_leads bigint,
  hot_leads bigint,
  warm_leads bigint,
  cold_leads bigint,
  conversion_rate numeric,
  calls_with_cta bigint,
  cta_rate numeric,
  average_lead_score numeric,
  average_intent_score numeric,
  average_urgency_score numeric,
  average_budget_score numeric,
  average_fit_score numeric,
  average_engagement_score numeric,
  voicemail_calls bigint,
  no_conversation_calls bigint,
  busy_calls bigint,
  no_answer_calls bigint,
  canceled_calls bigint,
  errored_calls bigint,
  agent_hangup_calls bigint,
  caller_hangup_calls bigint,
  other_hangup_calls bigint,
  average_time_to_answer_seconds numeric,
  provider_cost_cents numeric,
  costed_calls bigint,
  cost_per_call_cents numeric,
  cost_per_connected_minute_cents numeric,
  cost_per_lead_cents numeric,
  cost_per_qualified_lead_cents numeric,
  cta_interactions bigint,
  cta_call_conversion_rate numeric,
  booked_calls bigint,
  booking_rate numeric,
  cost_per_booked_appointment_cents numeric
);
comment on type app_public.kpi_figures is 'The KPIs of a set of calls. Rates are fractions (0.4215 = 42.15%) rounded to 4 places, null when there is nothing to divide by; averages are rounded to 2 places.';
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
comment on column app_public.kpi_figures.cta_rate is 'CTA conversion over leads: leads with any call-to-action interaction / leads (analysed calls). Seed 003 divides by every call instead: ctaCallConversionRate.';
comment on column app_public.kpi_figures.average_lead_score is 'Average total score (0-100) of the scored leads.';
comment on column app_public.kpi_figures.average_intent_score is 'Average intent score of the leads that have one.';
comment on column app_public.kpi_figures.average_urgency_score is 'Average urgency score of the leads that have one.';
comment on column app_public.kpi_figures.average_budget_score is 'Average budget score of the leads that have one.';
comment on column app_public.kpi_figures.average_fit_score is 'Average fit score of the leads that have one.';
comment on column app_public.kpi_figures.average_engagement_score is 'Average engagement score of the leads that have one.';
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
comment on column app_public.kpi_figures.booked_calls is 'Calls whose analysis booked an appointment (a meeting time was agreed), on the call''s day.';
comment on column app_public.kpi_figures.booking_rate is 'Booking rate: calls that booked an appointment / connected (successful) calls.';
comment on column app_public.kpi_figures.cost_per_booked_appointment_cents is 'Provider cost / calls that booked an appointment, in cents.';

create type app_public.kpi_granularity as enum ('day', 'week', 'month');
comment on type app_public.kpi_granularity is 'Bucket size of a KPI series: tenant-local day, ISO week (Monday) or calendar month.';

create type app_public.kpi_hour_cell as (
  iso_weekday smallint,
  hour smallint,
  calls bigint,
  successful_calls bigint,
  unanswered_calls bigint,
  failed_calls bigint,
  answer_rate numeric,
  leads bigint,
  hot_leads bigint
);
comment on type app_public.kpi_hour_cell is 'Calls in one tenant-local hour of one weekday (isoWeekday 1 = Monday ... 7 = Sunday).';

create type app_public.kpi_hour_matrix as (
  calls bigint[],
  successful_calls bigint[],
  unanswered_calls bigint[],
  failed_calls bigint[],
  answer_rate numeric[],
  leads bigint[],
  hot_leads bigint[]
);
comment on type app_public.kpi_hour_matrix is 'Calls by tenant-local weekday and hour, one 168-entry array per measure in weekday-major order: entry (isoWeekday - 1) * 24 + hour, so Monday 00:00 is entry 0 and Sunday 23:00 entry 167. The same cells as kpiHourlyMatrix, in a compact form.';
comment on column app_public.kpi_hour_matrix.answer_rate is 'Answered / (answered + unanswered) per cell; null where a cell has neither.';

create type app_public.kpi_range_summary as (
  from_date date,
  to_date date,
  previous_from_date date,
  previous_to_date date,
  timezone text,
  current app_public.kpi_figures,
  previous app_public.kpi_figures,
  change app_public.kpi_changes,
  credits_available integer,
  lead_temperature app_public.kpi_breakdown_row[],
  cta_funnel app_public.kpi_breakdown_row[],
  call_sources app_public.kpi_breakdown_row[]
);
comment on type app_public.kpi_range_summary is 'KPIs for a date range, the same-length period just before it, and the change between them.';
comment on column app_public.kpi_range_summary.credits_available is 'The tenant''s credit balance now (including charges not yet posted).';
comment on column app_public.kpi_range_summary.lead_temperature is 'The current period''s leads by hot / warm / cold tag (as leadTemperature).';
comment on column app_public.kpi_range_summary.cta_funnel is 'The current period''s call-to-action funnel (as ctaFunnel).';
comment on column app_public.kpi_range_summary.call_sources is 'The current period''s calls by source (as callSourceBreakdown).';

create type app_public.kpi_series_point as (
  period_start date,
  period_end date,
  figures app_public.kpi_figures
);
comment on type app_public.kpi_series_point is 'One bucket of a KPI series. periodStart..periodEnd is the whole day, week or month; only days inside the requested range are counted.';

create type app_public.lead_page as (
  total_count bigint,
  unread_count bigint,
  items app_public.notification_item[],
  end_cursor text,
  has_next_page boolean
);
comment on type app_public.lead_page is 'One page of leads, newest call first, with the totals of the whole filtered set.';
comment on column app_public.lead_page.total_count is 'Leads (calls with an analysis) matching the filter, all pages.';
comment on column app_public.lead_page.unread_count is 'Of those, the ones not yet marked read.';
comment on column app_public.lead_page.end_cursor is 'Pass as `after` for the next page (null on the last page).';

create type app_public.notification_item as (
  lead_analytic_id uuid,
  call_id uuid,
  phone_number text,
  extracted_name text,
  company_name text,
  lead_status_tag text,
  total_score smallint,
  smart_notification text,
  demo_book_datetime timestamp with time zone,
  analyzed_at timestamp with time zone,
  contact_id uuid,
  agent_id uuid,
  started_at timestamp with time zone,
  is_read boolean
);
comment on type app_public.notification_item is 'A lead: a call''s individual analysis, with who to call back and why (smartNotification) and whether it was read (mark it with markNotificationRead(leadAnalyticId)).';
comment on column app_public.notification_item.started_at is 'When the call started: a lead counts on the call''s tenant-local day.';

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

create type app_public.provider_delivery_summary as (
  provider text,
  last_delivery_at timestamp with time zone,
  last_applied_at timestamp with time zone,
  failed_deliveries integer
);
comment on type app_public.provider_delivery_summary is 'When a provider''s deliveries last arrived and how many of them are failed (kept for replay).';
comment on column app_public.provider_delivery_summary.provider is 'bolna or twilio.';
comment on column app_public.provider_delivery_summary.last_delivery_at is 'When the newest delivery arrived (applied or not); null: none yet.';
comment on column app_public.provider_delivery_summary.last_applied_at is 'When the newest delivery that was applied arrived.';
comment on column app_public.provider_delivery_summary.failed_deliveries is 'Deliveries stored but not applied (replayable once the cause is fixed).';

create type app_public.rate_test as (
  rate text,
  baseline_successes bigint,
  baseline_trials bigint,
  baseline_rate numeric,
  successes bigint,
  trials bigint,
  rate_value numeric,
  difference numeric,
  z numeric,
  p_value numeric,
  significant boolean,
  verdict text
);
comment on type app_public.rate_test is 'A two-proportion z-test of one rate between a baseline (the earlier version) and this version.';
comment on column app_public.rate_test.rate is 'success_rate, answer_rate, conversion_rate or cta_rate (as in kpi_figures).';
comment on column app_public.rate_test.baseline_successes is 'The baseline''s numerator (e.g. successful calls).';
comment on column app_public.rate_test.baseline_trials is 'The baseline''s denominator (e.g. calls that ended).';
comment on column app_public.rate_test.baseline_rate is 'The baseline''s rate (fraction, 4 places).';
comment on column app_public.rate_test.successes is 'This version''s numerator.';
comment on column app_public.rate_test.trials is 'This version''s denominator.';
comment on column app_public.rate_test.rate_value is 'This version''s rate (fraction, 4 places).';
comment on column app_public.rate_test.difference is 'This version''s rate minus the baseline''s (a difference of fractions).';
comment on column app_public.rate_test.z is 'The z statistic (pooled standard error); null when there are too few calls to test.';
comment on column app_public.rate_test.p_value is 'Two-sided p-value of the difference; null when there are too few calls to test.';
comment on column app_public.rate_test.significant is 'True when p < 0.05 (significant at 95%), false when not, null when there are too few calls to test.';
comment on column app_public.rate_test.verdict is 'The result in plain words.';

create type app_public.recent_call_item as (
  call_id uuid,
  started_at timestamp with time zone,
  status text,
  outcome text,
  direction text,
  call_source text,
  duration_seconds integer,
  phone_number text,
  caller_name text,
  has_transcript boolean,
  analysis_status text,
  total_score smallint,
  lead_status_tag text,
  smart_notification text
);
comment on type app_public.recent_call_item is 'A recent call of an agent with its analysis at a glance; the transcript and full analysis: callByRowId(rowId: callId).';

create type app_public.rescoring_estimate as (
  from_date date,
  to_date date,
  calls integer,
  transcript_characters bigint,
  estimated_input_tokens bigint,
  estimated_output_tokens bigint,
  input_usd_per_million_tokens numeric,
  output_usd_per_million_tokens numeric,
  estimated_cost_cents numeric,
  prompt_version integer,
  custom_prompt boolean,
  active_run_id uuid
);
comment on type app_public.rescoring_estimate is 'What a re-scoring run over a range would analyse and cost: the calls (with a transcript and a current analysis), their transcript length, tokens estimated as characters / rescoring.chars_per_token plus rescoring.prompt_tokens_per_call per call in, rescoring.output_tokens_per_call per call out, priced per million tokens (app_private.system_config). The built-in analyser costs nothing.';
comment on column app_public.rescoring_estimate.prompt_version is 'The tenant''s analysis_prompt_version (what the run analyses with when custom_prompt; else the platform default).';
comment on column app_public.rescoring_estimate.active_run_id is 'The tenant''s queued or running run, if any (a new one cannot start until it ends).';

create type app_public.retention_setting as (
  data_type text,
  description text,
  retain_days integer,
  default_days integer,
  min_days integer,
  max_days integer,
  is_override boolean
);
comment on type app_public.retention_setting is 'How long one data type of the business is kept, and the platform''s limits.';
comment on column app_public.retention_setting.retain_days is 'Days in force for the business (its override, else the platform default).';
comment on column app_public.retention_setting.is_override is 'True when the business chose retain_days itself.';

create type app_public.score_calibration_row as (
  dimension text,
  bucket text,
  min_score integer,
  max_score integer,
  contacts bigint,
  customers bigint,
  conversion_rate numeric
);
comment on type app_public.score_calibration_row is 'How many scored contacts of one score band or temperature became customers.';
comment on column app_public.score_calibration_row.dimension is 'band (total score band), temperature (hot / warm / cold) or all (every scored contact).';
comment on column app_public.score_calibration_row.bucket is '0-19, 20-39, 40-59, 60-79, 80-100; hot, warm, cold; or all.';
comment on column app_public.score_calibration_row.min_score is 'Lowest total score of the band (null for temperatures).';
comment on column app_public.score_calibration_row.max_score is 'Highest total score of the band (null for temperatures).';
comment on column app_public.score_calibration_row.contacts is 'Contacts whose scored call falls in this bucket.';
comment on column app_public.score_calibration_row.customers is 'Of those, the contacts that became customers (after the scored call).';
comment on column app_public.score_calibration_row.conversion_rate is 'customers / contacts (fraction, 4 places); null when no contact.';

create type app_public.score_history_point as (
  analysis_type text,
  call_id uuid,
  call_started_at timestamp with time zone,
  analyzed_at timestamp with time zone,
  total_score smallint,
  lead_status_tag text,
  prompt_version text,
  model text,
  is_latest boolean,
  run_id uuid
);
comment on type app_public.score_history_point is 'One version of an analysis of a contact: individual (one call, at its start) or complete (the whole lead, when analysed).';

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

create type app_public.target_progress_item as (
  target_id uuid,
  user_id uuid,
  agent_id uuid,
  period_type text,
  period_start date,
  period_end date,
  target_calls integer,
  actual_calls bigint,
  calls_achievement numeric,
  target_successful_calls integer,
  actual_successful_calls bigint,
  successful_calls_achievement numeric,
  target_leads integer,
  actual_leads bigint,
  leads_achievement numeric,
  target_qualified_leads integer,
  actual_qualified_leads bigint,
  qualified_leads_achievement numeric,
  target_success_rate numeric(5,4),
  actual_success_rate numeric,
  target_conversion_rate numeric(5,4),
  actual_conversion_rate numeric
);
comment on type app_public.target_progress_item is 'An agent target with the actual figures of its whole period and the achievement (actual / target); periodEnd is the first day after the period.';

-- Tables --------------------------------------------------------------------

create table app_public.agent_analytics (
  user_id uuid not null,
  agent_id uuid not null,
  day date not null,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  updated_at timestamp with time zone default now() not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint agent_analytics_pkey PRIMARY KEY (user_id, day, agent_id),
  constraint agent_analytics_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE CASCADE,
  constraint agent_analytics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE
) with (fillfactor=70);
comment on table app_public.agent_analytics is 'Rollup per agent and tenant-local day (compacted part; agent_daily_stats adds the pending deltas).';
CREATE INDEX agent_analytics_agent_day_idx ON app_public.agent_analytics USING btree (agent_id, day);
grant select on table app_public.agent_analytics to app_user;

create table app_public.agent_hourly_analytics (
  user_id uuid not null,
  agent_id uuid not null,
  day date not null,
  hour smallint not null,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  updated_at timestamp with time zone default now() not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint agent_hourly_analytics_pkey PRIMARY KEY (user_id, agent_id, day, hour) INCLUDE (calls, successful_calls, unanswered_calls, failed_calls, leads_generated, hot_leads),
  constraint agent_hourly_analytics_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE CASCADE,
  constraint agent_hourly_analytics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint agent_hourly_analytics_hour_check CHECK (hour >= 0 AND hour <= 23)
) with (fillfactor=70);
comment on table app_public.agent_hourly_analytics is 'Rollup per agent, tenant-local day and hour (compacted part; agent_hourly_stats adds the pending deltas). Feeds the hour x weekday matrix filtered by agent.';
CREATE INDEX agent_hourly_analytics_agent_day_idx ON app_public.agent_hourly_analytics USING btree (agent_id, day);
grant select on table app_public.agent_hourly_analytics to app_user;

create table app_public.agent_targets (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  agent_id uuid not null,
  period_type text not null,
  period_start date not null,
  target_calls integer,
  target_successful_calls integer,
  target_leads integer,
  target_qualified_leads integer,
  target_success_rate numeric(5,4),
  target_conversion_rate numeric(5,4),
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint agent_targets_pkey PRIMARY KEY (id),
  constraint agent_targets_agent_id_period_type_period_start_key UNIQUE (agent_id, period_type, period_start),
  constraint agent_targets_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE CASCADE,
  constraint agent_targets_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint agent_targets_period_aligned CHECK (date_trunc(period_type, period_start::timestamp with time zone)::date = period_start),
  constraint agent_targets_period_type_check CHECK (period_type = ANY (ARRAY['day'::text, 'week'::text, 'month'::text])),
  constraint agent_targets_target_calls_check CHECK (target_calls >= 0),
  constraint agent_targets_target_conversion_rate_check CHECK (target_conversion_rate >= 0::numeric AND target_conversion_rate <= 1::numeric),
  constraint agent_targets_target_leads_check CHECK (target_leads >= 0),
  constraint agent_targets_target_qualified_leads_check CHECK (target_qualified_leads >= 0),
  constraint agent_targets_target_success_rate_check CHECK (target_success_rate >= 0::numeric AND target_success_rate <= 1::numeric),
  constraint agent_targets_target_successful_calls_check CHECK (target_successful_calls >= 0)
);
comment on table app_public.agent_targets is 'Goals for an agent over a day, ISO week (starting Monday) or month.';
CREATE INDEX agent_targets_user_idx ON app_public.agent_targets USING btree (user_id, period_start);
grant select, delete on table app_public.agent_targets to app_user;
grant insert (user_id, agent_id, period_type, period_start, target_calls, target_successful_calls, target_leads, target_qualified_leads, target_success_rate, target_conversion_rate), update (target_calls, target_successful_calls, target_leads, target_qualified_leads, target_success_rate, target_conversion_rate) on table app_public.agent_targets to app_user;

create table app_public.agent_versions (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  agent_id uuid not null,
  version integer not null,
  name text not null,
  agent_type text not null,
  config jsonb not null,
  created_at timestamp with time zone default now() not null,
  created_by uuid default app_public.current_member_id(),
  actor text default app_hidden.request_actor() not null,
  constraint agent_versions_pkey PRIMARY KEY (id),
  constraint agent_versions_agent_version_key UNIQUE (agent_id, version),
  constraint agent_versions_id_agent_user_key UNIQUE (id, agent_id, user_id),
  constraint agent_versions_agent_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE CASCADE,
  constraint agent_versions_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.members(id) ON DELETE SET NULL,
  constraint agent_versions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint agent_versions_version_positive CHECK (version >= 1)
);
comment on table app_public.agent_versions is 'Every configuration an agent has had: version 1 when it was created (or when versions were introduced), then one more each time its configuration (config or agent type) changes. A call ran with the version current when it started (app_public.calls_agent_version_id). Written only by a trigger on agents.';
comment on column app_public.agent_versions.version is 'The version number, 1, 2, 3, ... per agent.';
comment on column app_public.agent_versions.name is 'The agent''s name when this version was recorded (a rename alone makes no new version).';
comment on column app_public.agent_versions.agent_type is 'The agent type (call or chat) of this version.';
comment on column app_public.agent_versions.config is 'The provider configuration (voice, LLM, task) of this version, as the agent held it.';
comment on column app_public.agent_versions.created_at is 'When this configuration took effect; calls that started from then on (until the next version) ran with it.';
comment on column app_public.agent_versions.created_by is 'The login (member) that made the change; null for API keys, the system (webhooks, imports) and the versions recorded when versioning was introduced.';
comment on column app_public.agent_versions.actor is 'Who made the change: user, api_key, admin, anonymous or system (as in the audit log).';
CREATE INDEX agent_versions_agent_created_idx ON app_public.agent_versions USING btree (agent_id, created_at, version);
CREATE INDEX agent_versions_created_by_idx ON app_public.agent_versions USING btree (created_by) WHERE (created_by IS NOT NULL);
CREATE INDEX agent_versions_user_idx ON app_public.agent_versions USING btree (user_id);
grant select on table app_public.agent_versions to app_user;

create table app_public.agents (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  provider text default 'bolna'::text not null,
  provider_agent_id text not null,
  name text not null,
  agent_type text default 'call'::text not null,
  description text,
  is_active boolean default true not null,
  config jsonb default '{}'::jsonb not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint agents_pkey PRIMARY KEY (id),
  constraint agents_id_user_id_key UNIQUE (id, user_id),
  constraint agents_user_id_provider_provider_agent_id_key UNIQUE (user_id, provider, provider_agent_id),
  constraint agents_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint agents_agent_type_check CHECK (agent_type = ANY (ARRAY['call'::text, 'chat'::text])),
  constraint agents_config_check CHECK (jsonb_typeof(config) = 'object'::text),
  constraint agents_name_check CHECK (length(name) >= 1 AND length(name) <= 200),
  constraint agents_provider_agent_id_check CHECK (length(provider_agent_id) >= 1 AND length(provider_agent_id) <= 200),
  constraint agents_provider_check CHECK (provider = ANY (ARRAY['bolna'::text, 'twilio'::text, 'vapi'::text, 'retell'::text, 'other'::text]))
);
comment on table app_public.agents is 'An AI calling agent at a provider (Bolna, Twilio, ...), owned by one tenant.';
comment on column app_public.agents.provider_agent_id is 'The agent''s id at the provider; unique per tenant and provider.';
comment on column app_public.agents.config is 'Provider configuration (voice, LLM, task) as JSON.';
CREATE INDEX agents_user_id_idx ON app_public.agents USING btree (user_id);
grant select, delete on table app_public.agents to app_user;
grant insert (user_id, provider, provider_agent_id, name, agent_type, description, is_active, config), update (name, agent_type, description, is_active, config) on table app_public.agents to app_user;

create table app_public.analysis_topics (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  key text not null,
  label text not null,
  description text,
  keywords text[] default '{}'::text[] not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint analysis_topics_pkey PRIMARY KEY (id),
  constraint analysis_topics_user_id_key_key UNIQUE (user_id, key),
  constraint analysis_topics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint analysis_topics_description_length CHECK (char_length(description) <= 300),
  constraint analysis_topics_key_format CHECK (key ~ '^[a-z][a-z0-9_]{0,39}$'::text),
  constraint analysis_topics_keywords_valid CHECK (cardinality(keywords) <= 40 AND array_position(keywords, NULL::text) IS NULL),
  constraint analysis_topics_label_length CHECK (char_length(label) >= 1 AND char_length(label) <= 80)
);
comment on table app_public.analysis_topics is 'The business''s topic taxonomy: the topics an analysis tags calls with (key), how they are shown (label), what they mean for the model (description) and the phrases the built-in analyser looks for (keywords). Every business starts with defaults.';
comment on column app_public.analysis_topics.key is 'Stable key stored on analyses (lower case letters, digits, underscores).';
comment on column app_public.analysis_topics.keywords is 'Phrases the built-in (offline) analyser matches in what the caller said; the AI model reads the description instead.';
grant select, delete on table app_public.analysis_topics to app_user;
grant insert (user_id, key, label, description, keywords), update (label, description, keywords) on table app_public.analysis_topics to app_user;

create table app_public.analysis_versions (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  analysis_type text not null,
  call_id uuid,
  phone_number text,
  analysis jsonb not null,
  total_score smallint,
  lead_status_tag text,
  analyzer text,
  model text,
  prompt_version text,
  prompt_hash text,
  content_md5 text,
  run_id uuid,
  is_latest boolean not null,
  analyzed_at timestamp with time zone not null,
  created_at timestamp with time zone default now() not null,
  constraint analysis_versions_pkey PRIMARY KEY (id),
  constraint analysis_versions_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE CASCADE,
  constraint analysis_versions_run_id_user_id_fkey FOREIGN KEY (run_id, user_id) REFERENCES app_public.rescoring_runs(id, user_id) ON DELETE CASCADE,
  constraint analysis_versions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint analysis_versions_analysis_type_check CHECK (analysis_type = ANY (ARRAY['individual'::text, 'complete'::text])),
  constraint analysis_versions_individual_has_call CHECK ((analysis_type = 'individual'::text) = (call_id IS NOT NULL)),
  constraint analysis_versions_run_individual CHECK (run_id IS NULL OR analysis_type = 'individual'::text)
);
comment on table app_public.analysis_versions is 'Every analysis recorded, individual (per call) and complete (per number): the analysis as it was written to lead_analytics, with its prompt version and model. is_latest marks the current one; a re-scoring run''s results are stored here first (not latest, with run_id) and become latest when the run completes.';
comment on column app_public.analysis_versions.analysis is 'The analysis columns of lead_analytics as JSON (everything but the row''s identity and read flag).';
comment on column app_public.analysis_versions.prompt_hash is 'MD5 of the tenant''s prompt text when the analysis used the tenant''s own prompt of its current version; null for the platform default (prompt_version says which) or when unknown.';
comment on column app_public.analysis_versions.content_md5 is 'MD5 of the transcript text a re-scoring run analysed (the run skips a call whose transcript changed since).';
comment on column app_public.analysis_versions.run_id is 'The re-scoring run that produced this version; null for analyses made as calls arrived.';
comment on column app_public.analysis_versions.is_latest is 'True for the version lead_analytics holds now.';
comment on constraint analysis_versions_run_individual on app_public.analysis_versions is 'Re-scoring runs analyse calls only (individual analyses).';
CREATE INDEX analysis_versions_call_idx ON app_public.analysis_versions USING btree (call_id, id) WHERE (call_id IS NOT NULL);
CREATE UNIQUE INDEX analysis_versions_latest_call_key ON app_public.analysis_versions USING btree (call_id) WHERE (is_latest AND (analysis_type = 'individual'::text));
CREATE UNIQUE INDEX analysis_versions_latest_phone_key ON app_public.analysis_versions USING btree (user_id, phone_number) WHERE (is_latest AND (analysis_type = 'complete'::text));
CREATE INDEX analysis_versions_phone_idx ON app_public.analysis_versions USING btree (user_id, phone_number, id);
CREATE UNIQUE INDEX analysis_versions_run_call_key ON app_public.analysis_versions USING btree (run_id, call_id) WHERE (run_id IS NOT NULL);
CREATE INDEX analysis_versions_run_user_idx ON app_public.analysis_versions USING btree (run_id, user_id) WHERE (run_id IS NOT NULL);
grant select on table app_public.analysis_versions to app_user;

create table app_public.api_keys (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  name text not null,
  key_prefix text not null,
  scopes text[] default '{read}'::text[] not null,
  expires_at timestamp with time zone,
  revoked_at timestamp with time zone,
  last_used_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  constraint api_keys_pkey PRIMARY KEY (id),
  constraint api_keys_key_prefix_key UNIQUE (key_prefix),
  constraint api_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint api_keys_key_prefix_check CHECK (key_prefix ~ '^[0-9a-f]{8}$'::text),
  constraint api_keys_name_check CHECK (length(name) >= 1 AND length(name) <= 100),
  constraint api_keys_scopes_valid CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read'::text, 'write'::text])
);
comment on table app_public.api_keys is 'API keys for integrations (Authorization: Bearer sbk_...). The secret is shown once by createApiKey and stored only as a SHA-256 hash.';
comment on column app_public.api_keys.key_prefix is 'The visible part of the key (sbk_<prefix>_...), to recognise it in lists.';
comment on column app_public.api_keys.scopes is 'read: queries only; write: queries and mutations (the database refuses writes for read-only keys).';
comment on column app_public.api_keys.last_used_at is 'Last successful use (to the minute).';
CREATE INDEX api_keys_user_idx ON app_public.api_keys USING btree (user_id, created_at);
grant select on table app_public.api_keys to app_owner;

create table app_public.appointments (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  agent_id uuid,
  call_id uuid,
  contact_id uuid,
  phone_number text,
  contact_name text,
  scheduled_at timestamp with time zone not null,
  status text default 'scheduled'::text not null,
  source text not null,
  status_source text not null,
  external_id text,
  external_updated_at timestamp with time zone,
  notes text,
  confirmed_at timestamp with time zone,
  status_changed_at timestamp with time zone default now() not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint appointments_pkey PRIMARY KEY (id),
  constraint appointments_external_id_key UNIQUE (user_id, source, external_id),
  constraint appointments_id_user_id_key UNIQUE (id, user_id),
  constraint appointments_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE SET NULL (agent_id),
  constraint appointments_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE SET NULL (call_id),
  constraint appointments_contact_id_user_id_fkey FOREIGN KEY (contact_id, user_id) REFERENCES app_public.contacts(id, user_id) ON DELETE SET NULL (contact_id),
  constraint appointments_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint appointments_calendar_has_external_id CHECK (source <> 'calendar'::text OR external_id IS NOT NULL AND external_updated_at IS NOT NULL),
  constraint appointments_contact_name_length CHECK (length(contact_name) <= 200),
  constraint appointments_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint appointments_external_id_length CHECK (length(external_id) >= 1 AND length(external_id) <= 200),
  constraint appointments_notes_length CHECK (length(notes) <= 2000),
  constraint appointments_source_valid CHECK (source = ANY (ARRAY['analysis'::text, 'api'::text, 'calendar'::text])),
  constraint appointments_status_source_valid CHECK (status_source = ANY (ARRAY['analysis'::text, 'api'::text, 'calendar'::text])),
  constraint appointments_status_valid CHECK (status = ANY (ARRAY['scheduled'::text, 'confirmed'::text, 'completed'::text, 'no_show'::text, 'cancelled'::text, 'rescheduled'::text]))
);
comment on table app_public.appointments is 'Appointments booked by calls (source analysis: from the call analysis'' booked time), through the API (source api) or by a calendar tool (source calendar, keyed by its external id). Show and no-show count on the tenant-local day of scheduled_at.';
comment on column app_public.appointments.agent_id is 'The agent whose call booked it (null for an appointment created without one).';
comment on column app_public.appointments.call_id is 'The call that booked it; null when created by the API or a calendar tool without a call, or once the call was deleted.';
comment on column app_public.appointments.scheduled_at is 'When the appointment takes place; its tenant-local day is the day its show / no-show counts on.';
comment on column app_public.appointments.status is 'scheduled, confirmed, completed (the contact showed up), no_show, cancelled, or rescheduled (moved to a new time, still to take place).';
comment on column app_public.appointments.source is 'Who created it: analysis (a call''s analysis), api, or calendar (a calendar tool''s webhook).';
comment on column app_public.appointments.status_source is 'Who last set the status or time. While it is analysis, a re-analysis of the call may move or cancel the appointment; once a person or a calendar tool changed it, the analysis leaves it alone.';
comment on column app_public.appointments.external_id is 'The calendar tool''s booking id (unique per tenant and source).';
comment on column app_public.appointments.external_updated_at is 'The calendar tool''s last-change time of the applied delivery: older or equal deliveries change nothing.';
comment on column app_public.appointments.confirmed_at is 'When it was first confirmed (kept when it later completes or is a no-show): the funnel''s confirmed step.';
CREATE INDEX appointments_agent_idx ON app_public.appointments USING btree (agent_id) WHERE (agent_id IS NOT NULL);
CREATE UNIQUE INDEX appointments_analysis_call_key ON app_public.appointments USING btree (call_id) WHERE (source = 'analysis'::text);
CREATE INDEX appointments_call_idx ON app_public.appointments USING btree (call_id) WHERE (call_id IS NOT NULL);
CREATE INDEX appointments_contact_idx ON app_public.appointments USING btree (contact_id) WHERE (contact_id IS NOT NULL);
CREATE INDEX appointments_user_scheduled_idx ON app_public.appointments USING btree (user_id, scheduled_at) INCLUDE (agent_id, status, confirmed_at);
grant select on table app_public.appointments to app_user;

create table app_public.call_criterion_results (
  call_id uuid not null,
  criterion_id uuid not null,
  user_id uuid not null,
  passed boolean not null,
  evidence text,
  analyzed_at timestamp with time zone default now() not null,
  constraint call_criterion_results_pkey PRIMARY KEY (call_id, criterion_id),
  constraint call_criterion_results_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE CASCADE,
  constraint call_criterion_results_criterion_id_user_id_fkey FOREIGN KEY (criterion_id, user_id) REFERENCES app_public.success_criteria(id, user_id) ON DELETE CASCADE,
  constraint call_criterion_results_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE
);
comment on table app_public.call_criterion_results is 'The answer of a call''s current individual analysis to each success criterion (replaced with the analysis).';
comment on column app_public.call_criterion_results.passed is 'Yes to the criterion''s question.';
comment on column app_public.call_criterion_results.evidence is 'A short quote or reason from the conversation.';
CREATE INDEX call_criterion_results_criterion_idx ON app_public.call_criterion_results USING btree (criterion_id);
CREATE INDEX call_criterion_results_user_idx ON app_public.call_criterion_results USING btree (user_id);
grant select on table app_public.call_criterion_results to app_user;

create table app_public.calls (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  agent_id uuid not null,
  contact_id uuid,
  provider text not null,
  provider_call_id text not null,
  phone_number text,
  direction text default 'outbound'::text not null,
  call_source text default 'phone'::text not null,
  caller_name text,
  caller_email public.citext,
  status text default 'queued'::text not null,
  answered_by_voicemail boolean default false not null,
  started_at timestamp with time zone default now() not null,
  ringing_at timestamp with time zone,
  answered_at timestamp with time zone,
  disconnected_at timestamp with time zone,
  ended_at timestamp with time zone,
  duration_seconds integer default 0 not null,
  billed_minutes integer generated always as ((duration_seconds + 59) / 60) stored,
  outcome text generated always as (
CASE
    WHEN status = 'completed'::text AND duration_seconds > 0 AND NOT answered_by_voicemail THEN 'successful'::text
    WHEN status = ANY (ARRAY['completed'::text, 'busy'::text, 'no_answer'::text]) THEN 'unanswered'::text
    WHEN status = ANY (ARRAY['failed'::text, 'canceled'::text]) THEN 'failed'::text
    ELSE NULL::text
END) stored,
  credits_used integer generated always as (
CASE
    WHEN status = 'completed'::text AND duration_seconds > 0 THEN (duration_seconds + 59) / 60
    ELSE 0
END) stored,
  cost_cents numeric(12,4),
  recording_url text,
  hangup_by text,
  hangup_reason text,
  hangup_code integer,
  metadata jsonb default '{}'::jsonb not null,
  contact_link_pending boolean default false not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  provider_event_rank integer default 0 not null,
  provider_event_at timestamp with time zone,
  is_test boolean generated always as (COALESCE((metadata #> '{bolna,context_details,switchboard_test}'::text[]) = 'true'::jsonb, false)) stored not null,
  constraint calls_pkey PRIMARY KEY (id),
  constraint calls_id_user_id_key UNIQUE (id, user_id),
  constraint calls_user_id_provider_provider_call_id_key UNIQUE (user_id, provider, provider_call_id),
  constraint calls_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE RESTRICT,
  constraint calls_contact_id_user_id_fkey FOREIGN KEY (contact_id, user_id) REFERENCES app_public.contacts(id, user_id) ON DELETE SET NULL (contact_id),
  constraint calls_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint calls_call_source_check CHECK (call_source = ANY (ARRAY['phone'::text, 'internet'::text, 'unknown'::text])),
  constraint calls_cost_cents_check CHECK (cost_cents >= 0::numeric),
  constraint calls_direction_check CHECK (direction = ANY (ARRAY['inbound'::text, 'outbound'::text])),
  constraint calls_duration_non_negative CHECK (duration_seconds >= 0 AND duration_seconds <= 86400),
  constraint calls_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint calls_lifecycle_order CHECK ((ringing_at IS NULL OR ringing_at >= (started_at - '00:01:00'::interval)) AND (answered_at IS NULL OR answered_at >= (started_at - '00:01:00'::interval)) AND (ended_at IS NULL OR ended_at >= (started_at - '00:01:00'::interval))),
  constraint calls_metadata_check CHECK (jsonb_typeof(metadata) = 'object'::text),
  constraint calls_provider_call_id_check CHECK (length(provider_call_id) >= 1 AND length(provider_call_id) <= 200),
  constraint calls_provider_check CHECK (provider = ANY (ARRAY['bolna'::text, 'twilio'::text, 'vapi'::text, 'retell'::text, 'other'::text])),
  constraint calls_status_check CHECK (status = ANY (ARRAY['scheduled'::text, 'queued'::text, 'initiated'::text, 'ringing'::text, 'in_progress'::text, 'disconnected'::text, 'completed'::text, 'busy'::text, 'no_answer'::text, 'canceled'::text, 'failed'::text]))
);
comment on table app_public.calls is 'One call placed or received by an agent, at the provider''s granularity (a Bolna execution, a Twilio CallSid).';
comment on column app_public.calls.direction is 'inbound or outbound (the seed''s lead_type).';
comment on column app_public.calls.call_source is 'Channel: phone (telephony), internet (web call) or unknown.';
comment on column app_public.calls.status is 'Lifecycle status; terminal ones are completed, busy, no_answer, canceled and failed.';
comment on column app_public.calls.started_at is 'When the call started (provider time); decides the tenant-local day and hour it counts on.';
comment on column app_public.calls.duration_seconds is 'Conversation length in seconds.';
comment on column app_public.calls.billed_minutes is 'Duration rounded up to whole minutes (61 s = 2 min).';
comment on column app_public.calls.outcome is 'Derived: successful (completed with conversation, not voicemail), unanswered (busy, no answer, voicemail, completed without conversation), failed (failed, canceled); null while in progress.';
comment on column app_public.calls.credits_used is 'Derived: billed minutes of a completed call with conversation time; 0 otherwise.';
comment on column app_public.calls.contact_link_pending is 'True while the call waits for app_hidden.sync_contacts to link it (its contact was being created by another transaction).';
comment on column app_public.calls.provider_event_rank is 'Progress of the last provider event applied (Bolna: status rank; Twilio: 1000 x status rank + SequenceNumber). Events that are not ahead of it change nothing.';
comment on column app_public.calls.provider_event_at is 'Provider time of the last applied event (Bolna updated_at, Twilio Timestamp).';
comment on column app_public.calls.is_test is 'A test call sent from the dashboard (its Bolna delivery has context_details.switchboard_test = true). Counts in the KPIs like any call until removed with removeTestCalls.';
CREATE INDEX calls_agent_started_idx ON app_public.calls USING btree (agent_id, started_at);
CREATE INDEX calls_contact_id_idx ON app_public.calls USING btree (contact_id) WHERE (contact_id IS NOT NULL);
CREATE INDEX calls_contact_link_pending_idx ON app_public.calls USING btree (user_id) WHERE contact_link_pending;
CREATE INDEX calls_user_credits_idx ON app_public.calls USING btree (user_id, ((credits_used)::numeric), id);
CREATE INDEX calls_user_duration_idx ON app_public.calls USING btree (user_id, ((duration_seconds)::numeric), id);
CREATE INDEX calls_user_phone_idx ON app_public.calls USING btree (user_id, phone_number) WHERE (phone_number IS NOT NULL);
CREATE INDEX calls_user_started_idx ON app_public.calls USING btree (user_id, started_at);
CREATE INDEX calls_user_test_idx ON app_public.calls USING btree (user_id) WHERE is_test;
CREATE STATISTICS app_public.calls_agent_user_dependency (dependencies) ON user_id, agent_id FROM app_public.calls;
CREATE STATISTICS app_public.calls_outcome_stats ON COALESCE(outcome, 'in_progress'::text) FROM app_public.calls;
grant select on table app_public.calls to app_user;

create table app_public.contacts (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  phone_number text not null,
  name text,
  email public.citext,
  company text,
  notes text,
  is_customer boolean default false not null,
  is_auto_created boolean default false not null,
  auto_creation_source text default 'manual'::text not null,
  auto_created_from_call_id uuid,
  not_connected integer default 0 not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint contacts_pkey PRIMARY KEY (id),
  constraint contacts_id_user_id_key UNIQUE (id, user_id),
  constraint contacts_user_id_phone_number_key UNIQUE (user_id, phone_number),
  constraint contacts_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint contacts_auto_creation_source_check CHECK (auto_creation_source = ANY (ARRAY['manual'::text, 'call'::text, 'import'::text])),
  constraint contacts_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint contacts_name_check CHECK (length(name) <= 200),
  constraint contacts_not_connected_check CHECK (not_connected >= 0)
);
comment on table app_public.contacts is 'People a tenant calls or is called by; created automatically from calls.';
comment on column app_public.contacts.auto_created_from_call_id is 'The call that created this contact (provenance only, no foreign key: calls are purged by retention).';
comment on column app_public.contacts.not_connected is 'Calls to this contact that ended unanswered or failed (corrections move it).';
grant select, delete on table app_public.contacts to app_user;
grant insert (user_id, phone_number, name, email, company, notes, is_customer), update (name, email, company, notes, is_customer) on table app_public.contacts to app_user;

create table app_public.credit_transactions (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  type text not null,
  amount integer not null,
  balance_after integer,
  posted_at timestamp with time zone,
  description text,
  call_id uuid,
  created_by uuid,
  created_at timestamp with time zone default now() not null,
  constraint credit_transactions_pkey PRIMARY KEY (id),
  constraint credit_transactions_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE SET NULL (call_id),
  constraint credit_transactions_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.users(id) ON DELETE SET NULL,
  constraint credit_transactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint credit_transactions_amount_check CHECK (amount <> 0),
  constraint credit_transactions_posted_together CHECK ((balance_after IS NULL) = (posted_at IS NULL)),
  constraint credit_transactions_type_check CHECK (type = ANY (ARRAY['purchase'::text, 'usage'::text, 'bonus'::text, 'admin_adjustment'::text, 'refund'::text]))
);
comment on table app_public.credit_transactions is 'The credit ledger. Rows are appended (usage by trigger when a call''s credits change); the posting job assigns balance_after in order and updates users.credits.';
comment on column app_public.credit_transactions.amount is 'Signed credits: negative for usage, positive for purchases, bonuses and refunds.';
comment on column app_public.credit_transactions.balance_after is 'The tenant''s balance after this row; null until posted.';
CREATE INDEX credit_transactions_call_idx ON app_public.credit_transactions USING btree (call_id) WHERE (call_id IS NOT NULL);
CREATE INDEX credit_transactions_created_by_idx ON app_public.credit_transactions USING btree (created_by) WHERE (created_by IS NOT NULL);
CREATE INDEX credit_transactions_unposted_idx ON app_public.credit_transactions USING btree (user_id) WHERE (posted_at IS NULL);
CREATE INDEX credit_transactions_user_created_idx ON app_public.credit_transactions USING btree (user_id, created_at);
grant select on table app_public.credit_transactions to app_user;

create table app_public.customers (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  contact_id uuid,
  reference text not null,
  name text not null,
  email public.citext,
  phone text,
  company text,
  status text default 'active'::text not null,
  conversion_date timestamp with time zone default now() not null,
  original_lead_source text,
  assigned_sales_rep text,
  last_interaction_date timestamp with time zone,
  notes text,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint customers_pkey PRIMARY KEY (id),
  constraint customers_user_id_reference_key UNIQUE (user_id, reference),
  constraint customers_contact_id_user_id_fkey FOREIGN KEY (contact_id, user_id) REFERENCES app_public.contacts(id, user_id) ON DELETE SET NULL (contact_id),
  constraint customers_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint customers_e164 CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint customers_name_check CHECK (length(name) >= 1 AND length(name) <= 200),
  constraint customers_status_check CHECK (status = ANY (ARRAY['active'::text, 'inactive'::text, 'churned'::text, 'on_hold'::text]))
);
comment on table app_public.customers is 'Leads converted to customers; reference is generated per tenant as CUST-YYYY-NNNN.';
CREATE INDEX customers_contact_idx ON app_public.customers USING btree (contact_id) WHERE (contact_id IS NOT NULL);
grant select, delete on table app_public.customers to app_user;
grant insert (user_id, contact_id, name, email, phone, company, status, conversion_date, original_lead_source, assigned_sales_rep, last_interaction_date, notes), update (name, email, phone, company, status, original_lead_source, assigned_sales_rep, last_interaction_date, notes) on table app_public.customers to app_user;

create table app_public.follow_ups (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  contact_id uuid,
  lead_phone text not null,
  lead_email public.citext,
  lead_name text,
  follow_up_date date not null,
  remark text,
  status text default 'pending'::text not null,
  created_by uuid default app_public.current_user_id(),
  completed_at timestamp with time zone,
  completed_by uuid,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint follow_ups_pkey PRIMARY KEY (id),
  constraint follow_ups_completed_by_fkey FOREIGN KEY (completed_by) REFERENCES app_public.users(id) ON DELETE SET NULL,
  constraint follow_ups_contact_id_user_id_fkey FOREIGN KEY (contact_id, user_id) REFERENCES app_public.contacts(id, user_id) ON DELETE SET NULL (contact_id),
  constraint follow_ups_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.users(id) ON DELETE SET NULL,
  constraint follow_ups_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint follow_ups_completion CHECK ((status = 'completed'::text) = (completed_at IS NOT NULL)),
  constraint follow_ups_e164 CHECK (lead_phone ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint follow_ups_status_check CHECK (status = ANY (ARRAY['pending'::text, 'completed'::text, 'cancelled'::text]))
);
comment on table app_public.follow_ups is 'Follow-ups a manager schedules for a lead.';
CREATE INDEX follow_ups_completed_by_idx ON app_public.follow_ups USING btree (completed_by) WHERE (completed_by IS NOT NULL);
CREATE INDEX follow_ups_contact_idx ON app_public.follow_ups USING btree (contact_id) WHERE (contact_id IS NOT NULL);
CREATE INDEX follow_ups_created_by_idx ON app_public.follow_ups USING btree (created_by) WHERE (created_by IS NOT NULL);
CREATE INDEX follow_ups_user_date_idx ON app_public.follow_ups USING btree (user_id, follow_up_date);
grant select, delete on table app_public.follow_ups to app_user;
grant insert (user_id, contact_id, lead_phone, lead_email, lead_name, follow_up_date, remark), update (lead_email, lead_name, follow_up_date, remark, status) on table app_public.follow_ups to app_user;

create table app_public.invitations (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  email public.citext not null,
  role text not null,
  invited_by uuid,
  expires_at timestamp with time zone not null,
  accepted_at timestamp with time zone,
  revoked_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint invitations_pkey PRIMARY KEY (id),
  constraint invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES app_public.members(id) ON DELETE SET NULL,
  constraint invitations_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint invitations_email_valid CHECK (email OPERATOR(public.~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'::public.citext AND char_length(email::text) <= 320),
  constraint invitations_role_valid CHECK (role = ANY (ARRAY['owner'::text, 'manager'::text, 'viewer'::text]))
);
comment on table app_public.invitations is 'Invitations to join a business, by a one-time link (its token is shown once; only its hash is kept). Owners only.';
comment on column app_public.invitations.invited_by is 'The member who invited.';
CREATE INDEX invitations_invited_by_idx ON app_public.invitations USING btree (invited_by) WHERE (invited_by IS NOT NULL);
CREATE INDEX invitations_user_id_idx ON app_public.invitations USING btree (user_id, created_at DESC);
grant select on table app_public.invitations to app_owner;

create table app_public.lead_analytics (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  analysis_type text not null,
  call_id uuid,
  latest_call_id uuid,
  phone_number text,
  calls_analyzed integer default 1 not null,
  intent_level text,
  intent_score smallint,
  urgency_level text,
  urgency_score smallint,
  budget_constraint text,
  budget_score smallint,
  fit_alignment text,
  fit_score smallint,
  engagement_health text,
  engagement_score smallint,
  total_score smallint,
  lead_status_tag text,
  reasoning jsonb default '{}'::jsonb not null,
  cta_interactions jsonb default '{}'::jsonb not null,
  cta_pricing_clicked boolean default false not null,
  cta_demo_clicked boolean default false not null,
  cta_followup_clicked boolean default false not null,
  cta_sample_clicked boolean default false not null,
  cta_escalated_to_human boolean default false not null,
  extracted_name text,
  extracted_email public.citext,
  company_name text,
  smart_notification text,
  is_read boolean default false not null,
  demo_book_datetime timestamp with time zone,
  analyzer text default 'openai'::text not null,
  model text,
  prompt_version text,
  analyzed_at timestamp with time zone default now() not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  sentiment_label text,
  sentiment_score smallint,
  topics text[],
  free_topics text[],
  objections text[],
  next_steps text,
  call_quality_score smallint,
  csat_score smallint,
  human_transfer_requested boolean,
  human_transfer_happened boolean,
  conversation_outcome text,
  call_started_at timestamp with time zone,
  constraint lead_analytics_pkey PRIMARY KEY (id),
  constraint lead_analytics_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE CASCADE,
  constraint lead_analytics_latest_call_id_user_id_fkey FOREIGN KEY (latest_call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE SET NULL (latest_call_id),
  constraint lead_analytics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint lead_analytics_analysis_type_check CHECK (analysis_type = ANY (ARRAY['individual'::text, 'complete'::text])),
  constraint lead_analytics_analyzer_check CHECK (analyzer = ANY (ARRAY['openai'::text, 'builtin'::text, 'import'::text])),
  constraint lead_analytics_budget_score_check CHECK (budget_score >= 0 AND budget_score <= 100),
  constraint lead_analytics_call_quality_score_range CHECK (call_quality_score >= 0 AND call_quality_score <= 100),
  constraint lead_analytics_calls_analyzed_check CHECK (calls_analyzed >= 1),
  constraint lead_analytics_complete_has_phone CHECK (analysis_type = 'individual'::text OR phone_number IS NOT NULL),
  constraint lead_analytics_conversation_outcome_valid CHECK (conversation_outcome = ANY (ARRAY['converted'::text, 'interested'::text, 'callback_requested'::text, 'not_interested'::text, 'wrong_person'::text, 'no_outcome'::text])),
  constraint lead_analytics_csat_score_range CHECK (csat_score >= 0 AND csat_score <= 100),
  constraint lead_analytics_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint lead_analytics_engagement_score_check CHECK (engagement_score >= 0 AND engagement_score <= 100),
  constraint lead_analytics_fit_score_check CHECK (fit_score >= 0 AND fit_score <= 100),
  constraint lead_analytics_individual_has_call CHECK ((analysis_type = 'individual'::text) = (call_id IS NOT NULL)),
  constraint lead_analytics_intent_score_check CHECK (intent_score >= 0 AND intent_score <= 100),
  constraint lead_analytics_lead_status_tag_check CHECK (lead_status_tag = ANY (ARRAY['hot'::text, 'warm'::text, 'cold'::text])),
  constraint lead_analytics_objections_valid CHECK (objections <@ ARRAY['price'::text, 'timing'::text, 'authority'::text, 'need'::text, 'competitor'::text, 'trust'::text, 'other'::text]),
  constraint lead_analytics_sentiment_label_valid CHECK (sentiment_label = ANY (ARRAY['positive'::text, 'neutral'::text, 'negative'::text, 'mixed'::text])),
  constraint lead_analytics_sentiment_score_range CHECK (sentiment_score >= '-100'::integer AND sentiment_score <= 100),
  constraint lead_analytics_total_score_check CHECK (total_score >= 0 AND total_score <= 100),
  constraint lead_analytics_urgency_score_check CHECK (urgency_score >= 0 AND urgency_score <= 100)
);
comment on table app_public.lead_analytics is 'Lead scores from call analysis. individual: one per call; complete: one per tenant and phone number, refreshed as calls accrue.';
comment on column app_public.lead_analytics.total_score is 'Overall lead score 0-100; 60 or more counts as a qualified lead.';
comment on column app_public.lead_analytics.smart_notification is 'A short actionable message for the manager; is_read tracks whether it was seen.';
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
comment on column app_public.lead_analytics.call_started_at is '@behavior -*
An individual analysis: its call''s started_at (kept by triggers; the call log''s index in call order). Null for complete analyses.';
CREATE UNIQUE INDEX lead_analytics_complete_phone_key ON app_public.lead_analytics USING btree (user_id, phone_number) WHERE (analysis_type = 'complete'::text);
CREATE UNIQUE INDEX lead_analytics_individual_call_key ON app_public.lead_analytics USING btree (call_id);
CREATE INDEX lead_analytics_individual_score_idx ON app_public.lead_analytics USING btree (user_id, ((COALESCE((total_score)::integer, '-1'::integer))::numeric), call_id) WHERE (analysis_type = 'individual'::text);
CREATE INDEX lead_analytics_individual_started_idx ON app_public.lead_analytics USING btree (user_id, call_started_at) INCLUDE (lead_status_tag, total_score) WHERE (analysis_type = 'individual'::text);
CREATE INDEX lead_analytics_latest_call_idx ON app_public.lead_analytics USING btree (latest_call_id) WHERE (latest_call_id IS NOT NULL);
CREATE INDEX lead_analytics_unread_idx ON app_public.lead_analytics USING btree (user_id, analyzed_at) WHERE ((smart_notification IS NOT NULL) AND (NOT is_read));
CREATE INDEX lead_analytics_unread_started_idx ON app_public.lead_analytics USING btree (user_id, call_started_at) WHERE ((analysis_type = 'individual'::text) AND (NOT is_read));
CREATE INDEX lead_analytics_user_created_idx ON app_public.lead_analytics USING btree (user_id, created_at);
CREATE STATISTICS app_public.lead_analytics_temperature_stats ON COALESCE(lead_status_tag, 'untagged'::text) FROM app_public.lead_analytics;
grant select on table app_public.lead_analytics to app_user;
grant update (is_read) on table app_public.lead_analytics to app_user;

create table app_public.members (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  email public.citext not null,
  name text not null,
  role text default 'viewer'::text not null,
  is_active boolean default true not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  last_sign_in_at timestamp with time zone,
  constraint members_pkey PRIMARY KEY (id),
  constraint members_email_key UNIQUE (email),
  constraint members_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint members_email_valid CHECK (email OPERATOR(public.~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'::public.citext AND char_length(email::text) <= 320),
  constraint members_name_length CHECK (char_length(name) >= 1 AND char_length(name) <= 200),
  constraint members_role_valid CHECK (role = ANY (ARRAY['owner'::text, 'manager'::text, 'viewer'::text]))
);
comment on table app_public.members is 'The logins of a business (its team): each signs in with its own email and password and acts with its role (owner, manager, viewer) on the business''s data.';
comment on column app_public.members.user_id is 'The business (tenant) this login belongs to.';
comment on column app_public.members.email is 'Sign-in email; unique across all businesses.';
comment on column app_public.members.role is 'owner: everything, incl. members, API keys and provider secrets; manager: everything else; viewer: read only.';
comment on column app_public.members.last_sign_in_at is 'When this login last signed in with its password.';
CREATE INDEX members_user_id_idx ON app_public.members USING btree (user_id);
grant select on table app_public.members to app_user;

create table app_public.phone_numbers (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  agent_id uuid,
  name text,
  phone_number text not null,
  is_active boolean default true not null,
  created_by uuid,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint phone_numbers_pkey PRIMARY KEY (id),
  constraint phone_numbers_agent_id_user_id_fkey FOREIGN KEY (agent_id, user_id) REFERENCES app_public.agents(id, user_id) ON DELETE SET NULL (agent_id),
  constraint phone_numbers_created_by_fkey FOREIGN KEY (created_by) REFERENCES app_public.users(id) ON DELETE SET NULL,
  constraint phone_numbers_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint phone_numbers_e164 CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint phone_numbers_name_check CHECK (length(name) <= 200)
);
comment on table app_public.phone_numbers is 'Phone numbers (E.164); an active number is unique per tenant; each is assigned to at most one agent and an agent has at most one.';
CREATE UNIQUE INDEX phone_numbers_active_number_key ON app_public.phone_numbers USING btree (user_id, phone_number) WHERE is_active;
CREATE UNIQUE INDEX phone_numbers_agent_key ON app_public.phone_numbers USING btree (agent_id, user_id) WHERE (agent_id IS NOT NULL);
CREATE INDEX phone_numbers_created_by_idx ON app_public.phone_numbers USING btree (created_by);
CREATE INDEX phone_numbers_user_id_idx ON app_public.phone_numbers USING btree (user_id);
grant select, delete on table app_public.phone_numbers to app_user;
grant insert (user_id, agent_id, name, phone_number, is_active), update (agent_id, name, is_active) on table app_public.phone_numbers to app_user;

create table app_public.privacy_requests (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  kind text not null,
  status text default 'pending'::text not null,
  progress numeric(5,4) default 0 not null,
  details jsonb default '{}'::jsonb not null,
  subject_hash text,
  requested_by uuid,
  client_ip text,
  user_agent text,
  archive_bytes bigint,
  archive_sha256 text,
  expires_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  started_at timestamp with time zone,
  finished_at timestamp with time zone,
  error text,
  constraint privacy_requests_pkey PRIMARY KEY (id),
  constraint privacy_requests_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint privacy_requests_archive_bytes_check CHECK (archive_bytes >= 0),
  constraint privacy_requests_details_check CHECK (jsonb_typeof(details) = 'object'::text),
  constraint privacy_requests_finished CHECK ((status = ANY (ARRAY['completed'::text, 'failed'::text, 'expired'::text])) = (finished_at IS NOT NULL)),
  constraint privacy_requests_kind_check CHECK (kind = ANY (ARRAY['export'::text, 'erase_contact'::text, 'erase_business'::text])),
  constraint privacy_requests_progress_check CHECK (progress >= 0::numeric AND progress <= 1::numeric),
  constraint privacy_requests_status_check CHECK (status = ANY (ARRAY['pending'::text, 'running'::text, 'completed'::text, 'failed'::text, 'expired'::text]))
);
comment on table app_public.privacy_requests is 'A business''s privacy requests: data exports (built by a background job, downloadable until they expire) and erasures, with who asked, from where and what was removed.';
comment on column app_public.privacy_requests.kind is 'export: an archive of all the business''s data; erase_contact: one caller erased; erase_business: the whole account (recorded in the platform log, since this row goes with it).';
comment on column app_public.privacy_requests.progress is 'Share of the work done, 0 to 1 (exports move table by table).';
comment on column app_public.privacy_requests.details is 'What the request did: rows per table (exports: rows exported; erasures: rows removed or unlinked).';
comment on column app_public.privacy_requests.subject_hash is 'erase_contact: HMAC-SHA256 of the erased phone number with a platform secret, so a repeated request can be recognised without keeping the number.';
comment on column app_public.privacy_requests.requested_by is 'The signed-in user who asked (always a password session: API keys cannot make privacy requests).';
comment on column app_public.privacy_requests.client_ip is 'The client address of the request (switchboard.client_ip), when the server passed it.';
comment on column app_public.privacy_requests.user_agent is 'The client''s User-Agent (switchboard.user_agent), when the server passed it.';
comment on column app_public.privacy_requests.archive_bytes is 'Size of the export archive (tar.gz).';
comment on column app_public.privacy_requests.archive_sha256 is 'SHA-256 of the export archive, hex.';
comment on column app_public.privacy_requests.expires_at is 'When the export archive is deleted (retention data type privacy_exports).';
CREATE INDEX privacy_requests_expiring_idx ON app_public.privacy_requests USING btree (expires_at) WHERE ((kind = 'export'::text) AND (status = 'completed'::text));
CREATE INDEX privacy_requests_user_created_idx ON app_public.privacy_requests USING btree (user_id, created_at);
grant select on table app_public.privacy_requests to app_user;

create table app_public.rescoring_runs (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  from_date date not null,
  to_date date not null,
  status text default 'queued'::text not null,
  calls_total integer default 0 not null,
  calls_done integer default 0 not null,
  calls_applied integer,
  estimated_input_tokens bigint not null,
  estimated_output_tokens bigint not null,
  estimated_cost_cents numeric(14,2) not null,
  prompt_version text,
  prompt_hash text,
  analyzer text,
  model text,
  error text,
  started_by uuid,
  created_at timestamp with time zone default now() not null,
  started_at timestamp with time zone,
  finished_at timestamp with time zone,
  updated_at timestamp with time zone default now() not null,
  constraint rescoring_runs_pkey PRIMARY KEY (id),
  constraint rescoring_runs_id_user_id_key UNIQUE (id, user_id),
  constraint rescoring_runs_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint rescoring_runs_date_order CHECK (from_date <= to_date),
  constraint rescoring_runs_progress CHECK (calls_done >= 0 AND calls_done <= calls_total),
  constraint rescoring_runs_status_check CHECK (status = ANY (ARRAY['queued'::text, 'running'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))
);
comment on table app_public.rescoring_runs is 'Re-scoring runs: a tenant''s calls over a tenant-local date range analysed again with the current prompts. Results are kept as not-latest analysis versions until every call is done; then one transaction makes them the current analyses (the KPIs switch at once). At most one queued or running run per tenant.';
comment on column app_public.rescoring_runs.status is 'queued, running (calls_done of calls_total analysed), completed (applied), failed or cancelled (nothing applied).';
comment on column app_public.rescoring_runs.calls_total is 'Calls in the range with a transcript and a current analysis when the run started.';
comment on column app_public.rescoring_runs.calls_done is 'Calls analysed so far (their new version stored, not yet current).';
comment on column app_public.rescoring_runs.calls_applied is 'Calls whose new analysis became current when the run completed (calls whose transcript changed meanwhile keep their newer analysis).';
comment on column app_public.rescoring_runs.estimated_cost_cents is 'Cost estimated when the run was started, in US cents (see estimateRescoring).';
comment on column app_public.rescoring_runs.prompt_version is 'The prompt version the run analyses with (set when the worker starts it).';
comment on column app_public.rescoring_runs.prompt_hash is 'MD5 of the individual prompt text used (the tenant''s own prompt; null for the platform default, identified by prompt_version).';
comment on column app_public.rescoring_runs.started_by is 'The login (member) that started the run; null for API keys.';
comment on constraint rescoring_runs_date_order on app_public.rescoring_runs is 'The start date must not be after the end date.';
CREATE UNIQUE INDEX rescoring_runs_one_active ON app_public.rescoring_runs USING btree (user_id) WHERE (status = ANY (ARRAY['queued'::text, 'running'::text]));
CREATE INDEX rescoring_runs_user_created_idx ON app_public.rescoring_runs USING btree (user_id, created_at DESC);
grant select on table app_public.rescoring_runs to app_user;

create table app_public.success_criteria (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  name text not null,
  question text not null,
  keywords text[] default '{}'::text[] not null,
  is_active boolean default true not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint success_criteria_pkey PRIMARY KEY (id),
  constraint success_criteria_id_user_id_key UNIQUE (id, user_id),
  constraint success_criteria_user_id_name_key UNIQUE (user_id, name),
  constraint success_criteria_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint success_criteria_keywords_valid CHECK (cardinality(keywords) <= 40 AND array_position(keywords, NULL::text) IS NULL),
  constraint success_criteria_name_length CHECK (char_length(name) >= 1 AND char_length(name) <= 80),
  constraint success_criteria_question_length CHECK (char_length(question) >= 1 AND char_length(question) <= 500)
);
comment on table app_public.success_criteria is 'The business''s success criteria: a name and a yes/no question that the analysis answers for every analysed call (active ones only); rolled up as pass rates.';
comment on column app_public.success_criteria.question is 'A yes/no question about the call, e.g. "Did the agent confirm the caller''s budget?". Yes passes.';
comment on column app_public.success_criteria.keywords is 'Phrases the built-in (offline) analyser looks for in the transcript: the criterion passes when one is found. The AI model answers the question instead.';
comment on column app_public.success_criteria.is_active is 'Only active criteria are asked on new analyses; past results stay.';
grant select, delete on table app_public.success_criteria to app_user;
grant insert (user_id, name, question, keywords, is_active), update (name, question, keywords, is_active) on table app_public.success_criteria to app_user;

create table app_public.transcripts (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  call_id uuid not null,
  content text default ''::text not null,
  speaker_segments jsonb default '[]'::jsonb not null,
  analysis_status text default 'pending'::text not null,
  analysis_error text,
  analyzed_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint transcripts_pkey PRIMARY KEY (id),
  constraint transcripts_call_id_key UNIQUE (call_id),
  constraint transcripts_call_id_user_id_fkey FOREIGN KEY (call_id, user_id) REFERENCES app_public.calls(id, user_id) ON DELETE CASCADE,
  constraint transcripts_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint transcripts_analysis_status_check CHECK (analysis_status = ANY (ARRAY['pending'::text, 'processing'::text, 'completed'::text, 'failed'::text, 'skipped'::text])),
  constraint transcripts_speaker_segments_check CHECK (jsonb_typeof(speaker_segments) = 'array'::text)
);
comment on table app_public.transcripts is 'The transcript of a call (text and speaker segments) and the state of its analysis.';
comment on column app_public.transcripts.speaker_segments is 'Speaker turns [{speaker: agent|user|unknown, text, start?, end?}] parsed from the provider''s transcript (app_hidden.speaker_segments); [] when it has no speaker labels.';
comment on column app_public.transcripts.analysis_error is 'Why the analysis failed (analysis_status failed): the last attempt''s error.';
CREATE INDEX transcripts_user_id_idx ON app_public.transcripts USING btree (user_id);
grant select on table app_public.transcripts to app_user;

create table app_public.usage_alert_thresholds (
  id uuid default uuidv7() not null,
  user_id uuid default app_public.current_user_id() not null,
  threshold_percent integer not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  constraint usage_alert_thresholds_pkey PRIMARY KEY (id),
  constraint usage_alert_thresholds_user_percent_key UNIQUE (user_id, threshold_percent),
  constraint usage_alert_thresholds_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint usage_alert_thresholds_percent_range CHECK (threshold_percent >= 1 AND threshold_percent <= 99)
);
comment on table app_public.usage_alert_thresholds is 'The business''s own usage alert thresholds: an alert fires when the credit balance falls below this percentage of the month''s highest balance. With none, the platform''s (system_config usage_alerts.thresholds_percent) apply.';
grant select, delete on table app_public.usage_alert_thresholds to app_user;
grant insert (user_id, threshold_percent), update (threshold_percent) on table app_public.usage_alert_thresholds to app_user;

create table app_public.usage_alerts (
  id uuid default uuidv7() not null,
  user_id uuid not null,
  period_start date not null,
  threshold_percent integer not null,
  balance integer not null,
  reference_balance integer not null,
  sms_to text,
  sms_status text default 'none'::text not null,
  sms_error text,
  sms_sent_at timestamp with time zone,
  created_at timestamp with time zone default now() not null,
  constraint usage_alerts_pkey PRIMARY KEY (id),
  constraint usage_alerts_user_id_period_start_threshold_percent_key UNIQUE (user_id, period_start, threshold_percent),
  constraint usage_alerts_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint usage_alerts_sms_status_check CHECK (sms_status = ANY (ARRAY['none'::text, 'pending'::text, 'sent'::text, 'failed'::text])),
  constraint usage_alerts_threshold_percent_check CHECK (threshold_percent >= 1 AND threshold_percent <= 99)
);
comment on table app_public.usage_alerts is 'One row per tenant, month and threshold when the credit balance fell below that percentage of the month''s highest balance (and the SMS sent for it).';
grant select on table app_public.usage_alerts to app_user;

create table app_public.user_analytics (
  user_id uuid not null,
  day date not null,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  updated_at timestamp with time zone default now() not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint user_analytics_pkey PRIMARY KEY (user_id, day),
  constraint user_analytics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE
) with (fillfactor=70);
comment on table app_public.user_analytics is 'Rollup per tenant and tenant-local day (compacted part; tenant_daily_stats adds the pending deltas).';
grant select on table app_public.user_analytics to app_user;

create table app_public.user_hourly_analytics (
  user_id uuid not null,
  day date not null,
  hour smallint not null,
  calls bigint default 0 not null,
  successful_calls bigint default 0 not null,
  failed_calls bigint default 0 not null,
  unanswered_calls bigint default 0 not null,
  talk_seconds bigint default 0 not null,
  billed_minutes bigint default 0 not null,
  credits_used bigint default 0 not null,
  inbound_calls bigint default 0 not null,
  outbound_calls bigint default 0 not null,
  phone_calls bigint default 0 not null,
  internet_calls bigint default 0 not null,
  unknown_source_calls bigint default 0 not null,
  leads_generated bigint default 0 not null,
  qualified_leads bigint default 0 not null,
  hot_leads bigint default 0 not null,
  warm_leads bigint default 0 not null,
  cold_leads bigint default 0 not null,
  cta_pricing bigint default 0 not null,
  cta_demo bigint default 0 not null,
  cta_followup bigint default 0 not null,
  cta_sample bigint default 0 not null,
  cta_human_escalation bigint default 0 not null,
  calls_with_cta bigint default 0 not null,
  intent_score_sum bigint default 0 not null,
  intent_score_count bigint default 0 not null,
  urgency_score_sum bigint default 0 not null,
  urgency_score_count bigint default 0 not null,
  budget_score_sum bigint default 0 not null,
  budget_score_count bigint default 0 not null,
  fit_score_sum bigint default 0 not null,
  fit_score_count bigint default 0 not null,
  engagement_score_sum bigint default 0 not null,
  engagement_score_count bigint default 0 not null,
  total_score_sum bigint default 0 not null,
  total_score_count bigint default 0 not null,
  updated_at timestamp with time zone default now() not null,
  call_seconds bigint default 0 not null,
  voicemail_calls bigint default 0 not null,
  busy_calls bigint default 0 not null,
  no_answer_calls bigint default 0 not null,
  canceled_calls bigint default 0 not null,
  agent_hangup_calls bigint default 0 not null,
  caller_hangup_calls bigint default 0 not null,
  time_to_answer_ms_sum bigint default 0 not null,
  time_to_answer_count bigint default 0 not null,
  cost_micros bigint default 0 not null,
  costed_calls bigint default 0 not null,
  cta_interactions bigint default 0 not null,
  booked_calls bigint default 0 not null,
  sentiment_score_sum bigint default 0 not null,
  sentiment_score_count bigint default 0 not null,
  sentiment_positive bigint default 0 not null,
  sentiment_neutral bigint default 0 not null,
  sentiment_negative bigint default 0 not null,
  sentiment_mixed bigint default 0 not null,
  quality_score_sum bigint default 0 not null,
  quality_score_count bigint default 0 not null,
  csat_score_sum bigint default 0 not null,
  csat_score_count bigint default 0 not null,
  transfer_requested_calls bigint default 0 not null,
  transfer_happened_calls bigint default 0 not null,
  convo_converted bigint default 0 not null,
  convo_interested bigint default 0 not null,
  convo_callback_requested bigint default 0 not null,
  convo_not_interested bigint default 0 not null,
  convo_wrong_person bigint default 0 not null,
  convo_no_outcome bigint default 0 not null,
  constraint user_hourly_analytics_pkey PRIMARY KEY (user_id, day, hour) INCLUDE (calls, successful_calls, unanswered_calls, failed_calls, leads_generated, hot_leads),
  constraint user_hourly_analytics_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_public.users(id) ON DELETE CASCADE,
  constraint user_hourly_analytics_hour_check CHECK (hour >= 0 AND hour <= 23)
) with (fillfactor=70);
comment on table app_public.user_hourly_analytics is 'Rollup per tenant, tenant-local day and hour (compacted part; tenant_hourly_stats adds the pending deltas).';
grant select on table app_public.user_hourly_analytics to app_user;

create table app_public.users (
  id uuid default uuidv7() not null,
  email public.citext not null,
  name text not null,
  role text default 'user'::text not null,
  credits integer default 0 not null,
  timezone text default 'UTC'::text not null,
  analysis_prompt_individual text,
  analysis_prompt_complete text,
  analysis_prompt_version integer default 1 not null,
  is_active boolean default true not null,
  email_verified boolean default false not null,
  created_at timestamp with time zone default now() not null,
  updated_at timestamp with time zone default now() not null,
  alert_phone text,
  constraint users_pkey PRIMARY KEY (id),
  constraint users_email_key UNIQUE (email),
  constraint users_alert_phone_e164 CHECK (alert_phone ~ '^\+[1-9][0-9]{6,14}$'::text),
  constraint users_analysis_prompt_complete_check CHECK (length(analysis_prompt_complete) <= 20000),
  constraint users_analysis_prompt_individual_check CHECK (length(analysis_prompt_individual) <= 20000),
  constraint users_analysis_prompt_version_check CHECK (analysis_prompt_version >= 1),
  constraint users_email_check CHECK (email OPERATOR(public.~) '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'::public.citext),
  constraint users_email_length CHECK (char_length(email::text) <= 320) NOT VALID,
  constraint users_name_check CHECK (length(name) >= 1 AND length(name) <= 200),
  constraint users_role_check CHECK (role = ANY (ARRAY['user'::text, 'admin'::text, 'super_admin'::text])),
  constraint users_timezone_valid CHECK (app_hidden.is_valid_timezone(timezone))
);
comment on table app_public.users is 'A tenant: the account that owns agents, calls and leads.';
comment on column app_public.users.credits is 'Posted credit balance, maintained only by the credit ledger (credit_transactions). See available_credits.';
comment on column app_public.users.timezone is 'IANA time zone; a call belongs to the tenant-local day and hour of its start. Changing it rebuilds the tenant''s rollups.';
comment on column app_public.users.analysis_prompt_individual is 'Prompt for analysing one call; null uses the platform default.';
comment on column app_public.users.analysis_prompt_complete is 'Prompt for the per-contact complete analysis; null uses the platform default.';
comment on column app_public.users.analysis_prompt_version is 'Bumped whenever either analysis prompt changes; recorded on each analysis.';
comment on column app_public.users.alert_phone is 'Where usage alerts are sent by SMS (E.164); null: no SMS.';
comment on constraint users_email_length on app_public.users is 'Emails are at most 320 characters (RFC 3696 errata 1690).';
grant select on table app_public.users to app_user;
grant update (name, timezone, analysis_prompt_individual, analysis_prompt_complete, alert_phone) on table app_public.users to app_user;

-- Functions and procedures --------------------------------------------------

CREATE OR REPLACE FUNCTION app_public.admin_tenant_summaries()
 RETURNS SETOF app_public.kpi_summaries
 LANGUAGE plpgsql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
begin
  -- Security invoker: kpi_summaries' own filter applies too; this refuses instead of showing one row.
  if not app_public.current_user_is_admin() then
    raise exception 'Only platform operators can list all businesses.' using errcode = '42501';
  end if;
  return query select * from app_public.kpi_summaries s order by s.calls_30d desc, s.user_id;
end
$function$;
comment on function app_public.admin_tenant_summaries() is 'Platform operators: every business''s KPI summary, busiest first. Refused (FORBIDDEN) for everyone else.';
grant execute on function app_public.admin_tenant_summaries() to app_user;

CREATE OR REPLACE FUNCTION app_public.agent_leaderboard(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date)
 RETURNS SETOF app_public.agent_leaderboard_row
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
 SET enable_mergejoin TO 'off'
AS $function$
  with r as (select * from app_hidden.kpi_range(agent_leaderboard.from_date, agent_leaderboard.to_date, 366)),
  totals as (select t.agent_id, t.measures from r, app_hidden.agent_measures(r.user_id, r.from_date, r.to_date) t),
  daily as (
    select x.agent_id, x.day - r.from_date as i, sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful
      from r, lateral (
        select a.agent_id, a.day, a.calls, a.successful_calls from app_public.agent_analytics a
         where a.user_id = r.user_id and a.day between r.from_date and r.to_date
        union all
        select d.agent_id, d.day, d.calls, d.successful_calls from app_hidden.rollup_deltas d
         where d.user_id = r.user_id and d.day between r.from_date and r.to_date
           and (d.target is null or d.target = 'agent_day')) x
     group by x.agent_id, x.day - r.from_date
  ),
  sparklines as (
    select g.id as agent_id,
           array_agg(coalesce(d.calls, 0) order by days.i) as daily_calls,
           array_agg(coalesce(d.successful, 0) order by days.i) as daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      cross join lateral generate_series(0, r.to_date - r.from_date) days(i)
      left join daily d on d.agent_id = g.id and d.i = days.i
     group by g.id
  ),
  per_agent as materialized (
    select g.id as agent_id, g.name, g.is_active,
           app_hidden.kpi_figures(coalesce(t.measures, app_hidden.zero_measures())) as f,
           s.daily_calls, s.daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      left join totals t on t.agent_id = g.id
      left join sparklines s on s.agent_id = g.id
  )
  select a.agent_id, a.name, a.is_active,
         rank() over (order by (a.f).qualified_leads desc, (a.f).successful_calls desc, (a.f).calls desc)::integer,
         a.f, a.daily_calls, a.daily_successful
    from per_agent a
   order by 4, a.name, a.agent_id
$function$;
comment on function app_public.agent_leaderboard(from_date date, to_date date) is 'Every agent of the tenant with its KPIs over fromDate..toDate (default: the last 30 days; at most 366 days), ranked by qualified leads, then successful calls, then calls, with daily call counts for sparklines.';
grant execute on function app_public.agent_leaderboard(from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.agent_overview(agent_id uuid, from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date)
 RETURNS app_public.agent_overview
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
                order by c.started_at desc, c.id desc),
         (select row(g.id, g.name, g.is_active)::app_public.agent_brief
            from app_public.agents g
           where g.id = agent_overview.agent_id and g.user_id = r.user_id)
    from app_hidden.kpi_range(agent_overview.from_date, agent_overview.to_date) r
$function$;
comment on function app_public.agent_overview(agent_id uuid, from_date date, to_date date) is 'One agent''s page for tenant-local days fromDate..toDate (default: the last 30 days) in one query; zeros for an agent that is not the tenant''s.';
grant execute on function app_public.agent_overview(agent_id uuid, from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.agent_version_kpis(agent_id uuid, from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, versions integer[] DEFAULT NULL::integer[])
 RETURNS SETOF app_public.agent_version_kpis
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  with r as (
    select * from app_hidden.kpi_range(from_date, to_date)
  ), v as (
    select av.* from app_public.agent_versions av, r
     where av.agent_id = agent_version_kpis.agent_id and av.user_id = r.user_id
       and (versions is null or av.version = any (versions))
  ), per_version as (
    select p.agent_version_id, p.measures as m
      from r, app_hidden.agent_version_measures(r.user_id, agent_version_kpis.agent_id, r.timezone, r.from_date, r.to_date,
                                                array(select v.id from v)) p
  ), listed as (
    select v.id, v.version, v.name, v.created_at, mb.name as created_by_name, v.actor, v.config,
           coalesce(p.m, app_hidden.sum_measures('{}')) as m
      from v
      left join per_version p on p.agent_version_id = v.id
      left join app_public.members mb on mb.id = v.created_by
  )
  select l.id, l.version, l.name, l.created_at, l.created_by_name, l.actor, l.config,
         app_hidden.kpi_figures(l.m),
         lag(l.version) over w,
         case when lag(l.version) over w is not null then app_hidden.rate_tests(lag(l.m) over w, l.m) end,
         case when lag(l.version) over w is not null
              then app_hidden.kpi_changes(app_hidden.kpi_figures(l.m), app_hidden.kpi_figures(lag(l.m) over w)) end
    from listed l
  window w as (order by l.version)
   order by l.version
$function$;
comment on function app_public.agent_version_kpis(agent_id uuid, from_date date, to_date date, versions integer[]) is '@behavior +list -connection
@listSuffix omit
KPIs of one agent per version for the calls that started between fromDate and toDate (tenant-local days; default the last 30 days), every version or only those listed in versions (e.g. [3, 5] to compare two); each row after the first carries two-proportion z-tests of its rates against the row before it (significant at 95% or not, too few calls guarded). Computed exactly from the calls and their current analyses through the same per-call contribution as the rollups.';
grant execute on function app_public.agent_version_kpis(agent_id uuid, from_date date, to_date date, versions integer[]) to app_user;

CREATE OR REPLACE FUNCTION app_public.agents_has_history(a app_public.agents)
 RETURNS boolean
 LANGUAGE sql
 STABLE
AS $function$
  select exists (select 1 from app_public.agent_daily_stats s where s.agent_id = a.id and s.user_id = a.user_id and s.calls <> 0)
$function$;
comment on function app_public.agents_has_history(a app_public.agents) is 'Whether calls of this agent count in the KPIs (then it can only be deactivated, never deleted).';
grant execute on function app_public.agents_has_history(a app_public.agents) to app_user;

CREATE OR REPLACE FUNCTION app_public.agents_phone_number(a app_public.agents)
 RETURNS text
 LANGUAGE sql
 STABLE
AS $function$
  select n.phone_number from app_public.phone_numbers n
   where n.agent_id = a.id and n.user_id = a.user_id
$function$;
comment on function app_public.agents_phone_number(a app_public.agents) is 'The phone number assigned to the agent (E.164), if any.';
grant execute on function app_public.agents_phone_number(a app_public.agents) to app_user;

CREATE OR REPLACE FUNCTION app_public.analysis_prompt_versions(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date)
 RETURNS SETOF app_public.analysis_prompt_version
 LANGUAGE sql
 STABLE
AS $function$
  select h.prompt_version, count(distinct h.call_id)::integer, count(*) filter (where h.is_latest)::integer,
         min(h.analyzed_at), max(h.analyzed_at)
    from app_hidden.kpi_range(analysis_prompt_versions.from_date, analysis_prompt_versions.to_date) r
    join app_public.calls c on c.user_id = r.user_id
     and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
     and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
    join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
   where h.prompt_version is not null
     and (h.run_id is null or h.is_latest
          or exists (select 1 from app_public.rescoring_runs x where x.id = h.run_id and x.status in ('running', 'completed')))
   group by h.prompt_version
   order by max(h.analyzed_at) desc
$function$;
comment on function app_public.analysis_prompt_versions(from_date date, to_date date) is 'The prompt versions that analysed calls of a tenant-local date range (default the last 30 days), newest first: what compareAnalysisVersions can compare.';
grant execute on function app_public.analysis_prompt_versions(from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.appointment_list(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, statuses text[] DEFAULT NULL::text[], agent_id uuid DEFAULT NULL::uuid, max_rows integer DEFAULT 200)
 RETURNS SETOF app_public.appointments
 LANGUAGE sql
 STABLE
AS $function$
  select p.*
    from app_hidden.kpi_range(appointment_list.from_date, appointment_list.to_date) r
    join app_public.appointments p
      on p.user_id = r.user_id
     and p.scheduled_at >= (r.from_date::timestamp at time zone r.timezone)
     and p.scheduled_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
   where (appointment_list.statuses is null or p.status = any (appointment_list.statuses))
     and (appointment_list.agent_id is null or p.agent_id = appointment_list.agent_id)
   order by p.scheduled_at, p.id
   limit least(greatest(coalesce(max_rows, 200), 1), 1000)
$function$;
comment on function app_public.appointment_list(from_date date, to_date date, statuses text[], agent_id uuid, max_rows integer) is 'Appointments scheduled on the tenant-local days from..to (default: the last 30 days), optionally by status and agent, by time; at most maxRows (200, at most 1000).';
grant execute on function app_public.appointment_list(from_date date, to_date date, statuses text[], agent_id uuid, max_rows integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.audit_entries(action text DEFAULT NULL::text, table_name text DEFAULT NULL::text, tenant_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.audit_entry
 LANGUAGE sql
 STABLE
AS $function$
  select a.id, a.created_at, a.user_id, a.actor, a.actor_id, a.api_key_id, a.ip_address, a.user_agent,
         a.action, a.resource_type, a.resource_id, a.old_values, a.new_values, a.details
    from app_hidden.audit_log a
   where (audit_entries.action is null or a.action = audit_entries.action)
     and (audit_entries.table_name is null or a.resource_type = audit_entries.table_name)
     and (audit_entries.tenant_id is null or a.user_id = audit_entries.tenant_id)
   order by a.id desc
$function$;
comment on function app_public.audit_entries(action text, table_name text, tenant_id uuid) is 'The audit trail, newest first: the signed-in business''s own changes (platform admins: every tenant''s; tenantId narrows it). Filter by action (insert, update, delete) and table.';
grant execute on function app_public.audit_entries(action text, table_name text, tenant_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.booking_kpis(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.booking_kpi_row
 LANGUAGE sql
 STABLE
AS $function$
  select b.agent_id, b.day, b.connected_calls, b.booked_calls, app_hidden.booking_rate(b.booked_calls, b.connected_calls),
         b.appointments, b.confirmed, b.completed, b.no_shows, b.cancelled, b.pending,
         app_hidden.show_rate(b.completed, b.no_shows), app_hidden.no_show_rate(b.completed, b.no_shows)
    from app_hidden.kpi_range(booking_kpis.from_date, booking_kpis.to_date) r,
         lateral app_hidden.booking_counts(r.user_id, r.timezone, r.from_date, r.to_date, booking_kpis.agent_id) b
   order by b.day, b.agent_id nulls last
$function$;
comment on function app_public.booking_kpis(from_date date, to_date date, agent_id uuid) is 'Booking rate, show rate and no-show rate per agent and tenant-local day (default: the last 30 days). A booking counts on the booking call''s day; an appointment''s show or no-show on the day it was scheduled for.';
grant execute on function app_public.booking_kpis(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.booking_summary(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.booking_kpi_row
 LANGUAGE sql
 STABLE
AS $function$
  with b as (
    select b.*
      from app_hidden.kpi_range(booking_summary.from_date, booking_summary.to_date) r,
           lateral app_hidden.booking_counts(r.user_id, r.timezone, r.from_date, r.to_date, booking_summary.agent_id) b
  ), g as (
    select b.agent_id, grouping(b.agent_id) = 1 as is_total,
           sum(b.connected_calls)::bigint connected_calls, sum(b.booked_calls)::bigint booked_calls,
           sum(b.appointments)::bigint appointments, sum(b.confirmed)::bigint confirmed,
           sum(b.completed)::bigint completed, sum(b.no_shows)::bigint no_shows,
           sum(b.cancelled)::bigint cancelled, sum(b.pending)::bigint pending
      from b
     group by grouping sets ((b.agent_id), ())
  )
  select g.agent_id, null::date, g.connected_calls, g.booked_calls, app_hidden.booking_rate(g.booked_calls, g.connected_calls),
         g.appointments, g.confirmed, g.completed, g.no_shows, g.cancelled, g.pending,
         app_hidden.show_rate(g.completed, g.no_shows), app_hidden.no_show_rate(g.completed, g.no_shows)
    from g
   where g.is_total or g.agent_id is not null
   order by g.is_total desc, g.booked_calls desc, g.agent_id
$function$;
comment on function app_public.booking_summary(from_date date, to_date date, agent_id uuid) is 'The booking funnel over a range: first the total (agentId null), then one row per agent with bookings or connected calls. Same definitions as bookingKpis.';
grant execute on function app_public.booking_summary(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.call_log(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid, outcomes text[] DEFAULT NULL::text[], statuses text[] DEFAULT NULL::text[], providers text[] DEFAULT NULL::text[], directions text[] DEFAULT NULL::text[], sources text[] DEFAULT NULL::text[], temperatures text[] DEFAULT NULL::text[], min_score integer DEFAULT NULL::integer, max_score integer DEFAULT NULL::integer, min_duration integer DEFAULT NULL::integer, max_duration integer DEFAULT NULL::integer, has_transcript boolean DEFAULT NULL::boolean, has_analysis boolean DEFAULT NULL::boolean, has_recording boolean DEFAULT NULL::boolean, search text DEFAULT NULL::text, figure text DEFAULT NULL::text, iso_weekday integer DEFAULT NULL::integer, hour integer DEFAULT NULL::integer, sort text DEFAULT 'started_at'::text, descending boolean DEFAULT true, after text DEFAULT NULL::text, page_size integer DEFAULT 50, with_totals boolean DEFAULT true)
 RETURNS app_public.call_log_page
 LANGUAGE plpgsql
 STABLE
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
declare
  p record;
  v_ids uuid[];
  v_rows app_public.call_log_row[];
  v_totals app_public.call_log_totals;
  v_measures app_hidden.measures;
  v_sort text := coalesce(call_log.sort, 'started_at');
  v_desc boolean := coalesce(call_log.descending, true);
  -- the cursor's start time, widened by a millisecond: an index bound (the exact test is on the key)
  v_after_lo timestamptz;
  v_after_hi timestamptz;
  v_kpi_figure boolean := figure is not null and figure !~ '^(topic|objection|free_topic):';
  v_planner text[];
  -- the non-time sorts' keyset position and score filter, per phase (see below)
  v_key numeric;
  v_id uuid;
  v_min_score integer;
begin
  if page_size is null or page_size < 1 or page_size > 500 then
    raise exception 'A page holds 1 to 500 calls.' using errcode = 'SB161';
  end if;
  select * into p from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions,
    sources, temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
    v_sort, after) x;

  -- the page's ids: a KPI figure tests its rule on each call's contribution (call_log_matches); without one,
  -- the same filters without the contribution (call_log_filtered), so the plan does not inline the measures
  if v_kpi_figure then
    -- Sorted by time, nested loops in call order: the planner takes the analysis' copy of the call's start and
    -- the call id for two independent conditions, expects about one row and hashes every call of the range
    -- instead of stopping after the page (a whale's qualified leads: 98 ms against 5 ms; hot leads 125 against
    -- 23). The settings are back right after this query.
    if v_sort = 'started_at' then
      v_planner := array[current_setting('enable_hashjoin'), current_setting('enable_mergejoin')];
      perform set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
    end if;
    if v_sort = 'started_at' then
      v_after_lo := to_timestamp(p.p_after_key::double precision) - interval '1 millisecond';
      v_after_hi := to_timestamp(p.p_after_key::double precision) + interval '1 millisecond';
      if v_desc then
        select array(
          select (m.r).call_id
            from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at <= v_after_hi and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
           order by (m.r).started_at desc, (m.r).call_id desc
           limit page_size + 1) into v_ids;
      else
        select array(
          select (m.r).call_id
            from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at >= v_after_lo and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
           order by (m.r).started_at, (m.r).call_id
           limit page_size + 1) into v_ids;
      end if;
    else
      select array(
        select (m.r).call_id
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
         where p.p_after_key is null
            or (v_desc and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
            or (not v_desc and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
         order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                  case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
         limit page_size + 1) into v_ids;
    end if;

    if v_planner is not null then
      perform set_config('enable_hashjoin', v_planner[1], true), set_config('enable_mergejoin', v_planner[2], true);
    end if;
  else
    if v_sort = 'started_at' then
      v_after_lo := to_timestamp(p.p_after_key::double precision) - interval '1 millisecond';
      v_after_hi := to_timestamp(p.p_after_key::double precision) + interval '1 millisecond';
      if v_desc then
        select array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at <= v_after_hi and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
           order by (m.r).started_at desc, (m.r).call_id desc
           limit page_size + 1) into v_ids;
      else
        select array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at >= v_after_lo and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
           order by (m.r).started_at, (m.r).call_id
           limit page_size + 1) into v_ids;
      end if;
    else
      -- Highest score first: the scored calls (a score filter of 0 makes the analysis an inner join, read in
      -- score order from lead_analytics_individual_score_idx, stopping after the page), then, when they run out,
      -- the unscored ones (key -1: no analysis or no score; every call of the range, in id order).
      v_key := p.p_after_key;
      v_id := p.p_after_id;
      v_min_score := min_score;
      if v_sort = 'score' and v_desc and min_score is null and max_score is null and (v_key is null or v_key >= 0) then
        v_min_score := 0;
      end if;
      v_ids := '{}';
      loop
        v_ids := v_ids || array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, v_min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where v_key is null
              or (v_desc and (m.sort_key, (m.r).call_id) < (v_key, v_id))
              or (not v_desc and (m.sort_key, (m.r).call_id) > (v_key, v_id))
           order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                    case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
           limit page_size + 1 - cardinality(v_ids));
        exit when v_min_score is not distinct from min_score or cardinality(v_ids) > page_size;
        -- the scored calls ran out: the rest of the page from below every score (-0.5 < 0, whatever the id)
        v_min_score := min_score;
        v_key := -0.5;
        v_id := null;
      end loop;
    end if;

  end if;

  -- the rows of those calls, in that order (the same filter function builds them: one definition of a row)
  v_rows := app_hidden.call_log_rows(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, v_ids[1:page_size], v_sort);

  if with_totals then
    if outcomes is null and statuses is null and providers is null and directions is null and sources is null
       and temperatures is null and min_score is null and max_score is null and min_duration is null
       and max_duration is null and has_transcript is null and has_analysis is null and has_recording is null
       and p.p_search is null and figure is null and iso_weekday is null and call_log.hour is null
       and not app_hidden.purged_history_in(p.p_from, p.p_to) then
      v_measures := app_hidden.call_log_range_measures(p.p_user_id, p.p_from, p.p_to, agent_id);
    else
      v_measures := (
        select app_hidden.sum_deltas(array_agg(m.d))
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m);
    end if;
    v_measures := coalesce(v_measures, app_hidden.zero_measures());
    v_totals := row(v_measures.calls, v_measures.call_seconds, v_measures.credits_used,
                    app_hidden.kpi_figures(v_measures))::app_public.call_log_totals;
  end if;
  return row(p.p_from, p.p_to, p.p_timezone, v_rows,
             case when cardinality(v_ids) > page_size then (v_rows[page_size]).cursor end,
             v_totals)::app_public.call_log_page;
end
$function$;
comment on function app_public.call_log(from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean, after text, page_size integer, with_totals boolean) is 'The call log: the business''s calls over tenant-local days fromDate..toDate (default: the last 30 days), filtered (each filter null = any; outcome in_progress = no final status yet; temperature untagged = analysed without a tag; search: digits of the phone number, or the caller''s or contact''s name; figure + isoWeekday/hour: the calls behind a dashboard figure, see app_hidden.figure_calls), sorted by started_at, duration, score or credits, keyset-paged (after = a row''s cursor), with the totals of the whole filtered set (withTotals: false leaves them out, e.g. when turning pages).';
grant execute on function app_public.call_log(from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean, after text, page_size integer, with_totals boolean) to app_user;

CREATE OR REPLACE FUNCTION app_public.call_source_breakdown(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_breakdown_row
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(call_source_breakdown.from_date, call_source_breakdown.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, call_source_breakdown.agent_id) m,
         lateral unnest(app_hidden.call_source_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$function$;
comment on function app_public.call_source_breakdown(from_date date, to_date date, agent_id uuid) is 'Calls by source (phone, web call, unknown) with shares of all calls.';
grant execute on function app_public.call_source_breakdown(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.calls_agent_version_id(c app_public.calls)
 RETURNS uuid
 LANGUAGE sql
 STABLE
AS $function$
  select r.id from app_hidden.agent_version_ranges(c.agent_id) r where c.started_at >= r.lo and c.started_at < r.hi
$function$;
comment on function app_public.calls_agent_version_id(c app_public.calls) is 'The agent version the call ran with: the agent''s latest version created at or before the call started (its first version for a call dated before it).';
grant execute on function app_public.calls_agent_version_id(c app_public.calls) to app_user;

CREATE OR REPLACE FUNCTION app_public.calls_deliveries(c app_public.calls)
 RETURNS SETOF app_public.call_delivery
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select w.id, w.received_at, w.provider,
         coalesce(w.payload ->> 'status', w.payload ->> 'CallStatus'),
         app_hidden.ts(coalesce(w.payload ->> 'updated_at', w.payload ->> 'Timestamp')),
         w.status, w.attempts, w.error_code, w.error
    from app_private.webhook_events w
   where w.user_id = app_public.current_user_id()
     and w.user_id = c.user_id
     and w.provider = c.provider
     and split_part(w.event_key, ':', 1) = c.provider_call_id
   order by w.received_at, w.id
$function$;
comment on function app_public.calls_deliveries(c app_public.calls) is 'The provider deliveries that built this call (every stored webhook for its provider call id, failed ones included), oldest first; only the signed-in business''s own.';
grant execute on function app_public.calls_deliveries(c app_public.calls) to app_user;

CREATE OR REPLACE FUNCTION app_public.calls_queued_at(c app_public.calls)
 RETURNS timestamp with time zone
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select min(app_hidden.ts(coalesce(w.payload ->> 'updated_at', w.payload ->> 'Timestamp')))
    from app_private.webhook_events w
   where w.user_id = app_public.current_user_id()
     and w.user_id = c.user_id
     and w.provider = c.provider
     and split_part(w.event_key, ':', 1) = c.provider_call_id
     and lower(coalesce(w.payload ->> 'status', w.payload ->> 'CallStatus')) in ('scheduled', 'queued', 'rescheduled')
$function$;
comment on function app_public.calls_queued_at(c app_public.calls) is 'When the provider queued the call (its earliest scheduled / queued delivery); null when no pre-dial event arrived.';
grant execute on function app_public.calls_queued_at(c app_public.calls) to app_user;

CREATE OR REPLACE FUNCTION app_public.cancel_follow_up(follow_up_id uuid, remark text DEFAULT NULL::text)
 RETURNS app_public.follow_ups
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function app_public.cancel_follow_up(follow_up_id uuid, remark text) is 'Cancels a follow-up, optionally with a remark.';
grant execute on function app_public.cancel_follow_up(follow_up_id uuid, remark text) to app_user;

CREATE OR REPLACE FUNCTION app_public.cancel_rescoring(run_id uuid)
 RETURNS app_public.rescoring_runs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v app_public.rescoring_runs;
begin
  select * into v from app_public.rescoring_runs r
   where r.id = cancel_rescoring.run_id and r.user_id = app_public.current_user_id()
     for update;
  if v.id is null then
    raise exception 'No such re-scoring run.' using errcode = 'SB104';
  end if;
  if v.status not in ('queued', 'running') then
    raise exception 'This re-scoring run has already ended (%).', v.status using errcode = 'SB192';
  end if;
  update app_public.rescoring_runs r set status = 'cancelled', finished_at = now()
   where r.id = v.id returning * into v;
  return v;
end
$function$;
comment on function app_public.cancel_rescoring(run_id uuid) is 'Cancels a queued or running re-scoring run: nothing of it is applied; the versions it made stay in the history (not current). SB192 when it has already ended.';
grant execute on function app_public.cancel_rescoring(run_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.compare_analysis_versions(version_a text, version_b text, from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date)
 RETURNS app_public.analysis_version_comparison
 LANGUAGE sql
 STABLE
AS $function$
  with r as (
    select * from app_hidden.kpi_range(compare_analysis_versions.from_date, compare_analysis_versions.to_date)
  ), v as (
    -- each call's newest version of each of the two prompt versions (runs that failed or were cancelled left out)
    select distinct on (h.call_id, h.prompt_version) h.call_id, h.prompt_version, h.id, h.analysis
      from r
      join app_public.calls c on c.user_id = r.user_id
       and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
       and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
      join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
     where h.prompt_version in (compare_analysis_versions.version_a, compare_analysis_versions.version_b)
       and (h.run_id is null or h.is_latest
            or exists (select 1 from app_public.rescoring_runs x where x.id = h.run_id and x.status in ('running', 'completed')))
     order by h.call_id, h.prompt_version, h.id desc
  ), pairs as (
    select a.call_id,
           jsonb_populate_record(null::app_public.lead_analytics, a.analysis || jsonb_build_object('id', a.id)) as la,
           jsonb_populate_record(null::app_public.lead_analytics, b.analysis || jsonb_build_object('id', b.id)) as lb
      from v a join v b on b.call_id = a.call_id and b.prompt_version = compare_analysis_versions.version_b
     where a.prompt_version = compare_analysis_versions.version_a
  ), figures as (
    select count(*)::integer as n,
           app_hidden.kpi_figures(app_hidden.sum_measures(coalesce(array_agg(jsonb_populate_record(app_hidden.zero_measures(), to_jsonb(da))), '{}'))) as fa,
           app_hidden.kpi_figures(app_hidden.sum_measures(coalesce(array_agg(jsonb_populate_record(app_hidden.zero_measures(), to_jsonb(db))), '{}'))) as fb,
           count(*) filter (where (p.la).lead_status_tag is distinct from (p.lb).lead_status_tag)::integer as temp_changed,
           count(*) filter (where (p.lb).total_score > (p.la).total_score)::integer as raised,
           count(*) filter (where (p.lb).total_score < (p.la).total_score)::integer as lowered
      from pairs p
      join app_public.calls c on c.id = p.call_id
      cross join r
      cross join lateral app_hidden.call_contribution(c, p.la, r.timezone, 1, false) da
      cross join lateral app_hidden.call_contribution(c, p.lb, r.timezone, 1, false) db
  )
  select compare_analysis_versions.version_a, compare_analysis_versions.version_b, r.from_date, r.to_date, f.n, f.fa, f.fb,
         (select jsonb_populate_record(null::app_public.kpi_figures,
                   jsonb_object_agg(k.key, case when jsonb_typeof(k.value) = 'number' and jsonb_typeof(to_jsonb(f.fa) -> k.key) = 'number'
                                                then to_jsonb((k.value #>> '{}')::numeric - ((to_jsonb(f.fa) ->> k.key))::numeric) end))
            from jsonb_each(to_jsonb(f.fb)) k),
         f.temp_changed, f.raised, f.lowered
    from r, figures f
$function$;
comment on function app_public.compare_analysis_versions(version_a text, version_b text, from_date date, to_date date) is 'Compares two prompt versions (e.g. before and after a re-scoring run) on the same calls of a tenant-local date range (default the last 30 days): KPI figures of each, computed with the rollups'' own definitions (call_contribution, kpi_figures), and their differences b - a.';
grant execute on function app_public.compare_analysis_versions(version_a text, version_b text, from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.complete_follow_up(follow_up_id uuid, remark text DEFAULT NULL::text)
 RETURNS app_public.follow_ups
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function app_public.complete_follow_up(follow_up_id uuid, remark text) is 'Marks a follow-up completed (who and when are stamped by the database), optionally with a remark.';
grant execute on function app_public.complete_follow_up(follow_up_id uuid, remark text) to app_user;

CREATE OR REPLACE FUNCTION app_public.contact_overview(contact_id uuid)
 RETURNS app_public.contact_overview
 LANGUAGE sql
 STABLE
AS $function$
  select ct.id, ct.phone_number, ct.name, ct.email::text, ct.company, ct.is_customer, ct.not_connected, ct.created_at,
         s.total_score, s.lead_status_tag,
         array(select row(c.id, c.started_at, c.agent_id, g.name, c.status, c.outcome, c.direction, c.duration_seconds,
                          a.id, a.total_score, a.lead_status_tag, a.is_read, a.smart_notification)::app_public.contact_call
                 from app_public.calls c
                 left join app_public.agents g on g.id = c.agent_id
                 left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
                where c.user_id = ct.user_id and c.phone_number = ct.phone_number
                order by c.started_at, c.id),
         array(select row(f.id, f.follow_up_date, f.remark, f.status, f.created_at)::app_public.contact_follow_up
                 from app_public.follow_ups f
                where f.user_id = ct.user_id
                  and (f.contact_id = ct.id or (f.contact_id is null and f.lead_phone = ct.phone_number))
                order by f.follow_up_date, f.created_at)
    from app_public.contacts ct
    left join app_public.lead_analytics s
      on s.user_id = ct.user_id and s.phone_number = ct.phone_number and s.analysis_type = 'complete'
   where ct.id = contact_overview.contact_id
$function$;
comment on function app_public.contact_overview(contact_id uuid) is 'The contact page: the contact, every call (by tenant and phone number, oldest first) with its analysis, and its follow-ups; null for an unknown id or another tenant''s contact.';
grant execute on function app_public.contact_overview(contact_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.contact_score_history(contact_id uuid)
 RETURNS SETOF app_public.score_history_point
 LANGUAGE sql
 STABLE
AS $function$
  select x.analysis_type, x.call_id, x.started_at, x.analyzed_at, x.total_score, x.lead_status_tag, x.prompt_version,
         x.model, x.is_latest, x.run_id
    from (
      select h.*, c.started_at
        from app_public.contacts ct
        join app_public.calls c on c.user_id = ct.user_id and c.phone_number = ct.phone_number
        join app_public.analysis_versions h on h.call_id = c.id and h.analysis_type = 'individual'
       where ct.id = contact_score_history.contact_id
      union all
      select h.*, null::timestamptz
        from app_public.contacts ct
        join app_public.analysis_versions h
          on h.user_id = ct.user_id and h.phone_number = ct.phone_number and h.analysis_type = 'complete'
       where ct.id = contact_score_history.contact_id
    ) x
   where x.run_id is null or x.is_latest
      or exists (select 1 from app_public.rescoring_runs r where r.id = x.run_id and r.status = 'completed')
   order by coalesce(x.started_at, x.analyzed_at), x.analyzed_at, x.id
$function$;
comment on function app_public.contact_score_history(contact_id uuid) is 'A contact''s lead score over time: every version of its calls'' analyses (at the call''s start) and of its complete analysis (when made), oldest first; is_latest marks the current ones. Versions of re-scoring runs that did not complete are left out.';
grant execute on function app_public.contact_score_history(contact_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.conversation_outcomes(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_breakdown_row
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$;
comment on function app_public.conversation_outcomes(from_date date, to_date date, agent_id uuid) is 'How the analysed conversations ended (converted, interested, callback requested, not interested, wrong person, no clear outcome), each with its share of the classified calls. The drill-down figure of a class is convo_<key>.';
grant execute on function app_public.conversation_outcomes(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.conversation_summary(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.conversation_summary
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select app_hidden.conversation_summary_of(m)
    from app_hidden.kpi_range(conversation_summary.from_date, conversation_summary.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, conversation_summary.agent_id) m
$function$;
comment on function app_public.conversation_summary(from_date date, to_date date, agent_id uuid) is 'Sentiment, call quality, estimated satisfaction and human transfers of the analysed calls over tenant-local days fromDate..toDate (default the last 30 days), for the business or one agent. Exact at commit (rollups plus pending changes).';
grant execute on function app_public.conversation_summary(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.conversation_topics(kind text DEFAULT 'topic'::text, from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid, max_rows integer DEFAULT 10)
 RETURNS SETOF app_public.conversation_topic
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$;
comment on function app_public.conversation_topics(kind text, from_date date, to_date date, agent_id uuid, max_rows integer) is 'The most frequent topics (kind topic: keys of the taxonomy; free_topic: the model''s free topics) or objections (kind objection) of the analysed calls over tenant-local days fromDate..toDate, for the business or one agent, most frequent first (at most maxRows, 1-100). An exact read of the analyses (not a rollup).';
grant execute on function app_public.conversation_topics(kind text, from_date date, to_date date, agent_id uuid, max_rows integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.conversation_trend(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.conversation_day
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select d.day::date, s.analysed_calls, s.average_sentiment, s.sentiment_positive, s.sentiment_neutral,
         s.sentiment_negative, s.sentiment_mixed, s.average_call_quality, s.average_csat
    from app_hidden.kpi_range(conversation_trend.from_date, conversation_trend.to_date, 366) r
   cross join lateral generate_series(r.from_date, r.to_date, interval '1 day') d(day)
    left join lateral app_hidden.measures_by_bucket(r.user_id, r.from_date, r.to_date, conversation_trend.agent_id, 'day') b
      on b.bucket = d.day::date
   cross join lateral app_hidden.conversation_summary_of(coalesce(b.measures, app_hidden.zero_measures())) s
   order by d.day
$function$;
comment on function app_public.conversation_trend(from_date date, to_date date, agent_id uuid) is 'The sentiment trend: per tenant-local day of fromDate..toDate (at most 366 days, every day listed), the analysed calls, their average sentiment, the sentiment split, average call quality and estimated satisfaction.';
grant execute on function app_public.conversation_trend(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.create_api_key(name text, scopes text[] DEFAULT '{read}'::text[], expires_at timestamp with time zone DEFAULT NULL::timestamp with time zone)
 RETURNS app_public.created_api_key
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
  if create_api_key.name is null or length(btrim(create_api_key.name)) < 1 or length(create_api_key.name) > 100 then
    raise exception 'Give the key a name of 1 to 100 characters.' using errcode = 'SB601';
  end if;
  if expires_at is not null and expires_at <= now() then
    raise exception 'The expiry must be in the future.' using errcode = 'SB604';
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
  values (v_user_id, btrim(create_api_key.name), v_prefix, v_scopes, create_api_key.expires_at)
  returning * into v_key;
  insert into app_private.api_key_secrets (api_key_id, key_hash)
  values (v_key.id, sha256(convert_to(v_secret, 'UTF8')));
  return row(v_key, v_secret)::app_public.created_api_key;
end
$function$;
comment on function app_public.create_api_key(name text, scopes text[], expires_at timestamp with time zone) is 'Creates an API key for the signed-in tenant (scopes read and/or write; optional expiry) and returns its secret once. Requires a password sign-in, not another API key. Owner-only (SB601 name, SB602/SB603 scopes, SB604 expiry).';
grant execute on function app_public.create_api_key(name text, scopes text[], expires_at timestamp with time zone) to app_owner;

CREATE OR REPLACE FUNCTION app_public.create_appointment(scheduled_at timestamp with time zone, call_id uuid DEFAULT NULL::uuid, agent_id uuid DEFAULT NULL::uuid, phone_number text DEFAULT NULL::text, contact_name text DEFAULT NULL::text, notes text DEFAULT NULL::text)
 RETURNS app_public.appointments
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user uuid := app_public.current_user_id();
  l record;
  v app_public.appointments;
begin
  if v_user is null then
    raise exception 'sign in to create appointments' using errcode = '42501';
  end if;
  perform app_hidden.check_appointment_time(create_appointment.scheduled_at);
  select * into l from app_hidden.appointment_links(v_user, create_appointment.call_id, create_appointment.agent_id, create_appointment.phone_number);
  insert into app_public.appointments (user_id, agent_id, call_id, contact_id, phone_number, contact_name, scheduled_at,
                                       status, source, status_source, notes)
  values (v_user, l.agent_id, create_appointment.call_id, l.contact_id, l.phone_number, create_appointment.contact_name,
          create_appointment.scheduled_at, 'scheduled', 'api', 'api', create_appointment.notes)
  returning * into v;
  return v;
end
$function$;
comment on function app_public.create_appointment(scheduled_at timestamp with time zone, call_id uuid, agent_id uuid, phone_number text, contact_name text, notes text) is 'Creates an appointment (source api), optionally for a call (its agent, contact and phone are taken from it) or an agent.';
grant execute on function app_public.create_appointment(scheduled_at timestamp with time zone, call_id uuid, agent_id uuid, phone_number text, contact_name text, notes text) to app_user;

CREATE OR REPLACE FUNCTION app_public.cta_funnel(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_breakdown_row
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(cta_funnel.from_date, cta_funnel.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, cta_funnel.agent_id) m,
         lateral unnest(app_hidden.cta_funnel_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$function$;
comment on function app_public.cta_funnel(from_date date, to_date date, agent_id uuid) is 'The call-to-action funnel: leads, then leads that asked for pricing, a demo, a follow-up, a human (and samples, and any CTA), each with its share of leads.';
grant execute on function app_public.cta_funnel(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.current_member()
 RETURNS app_public.members
 LANGUAGE sql
 STABLE
AS $function$ select m.* from app_public.members m where m.id = app_public.current_member_id() and m.user_id = app_public.current_user_id() $function$;
comment on function app_public.current_member() is 'The signed-in login: name, email and role (owner, manager or viewer).';
grant execute on function app_public.current_member() to app_user;

CREATE OR REPLACE FUNCTION app_public.current_member_id()
 RETURNS uuid
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$ select nullif(pg_catalog.current_setting('jwt.claims.member_id', true), '')::uuid $function$;
comment on function app_public.current_member_id() is 'The signed-in login (member) of the current request; null for API keys and anonymous requests.';
grant execute on function app_public.current_member_id() to app_anonymous;
grant execute on function app_public.current_member_id() to app_user;

CREATE OR REPLACE FUNCTION app_public.current_tenant()
 RETURNS app_public.users
 LANGUAGE sql
 STABLE
AS $function$
  select u.* from app_public.users u where u.id = app_public.current_user_id()
$function$;
comment on function app_public.current_tenant() is 'The signed-in tenant (null when anonymous).';
grant execute on function app_public.current_tenant() to app_user;

CREATE OR REPLACE FUNCTION app_public.current_user_id()
 RETURNS uuid
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select nullif(current_setting('jwt.claims.user_id', true), '')::uuid
$function$;
comment on function app_public.current_user_id() is 'The tenant (user) id of the current request, from the JWT claims; null when anonymous.';
grant execute on function app_public.current_user_id() to app_anonymous;
grant execute on function app_public.current_user_id() to app_user;

CREATE OR REPLACE FUNCTION app_public.current_user_is_admin()
 RETURNS boolean
 LANGUAGE sql
 STABLE PARALLEL SAFE
AS $function$
  select pg_has_role(current_user, 'app_admin', 'usage')
$function$;
comment on function app_public.current_user_is_admin() is 'True when the current role is a platform operator (app_admin) or the owner.';
grant execute on function app_public.current_user_is_admin() to app_anonymous;
grant execute on function app_public.current_user_is_admin() to app_user;

CREATE OR REPLACE FUNCTION app_public.dashboard_overview(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.dashboard_overview
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select app_public.kpi_summary(r.from_date, r.to_date, dashboard_overview.agent_id),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day', dashboard_overview.agent_id) s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         app_public.data_freshness(),
         (select count(*) from app_hidden.lead_rows(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id,
                                                    'hot', true, null, null)),
         array(select l from app_hidden.lead_rows(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id,
                                                  'hot', true, null, null) l
                order by l.started_at desc, l.lead_analytic_id desc
                limit 10),
         app_hidden.hour_matrix(r.user_id, r.from_date, r.to_date, dashboard_overview.agent_id)
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$function$;
comment on function app_public.dashboard_overview(from_date date, to_date date, agent_id uuid) is 'The overview page for tenant-local days fromDate..toDate (default: the last 30 days, at most 366) in one query, of the tenant or of one agent (agentId: every figure but the leaderboard).';
grant execute on function app_public.dashboard_overview(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.data_freshness()
 RETURNS app_public.data_freshness
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select now(),
         (select max(a.updated_at) from app_public.user_analytics a where a.user_id = app_public.current_user_id()),
         (select count(*) from app_hidden.rollup_deltas d where d.user_id = app_public.current_user_id()),
         (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary'),
         (select max(c.started_at) from app_public.calls c where c.user_id = app_public.current_user_id()),
         case when pg_is_in_recovery() then 'replica' else 'primary' end,
         case when not pg_is_in_recovery() then null
              when pg_last_wal_receive_lsn() is not distinct from pg_last_wal_replay_lsn() then 0
              else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()))::double precision end,
         case when pg_is_in_recovery()
              then greatest(0, coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0))::bigint end
$function$;
comment on function app_public.data_freshness() is 'When the signed-in tenant''s rollups were last compacted and the KPI summary last refreshed, the tenant''s not-yet-compacted changes and its latest call; which database answered (primary or replica) and, on a replica, how far behind the primary it is.';
grant execute on function app_public.data_freshness() to app_user;

CREATE OR REPLACE FUNCTION app_public.default_usage_alert_thresholds()
 RETURNS integer[]
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce(array_agg((v #>> '{}')::integer order by (v #>> '{}')::integer desc), '{}')
    from app_private.system_config c, jsonb_array_elements(c.value) v
   where c.key = 'usage_alerts.thresholds_percent'
$function$;
comment on function app_public.default_usage_alert_thresholds() is 'The platform''s usage alert thresholds (percent), used by a business that has none of its own.';
grant execute on function app_public.default_usage_alert_thresholds() to app_user;

CREATE OR REPLACE FUNCTION app_public.erase_business(confirm_email text)
 RETURNS uuid
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user   uuid := app_hidden.require_password_session();
  v_email  text;
  v_counts jsonb := '{}';
  v_id     uuid;
  t        text;
  n        bigint;
begin
  select u.email::text into v_email from app_public.users u where u.id = v_user for update;
  if v_email is null then
    raise exception 'No such account.' using errcode = 'SB104';
  end if;
  if confirm_email is null or lower(btrim(confirm_email)) <> lower(v_email) then
    raise exception 'Type the account''s email address to confirm erasing the business.' using errcode = 'SB403';
  end if;

  -- Tenant data first (children before parents), then the login itself.
  foreach t in array array[
    'app_public.follow_ups', 'app_public.customers', 'app_public.lead_analytics', 'app_public.transcripts',
    'app_public.credit_transactions', 'app_public.calls', 'app_public.contacts', 'app_public.agent_targets',
    'app_public.phone_numbers', 'app_public.usage_alerts', 'app_public.api_keys',
    'app_private.webhook_events', 'app_private.tenant_retention', 'app_private.provider_credentials',
    'app_private.customer_reference_counters', 'app_hidden.purged_rollups', 'app_hidden.credit_charges',
    'app_hidden.contact_count_deltas']
  loop
    -- The calls' triggers append negative deltas; they go with the tenant's other deltas below.
    execute format('delete from %s where user_id = $1', t) using v_user;
    get diagnostics n = row_count;
    v_counts := v_counts || jsonb_build_object(split_part(t, '.', 2), n);
  end loop;
  delete from app_private.login_attempts a where a.user_id = v_user or lower(a.email::text) = lower(v_email);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('login_attempts', n);
  select count(*) into n from app_public.agents a where a.user_id = v_user;
  v_counts := v_counts || jsonb_build_object('agents', n);
  select count(*) into n from app_public.privacy_requests r where r.user_id = v_user;
  v_counts := v_counts || jsonb_build_object('privacy_requests', n);

  insert into app_private.erased_businesses (user_id, email_hash, requested_by, client_ip, user_agent, counts)
  select v_user, app_hidden.privacy_subject_hash(v_email), v_user, o.client_ip, o.user_agent, v_counts
    from app_hidden.privacy_request_origin() o
  returning id into v_id;

  delete from app_hidden.audit_log a where a.user_id = v_user;
  -- The login last: agents, rollups, secrets and privacy requests go with it (on delete cascade).
  delete from app_public.users u where u.id = v_user;
  delete from app_hidden.rollup_deltas d where d.user_id = v_user;
  return v_id;
end
$function$;
comment on function app_public.erase_business(confirm_email text) is 'Erases the signed-in business and its login, after it types its email to confirm (SB403): every tenant row, then the account. The erasure is recorded in the platform log (app_private.erased_businesses) with row counts, never the email in clear. Returns the record''s id.';
grant execute on function app_public.erase_business(confirm_email text) to app_owner;

CREATE OR REPLACE FUNCTION app_public.erase_contact(phone_number text DEFAULT NULL::text, contact_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.privacy_requests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user    uuid := app_hidden.require_password_session();
  v_phone   text := phone_number;
  v_contact uuid := contact_id;
  v_calls   uuid[];
  v_counts  jsonb := '{}';
  v_req     app_public.privacy_requests;
  n         integer;
begin
  if v_contact is not null then
    select c.phone_number into v_phone from app_public.contacts c where c.id = v_contact and c.user_id = v_user;
    if v_phone is null then
      raise exception 'No such contact.' using errcode = 'SB104';
    end if;
  elsif v_phone is null or v_phone !~ '^\+[1-9][0-9]{6,14}$' then
    raise exception 'Give a contact or a phone number in E.164 form (+ and digits).' using errcode = 'SB404';
  else
    select c.id into v_contact from app_public.contacts c where c.user_id = v_user and c.phone_number = v_phone;
  end if;
  -- KEY SHARE on the tenant, like every writer of its calls (a time zone
  -- change waits for this erasure, or this erasure for it).
  perform 1 from app_public.users u where u.id = v_user for key share;

  select coalesce(array_agg(k.id), '{}') into v_calls
    from app_public.calls k
   where k.user_id = v_user and (k.phone_number = v_phone or (v_contact is not null and k.contact_id = v_contact));
  if v_contact is null and cardinality(v_calls) = 0
     and not exists (select 1 from app_public.lead_analytics a where a.user_id = v_user and a.phone_number = v_phone)
     and not exists (select 1 from app_public.follow_ups f where f.user_id = v_user and f.lead_phone = v_phone)
     and not exists (select 1 from app_public.customers s where s.user_id = v_user and s.phone = v_phone)
     and not exists (select 1 from app_public.appointments p where p.user_id = v_user and p.phone_number = v_phone) then
    raise exception 'No caller with this number.' using errcode = 'SB104';
  end if;

  -- The ledger keeps every amount and balance; rows only lose their link to the erased calls.
  update app_public.credit_transactions t set call_id = null
   where t.user_id = v_user and t.call_id = any (v_calls);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('credit_transactions_unlinked', n);

  select count(*) into n from app_public.transcripts t where t.user_id = v_user and t.call_id = any (v_calls);
  v_counts := v_counts || jsonb_build_object('transcripts', n);
  select count(*) into n from app_public.lead_analytics a
   where a.user_id = v_user and a.analysis_type = 'individual' and a.call_id = any (v_calls);
  v_counts := v_counts || jsonb_build_object('individual_analyses', n);

  delete from app_public.lead_analytics a
   where a.user_id = v_user and a.analysis_type = 'complete' and a.phone_number = v_phone;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('complete_analyses', n);

  delete from app_public.follow_ups f
   where f.user_id = v_user and (f.lead_phone = v_phone or (v_contact is not null and f.contact_id = v_contact));
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('follow_ups', n);

  delete from app_public.customers s
   where s.user_id = v_user and (s.phone = v_phone or (v_contact is not null and s.contact_id = v_contact));
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('customers', n);

  -- Appointments with the caller (booked by their calls, or by the API or a calendar tool for their number).
  delete from app_public.appointments p
   where p.user_id = v_user
     and (p.phone_number = v_phone or (v_contact is not null and p.contact_id = v_contact) or p.call_id = any (v_calls));
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('appointments', n);

  -- The calls' own triggers take their contribution out of the rollups
  -- (negative deltas, analyses included) and their not-connected counts;
  -- transcripts and individual analyses go with them (on delete cascade).
  delete from app_public.calls k where k.id = any (v_calls);
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('calls', n);

  delete from app_public.contacts c where c.id = v_contact and c.user_id = v_user;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('contacts', n);
  delete from app_hidden.contact_count_deltas d where d.contact_id = v_contact and d.user_id = v_user;

  -- Raw provider deliveries that carry the number.
  delete from app_private.webhook_events w
   where w.user_id = v_user and strpos(w.payload::text, v_phone) > 0;
  get diagnostics n = row_count;
  v_counts := v_counts || jsonb_build_object('webhook_events', n);

  -- Export archives built earlier hold the caller too: they go now rather than at their expiry.
  with expired as (
    update app_public.privacy_requests r set status = 'expired'
     where r.user_id = v_user and r.kind = 'export' and r.status = 'completed'
    returning r.id
  ), gone as (
    delete from app_private.privacy_export_chunks c using expired e where c.request_id = e.id
  )
  select count(*) into n from expired;
  v_counts := v_counts || jsonb_build_object('export_archives_expired', n);

  insert into app_public.privacy_requests (user_id, kind, status, progress, details, subject_hash, requested_by,
                                           client_ip, user_agent, started_at, finished_at)
  select v_user, 'erase_contact', 'completed', 1, v_counts, app_hidden.privacy_subject_hash(v_phone), v_user,
         o.client_ip, o.user_agent, now(), now()
    from app_hidden.privacy_request_origin() o
  returning * into v_req;
  return v_req;
end
$function$;
comment on function app_public.erase_contact(phone_number text, contact_id uuid) is 'Erases one caller of the signed-in business (by contact or phone number): calls (their KPI contribution is taken out of the rollups), transcripts, analyses, appointments, follow-ups, the customer record, the contact and raw deliveries carrying the number. Credit ledger rows keep their amounts and lose the call link. Stored export archives (which hold the caller) are expired at once. Recorded in allPrivacyRequests without the number.';
grant execute on function app_public.erase_contact(phone_number text, contact_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.estimate_rescoring(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date)
 RETURNS app_public.rescoring_estimate
 LANGUAGE sql
 STABLE
AS $function$
  select r.from_date, r.to_date, s.calls, s.chars, s.input_tokens, s.output_tokens, p.input_price, p.output_price,
         round((s.input_tokens * p.input_price + s.output_tokens * p.output_price) / 1e6 * 100, 2),
         u.analysis_prompt_version,
         nullif(btrim(coalesce(u.analysis_prompt_individual, '')), '') is not null
           or nullif(btrim(coalesce(u.analysis_prompt_complete, '')), '') is not null,
         (select x.id from app_public.rescoring_runs x where x.user_id = r.user_id and x.status in ('queued', 'running'))
    from app_hidden.kpi_range(estimate_rescoring.from_date, estimate_rescoring.to_date) r
    join app_public.users u on u.id = r.user_id
    cross join lateral (
      select app_hidden.config_numeric('rescoring.input_usd_per_million_tokens', 0.15) as input_price,
             app_hidden.config_numeric('rescoring.output_usd_per_million_tokens', 0.60) as output_price,
             greatest(app_hidden.config_numeric('rescoring.chars_per_token', 4), 1) as chars_per_token,
             app_hidden.config_numeric('rescoring.prompt_tokens_per_call', 900) as prompt_tokens,
             app_hidden.config_numeric('rescoring.output_tokens_per_call', 450) as output_tokens) p
    cross join lateral (
      select count(*)::integer as calls, coalesce(sum(x.transcript_characters), 0)::bigint as chars,
             (ceil(coalesce(sum(x.transcript_characters), 0) / p.chars_per_token) + count(*) * p.prompt_tokens)::bigint as input_tokens,
             (count(*) * p.output_tokens)::bigint as output_tokens
        from app_hidden.rescoring_scope(r.user_id, r.timezone, r.from_date, r.to_date) x) s
$function$;
comment on function app_public.estimate_rescoring(from_date date, to_date date) is 'What re-scoring the calls of a tenant-local date range (default the last 30 days) would analyse and cost, before starting it (startRescoring).';
grant execute on function app_public.estimate_rescoring(from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.failed_deliveries(provider text DEFAULT NULL::text, max_rows integer DEFAULT 20)
 RETURNS SETOF app_public.failed_delivery
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select w.provider, w.event_key, w.received_at, w.processed_at, w.attempts,
         coalesce(w.payload ->> 'id', w.payload ->> 'CallSid'),
         coalesce(w.payload ->> 'status', w.payload ->> 'CallStatus'),
         w.error_code,
         case when w.error_code like 'SB%' then w.error end
    from app_private.webhook_events w
   where w.user_id = app_public.current_user_id()
     and w.provider in ('bolna', 'twilio')
     and (failed_deliveries.provider is null or w.provider = failed_deliveries.provider)
     and w.status = 'failed'
   order by w.received_at desc, w.id desc
   limit least(greatest(coalesce(max_rows, 20), 1), 100)
$function$;
comment on function app_public.failed_deliveries(provider text, max_rows integer) is '@behavior +list -connection
@listSuffix omit
The signed-in business''s failed deliveries (of one provider, or all), newest first, at most max_rows (1-100, default 20). Managers and viewers may read them (no secrets).';
grant execute on function app_public.failed_deliveries(provider text, max_rows integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.ingest_settings()
 RETURNS app_public.ingest_settings
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select c.bolna_token_prefix, c.bolna_signing_secret_enc is not null, c.bolna_require_signature,
         c.twilio_account_sid, c.twilio_auth_token_enc is not null, c.updated_at
    from app_private.provider_credentials c
   where c.user_id = app_public.current_user_id()
$function$;
comment on function app_public.ingest_settings() is 'The signed-in tenant''s webhook settings (null when none are set).';
grant execute on function app_public.ingest_settings() to app_user;

CREATE OR REPLACE FUNCTION app_public.invite_member(email text, role text)
 RETURNS app_public.created_invitation
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_owner app_public.members := app_hidden.require_owner();
  v_inv   app_public.invitations;
  v_token text := app_hidden.new_link_token('sbi_');
begin
  if invite_member.role is null or invite_member.role not in ('owner', 'manager', 'viewer') then
    raise exception 'The role must be owner, manager or viewer.' using errcode = 'SB201';
  end if;
  if exists (select 1 from app_public.members m where m.email = invite_member.email::public.citext) then
    raise exception 'This email already signs in to Switchboard: each login belongs to one business.' using errcode = 'SB102';
  end if;
  -- A new invitation replaces the pending ones for the same email.
  update app_public.invitations i set revoked_at = now()
   where i.user_id = v_owner.user_id and i.email = invite_member.email::public.citext
     and i.accepted_at is null and i.revoked_at is null;
  insert into app_public.invitations (user_id, email, role, invited_by, expires_at)
  values (v_owner.user_id, invite_member.email, invite_member.role, v_owner.id,
          now() + make_interval(hours => app_hidden.config_int('team.invitation_hours', 72)))
  returning * into v_inv;
  insert into app_private.member_links (token_hash, kind, user_id, invitation_id, expires_at)
  values (public.digest(v_token, 'sha256'), 'invitation', v_owner.user_id, v_inv.id, v_inv.expires_at);
  return row(v_inv, v_token)::app_public.created_invitation;
end
$function$;
comment on function app_public.invite_member(email text, role text) is 'Invites someone to this business with a role (owner, manager, viewer). Returns the invitation and its one-time link token, shown once. Owners only.';
grant execute on function app_public.invite_member(email text, role text) to app_owner;

CREATE OR REPLACE FUNCTION app_public.issue_password_reset(member_id uuid)
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_owner  app_public.members := app_hidden.require_owner();
begin
  if not exists (select 1 from app_public.members m where m.id = issue_password_reset.member_id and m.user_id = v_owner.user_id) then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  return app_hidden.password_reset_token(issue_password_reset.member_id);
end
$function$;
comment on function app_public.issue_password_reset(member_id uuid) is 'A one-time password-reset link token for a member of this business (shown once; expires). Owners only.';
grant execute on function app_public.issue_password_reset(member_id uuid) to app_owner;

CREATE OR REPLACE FUNCTION app_public.kpi_definitions()
 RETURNS app_public.kpi_definition[]
 LANGUAGE sql
 STABLE PARALLEL SAFE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select coalesce(array_agg(row(a.attname::text, d.description)::app_public.kpi_definition order by a.attnum), '{}')
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_description d
      on d.objoid = a.attrelid and d.classoid = 'pg_catalog.pg_class'::regclass and d.objsubid = a.attnum
   where a.attrelid = 'app_public.kpi_figures'::regclass and a.attnum > 0 and not a.attisdropped
$function$;
comment on function app_public.kpi_definitions() is 'Every KPI of KpiFigures with its definition: the comments on its fields, the one place the definitions live (the dashboard shows them on the KPI cards).';
grant execute on function app_public.kpi_definitions() to app_user;

CREATE OR REPLACE FUNCTION app_public.kpi_hourly_matrix(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_hour_cell
 LANGUAGE sql
 STABLE
AS $function$
  select c.*
    from app_hidden.kpi_range(kpi_hourly_matrix.from_date, kpi_hourly_matrix.to_date) r,
         app_hidden.hour_cells(r.user_id, r.from_date, r.to_date, kpi_hourly_matrix.agent_id) c
   order by c.iso_weekday, c.hour
$function$;
comment on function app_public.kpi_hourly_matrix(from_date date, to_date date, agent_id uuid) is 'Calls by tenant-local weekday and hour over fromDate..toDate (default: the last 30 days), of the tenant or of one agent: all 168 cells, zeros included.';
grant execute on function app_public.kpi_hourly_matrix(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.kpi_series(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, granularity app_public.kpi_granularity DEFAULT 'day'::app_public.kpi_granularity, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_series_point
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$;
comment on function app_public.kpi_series(from_date date, to_date date, granularity app_public.kpi_granularity, agent_id uuid) is 'KPIs per tenant-local day, ISO week or month over fromDate..toDate (default: the last 30 days), optionally for one agent; every bucket present, zeros where nothing happened.';
grant execute on function app_public.kpi_series(from_date date, to_date date, granularity app_public.kpi_granularity, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.kpi_summary(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.kpi_range_summary
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select x.from_date, x.to_date, x.previous_from_date, x.previous_to_date, x.timezone,
         x.cur_f, x.prev_f, app_hidden.kpi_changes(x.cur_f, x.prev_f),
         x.credits_available,
         app_hidden.lead_temperature_rows(x.cur_m), app_hidden.cta_funnel_rows(x.cur_m), app_hidden.call_source_rows(x.cur_m)
    from (
      select m.*, app_hidden.kpi_figures(m.cur_m) as cur_f, app_hidden.kpi_figures(m.prev_m) as prev_f
        from (
          select r.from_date, r.to_date,
                 r.from_date - (r.to_date - r.from_date + 1) as previous_from_date, r.from_date - 1 as previous_to_date,
                 r.timezone,
                 (select app_public.users_available_credits(u) from app_public.users u where u.id = r.user_id) as credits_available,
                 app_hidden.range_measures(r.user_id, r.from_date, r.to_date, kpi_summary.agent_id) as cur_m,
                 app_hidden.range_measures(r.user_id, r.from_date - (r.to_date - r.from_date + 1),
                                           r.from_date - 1, kpi_summary.agent_id) as prev_m
            from app_hidden.kpi_range(kpi_summary.from_date, kpi_summary.to_date) r
          offset 0) m
      offset 0) x
$function$;
comment on function app_public.kpi_summary(from_date date, to_date date, agent_id uuid) is 'KPIs for tenant-local days fromDate..toDate (default: the last 30 days), optionally for one agent, with the previous period of the same length and the change. Exact: rollups plus not-yet-compacted changes.';
grant execute on function app_public.kpi_summary(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.lead_temperature(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.kpi_breakdown_row
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select b.key, b.label, b.value, b.share
    from app_hidden.kpi_range(lead_temperature.from_date, lead_temperature.to_date) r,
         lateral app_hidden.range_measures(r.user_id, r.from_date, r.to_date, lead_temperature.agent_id) m,
         lateral unnest(app_hidden.lead_temperature_rows(m)) with ordinality b(key, label, value, share, ord)
   order by b.ord
$function$;
comment on function app_public.lead_temperature(from_date date, to_date date, agent_id uuid) is 'Leads by hot / warm / cold tag (and untagged) with shares of all leads.';
grant execute on function app_public.lead_temperature(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.leads_page(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid, temperature text DEFAULT NULL::text, unread_only boolean DEFAULT false, min_score integer DEFAULT NULL::integer, max_score integer DEFAULT NULL::integer, after text DEFAULT NULL::text, first integer DEFAULT 25)
 RETURNS app_public.lead_page
 LANGUAGE plpgsql
 STABLE
AS $function$
declare
  v_user uuid := app_public.current_user_id();
  v_at   timestamptz;
  v_id   uuid;
  r      app_public.lead_page;
begin
  if v_user is null then
    raise exception 'sign in to read leads' using errcode = '42501';
  end if;
  perform app_hidden.lead_filter_check(temperature, min_score, max_score);
  if from_date > to_date then
    raise exception 'fromDate (%) must not be after toDate (%)', from_date, to_date using errcode = 'SB103';
  end if;
  if first is null or first not between 1 and 100 then
    raise exception 'first must be between 1 and 100' using errcode = 'SB150';
  end if;
  if after is not null then
    begin
      v_at := 'epoch'::timestamptz + split_part(after, '~', 1)::bigint * interval '1 microsecond';
      v_id := split_part(after, '~', 2)::uuid;
    exception when others then
      raise exception 'the cursor is not one this API gave' using errcode = 'SB150';
    end;
  end if;
  select count(*), count(*) filter (where not l.is_read) into r.total_count, r.unread_count
    from app_hidden.lead_rows(v_user, from_date, to_date, agent_id, temperature, unread_only, min_score, max_score) l;
  r.items := array(
    select l from app_hidden.lead_rows(v_user, from_date, to_date, agent_id, temperature, unread_only, min_score, max_score) l
     where after is null or (l.started_at, l.lead_analytic_id) < (v_at, v_id)
     order by l.started_at desc, l.lead_analytic_id desc
     limit first + 1);
  r.has_next_page := cardinality(r.items) > first;
  if r.has_next_page then
    r.items := r.items[1:first];
    r.end_cursor := (extract(epoch from r.items[first].started_at) * 1000000)::bigint::text || '~' || r.items[first].lead_analytic_id;
  end if;
  return r;
end
$function$;
comment on function app_public.leads_page(from_date date, to_date date, agent_id uuid, temperature text, unread_only boolean, min_score integer, max_score integer, after text, first integer) is 'The leads page: leads (calls with an analysis) of the tenant, newest call first, `first` (1-100) after the cursor `after`; filtered by the call''s tenant-local days (null = all), agent, temperature (hot, warm, cold, untagged), unread, score range (0-100). Bad filters: SB150.';
grant execute on function app_public.leads_page(from_date date, to_date date, agent_id uuid, temperature text, unread_only boolean, min_score integer, max_score integer, after text, first integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.mark_all_notifications_read()
 RETURNS integer
 LANGUAGE sql
AS $function$
  with done as (
    update app_public.lead_analytics a set is_read = true
     where a.user_id = app_public.current_user_id() and a.analysis_type = 'individual' and not a.is_read
    returning 1)
  select count(*)::integer from done
$function$;
comment on function app_public.mark_all_notifications_read() is 'Marks every unread lead (individual analysis) of the tenant read; returns how many.';
grant execute on function app_public.mark_all_notifications_read() to app_user;

CREATE OR REPLACE FUNCTION app_public.mark_leads_read(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid, temperature text DEFAULT NULL::text, min_score integer DEFAULT NULL::integer, max_score integer DEFAULT NULL::integer)
 RETURNS integer
 LANGUAGE plpgsql
AS $function$
declare
  n integer;
begin
  perform app_hidden.lead_filter_check(temperature, min_score, max_score);
  update app_public.lead_analytics a set is_read = true
    from app_hidden.lead_rows(app_public.current_user_id(), from_date, to_date, agent_id, temperature, true, min_score, max_score) l
   where a.id = l.lead_analytic_id;
  get diagnostics n = row_count;
  return n;
end
$function$;
comment on function app_public.mark_leads_read(from_date date, to_date date, agent_id uuid, temperature text, min_score integer, max_score integer) is 'Marks every unread lead matching the filter (as leadsPage) read; returns how many.';
grant execute on function app_public.mark_leads_read(from_date date, to_date date, agent_id uuid, temperature text, min_score integer, max_score integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.mark_notification_read(lead_analytic_id uuid, is_read boolean DEFAULT true)
 RETURNS app_public.lead_analytics
 LANGUAGE plpgsql
AS $function$
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
$function$;
comment on function app_public.mark_notification_read(lead_analytic_id uuid, is_read boolean) is 'Marks one smart notification read (or unread again).';
grant execute on function app_public.mark_notification_read(lead_analytic_id uuid, is_read boolean) to app_user;

CREATE OR REPLACE FUNCTION app_public.onboarding_status()
 RETURNS app_public.onboarding_status
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.onboarding_status() is 'The signed-in business''s set-up state for the onboarding checklist (null when signed out).';
grant execute on function app_public.onboarding_status() to app_user;

CREATE OR REPLACE FUNCTION app_public.provider_delivery_summaries()
 RETURNS SETOF app_public.provider_delivery_summary
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select p.provider,
         (select max(w.received_at) from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider),
         (select max(w.received_at) from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider and w.status = 'processed'),
         (select count(*)::integer from app_private.webhook_events w
           where w.user_id = app_public.current_user_id() and w.provider = p.provider and w.status = 'failed')
    from (values ('bolna'), ('twilio')) p (provider)
   where app_public.current_user_id() is not null
$function$;
comment on function app_public.provider_delivery_summaries() is '@behavior +list -connection
@listSuffix omit
The signed-in business''s webhook deliveries per provider: when the last one arrived, the last applied one, and how many failed. Managers and viewers may read it (no secrets).';
grant execute on function app_public.provider_delivery_summaries() to app_user;

CREATE OR REPLACE FUNCTION app_public.remove_member(member_id uuid)
 RETURNS app_public.members
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_owner  app_public.members := app_hidden.require_owner();
  v_member app_public.members;
begin
  select m.* into v_member from app_public.members m
   where m.id = remove_member.member_id and m.user_id = v_owner.user_id;
  if v_member.id is null then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  if v_member.role = 'owner' then
    perform app_hidden.guard_last_owner(v_owner.user_id, v_member.id);
  end if;
  delete from app_public.members m where m.id = v_member.id;
  return v_member;
end
$function$;
comment on function app_public.remove_member(member_id uuid) is 'Removes a member: its login is deleted and its tokens stop working at once. The last owner cannot be removed. Owners only.';
grant execute on function app_public.remove_member(member_id uuid) to app_owner;

CREATE OR REPLACE FUNCTION app_public.remove_test_calls()
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.remove_test_calls() is 'Removes the signed-in business''s test calls (is_test) with their transcripts, analyses, the contacts only they created and their raw deliveries; the KPIs drop them exactly and their credits are refunded. Returns how many calls were removed.';
grant execute on function app_public.remove_test_calls() to app_user;

CREATE OR REPLACE FUNCTION app_public.remove_usage_alert_threshold(threshold_id uuid)
 RETURNS app_public.usage_alert_thresholds
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_row app_public.usage_alert_thresholds;
begin
  delete from app_public.usage_alert_thresholds t where t.id = remove_usage_alert_threshold.threshold_id returning * into v_row;
  if not found then
    raise exception 'No such alert (it does not exist or is not yours).' using errcode = 'SB104', column = 'threshold_id';
  end if;
  return v_row;
end
$function$;
comment on function app_public.remove_usage_alert_threshold(threshold_id uuid) is 'Removes a usage alert threshold of the business (with none left, the platform''s apply).';
grant execute on function app_public.remove_usage_alert_threshold(threshold_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.replay_failed_deliveries(provider text, event_keys text[] DEFAULT NULL::text[])
 RETURNS app_public.delivery_replay
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user    uuid := app_public.current_user_id();
  v_id      bigint;
  v_state   text;
  n_replay  integer := 0;
  n_applied integer := 0;
begin
  if v_user is null then
    raise exception 'sign in to replay deliveries' using errcode = '42501';
  end if;
  if provider is null or provider not in ('bolna', 'twilio') then
    raise exception 'Unknown provider "%": choose bolna or twilio.', provider using errcode = 'SB605';
  end if;
  -- Oldest first, so a call's events are applied in order. FOR UPDATE re-checks the status once a
  -- concurrent replay of the same delivery commits: a delivery applied meanwhile is skipped, so
  -- replaying twice never applies twice (applying an applied event would be a no-op anyway).
  for v_id in
    select w.id from app_private.webhook_events w
     where w.user_id = v_user
       and w.provider = replay_failed_deliveries.provider
       and w.status = 'failed'
       and (event_keys is null or w.event_key = any (event_keys))
     order by w.received_at, w.id
     limit 100
       for update
  loop
    select a.state into v_state from app_hidden.apply_webhook_event(v_id) a;
    n_replay := n_replay + 1;
    if v_state = 'processed' then n_applied := n_applied + 1; end if;
  end loop;
  return row(n_replay, n_applied, n_replay - n_applied)::app_public.delivery_replay;
end
$function$;
comment on function app_public.replay_failed_deliveries(provider text, event_keys text[]) is 'Re-applies the signed-in business''s failed deliveries of one provider (those named by event_keys, or all; at most 100, oldest first) once their cause is fixed. Idempotent: an applied delivery is not replayed again. Owners and managers (viewers run read-only).';
grant execute on function app_public.replay_failed_deliveries(provider text, event_keys text[]) to app_user;

CREATE OR REPLACE FUNCTION app_public.request_data_export()
 RETURNS app_public.privacy_requests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user uuid := app_hidden.require_password_session();
  v_req  app_public.privacy_requests;
begin
  -- One export at a time per business (the lock serialises two clicks).
  perform 1 from app_public.users u where u.id = v_user for no key update;
  if exists (select 1 from app_public.privacy_requests r
              where r.user_id = v_user and r.kind = 'export' and r.status in ('pending', 'running')) then
    raise exception 'An export is already being prepared; wait for it to finish.' using errcode = 'SB402';
  end if;
  insert into app_public.privacy_requests (user_id, kind, requested_by, client_ip, user_agent)
  select v_user, 'export', v_user, o.client_ip, o.user_agent from app_hidden.privacy_request_origin() o
  returning * into v_req;
  perform graphile_worker.add_job('privacy_requests__export', json_build_object('requestId', v_req.id),
                                  job_key := 'privacy_requests__export:' || v_req.id::text, max_attempts := 3);
  return v_req;
end
$function$;
comment on function app_public.request_data_export() is 'Starts an export of all the business''s data (a tar.gz of one JSON-lines file per table and a manifest). Watch its progress in allPrivacyRequests; download it from /exports/<id> when completed. One at a time (SB402).';
grant execute on function app_public.request_data_export() to app_user;

CREATE OR REPLACE FUNCTION app_public.reschedule_appointment(appointment_id uuid, scheduled_at timestamp with time zone, notes text DEFAULT NULL::text)
 RETURNS app_public.appointments
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v app_public.appointments;
begin
  perform app_hidden.check_appointment_time(reschedule_appointment.scheduled_at);
  select * into v from app_public.appointments p
   where p.id = appointment_id and p.user_id = app_public.current_user_id()
   for update;
  if v.id is null then
    raise exception 'No such appointment (it does not exist or is not yours).' using errcode = 'SB186';
  end if;
  if v.status in ('completed', 'no_show') then
    raise exception 'This appointment already took place (%): create a new one instead of rescheduling it.', replace(v.status, '_', '-')
      using errcode = 'SB189';
  end if;
  update app_public.appointments p
     set scheduled_at = reschedule_appointment.scheduled_at, status = 'rescheduled', status_source = 'api',
         notes = coalesce(reschedule_appointment.notes, p.notes)
   where p.id = v.id
  returning * into v;
  return v;
end
$function$;
comment on function app_public.reschedule_appointment(appointment_id uuid, scheduled_at timestamp with time zone, notes text) is 'Moves an appointment to a new time (status rescheduled: still to take place). Not for one that already took place (completed or no-show).';
grant execute on function app_public.reschedule_appointment(appointment_id uuid, scheduled_at timestamp with time zone, notes text) to app_user;

CREATE OR REPLACE FUNCTION app_public.retention_settings()
 RETURNS SETOF app_public.retention_setting
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  select p.data_type, p.description, coalesce(r.retain_days, p.retain_days), p.retain_days, p.min_days, p.max_days,
         r.retain_days is not null
    from app_private.retention_policies p
    left join app_private.tenant_retention r on r.data_type = p.data_type and r.user_id = app_public.current_user_id()
   where p.tenant_editable and app_public.current_user_id() is not null
   order by array_position(array['calls', 'transcripts', 'recordings'], p.data_type), p.data_type
$function$;
comment on function app_public.retention_settings() is 'The signed-in business''s retention per data type it may edit (calls, transcripts, recordings), with the platform limits.';
grant execute on function app_public.retention_settings() to app_user;

CREATE OR REPLACE FUNCTION app_public.retry_call_analysis(call_id uuid)
 RETURNS app_public.transcripts
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v app_public.transcripts;
begin
  update app_public.transcripts t
     set analysis_status = 'pending', analysis_error = null
   where t.call_id = retry_call_analysis.call_id
     and t.user_id = app_public.current_user_id()
     and t.analysis_status = 'failed'
  returning * into v;
  if v.id is not null then
    perform graphile_worker.add_job('calls__analyze', json_build_object('callId', v.call_id),
                                    job_key := 'calls__analyze:' || v.call_id::text,
                                    max_attempts := 8);
    return v;
  end if;
  select * into v from app_public.transcripts t
   where t.call_id = retry_call_analysis.call_id and t.user_id = app_public.current_user_id();
  if v.id is null then
    raise exception 'No transcript for this call (it does not exist or is not yours).' using errcode = 'SB104';
  end if;
  return v;
end
$function$;
comment on function app_public.retry_call_analysis(call_id uuid) is 'Queues a failed analysis again (analysis back to pending, one calls__analyze job per call). Idempotent: a transcript that is not failed is returned unchanged and nothing is queued.';
grant execute on function app_public.retry_call_analysis(call_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.revoke_api_key(key_id uuid)
 RETURNS app_public.api_keys
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
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
  return v_key;
end
$function$;
comment on function app_public.revoke_api_key(key_id uuid) is 'Revokes one of the tenant''s API keys (immediately; idempotent). Owner-only.';
grant execute on function app_public.revoke_api_key(key_id uuid) to app_owner;

CREATE OR REPLACE FUNCTION app_public.revoke_invitation(invitation_id uuid)
 RETURNS app_public.invitations
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_owner app_public.members := app_hidden.require_owner();
  v_inv   app_public.invitations;
begin
  update app_public.invitations i set revoked_at = now()
   where i.id = revoke_invitation.invitation_id and i.user_id = v_owner.user_id
     and i.accepted_at is null and i.revoked_at is null
  returning * into v_inv;
  if v_inv.id is null then
    raise exception 'No pending invitation with this id.' using errcode = 'SB104';
  end if;
  return v_inv;
end
$function$;
comment on function app_public.revoke_invitation(invitation_id uuid) is 'Cancels a pending invitation (its link stops working). Owners only.';
grant execute on function app_public.revoke_invitation(invitation_id uuid) to app_owner;

CREATE OR REPLACE FUNCTION app_public.rotate_bolna_ingest_token()
 RETURNS text
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_user  uuid := app_hidden.require_password_session();
  v_token text := 'sbw_' || translate(rtrim(encode(gen_random_bytes(32), 'base64'), '='), '+/', '-_');
begin
  insert into app_private.provider_credentials as c (user_id, bolna_token_hash, bolna_token_prefix)
  values (v_user, sha256(convert_to(v_token, 'UTF8')), left(v_token, 10))
  on conflict (user_id) do update
    set bolna_token_hash = excluded.bolna_token_hash, bolna_token_prefix = excluded.bolna_token_prefix, updated_at = now();
  return v_token;
end
$function$;
comment on function app_public.rotate_bolna_ingest_token() is 'Creates or replaces the tenant''s Bolna webhook token and returns it once: Bolna posts to /webhooks/bolna/<token>. The previous token stops working at once. Owner-only.';
grant execute on function app_public.rotate_bolna_ingest_token() to app_owner;

CREATE OR REPLACE FUNCTION app_public.save_agent(agent_id uuid DEFAULT NULL::uuid, provider text DEFAULT NULL::text, provider_agent_id text DEFAULT NULL::text, name text DEFAULT NULL::text, phone_number text DEFAULT NULL::text)
 RETURNS app_public.agents
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.save_agent(agent_id uuid, provider text, provider_agent_id text, name text, phone_number text) is 'Creates (agentId null) or renames an agent and sets its phone number (E.164; empty: none). The provider and provider agent id are fixed once created. SB701 duplicate provider agent id, SB703 number used by another agent, SB404 not E.164, SB704-SB706 bad name/provider/id, SB001 changing the provider id.';
grant execute on function app_public.save_agent(agent_id uuid, provider text, provider_agent_id text, name text, phone_number text) to app_user;

CREATE OR REPLACE FUNCTION app_public.save_usage_alert_threshold(threshold_id uuid DEFAULT NULL::uuid, threshold_percent integer DEFAULT NULL::integer)
 RETURNS app_public.usage_alert_thresholds
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.save_usage_alert_threshold(threshold_id uuid, threshold_percent integer) is 'Adds (thresholdId null) or changes a usage alert threshold of the business. SB713 out of 1-99, SB714 already there.';
grant execute on function app_public.save_usage_alert_threshold(threshold_id uuid, threshold_percent integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.score_calibration(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.score_calibration_row
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
  with r as (
    select * from app_hidden.kpi_range(from_date, to_date)
  ), conv as (
    select k.* from r, app_hidden.contact_conversions(r.user_id) k
  ), scored as (
    -- Per contact, the score that counts: the current analysis of its LATEST analysed call in the period
    -- (of the chosen agent, if any) that started before the contact became a customer.
    select distinct on (c.contact_id)
           c.contact_id, a.total_score, a.lead_status_tag, (k.contact_id is not null) as converted
      from r
      join app_public.calls c
        on c.user_id = r.user_id
       and c.started_at >= (r.from_date::timestamp at time zone r.timezone)
       and c.started_at < ((r.to_date + 1)::timestamp at time zone r.timezone)
      join app_public.lead_analytics a on a.call_id = c.id and a.user_id = c.user_id and a.analysis_type = 'individual'
      left join conv k on k.contact_id = c.contact_id
     where c.contact_id is not null
       and (score_calibration.agent_id is null or c.agent_id = score_calibration.agent_id)
       and (k.converted_at is null or c.started_at < k.converted_at)
     order by c.contact_id, c.started_at desc, c.id desc
  ), buckets(dimension, bucket, min_score, max_score, ord) as (
    values ('band', '0-19', 0, 19, 1), ('band', '20-39', 20, 39, 2), ('band', '40-59', 40, 59, 3),
           ('band', '60-79', 60, 79, 4), ('band', '80-100', 80, 100, 5),
           ('temperature', 'hot', null, null, 6), ('temperature', 'warm', null, null, 7),
           ('temperature', 'cold', null, null, 8), ('all', 'all', null, null, 9)
  )
  select b.dimension, b.bucket, b.min_score, b.max_score,
         count(s.contact_id), count(s.contact_id) filter (where s.converted),
         app_hidden.ratio(count(s.contact_id) filter (where s.converted), count(s.contact_id))
    from buckets b
    left join scored s
      on (b.dimension = 'band' and app_hidden.score_band(s.total_score) = b.bucket)
      or (b.dimension = 'temperature' and s.lead_status_tag = b.bucket)
      or (b.dimension = 'all')
   group by b.dimension, b.bucket, b.min_score, b.max_score, b.ord
   order by b.ord
$function$;
comment on function app_public.score_calibration(from_date date, to_date date, agent_id uuid) is '@behavior +list -connection
@listSuffix omit
Calibration of the lead score: per total-score band (0-19 ... 80-100) and per temperature (hot, warm, cold), how many contacts became customers. A contact counts once, with the current analysis of its latest analysed call in the period (tenant-local days; default the last 30) that started before it became a customer (a customer record linked to the contact or carrying its number, or the is_customer flag); calls of agentId only when given, else every agent. Exact, read from the raw rows.';
grant execute on function app_public.score_calibration(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_agent_active(agent_id uuid, active boolean)
 RETURNS app_public.agents
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.set_agent_active(agent_id uuid, active boolean) is 'Deactivates or reactivates an agent. Agents with call history are never deleted: deactivate them (their calls stay in the KPIs).';
grant execute on function app_public.set_agent_active(agent_id uuid, active boolean) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_agent_target(agent_id uuid, period_type text, period_start date, metric text, value numeric DEFAULT NULL::numeric)
 RETURNS app_public.agent_targets
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.set_agent_target(agent_id uuid, period_type text, period_start date, metric text, value numeric) is 'Sets one metric of an agent''s target for the day, week (from Monday) or month containing periodStart; value null removes that metric (and the target when none is left). Rates are fractions (0.25 = 25 %). SB707 period, SB708 metric, SB709 value.';
grant execute on function app_public.set_agent_target(agent_id uuid, period_type text, period_start date, metric text, value numeric) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_alert_phone(phone_number text DEFAULT NULL::text)
 RETURNS app_public.users
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.set_alert_phone(phone_number text) is 'Sets where usage alerts are sent by SMS (E.164; empty: no SMS). SB404 unless E.164.';
grant execute on function app_public.set_alert_phone(phone_number text) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_analysis_prompts(individual text DEFAULT NULL::text, complete text DEFAULT NULL::text)
 RETURNS app_public.users
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.set_analysis_prompts(individual text, complete text) is 'Sets the analysis prompts (empty: the platform default); analysisPromptVersion goes up by one when either changes. SB712 / SB715 too long.';
grant execute on function app_public.set_analysis_prompts(individual text, complete text) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_business_profile(name text, timezone text)
 RETURNS app_public.users
 LANGUAGE plpgsql
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.set_business_profile(name text, timezone text) is 'Renames the business and sets its time zone. A new time zone re-buckets every call into its local day and hour: the rollups are rebuilt synchronously, before this returns. SB710 name, SB711 time zone.';
grant execute on function app_public.set_business_profile(name text, timezone text) to app_user;

CREATE OR REPLACE FUNCTION app_public.set_member_role(member_id uuid, role text)
 RETURNS app_public.members
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'public', 'pg_temp'
AS $function$
declare
  v_owner  app_public.members := app_hidden.require_owner();
  v_member app_public.members;
begin
  if set_member_role.role is null or set_member_role.role not in ('owner', 'manager', 'viewer') then
    raise exception 'The role must be owner, manager or viewer.' using errcode = 'SB201';
  end if;
  select m.* into v_member from app_public.members m
   where m.id = set_member_role.member_id and m.user_id = v_owner.user_id;
  if v_member.id is null then
    raise exception 'No member with this id in your business.' using errcode = 'SB104';
  end if;
  if v_member.role = 'owner' and set_member_role.role <> 'owner' then
    perform app_hidden.guard_last_owner(v_owner.user_id, v_member.id);
  end if;
  update app_public.members m set role = set_member_role.role where m.id = v_member.id returning * into v_member;
  return v_member;
end
$function$;
comment on function app_public.set_member_role(member_id uuid, role text) is 'Changes a member''s role (applies to its very next request). The last owner cannot be demoted. Owners only.';
grant execute on function app_public.set_member_role(member_id uuid, role text) to app_owner;

CREATE OR REPLACE FUNCTION app_public.set_retention(data_type text, retain_days integer DEFAULT NULL::integer)
 RETURNS app_public.retention_setting
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_user uuid := app_hidden.require_password_session();
  v_type text := data_type;
  v_days integer := retain_days;
  v_out  app_public.retention_setting;
begin
  if not exists (select 1 from app_private.retention_policies p where p.data_type = v_type and p.tenant_editable) then
    raise exception 'The retention of % cannot be changed by a business (choose calls, transcripts or recordings).', v_type
      using errcode = 'SB401';
  end if;
  if v_days is null then
    delete from app_private.tenant_retention r where r.user_id = v_user and r.data_type = v_type;
  else
    insert into app_private.tenant_retention as r (user_id, data_type, retain_days) values (v_user, v_type, v_days)
    on conflict on constraint tenant_retention_pkey do update set retain_days = excluded.retain_days;
  end if;
  select * into v_out from app_public.retention_settings() s where s.data_type = v_type;
  return v_out;
end
$function$;
comment on function app_public.set_retention(data_type text, retain_days integer) is 'Sets how many days the business keeps one data type (null: back to the platform default). Out of the platform''s limits: SB401.';
grant execute on function app_public.set_retention(data_type text, retain_days integer) to app_user;

CREATE OR REPLACE FUNCTION app_public.start_rescoring(from_date date, to_date date)
 RETURNS app_public.rescoring_runs
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  e app_public.rescoring_estimate;
  v app_public.rescoring_runs;
  v_user uuid := app_public.current_user_id();
begin
  if v_user is null then
    raise exception 'sign in to re-score calls' using errcode = '42501';
  end if;
  -- One run at a time per business (the lock serialises two clicks).
  perform 1 from app_public.users u where u.id = v_user for no key update;
  e := app_public.estimate_rescoring(start_rescoring.from_date, start_rescoring.to_date);
  if e.active_run_id is not null then
    raise exception 'A re-scoring run is already in progress; wait for it to finish or cancel it.' using errcode = 'SB190';
  end if;
  if e.calls = 0 then
    raise exception 'No analysed calls with a transcript in this date range: nothing to re-score.' using errcode = 'SB191';
  end if;
  insert into app_public.rescoring_runs (user_id, from_date, to_date, calls_total, estimated_input_tokens,
                                         estimated_output_tokens, estimated_cost_cents, started_by)
  values (v_user, e.from_date, e.to_date, e.calls, e.estimated_input_tokens, e.estimated_output_tokens,
          e.estimated_cost_cents, app_public.current_member_id())
  returning * into v;
  insert into app_private.rescoring_run_calls (run_id, call_id)
  select v.id, s.call_id
    from app_public.users u, app_hidden.rescoring_scope(v_user, u.timezone, e.from_date, e.to_date) s
   where u.id = v_user;
  perform graphile_worker.add_job('rescoring_runs__process', json_build_object('runId', v.id),
                                  job_key := 'rescoring_runs__process:' || v.id::text, max_attempts := 5);
  return v;
end
$function$;
comment on function app_public.start_rescoring(from_date date, to_date date) is 'Starts re-scoring the calls of a tenant-local date range with the current prompts, as a background job (watch calls_done in rescoringRuns). The KPIs keep the current analyses until every call is done, then switch in one transaction. One run at a time (SB190); SB191 when the range has nothing to re-score.';
grant execute on function app_public.start_rescoring(from_date date, to_date date) to app_user;

CREATE OR REPLACE FUNCTION app_public.start_tenant_view(tenant_id uuid)
 RETURNS app_public.users
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.start_tenant_view(tenant_id uuid) is 'Platform operators: opens a read-only view of a business for an hour and records it in that business''s audit trail (who, when, from where). The server then runs the operator''s requests that carry the view as that business, in read-only transactions.';
grant execute on function app_public.start_tenant_view(tenant_id uuid) to app_admin;

CREATE OR REPLACE FUNCTION app_public.success_criteria_pass_rates(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.criterion_pass_rate
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
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
$function$;
comment on function app_public.success_criteria_pass_rates(from_date date, to_date date, agent_id uuid) is 'Every success criterion (active, or answered in the period) with how many analysed calls of tenant-local days fromDate..toDate answered it, how many passed, and the pass rate; for the business or one agent. An exact read of the per-call results (not a rollup).';
grant execute on function app_public.success_criteria_pass_rates(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.target_pacing(agent_id uuid DEFAULT NULL::uuid, as_of timestamp with time zone DEFAULT NULL::timestamp with time zone)
 RETURNS SETOF app_public.target_pacing_row
 LANGUAGE sql
 STABLE
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
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
$function$;
comment on function app_public.target_pacing(agent_id uuid, as_of timestamp with time zone) is 'Every agent target (or one agent''s), one row per metric: target, actual so far, achievement, and pacing: the elapsed share of the period at asOf (default now) in the business''s time zone, the expected figure by then (target x share) and pace (actual / expected).';
grant execute on function app_public.target_pacing(agent_id uuid, as_of timestamp with time zone) to app_user;

CREATE OR REPLACE FUNCTION app_public.targets_vs_actuals(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid)
 RETURNS SETOF app_public.agent_target_progress
 LANGUAGE sql
 STABLE
 SET plan_cache_mode TO 'force_generic_plan'
AS $function$
  select p.*
    from app_hidden.kpi_range(targets_vs_actuals.from_date, targets_vs_actuals.to_date) r
    join app_public.agent_target_progress p
      on p.user_id = r.user_id and p.period_start <= r.to_date and p.period_end > r.from_date
   where targets_vs_actuals.agent_id is null or p.agent_id = targets_vs_actuals.agent_id
   order by p.period_start, p.agent_id, p.period_type
$function$;
comment on function app_public.targets_vs_actuals(from_date date, to_date date, agent_id uuid) is 'Agent targets whose period overlaps fromDate..toDate (default: the last 30 days), each with the actual figures of its whole period and the achievement.';
grant execute on function app_public.targets_vs_actuals(from_date date, to_date date, agent_id uuid) to app_user;

CREATE OR REPLACE FUNCTION app_public.update_appointment_status(appointment_id uuid, status text, notes text DEFAULT NULL::text)
 RETURNS app_public.appointments
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $function$
declare
  v_status text := app_hidden.appointment_status(update_appointment_status.status);
  v app_public.appointments;
begin
  if v_status = 'rescheduled' then
    raise exception 'To reschedule, give the new time (rescheduleAppointment).' using errcode = 'SB185';
  end if;
  update app_public.appointments p
     set status = v_status, status_source = 'api', notes = coalesce(update_appointment_status.notes, p.notes)
   where p.id = appointment_id and p.user_id = app_public.current_user_id()
  returning * into v;
  if v.id is null then
    raise exception 'No such appointment (it does not exist or is not yours).' using errcode = 'SB186';
  end if;
  return v;
end
$function$;
comment on function app_public.update_appointment_status(appointment_id uuid, status text, notes text) is 'Sets an appointment''s status: scheduled, confirmed, completed (showed up), no_show or cancelled (use rescheduleAppointment to move it), optionally with notes.';
grant execute on function app_public.update_appointment_status(appointment_id uuid, status text, notes text) to app_user;

CREATE OR REPLACE FUNCTION app_public.users_available_credits(u app_public.users)
 RETURNS integer
 LANGUAGE sql
 STABLE
AS $function$
  select u.credits
       + coalesce((select sum(t.amount)::integer from app_public.credit_transactions t
                    where t.user_id = u.id and t.posted_at is null), 0)
       + coalesce((select sum(c.amount)::integer from app_hidden.credit_charges c where c.user_id = u.id), 0)
$function$;
comment on function app_public.users_available_credits(u app_public.users) is 'The tenant''s credit balance including call charges and ledger rows not yet posted.';
grant execute on function app_public.users_available_credits(u app_public.users) to app_user;

-- Views and materialized views ----------------------------------------------

create view app_public.agent_daily_stats with (security_invoker=true) as
  SELECT user_id,
    agent_id,
    day,
    sum(calls)::bigint AS calls,
    sum(successful_calls)::bigint AS successful_calls,
    sum(failed_calls)::bigint AS failed_calls,
    sum(unanswered_calls)::bigint AS unanswered_calls,
    sum(talk_seconds)::bigint AS talk_seconds,
    sum(billed_minutes)::bigint AS billed_minutes,
    sum(credits_used)::bigint AS credits_used,
    sum(inbound_calls)::bigint AS inbound_calls,
    sum(outbound_calls)::bigint AS outbound_calls,
    sum(phone_calls)::bigint AS phone_calls,
    sum(internet_calls)::bigint AS internet_calls,
    sum(unknown_source_calls)::bigint AS unknown_source_calls,
    sum(leads_generated)::bigint AS leads_generated,
    sum(qualified_leads)::bigint AS qualified_leads,
    sum(hot_leads)::bigint AS hot_leads,
    sum(warm_leads)::bigint AS warm_leads,
    sum(cold_leads)::bigint AS cold_leads,
    sum(cta_pricing)::bigint AS cta_pricing,
    sum(cta_demo)::bigint AS cta_demo,
    sum(cta_followup)::bigint AS cta_followup,
    sum(cta_sample)::bigint AS cta_sample,
    sum(cta_human_escalation)::bigint AS cta_human_escalation,
    sum(calls_with_cta)::bigint AS calls_with_cta,
    sum(intent_score_sum)::bigint AS intent_score_sum,
    sum(intent_score_count)::bigint AS intent_score_count,
    sum(urgency_score_sum)::bigint AS urgency_score_sum,
    sum(urgency_score_count)::bigint AS urgency_score_count,
    sum(budget_score_sum)::bigint AS budget_score_sum,
    sum(budget_score_count)::bigint AS budget_score_count,
    sum(fit_score_sum)::bigint AS fit_score_sum,
    sum(fit_score_count)::bigint AS fit_score_count,
    sum(engagement_score_sum)::bigint AS engagement_score_sum,
    sum(engagement_score_count)::bigint AS engagement_score_count,
    sum(total_score_sum)::bigint AS total_score_sum,
    sum(total_score_count)::bigint AS total_score_count,
    sum(call_seconds)::bigint AS call_seconds,
    sum(voicemail_calls)::bigint AS voicemail_calls,
    sum(busy_calls)::bigint AS busy_calls,
    sum(no_answer_calls)::bigint AS no_answer_calls,
    sum(canceled_calls)::bigint AS canceled_calls,
    sum(agent_hangup_calls)::bigint AS agent_hangup_calls,
    sum(caller_hangup_calls)::bigint AS caller_hangup_calls,
    sum(time_to_answer_ms_sum)::bigint AS time_to_answer_ms_sum,
    sum(time_to_answer_count)::bigint AS time_to_answer_count,
    sum(cost_micros)::bigint AS cost_micros,
    sum(costed_calls)::bigint AS costed_calls,
    sum(cta_interactions)::bigint AS cta_interactions,
    sum(booked_calls)::bigint AS booked_calls,
    sum(sentiment_score_sum)::bigint AS sentiment_score_sum,
    sum(sentiment_score_count)::bigint AS sentiment_score_count,
    sum(sentiment_positive)::bigint AS sentiment_positive,
    sum(sentiment_neutral)::bigint AS sentiment_neutral,
    sum(sentiment_negative)::bigint AS sentiment_negative,
    sum(sentiment_mixed)::bigint AS sentiment_mixed,
    sum(quality_score_sum)::bigint AS quality_score_sum,
    sum(quality_score_count)::bigint AS quality_score_count,
    sum(csat_score_sum)::bigint AS csat_score_sum,
    sum(csat_score_count)::bigint AS csat_score_count,
    sum(transfer_requested_calls)::bigint AS transfer_requested_calls,
    sum(transfer_happened_calls)::bigint AS transfer_happened_calls,
    sum(convo_converted)::bigint AS convo_converted,
    sum(convo_interested)::bigint AS convo_interested,
    sum(convo_callback_requested)::bigint AS convo_callback_requested,
    sum(convo_not_interested)::bigint AS convo_not_interested,
    sum(convo_wrong_person)::bigint AS convo_wrong_person,
    sum(convo_no_outcome)::bigint AS convo_no_outcome
   FROM ( SELECT agent_analytics.user_id,
            agent_analytics.agent_id,
            agent_analytics.day,
            agent_analytics.calls,
            agent_analytics.successful_calls,
            agent_analytics.failed_calls,
            agent_analytics.unanswered_calls,
            agent_analytics.talk_seconds,
            agent_analytics.billed_minutes,
            agent_analytics.credits_used,
            agent_analytics.inbound_calls,
            agent_analytics.outbound_calls,
            agent_analytics.phone_calls,
            agent_analytics.internet_calls,
            agent_analytics.unknown_source_calls,
            agent_analytics.leads_generated,
            agent_analytics.qualified_leads,
            agent_analytics.hot_leads,
            agent_analytics.warm_leads,
            agent_analytics.cold_leads,
            agent_analytics.cta_pricing,
            agent_analytics.cta_demo,
            agent_analytics.cta_followup,
            agent_analytics.cta_sample,
            agent_analytics.cta_human_escalation,
            agent_analytics.calls_with_cta,
            agent_analytics.intent_score_sum,
            agent_analytics.intent_score_count,
            agent_analytics.urgency_score_sum,
            agent_analytics.urgency_score_count,
            agent_analytics.budget_score_sum,
            agent_analytics.budget_score_count,
            agent_analytics.fit_score_sum,
            agent_analytics.fit_score_count,
            agent_analytics.engagement_score_sum,
            agent_analytics.engagement_score_count,
            agent_analytics.total_score_sum,
            agent_analytics.total_score_count,
            agent_analytics.call_seconds,
            agent_analytics.voicemail_calls,
            agent_analytics.busy_calls,
            agent_analytics.no_answer_calls,
            agent_analytics.canceled_calls,
            agent_analytics.agent_hangup_calls,
            agent_analytics.caller_hangup_calls,
            agent_analytics.time_to_answer_ms_sum,
            agent_analytics.time_to_answer_count,
            agent_analytics.cost_micros,
            agent_analytics.costed_calls,
            agent_analytics.cta_interactions,
            agent_analytics.booked_calls,
            agent_analytics.sentiment_score_sum,
            agent_analytics.sentiment_score_count,
            agent_analytics.sentiment_positive,
            agent_analytics.sentiment_neutral,
            agent_analytics.sentiment_negative,
            agent_analytics.sentiment_mixed,
            agent_analytics.quality_score_sum,
            agent_analytics.quality_score_count,
            agent_analytics.csat_score_sum,
            agent_analytics.csat_score_count,
            agent_analytics.transfer_requested_calls,
            agent_analytics.transfer_happened_calls,
            agent_analytics.convo_converted,
            agent_analytics.convo_interested,
            agent_analytics.convo_callback_requested,
            agent_analytics.convo_not_interested,
            agent_analytics.convo_wrong_person,
            agent_analytics.convo_no_outcome
           FROM app_public.agent_analytics
        UNION ALL
         SELECT rollup_deltas.user_id,
            rollup_deltas.agent_id,
            rollup_deltas.day,
            rollup_deltas.calls,
            rollup_deltas.successful_calls,
            rollup_deltas.failed_calls,
            rollup_deltas.unanswered_calls,
            rollup_deltas.talk_seconds,
            rollup_deltas.billed_minutes,
            rollup_deltas.credits_used,
            rollup_deltas.inbound_calls,
            rollup_deltas.outbound_calls,
            rollup_deltas.phone_calls,
            rollup_deltas.internet_calls,
            rollup_deltas.unknown_source_calls,
            rollup_deltas.leads_generated,
            rollup_deltas.qualified_leads,
            rollup_deltas.hot_leads,
            rollup_deltas.warm_leads,
            rollup_deltas.cold_leads,
            rollup_deltas.cta_pricing,
            rollup_deltas.cta_demo,
            rollup_deltas.cta_followup,
            rollup_deltas.cta_sample,
            rollup_deltas.cta_human_escalation,
            rollup_deltas.calls_with_cta,
            rollup_deltas.intent_score_sum,
            rollup_deltas.intent_score_count,
            rollup_deltas.urgency_score_sum,
            rollup_deltas.urgency_score_count,
            rollup_deltas.budget_score_sum,
            rollup_deltas.budget_score_count,
            rollup_deltas.fit_score_sum,
            rollup_deltas.fit_score_count,
            rollup_deltas.engagement_score_sum,
            rollup_deltas.engagement_score_count,
            rollup_deltas.total_score_sum,
            rollup_deltas.total_score_count,
            rollup_deltas.call_seconds,
            rollup_deltas.voicemail_calls,
            rollup_deltas.busy_calls,
            rollup_deltas.no_answer_calls,
            rollup_deltas.canceled_calls,
            rollup_deltas.agent_hangup_calls,
            rollup_deltas.caller_hangup_calls,
            rollup_deltas.time_to_answer_ms_sum,
            rollup_deltas.time_to_answer_count,
            rollup_deltas.cost_micros,
            rollup_deltas.costed_calls,
            rollup_deltas.cta_interactions,
            rollup_deltas.booked_calls,
            rollup_deltas.sentiment_score_sum,
            rollup_deltas.sentiment_score_count,
            rollup_deltas.sentiment_positive,
            rollup_deltas.sentiment_neutral,
            rollup_deltas.sentiment_negative,
            rollup_deltas.sentiment_mixed,
            rollup_deltas.quality_score_sum,
            rollup_deltas.quality_score_count,
            rollup_deltas.csat_score_sum,
            rollup_deltas.csat_score_count,
            rollup_deltas.transfer_requested_calls,
            rollup_deltas.transfer_happened_calls,
            rollup_deltas.convo_converted,
            rollup_deltas.convo_interested,
            rollup_deltas.convo_callback_requested,
            rollup_deltas.convo_not_interested,
            rollup_deltas.convo_wrong_person,
            rollup_deltas.convo_no_outcome
           FROM app_hidden.rollup_deltas
          WHERE rollup_deltas.target IS NULL OR rollup_deltas.target = 'agent_day'::text) s
  GROUP BY user_id, agent_id, day;
comment on view app_public.agent_daily_stats is 'Exact per agent and tenant-local day figures: the agent_analytics rollup plus not-yet-compacted deltas.';
grant select on table app_public.agent_daily_stats to app_user;

create view app_public.agent_hourly_stats with (security_invoker=true) as
  SELECT user_id,
    agent_id,
    day,
    hour,
    sum(calls)::bigint AS calls,
    sum(successful_calls)::bigint AS successful_calls,
    sum(failed_calls)::bigint AS failed_calls,
    sum(unanswered_calls)::bigint AS unanswered_calls,
    sum(talk_seconds)::bigint AS talk_seconds,
    sum(billed_minutes)::bigint AS billed_minutes,
    sum(credits_used)::bigint AS credits_used,
    sum(inbound_calls)::bigint AS inbound_calls,
    sum(outbound_calls)::bigint AS outbound_calls,
    sum(phone_calls)::bigint AS phone_calls,
    sum(internet_calls)::bigint AS internet_calls,
    sum(unknown_source_calls)::bigint AS unknown_source_calls,
    sum(leads_generated)::bigint AS leads_generated,
    sum(qualified_leads)::bigint AS qualified_leads,
    sum(hot_leads)::bigint AS hot_leads,
    sum(warm_leads)::bigint AS warm_leads,
    sum(cold_leads)::bigint AS cold_leads,
    sum(cta_pricing)::bigint AS cta_pricing,
    sum(cta_demo)::bigint AS cta_demo,
    sum(cta_followup)::bigint AS cta_followup,
    sum(cta_sample)::bigint AS cta_sample,
    sum(cta_human_escalation)::bigint AS cta_human_escalation,
    sum(calls_with_cta)::bigint AS calls_with_cta,
    sum(intent_score_sum)::bigint AS intent_score_sum,
    sum(intent_score_count)::bigint AS intent_score_count,
    sum(urgency_score_sum)::bigint AS urgency_score_sum,
    sum(urgency_score_count)::bigint AS urgency_score_count,
    sum(budget_score_sum)::bigint AS budget_score_sum,
    sum(budget_score_count)::bigint AS budget_score_count,
    sum(fit_score_sum)::bigint AS fit_score_sum,
    sum(fit_score_count)::bigint AS fit_score_count,
    sum(engagement_score_sum)::bigint AS engagement_score_sum,
    sum(engagement_score_count)::bigint AS engagement_score_count,
    sum(total_score_sum)::bigint AS total_score_sum,
    sum(total_score_count)::bigint AS total_score_count,
    sum(call_seconds)::bigint AS call_seconds,
    sum(voicemail_calls)::bigint AS voicemail_calls,
    sum(busy_calls)::bigint AS busy_calls,
    sum(no_answer_calls)::bigint AS no_answer_calls,
    sum(canceled_calls)::bigint AS canceled_calls,
    sum(agent_hangup_calls)::bigint AS agent_hangup_calls,
    sum(caller_hangup_calls)::bigint AS caller_hangup_calls,
    sum(time_to_answer_ms_sum)::bigint AS time_to_answer_ms_sum,
    sum(time_to_answer_count)::bigint AS time_to_answer_count,
    sum(cost_micros)::bigint AS cost_micros,
    sum(costed_calls)::bigint AS costed_calls,
    sum(cta_interactions)::bigint AS cta_interactions,
    sum(booked_calls)::bigint AS booked_calls,
    sum(sentiment_score_sum)::bigint AS sentiment_score_sum,
    sum(sentiment_score_count)::bigint AS sentiment_score_count,
    sum(sentiment_positive)::bigint AS sentiment_positive,
    sum(sentiment_neutral)::bigint AS sentiment_neutral,
    sum(sentiment_negative)::bigint AS sentiment_negative,
    sum(sentiment_mixed)::bigint AS sentiment_mixed,
    sum(quality_score_sum)::bigint AS quality_score_sum,
    sum(quality_score_count)::bigint AS quality_score_count,
    sum(csat_score_sum)::bigint AS csat_score_sum,
    sum(csat_score_count)::bigint AS csat_score_count,
    sum(transfer_requested_calls)::bigint AS transfer_requested_calls,
    sum(transfer_happened_calls)::bigint AS transfer_happened_calls,
    sum(convo_converted)::bigint AS convo_converted,
    sum(convo_interested)::bigint AS convo_interested,
    sum(convo_callback_requested)::bigint AS convo_callback_requested,
    sum(convo_not_interested)::bigint AS convo_not_interested,
    sum(convo_wrong_person)::bigint AS convo_wrong_person,
    sum(convo_no_outcome)::bigint AS convo_no_outcome
   FROM ( SELECT agent_hourly_analytics.user_id,
            agent_hourly_analytics.agent_id,
            agent_hourly_analytics.day,
            agent_hourly_analytics.hour,
            agent_hourly_analytics.calls,
            agent_hourly_analytics.successful_calls,
            agent_hourly_analytics.failed_calls,
            agent_hourly_analytics.unanswered_calls,
            agent_hourly_analytics.talk_seconds,
            agent_hourly_analytics.billed_minutes,
            agent_hourly_analytics.credits_used,
            agent_hourly_analytics.inbound_calls,
            agent_hourly_analytics.outbound_calls,
            agent_hourly_analytics.phone_calls,
            agent_hourly_analytics.internet_calls,
            agent_hourly_analytics.unknown_source_calls,
            agent_hourly_analytics.leads_generated,
            agent_hourly_analytics.qualified_leads,
            agent_hourly_analytics.hot_leads,
            agent_hourly_analytics.warm_leads,
            agent_hourly_analytics.cold_leads,
            agent_hourly_analytics.cta_pricing,
            agent_hourly_analytics.cta_demo,
            agent_hourly_analytics.cta_followup,
            agent_hourly_analytics.cta_sample,
            agent_hourly_analytics.cta_human_escalation,
            agent_hourly_analytics.calls_with_cta,
            agent_hourly_analytics.intent_score_sum,
            agent_hourly_analytics.intent_score_count,
            agent_hourly_analytics.urgency_score_sum,
            agent_hourly_analytics.urgency_score_count,
            agent_hourly_analytics.budget_score_sum,
            agent_hourly_analytics.budget_score_count,
            agent_hourly_analytics.fit_score_sum,
            agent_hourly_analytics.fit_score_count,
            agent_hourly_analytics.engagement_score_sum,
            agent_hourly_analytics.engagement_score_count,
            agent_hourly_analytics.total_score_sum,
            agent_hourly_analytics.total_score_count,
            agent_hourly_analytics.call_seconds,
            agent_hourly_analytics.voicemail_calls,
            agent_hourly_analytics.busy_calls,
            agent_hourly_analytics.no_answer_calls,
            agent_hourly_analytics.canceled_calls,
            agent_hourly_analytics.agent_hangup_calls,
            agent_hourly_analytics.caller_hangup_calls,
            agent_hourly_analytics.time_to_answer_ms_sum,
            agent_hourly_analytics.time_to_answer_count,
            agent_hourly_analytics.cost_micros,
            agent_hourly_analytics.costed_calls,
            agent_hourly_analytics.cta_interactions,
            agent_hourly_analytics.booked_calls,
            agent_hourly_analytics.sentiment_score_sum,
            agent_hourly_analytics.sentiment_score_count,
            agent_hourly_analytics.sentiment_positive,
            agent_hourly_analytics.sentiment_neutral,
            agent_hourly_analytics.sentiment_negative,
            agent_hourly_analytics.sentiment_mixed,
            agent_hourly_analytics.quality_score_sum,
            agent_hourly_analytics.quality_score_count,
            agent_hourly_analytics.csat_score_sum,
            agent_hourly_analytics.csat_score_count,
            agent_hourly_analytics.transfer_requested_calls,
            agent_hourly_analytics.transfer_happened_calls,
            agent_hourly_analytics.convo_converted,
            agent_hourly_analytics.convo_interested,
            agent_hourly_analytics.convo_callback_requested,
            agent_hourly_analytics.convo_not_interested,
            agent_hourly_analytics.convo_wrong_person,
            agent_hourly_analytics.convo_no_outcome
           FROM app_public.agent_hourly_analytics
        UNION ALL
         SELECT rollup_deltas.user_id,
            rollup_deltas.agent_id,
            rollup_deltas.day,
            rollup_deltas.hour,
            rollup_deltas.calls,
            rollup_deltas.successful_calls,
            rollup_deltas.failed_calls,
            rollup_deltas.unanswered_calls,
            rollup_deltas.talk_seconds,
            rollup_deltas.billed_minutes,
            rollup_deltas.credits_used,
            rollup_deltas.inbound_calls,
            rollup_deltas.outbound_calls,
            rollup_deltas.phone_calls,
            rollup_deltas.internet_calls,
            rollup_deltas.unknown_source_calls,
            rollup_deltas.leads_generated,
            rollup_deltas.qualified_leads,
            rollup_deltas.hot_leads,
            rollup_deltas.warm_leads,
            rollup_deltas.cold_leads,
            rollup_deltas.cta_pricing,
            rollup_deltas.cta_demo,
            rollup_deltas.cta_followup,
            rollup_deltas.cta_sample,
            rollup_deltas.cta_human_escalation,
            rollup_deltas.calls_with_cta,
            rollup_deltas.intent_score_sum,
            rollup_deltas.intent_score_count,
            rollup_deltas.urgency_score_sum,
            rollup_deltas.urgency_score_count,
            rollup_deltas.budget_score_sum,
            rollup_deltas.budget_score_count,
            rollup_deltas.fit_score_sum,
            rollup_deltas.fit_score_count,
            rollup_deltas.engagement_score_sum,
            rollup_deltas.engagement_score_count,
            rollup_deltas.total_score_sum,
            rollup_deltas.total_score_count,
            rollup_deltas.call_seconds,
            rollup_deltas.voicemail_calls,
            rollup_deltas.busy_calls,
            rollup_deltas.no_answer_calls,
            rollup_deltas.canceled_calls,
            rollup_deltas.agent_hangup_calls,
            rollup_deltas.caller_hangup_calls,
            rollup_deltas.time_to_answer_ms_sum,
            rollup_deltas.time_to_answer_count,
            rollup_deltas.cost_micros,
            rollup_deltas.costed_calls,
            rollup_deltas.cta_interactions,
            rollup_deltas.booked_calls,
            rollup_deltas.sentiment_score_sum,
            rollup_deltas.sentiment_score_count,
            rollup_deltas.sentiment_positive,
            rollup_deltas.sentiment_neutral,
            rollup_deltas.sentiment_negative,
            rollup_deltas.sentiment_mixed,
            rollup_deltas.quality_score_sum,
            rollup_deltas.quality_score_count,
            rollup_deltas.csat_score_sum,
            rollup_deltas.csat_score_count,
            rollup_deltas.transfer_requested_calls,
            rollup_deltas.transfer_happened_calls,
            rollup_deltas.convo_converted,
            rollup_deltas.convo_interested,
            rollup_deltas.convo_callback_requested,
            rollup_deltas.convo_not_interested,
            rollup_deltas.convo_wrong_person,
            rollup_deltas.convo_no_outcome
           FROM app_hidden.rollup_deltas
          WHERE rollup_deltas.target IS NULL OR rollup_deltas.target = 'agent_hour'::text) s
  GROUP BY user_id, agent_id, day, hour;
comment on view app_public.agent_hourly_stats is 'Exact per agent, tenant-local day and hour figures: the agent_hourly_analytics rollup plus not-yet-compacted deltas.';
grant select on table app_public.agent_hourly_stats to app_user;

create view app_public.agent_performance with (security_invoker=true) as
  WITH t AS (
         SELECT g.id AS agent_id,
            g.user_id,
            g.name,
            g.is_active,
            app_hidden.tenant_today(u.timezone) AS today
           FROM app_public.agents g
             JOIN app_public.users u ON u.id = g.user_id
        ), s AS (
         SELECT t_1.agent_id,
            sum(d.calls) FILTER (WHERE d.day = t_1.today) AS calls_today,
            sum(d.successful_calls) FILTER (WHERE d.day = t_1.today) AS successful_today,
            sum(d.failed_calls) FILTER (WHERE d.day = t_1.today) AS failed_today,
            sum(d.unanswered_calls) FILTER (WHERE d.day = t_1.today) AS unanswered_today,
            sum(d.leads_generated) FILTER (WHERE d.day = t_1.today) AS leads_today,
            sum(d.qualified_leads) FILTER (WHERE d.day = t_1.today) AS qualified_today,
            sum(d.calls) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS calls_month,
            sum(d.successful_calls) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS successful_month,
            sum(d.failed_calls) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS failed_month,
            sum(d.unanswered_calls) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS unanswered_month,
            sum(d.leads_generated) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS leads_month,
            sum(d.qualified_leads) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS qualified_month,
            sum(d.talk_seconds) FILTER (WHERE d.day >= date_trunc('month'::text, t_1.today::timestamp with time zone)) AS talk_seconds_month,
            sum(d.calls) AS calls_lifetime,
            sum(d.successful_calls) AS successful_lifetime,
            sum(d.failed_calls) AS failed_lifetime,
            sum(d.unanswered_calls) AS unanswered_lifetime,
            sum(d.leads_generated) AS leads_lifetime,
            sum(d.qualified_leads) AS qualified_lifetime,
            sum(d.talk_seconds) AS talk_seconds_lifetime
           FROM t t_1
             JOIN app_public.agent_daily_stats d ON d.agent_id = t_1.agent_id AND d.user_id = t_1.user_id AND d.day <= t_1.today
          GROUP BY t_1.agent_id
        )
 SELECT t.agent_id,
    t.user_id,
    t.name,
    t.is_active,
    COALESCE(s.calls_today, 0::numeric)::bigint AS calls_today,
    COALESCE(s.successful_today, 0::numeric)::bigint AS successful_calls_today,
    COALESCE(s.qualified_today, 0::numeric)::bigint AS qualified_leads_today,
    app_hidden.success_rate(s.successful_today::bigint, s.failed_today::bigint, s.unanswered_today::bigint) AS success_rate_today,
    COALESCE(s.calls_month, 0::numeric)::bigint AS calls_this_month,
    COALESCE(s.successful_month, 0::numeric)::bigint AS successful_calls_this_month,
    COALESCE(s.leads_month, 0::numeric)::bigint AS leads_this_month,
    COALESCE(s.qualified_month, 0::numeric)::bigint AS qualified_leads_this_month,
    app_hidden.success_rate(s.successful_month::bigint, s.failed_month::bigint, s.unanswered_month::bigint) AS success_rate_this_month,
    app_hidden.conversion_rate(s.qualified_month::bigint, s.leads_month::bigint) AS conversion_rate_this_month,
    app_hidden.average(s.talk_seconds_month::bigint, s.successful_month::bigint) AS average_duration_seconds_this_month,
    COALESCE(s.calls_lifetime, 0::numeric)::bigint AS calls_lifetime,
    COALESCE(s.successful_lifetime, 0::numeric)::bigint AS successful_calls_lifetime,
    COALESCE(s.leads_lifetime, 0::numeric)::bigint AS leads_lifetime,
    COALESCE(s.qualified_lifetime, 0::numeric)::bigint AS qualified_leads_lifetime,
    app_hidden.success_rate(s.successful_lifetime::bigint, s.failed_lifetime::bigint, s.unanswered_lifetime::bigint) AS success_rate_lifetime,
    app_hidden.conversion_rate(s.qualified_lifetime::bigint, s.leads_lifetime::bigint) AS conversion_rate_lifetime,
    app_hidden.average(s.talk_seconds_lifetime::bigint, s.successful_lifetime::bigint) AS average_duration_seconds_lifetime
   FROM t
     LEFT JOIN s ON s.agent_id = t.agent_id;
comment on view app_public.agent_performance is 'Per agent: today, this month and lifetime figures (tenant-local days), from the rollups.';
grant select on table app_public.agent_performance to app_user;

create view app_public.agent_target_progress with (security_invoker=true) as
  WITH p AS (
         SELECT tg.id,
            tg.user_id,
            tg.agent_id,
            tg.period_type,
            tg.period_start,
            tg.target_calls,
            tg.target_successful_calls,
            tg.target_leads,
            tg.target_qualified_leads,
            tg.target_success_rate,
            tg.target_conversion_rate,
            tg.created_at,
            tg.updated_at,
            (tg.period_start +
                CASE tg.period_type
                    WHEN 'day'::text THEN '1 day'::interval
                    WHEN 'week'::text THEN '7 days'::interval
                    ELSE '1 mon'::interval
                END)::date AS period_end
           FROM app_public.agent_targets tg
        ), a AS (
         SELECT p_1.id,
            sum(d.calls)::bigint AS calls,
            sum(d.successful_calls)::bigint AS successful_calls,
            sum(d.failed_calls)::bigint AS failed_calls,
            sum(d.unanswered_calls)::bigint AS unanswered_calls,
            sum(d.leads_generated)::bigint AS leads,
            sum(d.qualified_leads)::bigint AS qualified_leads
           FROM p p_1
             JOIN app_public.agent_daily_stats d ON d.agent_id = p_1.agent_id AND d.user_id = p_1.user_id AND d.day >= p_1.period_start AND d.day < p_1.period_end
          GROUP BY p_1.id
        )
 SELECT p.id AS target_id,
    p.user_id,
    p.agent_id,
    p.period_type,
    p.period_start,
    p.period_end,
    p.target_calls,
    COALESCE(a.calls, 0::bigint) AS actual_calls,
    app_hidden.ratio(COALESCE(a.calls, 0::bigint)::numeric, p.target_calls::numeric) AS calls_achievement,
    p.target_successful_calls,
    COALESCE(a.successful_calls, 0::bigint) AS actual_successful_calls,
    app_hidden.ratio(COALESCE(a.successful_calls, 0::bigint)::numeric, p.target_successful_calls::numeric) AS successful_calls_achievement,
    p.target_leads,
    COALESCE(a.leads, 0::bigint) AS actual_leads,
    app_hidden.ratio(COALESCE(a.leads, 0::bigint)::numeric, p.target_leads::numeric) AS leads_achievement,
    p.target_qualified_leads,
    COALESCE(a.qualified_leads, 0::bigint) AS actual_qualified_leads,
    app_hidden.ratio(COALESCE(a.qualified_leads, 0::bigint)::numeric, p.target_qualified_leads::numeric) AS qualified_leads_achievement,
    p.target_success_rate,
    app_hidden.success_rate(a.successful_calls, a.failed_calls, a.unanswered_calls) AS actual_success_rate,
    p.target_conversion_rate,
    app_hidden.conversion_rate(a.qualified_leads, a.leads) AS actual_conversion_rate
   FROM p
     LEFT JOIN a ON a.id = p.id;
comment on view app_public.agent_target_progress is 'Each agent target next to the actual figures for its period and the achievement (actual / target).';
comment on column app_public.agent_target_progress.period_end is 'The first day after the period (exclusive end).';
grant select on table app_public.agent_target_progress to app_user;

create view app_public.agent_trends with (security_invoker=true) as
  WITH t AS (
         SELECT g.id AS agent_id,
            g.user_id,
            app_hidden.tenant_today(u.timezone) AS today
           FROM app_public.agents g
             JOIN app_public.users u ON u.id = g.user_id
        ), w AS (
         SELECT t.agent_id,
            t.user_id,
            p.period_type,
            p.days,
            sum(d.calls) FILTER (WHERE d.day > (t.today - p.days)) AS calls_cur,
            sum(d.calls) FILTER (WHERE d.day <= (t.today - p.days)) AS calls_prev,
            sum(d.successful_calls) FILTER (WHERE d.day > (t.today - p.days)) AS succ_cur,
            sum(d.successful_calls) FILTER (WHERE d.day <= (t.today - p.days)) AS succ_prev,
            sum(d.failed_calls + d.unanswered_calls) FILTER (WHERE d.day > (t.today - p.days)) AS miss_cur,
            sum(d.failed_calls + d.unanswered_calls) FILTER (WHERE d.day <= (t.today - p.days)) AS miss_prev,
            sum(d.qualified_leads) FILTER (WHERE d.day > (t.today - p.days)) AS qual_cur,
            sum(d.qualified_leads) FILTER (WHERE d.day <= (t.today - p.days)) AS qual_prev
           FROM t
             CROSS JOIN ( VALUES ('7d'::text,7), ('30d'::text,30)) p(period_type, days)
             LEFT JOIN app_public.agent_daily_stats d ON d.agent_id = t.agent_id AND d.user_id = t.user_id AND d.day > (t.today - 2 * p.days) AND d.day <= t.today
          GROUP BY t.agent_id, t.user_id, p.period_type, p.days
        )
 SELECT agent_id,
    user_id,
    period_type,
    COALESCE(calls_cur, 0::numeric)::bigint AS calls,
    COALESCE(calls_prev, 0::numeric)::bigint AS calls_previous,
    app_hidden.ratio(calls_cur - calls_prev, calls_prev) AS calls_change,
    COALESCE(succ_cur, 0::numeric)::bigint AS successful_calls,
    COALESCE(succ_prev, 0::numeric)::bigint AS successful_calls_previous,
    app_hidden.ratio(succ_cur - succ_prev, succ_prev) AS successful_calls_change,
    app_hidden.success_rate(succ_cur::bigint, miss_cur::bigint, 0::bigint) AS success_rate,
    app_hidden.success_rate(succ_prev::bigint, miss_prev::bigint, 0::bigint) AS success_rate_previous,
    COALESCE(qual_cur, 0::numeric)::bigint AS qualified_leads,
    COALESCE(qual_prev, 0::numeric)::bigint AS qualified_leads_previous,
    app_hidden.ratio(qual_cur - qual_prev, qual_prev) AS qualified_leads_change,
    rank() OVER (PARTITION BY user_id, period_type ORDER BY (COALESCE(qual_cur, 0::numeric)) DESC, (COALESCE(succ_cur, 0::numeric)) DESC) AS performance_rank
   FROM w;
comment on view app_public.agent_trends is 'Per agent, the last 7 or 30 tenant-local days against the period before: changes (as fractions) and rank among the tenant''s agents.';
grant select on table app_public.agent_trends to app_user;

create view app_public.call_source_analytics with (security_invoker=true) as
  SELECT d.user_id,
    d.day,
    v.call_source,
    v.calls,
    app_hidden.ratio(v.calls::numeric, d.calls::numeric) AS share_of_calls
   FROM app_public.tenant_daily_stats d
     CROSS JOIN LATERAL ( VALUES ('phone'::text,d.phone_calls), ('internet'::text,d.internet_calls), ('unknown'::text,d.unknown_source_calls)) v(call_source, calls);
comment on view app_public.call_source_analytics is 'Calls per tenant-local day and call source, with the share of the day''s calls.';
grant select on table app_public.call_source_analytics to app_user;

create view app_public.kpi_summaries as
  SELECT user_id,
    calls_30d,
    successful_calls_30d,
    failed_calls_30d,
    unanswered_calls_30d,
    talk_seconds_30d,
    leads_30d,
    qualified_leads_30d,
    hot_leads_30d,
    credits_used_30d,
    success_rate_30d,
    answer_rate_30d,
    conversion_rate_30d,
    cta_conversion_rate_30d,
    average_duration_seconds_30d,
    calls_7d,
    successful_calls_7d,
    leads_7d,
    qualified_leads_7d,
    success_rate_7d,
    calls_lifetime,
    successful_calls_lifetime,
    talk_seconds_lifetime,
    leads_lifetime,
    qualified_leads_lifetime,
    credits_used_lifetime,
    success_rate_lifetime,
    first_call_day,
    last_call_day,
    total_agents,
    active_agents,
    best_agent_id,
    best_agent_qualified_leads_30d,
    best_agent_successful_calls_30d,
    refreshed_at
   FROM app_hidden.user_kpi_summary s
  WHERE user_id = app_public.current_user_id() OR app_public.current_user_is_admin();
comment on view app_public.kpi_summaries is 'The materialized KPI summary: the current tenant''s row; platform admins see every tenant.';
grant select on table app_public.kpi_summaries to app_user;

create view app_public.period_analytics with (security_invoker=true) as
  SELECT d.user_id,
    p.period_type,
    date_trunc(p.period_type, d.day::timestamp with time zone)::date AS period_start,
    sum(d.calls)::bigint AS calls,
    sum(d.successful_calls)::bigint AS successful_calls,
    sum(d.failed_calls)::bigint AS failed_calls,
    sum(d.unanswered_calls)::bigint AS unanswered_calls,
    sum(d.talk_seconds)::bigint AS talk_seconds,
    sum(d.credits_used)::bigint AS credits_used,
    sum(d.inbound_calls)::bigint AS inbound_calls,
    sum(d.outbound_calls)::bigint AS outbound_calls,
    sum(d.leads_generated)::bigint AS leads_generated,
    sum(d.qualified_leads)::bigint AS qualified_leads,
    sum(d.hot_leads)::bigint AS hot_leads,
    sum(d.warm_leads)::bigint AS warm_leads,
    sum(d.cold_leads)::bigint AS cold_leads,
    sum(d.calls_with_cta)::bigint AS calls_with_cta,
    app_hidden.success_rate(sum(d.successful_calls)::bigint, sum(d.failed_calls)::bigint, sum(d.unanswered_calls)::bigint) AS success_rate,
    app_hidden.answer_rate(sum(d.successful_calls)::bigint, sum(d.unanswered_calls)::bigint) AS answer_rate,
    app_hidden.conversion_rate(sum(d.qualified_leads)::bigint, sum(d.leads_generated)::bigint) AS conversion_rate,
    app_hidden.cta_conversion_rate(sum(d.calls_with_cta)::bigint, sum(d.leads_generated)::bigint) AS cta_conversion_rate,
    app_hidden.average(sum(d.talk_seconds)::bigint, sum(d.successful_calls)::bigint) AS average_duration_seconds
   FROM app_public.tenant_daily_stats d
     CROSS JOIN ( VALUES ('day'::text), ('week'::text), ('month'::text)) p(period_type)
  GROUP BY d.user_id, p.period_type, (date_trunc(p.period_type, d.day::timestamp with time zone));
comment on view app_public.period_analytics is 'Per tenant and day, ISO week or month (tenant-local): totals and rates (the seed''s call_analytics_cache, computed from the rollups).';
grant select on table app_public.period_analytics to app_user;

create view app_public.tenant_daily_stats with (security_invoker=true) as
  SELECT user_id,
    day,
    sum(calls)::bigint AS calls,
    sum(successful_calls)::bigint AS successful_calls,
    sum(failed_calls)::bigint AS failed_calls,
    sum(unanswered_calls)::bigint AS unanswered_calls,
    sum(talk_seconds)::bigint AS talk_seconds,
    sum(billed_minutes)::bigint AS billed_minutes,
    sum(credits_used)::bigint AS credits_used,
    sum(inbound_calls)::bigint AS inbound_calls,
    sum(outbound_calls)::bigint AS outbound_calls,
    sum(phone_calls)::bigint AS phone_calls,
    sum(internet_calls)::bigint AS internet_calls,
    sum(unknown_source_calls)::bigint AS unknown_source_calls,
    sum(leads_generated)::bigint AS leads_generated,
    sum(qualified_leads)::bigint AS qualified_leads,
    sum(hot_leads)::bigint AS hot_leads,
    sum(warm_leads)::bigint AS warm_leads,
    sum(cold_leads)::bigint AS cold_leads,
    sum(cta_pricing)::bigint AS cta_pricing,
    sum(cta_demo)::bigint AS cta_demo,
    sum(cta_followup)::bigint AS cta_followup,
    sum(cta_sample)::bigint AS cta_sample,
    sum(cta_human_escalation)::bigint AS cta_human_escalation,
    sum(calls_with_cta)::bigint AS calls_with_cta,
    sum(intent_score_sum)::bigint AS intent_score_sum,
    sum(intent_score_count)::bigint AS intent_score_count,
    sum(urgency_score_sum)::bigint AS urgency_score_sum,
    sum(urgency_score_count)::bigint AS urgency_score_count,
    sum(budget_score_sum)::bigint AS budget_score_sum,
    sum(budget_score_count)::bigint AS budget_score_count,
    sum(fit_score_sum)::bigint AS fit_score_sum,
    sum(fit_score_count)::bigint AS fit_score_count,
    sum(engagement_score_sum)::bigint AS engagement_score_sum,
    sum(engagement_score_count)::bigint AS engagement_score_count,
    sum(total_score_sum)::bigint AS total_score_sum,
    sum(total_score_count)::bigint AS total_score_count,
    sum(call_seconds)::bigint AS call_seconds,
    sum(voicemail_calls)::bigint AS voicemail_calls,
    sum(busy_calls)::bigint AS busy_calls,
    sum(no_answer_calls)::bigint AS no_answer_calls,
    sum(canceled_calls)::bigint AS canceled_calls,
    sum(agent_hangup_calls)::bigint AS agent_hangup_calls,
    sum(caller_hangup_calls)::bigint AS caller_hangup_calls,
    sum(time_to_answer_ms_sum)::bigint AS time_to_answer_ms_sum,
    sum(time_to_answer_count)::bigint AS time_to_answer_count,
    sum(cost_micros)::bigint AS cost_micros,
    sum(costed_calls)::bigint AS costed_calls,
    sum(cta_interactions)::bigint AS cta_interactions,
    sum(booked_calls)::bigint AS booked_calls,
    sum(sentiment_score_sum)::bigint AS sentiment_score_sum,
    sum(sentiment_score_count)::bigint AS sentiment_score_count,
    sum(sentiment_positive)::bigint AS sentiment_positive,
    sum(sentiment_neutral)::bigint AS sentiment_neutral,
    sum(sentiment_negative)::bigint AS sentiment_negative,
    sum(sentiment_mixed)::bigint AS sentiment_mixed,
    sum(quality_score_sum)::bigint AS quality_score_sum,
    sum(quality_score_count)::bigint AS quality_score_count,
    sum(csat_score_sum)::bigint AS csat_score_sum,
    sum(csat_score_count)::bigint AS csat_score_count,
    sum(transfer_requested_calls)::bigint AS transfer_requested_calls,
    sum(transfer_happened_calls)::bigint AS transfer_happened_calls,
    sum(convo_converted)::bigint AS convo_converted,
    sum(convo_interested)::bigint AS convo_interested,
    sum(convo_callback_requested)::bigint AS convo_callback_requested,
    sum(convo_not_interested)::bigint AS convo_not_interested,
    sum(convo_wrong_person)::bigint AS convo_wrong_person,
    sum(convo_no_outcome)::bigint AS convo_no_outcome
   FROM ( SELECT user_analytics.user_id,
            user_analytics.day,
            user_analytics.calls,
            user_analytics.successful_calls,
            user_analytics.failed_calls,
            user_analytics.unanswered_calls,
            user_analytics.talk_seconds,
            user_analytics.billed_minutes,
            user_analytics.credits_used,
            user_analytics.inbound_calls,
            user_analytics.outbound_calls,
            user_analytics.phone_calls,
            user_analytics.internet_calls,
            user_analytics.unknown_source_calls,
            user_analytics.leads_generated,
            user_analytics.qualified_leads,
            user_analytics.hot_leads,
            user_analytics.warm_leads,
            user_analytics.cold_leads,
            user_analytics.cta_pricing,
            user_analytics.cta_demo,
            user_analytics.cta_followup,
            user_analytics.cta_sample,
            user_analytics.cta_human_escalation,
            user_analytics.calls_with_cta,
            user_analytics.intent_score_sum,
            user_analytics.intent_score_count,
            user_analytics.urgency_score_sum,
            user_analytics.urgency_score_count,
            user_analytics.budget_score_sum,
            user_analytics.budget_score_count,
            user_analytics.fit_score_sum,
            user_analytics.fit_score_count,
            user_analytics.engagement_score_sum,
            user_analytics.engagement_score_count,
            user_analytics.total_score_sum,
            user_analytics.total_score_count,
            user_analytics.call_seconds,
            user_analytics.voicemail_calls,
            user_analytics.busy_calls,
            user_analytics.no_answer_calls,
            user_analytics.canceled_calls,
            user_analytics.agent_hangup_calls,
            user_analytics.caller_hangup_calls,
            user_analytics.time_to_answer_ms_sum,
            user_analytics.time_to_answer_count,
            user_analytics.cost_micros,
            user_analytics.costed_calls,
            user_analytics.cta_interactions,
            user_analytics.booked_calls,
            user_analytics.sentiment_score_sum,
            user_analytics.sentiment_score_count,
            user_analytics.sentiment_positive,
            user_analytics.sentiment_neutral,
            user_analytics.sentiment_negative,
            user_analytics.sentiment_mixed,
            user_analytics.quality_score_sum,
            user_analytics.quality_score_count,
            user_analytics.csat_score_sum,
            user_analytics.csat_score_count,
            user_analytics.transfer_requested_calls,
            user_analytics.transfer_happened_calls,
            user_analytics.convo_converted,
            user_analytics.convo_interested,
            user_analytics.convo_callback_requested,
            user_analytics.convo_not_interested,
            user_analytics.convo_wrong_person,
            user_analytics.convo_no_outcome
           FROM app_public.user_analytics
        UNION ALL
         SELECT rollup_deltas.user_id,
            rollup_deltas.day,
            rollup_deltas.calls,
            rollup_deltas.successful_calls,
            rollup_deltas.failed_calls,
            rollup_deltas.unanswered_calls,
            rollup_deltas.talk_seconds,
            rollup_deltas.billed_minutes,
            rollup_deltas.credits_used,
            rollup_deltas.inbound_calls,
            rollup_deltas.outbound_calls,
            rollup_deltas.phone_calls,
            rollup_deltas.internet_calls,
            rollup_deltas.unknown_source_calls,
            rollup_deltas.leads_generated,
            rollup_deltas.qualified_leads,
            rollup_deltas.hot_leads,
            rollup_deltas.warm_leads,
            rollup_deltas.cold_leads,
            rollup_deltas.cta_pricing,
            rollup_deltas.cta_demo,
            rollup_deltas.cta_followup,
            rollup_deltas.cta_sample,
            rollup_deltas.cta_human_escalation,
            rollup_deltas.calls_with_cta,
            rollup_deltas.intent_score_sum,
            rollup_deltas.intent_score_count,
            rollup_deltas.urgency_score_sum,
            rollup_deltas.urgency_score_count,
            rollup_deltas.budget_score_sum,
            rollup_deltas.budget_score_count,
            rollup_deltas.fit_score_sum,
            rollup_deltas.fit_score_count,
            rollup_deltas.engagement_score_sum,
            rollup_deltas.engagement_score_count,
            rollup_deltas.total_score_sum,
            rollup_deltas.total_score_count,
            rollup_deltas.call_seconds,
            rollup_deltas.voicemail_calls,
            rollup_deltas.busy_calls,
            rollup_deltas.no_answer_calls,
            rollup_deltas.canceled_calls,
            rollup_deltas.agent_hangup_calls,
            rollup_deltas.caller_hangup_calls,
            rollup_deltas.time_to_answer_ms_sum,
            rollup_deltas.time_to_answer_count,
            rollup_deltas.cost_micros,
            rollup_deltas.costed_calls,
            rollup_deltas.cta_interactions,
            rollup_deltas.booked_calls,
            rollup_deltas.sentiment_score_sum,
            rollup_deltas.sentiment_score_count,
            rollup_deltas.sentiment_positive,
            rollup_deltas.sentiment_neutral,
            rollup_deltas.sentiment_negative,
            rollup_deltas.sentiment_mixed,
            rollup_deltas.quality_score_sum,
            rollup_deltas.quality_score_count,
            rollup_deltas.csat_score_sum,
            rollup_deltas.csat_score_count,
            rollup_deltas.transfer_requested_calls,
            rollup_deltas.transfer_happened_calls,
            rollup_deltas.convo_converted,
            rollup_deltas.convo_interested,
            rollup_deltas.convo_callback_requested,
            rollup_deltas.convo_not_interested,
            rollup_deltas.convo_wrong_person,
            rollup_deltas.convo_no_outcome
           FROM app_hidden.rollup_deltas
          WHERE rollup_deltas.target IS NULL OR rollup_deltas.target = 'user_day'::text) s
  GROUP BY user_id, day;
comment on view app_public.tenant_daily_stats is 'Exact per tenant-local day figures: the user_analytics rollup plus not-yet-compacted deltas.';
grant select on table app_public.tenant_daily_stats to app_user;

create view app_public.tenant_hourly_stats with (security_invoker=true) as
  SELECT user_id,
    day,
    hour,
    sum(calls)::bigint AS calls,
    sum(successful_calls)::bigint AS successful_calls,
    sum(failed_calls)::bigint AS failed_calls,
    sum(unanswered_calls)::bigint AS unanswered_calls,
    sum(talk_seconds)::bigint AS talk_seconds,
    sum(billed_minutes)::bigint AS billed_minutes,
    sum(credits_used)::bigint AS credits_used,
    sum(inbound_calls)::bigint AS inbound_calls,
    sum(outbound_calls)::bigint AS outbound_calls,
    sum(phone_calls)::bigint AS phone_calls,
    sum(internet_calls)::bigint AS internet_calls,
    sum(unknown_source_calls)::bigint AS unknown_source_calls,
    sum(leads_generated)::bigint AS leads_generated,
    sum(qualified_leads)::bigint AS qualified_leads,
    sum(hot_leads)::bigint AS hot_leads,
    sum(warm_leads)::bigint AS warm_leads,
    sum(cold_leads)::bigint AS cold_leads,
    sum(cta_pricing)::bigint AS cta_pricing,
    sum(cta_demo)::bigint AS cta_demo,
    sum(cta_followup)::bigint AS cta_followup,
    sum(cta_sample)::bigint AS cta_sample,
    sum(cta_human_escalation)::bigint AS cta_human_escalation,
    sum(calls_with_cta)::bigint AS calls_with_cta,
    sum(intent_score_sum)::bigint AS intent_score_sum,
    sum(intent_score_count)::bigint AS intent_score_count,
    sum(urgency_score_sum)::bigint AS urgency_score_sum,
    sum(urgency_score_count)::bigint AS urgency_score_count,
    sum(budget_score_sum)::bigint AS budget_score_sum,
    sum(budget_score_count)::bigint AS budget_score_count,
    sum(fit_score_sum)::bigint AS fit_score_sum,
    sum(fit_score_count)::bigint AS fit_score_count,
    sum(engagement_score_sum)::bigint AS engagement_score_sum,
    sum(engagement_score_count)::bigint AS engagement_score_count,
    sum(total_score_sum)::bigint AS total_score_sum,
    sum(total_score_count)::bigint AS total_score_count,
    sum(call_seconds)::bigint AS call_seconds,
    sum(voicemail_calls)::bigint AS voicemail_calls,
    sum(busy_calls)::bigint AS busy_calls,
    sum(no_answer_calls)::bigint AS no_answer_calls,
    sum(canceled_calls)::bigint AS canceled_calls,
    sum(agent_hangup_calls)::bigint AS agent_hangup_calls,
    sum(caller_hangup_calls)::bigint AS caller_hangup_calls,
    sum(time_to_answer_ms_sum)::bigint AS time_to_answer_ms_sum,
    sum(time_to_answer_count)::bigint AS time_to_answer_count,
    sum(cost_micros)::bigint AS cost_micros,
    sum(costed_calls)::bigint AS costed_calls,
    sum(cta_interactions)::bigint AS cta_interactions,
    sum(booked_calls)::bigint AS booked_calls,
    sum(sentiment_score_sum)::bigint AS sentiment_score_sum,
    sum(sentiment_score_count)::bigint AS sentiment_score_count,
    sum(sentiment_positive)::bigint AS sentiment_positive,
    sum(sentiment_neutral)::bigint AS sentiment_neutral,
    sum(sentiment_negative)::bigint AS sentiment_negative,
    sum(sentiment_mixed)::bigint AS sentiment_mixed,
    sum(quality_score_sum)::bigint AS quality_score_sum,
    sum(quality_score_count)::bigint AS quality_score_count,
    sum(csat_score_sum)::bigint AS csat_score_sum,
    sum(csat_score_count)::bigint AS csat_score_count,
    sum(transfer_requested_calls)::bigint AS transfer_requested_calls,
    sum(transfer_happened_calls)::bigint AS transfer_happened_calls,
    sum(convo_converted)::bigint AS convo_converted,
    sum(convo_interested)::bigint AS convo_interested,
    sum(convo_callback_requested)::bigint AS convo_callback_requested,
    sum(convo_not_interested)::bigint AS convo_not_interested,
    sum(convo_wrong_person)::bigint AS convo_wrong_person,
    sum(convo_no_outcome)::bigint AS convo_no_outcome
   FROM ( SELECT user_hourly_analytics.user_id,
            user_hourly_analytics.day,
            user_hourly_analytics.hour,
            user_hourly_analytics.calls,
            user_hourly_analytics.successful_calls,
            user_hourly_analytics.failed_calls,
            user_hourly_analytics.unanswered_calls,
            user_hourly_analytics.talk_seconds,
            user_hourly_analytics.billed_minutes,
            user_hourly_analytics.credits_used,
            user_hourly_analytics.inbound_calls,
            user_hourly_analytics.outbound_calls,
            user_hourly_analytics.phone_calls,
            user_hourly_analytics.internet_calls,
            user_hourly_analytics.unknown_source_calls,
            user_hourly_analytics.leads_generated,
            user_hourly_analytics.qualified_leads,
            user_hourly_analytics.hot_leads,
            user_hourly_analytics.warm_leads,
            user_hourly_analytics.cold_leads,
            user_hourly_analytics.cta_pricing,
            user_hourly_analytics.cta_demo,
            user_hourly_analytics.cta_followup,
            user_hourly_analytics.cta_sample,
            user_hourly_analytics.cta_human_escalation,
            user_hourly_analytics.calls_with_cta,
            user_hourly_analytics.intent_score_sum,
            user_hourly_analytics.intent_score_count,
            user_hourly_analytics.urgency_score_sum,
            user_hourly_analytics.urgency_score_count,
            user_hourly_analytics.budget_score_sum,
            user_hourly_analytics.budget_score_count,
            user_hourly_analytics.fit_score_sum,
            user_hourly_analytics.fit_score_count,
            user_hourly_analytics.engagement_score_sum,
            user_hourly_analytics.engagement_score_count,
            user_hourly_analytics.total_score_sum,
            user_hourly_analytics.total_score_count,
            user_hourly_analytics.call_seconds,
            user_hourly_analytics.voicemail_calls,
            user_hourly_analytics.busy_calls,
            user_hourly_analytics.no_answer_calls,
            user_hourly_analytics.canceled_calls,
            user_hourly_analytics.agent_hangup_calls,
            user_hourly_analytics.caller_hangup_calls,
            user_hourly_analytics.time_to_answer_ms_sum,
            user_hourly_analytics.time_to_answer_count,
            user_hourly_analytics.cost_micros,
            user_hourly_analytics.costed_calls,
            user_hourly_analytics.cta_interactions,
            user_hourly_analytics.booked_calls,
            user_hourly_analytics.sentiment_score_sum,
            user_hourly_analytics.sentiment_score_count,
            user_hourly_analytics.sentiment_positive,
            user_hourly_analytics.sentiment_neutral,
            user_hourly_analytics.sentiment_negative,
            user_hourly_analytics.sentiment_mixed,
            user_hourly_analytics.quality_score_sum,
            user_hourly_analytics.quality_score_count,
            user_hourly_analytics.csat_score_sum,
            user_hourly_analytics.csat_score_count,
            user_hourly_analytics.transfer_requested_calls,
            user_hourly_analytics.transfer_happened_calls,
            user_hourly_analytics.convo_converted,
            user_hourly_analytics.convo_interested,
            user_hourly_analytics.convo_callback_requested,
            user_hourly_analytics.convo_not_interested,
            user_hourly_analytics.convo_wrong_person,
            user_hourly_analytics.convo_no_outcome
           FROM app_public.user_hourly_analytics
        UNION ALL
         SELECT rollup_deltas.user_id,
            rollup_deltas.day,
            rollup_deltas.hour,
            rollup_deltas.calls,
            rollup_deltas.successful_calls,
            rollup_deltas.failed_calls,
            rollup_deltas.unanswered_calls,
            rollup_deltas.talk_seconds,
            rollup_deltas.billed_minutes,
            rollup_deltas.credits_used,
            rollup_deltas.inbound_calls,
            rollup_deltas.outbound_calls,
            rollup_deltas.phone_calls,
            rollup_deltas.internet_calls,
            rollup_deltas.unknown_source_calls,
            rollup_deltas.leads_generated,
            rollup_deltas.qualified_leads,
            rollup_deltas.hot_leads,
            rollup_deltas.warm_leads,
            rollup_deltas.cold_leads,
            rollup_deltas.cta_pricing,
            rollup_deltas.cta_demo,
            rollup_deltas.cta_followup,
            rollup_deltas.cta_sample,
            rollup_deltas.cta_human_escalation,
            rollup_deltas.calls_with_cta,
            rollup_deltas.intent_score_sum,
            rollup_deltas.intent_score_count,
            rollup_deltas.urgency_score_sum,
            rollup_deltas.urgency_score_count,
            rollup_deltas.budget_score_sum,
            rollup_deltas.budget_score_count,
            rollup_deltas.fit_score_sum,
            rollup_deltas.fit_score_count,
            rollup_deltas.engagement_score_sum,
            rollup_deltas.engagement_score_count,
            rollup_deltas.total_score_sum,
            rollup_deltas.total_score_count,
            rollup_deltas.call_seconds,
            rollup_deltas.voicemail_calls,
            rollup_deltas.busy_calls,
            rollup_deltas.no_answer_calls,
            rollup_deltas.canceled_calls,
            rollup_deltas.agent_hangup_calls,
            rollup_deltas.caller_hangup_calls,
            rollup_deltas.time_to_answer_ms_sum,
            rollup_deltas.time_to_answer_count,
            rollup_deltas.cost_micros,
            rollup_deltas.costed_calls,
            rollup_deltas.cta_interactions,
            rollup_deltas.booked_calls,
            rollup_deltas.sentiment_score_sum,
            rollup_deltas.sentiment_score_count,
            rollup_deltas.sentiment_positive,
            rollup_deltas.sentiment_neutral,
            rollup_deltas.sentiment_negative,
            rollup_deltas.sentiment_mixed,
            rollup_deltas.quality_score_sum,
            rollup_deltas.quality_score_count,
            rollup_deltas.csat_score_sum,
            rollup_deltas.csat_score_count,
            rollup_deltas.transfer_requested_calls,
            rollup_deltas.transfer_happened_calls,
            rollup_deltas.convo_converted,
            rollup_deltas.convo_interested,
            rollup_deltas.convo_callback_requested,
            rollup_deltas.convo_not_interested,
            rollup_deltas.convo_wrong_person,
            rollup_deltas.convo_no_outcome
           FROM app_hidden.rollup_deltas
          WHERE rollup_deltas.target IS NULL OR rollup_deltas.target = 'user_hour'::text) s
  GROUP BY user_id, day, hour;
comment on view app_public.tenant_hourly_stats is 'Exact per tenant-local day and hour figures: the user_hourly_analytics rollup plus not-yet-compacted deltas.';
grant select on table app_public.tenant_hourly_stats to app_user;

-- Triggers ------------------------------------------------------------------

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.agent_targets FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.agent_targets FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _100_guard_history BEFORE DELETE ON app_public.agents FOR EACH ROW EXECUTE FUNCTION app_private.tg_agents__guard_history();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.agents FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _500_record_version AFTER INSERT ON app_public.agents FOR EACH ROW EXECUTE FUNCTION app_private.tg_agents__record_version();
CREATE TRIGGER _500_record_version_update AFTER UPDATE OF config, agent_type ON app_public.agents FOR EACH ROW WHEN (new.config IS DISTINCT FROM old.config OR new.agent_type IS DISTINCT FROM old.agent_type) EXECUTE FUNCTION app_private.tg_agents__record_version();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.agents FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.analysis_topics FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.analysis_topics FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.api_keys FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('-last_used_at');

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.appointments FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _150_stamps BEFORE INSERT OR UPDATE ON app_public.appointments FOR EACH ROW EXECUTE FUNCTION app_private.tg_appointments__stamps();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.appointments FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('-status_changed_at', '-external_updated_at');

CREATE TRIGGER _010_guard_immutable BEFORE UPDATE ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg_calls__guard_immutable();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _200_link_contact BEFORE INSERT ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg_calls__link_contact();
CREATE TRIGGER _490_drop_untouched_appointment BEFORE DELETE ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg_calls__drop_untouched_appointment();
CREATE TRIGGER _500_inserted_effects AFTER INSERT ON app_public.calls REFERENCING NEW TABLE AS new_calls FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg_calls__inserted_effects();
CREATE TRIGGER _500_write_effects AFTER UPDATE ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg_calls__write_effects();
CREATE TRIGGER _500_write_effects_delete BEFORE DELETE ON app_public.calls FOR EACH ROW EXECUTE FUNCTION app_private.tg_calls__write_effects();
CREATE TRIGGER _510_analysis_started_at AFTER UPDATE OF started_at ON app_public.calls FOR EACH ROW WHEN (old.started_at IS DISTINCT FROM new.started_at) EXECUTE FUNCTION app_private.tg_calls__analysis_started_at();

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.contacts FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();

CREATE TRIGGER _050_set_reference BEFORE INSERT ON app_public.customers FOR EACH ROW EXECUTE FUNCTION app_private.tg_customers__set_reference();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.customers FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.follow_ups FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _150_stamp_completion BEFORE INSERT OR UPDATE ON app_public.follow_ups FOR EACH ROW EXECUTE FUNCTION app_private.tg_follow_ups__stamp_completion();

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON app_public.invitations FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.invitations FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _010_guard_immutable BEFORE UPDATE ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg_lead_analytics__guard_immutable();
CREATE TRIGGER _020_call_started_at BEFORE INSERT OR UPDATE ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg_lead_analytics__call_started_at();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _500_rollup AFTER INSERT OR DELETE OR UPDATE ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg_lead_analytics__rollup();
CREATE TRIGGER _510_drop_criterion_results AFTER DELETE ON app_public.lead_analytics FOR EACH ROW WHEN (old.analysis_type = 'individual'::text) EXECUTE FUNCTION app_private.tg_lead_analytics__drop_criterion_results();
CREATE TRIGGER _510_history AFTER INSERT OR DELETE OR UPDATE ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg_lead_analytics__history();
CREATE TRIGGER _600_appointment AFTER INSERT OR DELETE OR UPDATE OF demo_book_datetime ON app_public.lead_analytics FOR EACH ROW EXECUTE FUNCTION app_private.tg_lead_analytics__appointment();

CREATE TRIGGER _100_timestamps BEFORE UPDATE ON app_public.members FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER DELETE OR UPDATE ON app_public.members FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('-last_sign_in_at');
CREATE TRIGGER _900_audit_insert AFTER INSERT ON app_public.members FOR EACH ROW WHEN (new.id <> new.user_id) EXECUTE FUNCTION app_private.tg__audit('-last_sign_in_at');

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.phone_numbers FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.phone_numbers FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.privacy_requests FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('-progress');

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.rescoring_runs FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.success_criteria FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.success_criteria FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _060_speaker_segments BEFORE INSERT OR UPDATE OF content ON app_public.transcripts FOR EACH ROW EXECUTE FUNCTION app_private.tg_transcripts__speaker_segments();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.transcripts FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _500_queue_analysis AFTER INSERT OR UPDATE OF content ON app_public.transcripts FOR EACH ROW EXECUTE FUNCTION app_private.tg_transcripts__queue_analysis();

CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.usage_alert_thresholds FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.usage_alert_thresholds FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit();

CREATE TRIGGER _900_notify_insert AFTER INSERT ON app_public.user_analytics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg_user_analytics__notify_change();
CREATE TRIGGER _900_notify_update AFTER UPDATE ON app_public.user_analytics REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION app_private.tg_user_analytics__notify_change();

CREATE TRIGGER _050_create_owner_member AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__create_owner_member();
CREATE TRIGGER _060_default_analysis_topics AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__default_analysis_topics();
CREATE TRIGGER _100_set_updated_at BEFORE UPDATE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__set_updated_at();
CREATE TRIGGER _200_bump_prompt_version BEFORE UPDATE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__bump_prompt_version();
CREATE TRIGGER _400_lock_for_timezone_change BEFORE UPDATE OF timezone ON app_public.users FOR EACH ROW WHEN (new.timezone IS DISTINCT FROM old.timezone) EXECUTE FUNCTION app_private.tg_users__lock_for_timezone_change();
CREATE TRIGGER _500_grant_signup_credits AFTER INSERT ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg_users__grant_signup_credits();
CREATE TRIGGER _500_timezone_changed AFTER UPDATE OF timezone ON app_public.users FOR EACH ROW WHEN (new.timezone IS DISTINCT FROM old.timezone) EXECUTE FUNCTION app_private.tg_users__timezone_changed();
CREATE TRIGGER _900_audit AFTER INSERT OR DELETE OR UPDATE ON app_public.users FOR EACH ROW EXECUTE FUNCTION app_private.tg__audit('-credits');

-- Row-level security --------------------------------------------------------

alter table app_public.agent_analytics enable row level security;
create policy delete_own on app_public.agent_analytics for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.agent_analytics for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_all_admin on app_public.agent_analytics for select to app_admin
  using (true);
create policy select_own on app_public.agent_analytics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.agent_analytics for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.agent_hourly_analytics enable row level security;
create policy select_all_admin on app_public.agent_hourly_analytics for select to app_admin
  using (true);
create policy select_own on app_public.agent_hourly_analytics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.agent_targets enable row level security;
create policy delete_own on app_public.agent_targets for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.agent_targets for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.agent_targets for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.agent_targets for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.agent_versions enable row level security;
create policy select_all_admin on app_public.agent_versions for select to app_admin
  using (true);
create policy select_own on app_public.agent_versions for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.agents enable row level security;
create policy delete_own on app_public.agents for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.agents for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_all_admin on app_public.agents for select to app_admin
  using (true);
create policy select_own on app_public.agents for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.agents for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.analysis_topics enable row level security;
create policy delete_own on app_public.analysis_topics for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.analysis_topics for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.analysis_topics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.analysis_topics for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.analysis_versions enable row level security;
create policy select_own on app_public.analysis_versions for select to app_user
  using (user_id = app_public.current_user_id());

alter table app_public.api_keys enable row level security;
create policy select_own on app_public.api_keys for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.appointments enable row level security;
create policy select_own on app_public.appointments for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.call_criterion_results enable row level security;
create policy select_own on app_public.call_criterion_results for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.calls enable row level security;
create policy delete_own on app_public.calls for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.calls for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.calls for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.calls for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.contacts enable row level security;
create policy delete_own on app_public.contacts for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.contacts for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.contacts for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.contacts for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.credit_transactions enable row level security;
create policy delete_own on app_public.credit_transactions for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.credit_transactions for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.credit_transactions for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.credit_transactions for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.customers enable row level security;
create policy delete_own on app_public.customers for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.customers for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.customers for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.customers for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.follow_ups enable row level security;
create policy delete_own on app_public.follow_ups for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.follow_ups for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.follow_ups for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.follow_ups for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.invitations enable row level security;
create policy select_own on app_public.invitations for select to app_owner
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.lead_analytics enable row level security;
create policy delete_own on app_public.lead_analytics for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.lead_analytics for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.lead_analytics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.lead_analytics for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.members enable row level security;
create policy select_all_admin on app_public.members for select to app_admin
  using (true);
create policy select_own on app_public.members for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.phone_numbers enable row level security;
create policy delete_own on app_public.phone_numbers for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.phone_numbers for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.phone_numbers for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.phone_numbers for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.privacy_requests enable row level security;
create policy select_own on app_public.privacy_requests for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.rescoring_runs enable row level security;
create policy select_own on app_public.rescoring_runs for select to app_user
  using (user_id = app_public.current_user_id());

alter table app_public.success_criteria enable row level security;
create policy delete_own on app_public.success_criteria for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.success_criteria for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.success_criteria for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.success_criteria for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.transcripts enable row level security;
create policy delete_own on app_public.transcripts for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.transcripts for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_own on app_public.transcripts for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.transcripts for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.usage_alert_thresholds enable row level security;
create policy delete_own on app_public.usage_alert_thresholds for delete to app_user
  using (user_id = app_public.current_user_id());
create policy insert_own on app_public.usage_alert_thresholds for insert to app_user
  with check (user_id = app_public.current_user_id());
create policy select_own on app_public.usage_alert_thresholds for select to app_user
  using (user_id = app_public.current_user_id());
create policy update_own on app_public.usage_alert_thresholds for update to app_user
  using (user_id = app_public.current_user_id());

alter table app_public.usage_alerts enable row level security;
create policy select_own on app_public.usage_alerts for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.user_analytics enable row level security;
create policy delete_own on app_public.user_analytics for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.user_analytics for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_all_admin on app_public.user_analytics for select to app_admin
  using (true);
create policy select_own on app_public.user_analytics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.user_analytics for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.user_hourly_analytics enable row level security;
create policy delete_own on app_public.user_hourly_analytics for delete to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy insert_own on app_public.user_hourly_analytics for insert to app_user
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy select_all_admin on app_public.user_hourly_analytics for select to app_admin
  using (true);
create policy select_own on app_public.user_hourly_analytics for select to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.user_hourly_analytics for update to app_user
  using (user_id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (user_id = (( SELECT app_public.current_user_id() AS current_user_id)));

alter table app_public.users enable row level security;
create policy select_all_admin on app_public.users for select to app_admin
  using (true);
create policy select_own on app_public.users for select to app_user
  using (id = (( SELECT app_public.current_user_id() AS current_user_id)));
create policy update_own on app_public.users for update to app_user
  using (id = (( SELECT app_public.current_user_id() AS current_user_id)))
  with check (id = (( SELECT app_public.current_user_id() AS current_user_id)));
