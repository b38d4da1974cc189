--! Previous: -
--! Hash: sha1:bf9459a9ed341576271dd7eb6637885ac41539cf
--! Message: core schema: roles, schemas, tenants, agents, calls, leads, ledger

-- =============================================================================
-- 1. Roles, schemas, extensions, privileges
-- =============================================================================
-- Roles are cluster-wide: create them idempotently so every database of the
-- cluster (dev, test templates, shadow) can run this migration.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'app_anonymous') then
    create role app_anonymous nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'app_user') then
    create role app_user nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'app_admin') then
    create role app_admin nologin;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'app_authenticator') then
    create role app_authenticator login noinherit;
  end if;
end
$$;
-- The authenticator (GraphQL pool) may only switch into the three app roles.
grant app_anonymous, app_user, app_admin to app_authenticator;
-- A platform admin is also a tenant (own rows) and gets extra read policies.
grant app_user to app_admin;

-- Extensions first: their functions (citext's operators, pgcrypto) keep the
-- PUBLIC execute they ship with; everything we create afterwards does not.
create extension if not exists pgcrypto with schema public;
create extension if not exists citext with schema public;

revoke all on schema public from public;
alter default privileges revoke all on sequences from public;
alter default privileges revoke execute on functions from public;

create schema app_public;
create schema app_hidden;
create schema app_private;

comment on schema app_public is 'Exposed through the GraphQL API; RLS on every tenant table.';
comment on schema app_hidden is 'Callable by application roles but not exposed through GraphQL.';
comment on schema app_private is 'Secrets, raw events and internal state; owner only.';

grant usage on schema public to app_anonymous, app_user;
grant usage on schema app_public to app_anonymous, app_user;
grant usage on schema app_hidden to app_anonymous, app_user;

-- =============================================================================
-- 2. Small shared helpers
-- =============================================================================
create function app_public.current_user_id() returns uuid
  language sql stable parallel safe
as $$
  select nullif(current_setting('jwt.claims.user_id', true), '')::uuid
$$;
comment on function app_public.current_user_id() is
  'The tenant (user) id of the current request, from the JWT claims; null when anonymous.';
grant execute on function app_public.current_user_id() to app_anonymous, app_user;

create function app_public.current_user_is_admin() returns boolean
  language sql stable parallel safe
as $$
  select pg_has_role(current_user, 'app_admin', 'usage')
$$;
comment on function app_public.current_user_is_admin() is
  'True when the current role is a platform operator (app_admin) or the owner.';
grant execute on function app_public.current_user_is_admin() to app_anonymous, app_user;

create function app_hidden.is_valid_timezone(tz text) returns boolean
  language sql immutable parallel safe
as $$
  -- Names only: POSIX strings such as 'UTC+5' would be accepted by AT TIME ZONE
  -- (with the sign inverted), so they are not.
  select exists (select 1 from pg_catalog.pg_timezone_names n where n.name = tz)
$$;
comment on function app_hidden.is_valid_timezone(text) is
  'True when tz is an IANA time zone name PostgreSQL knows (declared immutable for use in CHECK constraints).';
grant execute on function app_hidden.is_valid_timezone(text) to app_user;

create function app_hidden.tenant_today(tz text) returns date
  language sql stable parallel safe
as $$
  select (now() at time zone tz)::date
$$;
comment on function app_hidden.tenant_today(text) is 'Today''s date in the given time zone.';
grant execute on function app_hidden.tenant_today(text) to app_anonymous, app_user;

create function app_private.tg__set_updated_at() returns trigger
  language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function app_private.tg__set_updated_at() is 'BEFORE UPDATE: stamps updated_at.';

-- =============================================================================
-- 3. Tenants
-- =============================================================================
create table app_public.users (
  id                         uuid primary key default uuidv7(),
  email                      citext not null unique
                               check (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
  name                       text not null check (length(name) between 1 and 200),
  role                       text not null default 'user' check (role in ('user', 'admin', 'super_admin')),
  credits                    integer not null default 0,
  timezone                   text not null default 'UTC'
                               constraint users_timezone_valid check (app_hidden.is_valid_timezone(timezone)),
  analysis_prompt_individual text check (length(analysis_prompt_individual) <= 20000),
  analysis_prompt_complete   text check (length(analysis_prompt_complete) <= 20000),
  analysis_prompt_version    integer not null default 1 check (analysis_prompt_version >= 1),
  is_active                  boolean not null default true,
  email_verified             boolean not null default false,
  created_at                 timestamptz not null default now(),
  updated_at                 timestamptz not null default now()
);
comment on table app_public.users is 'A tenant: the account that owns agents, calls and leads.';
comment on column app_public.users.credits is
  'Posted credit balance, maintained only by the credit ledger (credit_transactions). See available_credits.';
comment on column app_public.users.timezone is
  'IANA time zone; a call belongs to the tenant-local day and hour of its start. Changing it rebuilds the tenant''s rollups.';
comment on column app_public.users.analysis_prompt_individual is 'Prompt for analysing one call; null uses the platform default.';
comment on column app_public.users.analysis_prompt_complete is 'Prompt for the per-contact complete analysis; null uses the platform default.';
comment on column app_public.users.analysis_prompt_version is 'Bumped whenever either analysis prompt changes; recorded on each analysis.';

create trigger _100_set_updated_at before update on app_public.users
  for each row execute function app_private.tg__set_updated_at();

create function app_private.tg_users__bump_prompt_version() returns trigger
  language plpgsql
as $$
begin
  if (new.analysis_prompt_individual, new.analysis_prompt_complete)
     is distinct from (old.analysis_prompt_individual, old.analysis_prompt_complete) then
    new.analysis_prompt_version := old.analysis_prompt_version + 1;
  end if;
  return new;
end
$$;
create trigger _200_bump_prompt_version before update on app_public.users
  for each row execute function app_private.tg_users__bump_prompt_version();

-- Secrets never live in an exposed table.
create table app_private.user_secrets (
  user_id        uuid primary key references app_public.users on delete cascade,
  password_hash  text,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now()
);
comment on table app_private.user_secrets is 'Password hashes (bcrypt via pgcrypto) and other per-user secrets.';

-- =============================================================================
-- 4. Agents, phone numbers, contacts
-- =============================================================================
create table app_public.agents (
  id                uuid primary key default uuidv7(),
  user_id           uuid not null references app_public.users on delete cascade,
  provider          text not null default 'bolna' check (provider in ('bolna', 'twilio', 'vapi', 'retell', 'other')),
  provider_agent_id text not null check (length(provider_agent_id) between 1 and 200),
  name              text not null check (length(name) between 1 and 200),
  agent_type        text not null default 'call' check (agent_type in ('call', 'chat')),
  description       text,
  is_active         boolean not null default true,
  config            jsonb not null default '{}' check (jsonb_typeof(config) = 'object'),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  unique (provider, provider_agent_id),
  unique (id, user_id)
);
create index agents_user_id_idx on app_public.agents (user_id);
comment on table app_public.agents is 'An AI calling agent at a provider (Bolna, Twilio, ...), owned by one tenant.';
comment on column app_public.agents.provider_agent_id is 'The agent''s id at the provider; unique per provider.';
comment on column app_public.agents.config is 'Provider configuration (voice, LLM, task) as JSON.';
create trigger _100_set_updated_at before update on app_public.agents
  for each row execute function app_private.tg__set_updated_at();

create table app_public.phone_numbers (
  id            uuid primary key default uuidv7(),
  user_id       uuid not null references app_public.users on delete cascade,
  agent_id      uuid,
  name          text check (length(name) <= 200),
  phone_number  text not null constraint phone_numbers_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  is_active     boolean not null default true,
  created_by    uuid references app_public.users on delete set null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  foreign key (agent_id, user_id) references app_public.agents (id, user_id) on delete set null (agent_id)
);
create unique index phone_numbers_active_number_key on app_public.phone_numbers (phone_number) where is_active;
create unique index phone_numbers_agent_key on app_public.phone_numbers (agent_id) where agent_id is not null;
create index phone_numbers_user_id_idx on app_public.phone_numbers (user_id);
create index phone_numbers_created_by_idx on app_public.phone_numbers (created_by);
comment on table app_public.phone_numbers is 'Phone numbers (E.164); each is assigned to at most one agent and an agent has at most one.';
create trigger _100_set_updated_at before update on app_public.phone_numbers
  for each row execute function app_private.tg__set_updated_at();

create table app_public.contacts (
  id                        uuid primary key default uuidv7(),
  user_id                   uuid not null references app_public.users on delete cascade,
  phone_number              text not null constraint contacts_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  name                      text check (length(name) <= 200),
  email                     citext,
  company                   text,
  notes                     text,
  is_customer               boolean not null default false,
  is_auto_created           boolean not null default false,
  auto_creation_source      text not null default 'manual' check (auto_creation_source in ('manual', 'call', 'import')),
  auto_created_from_call_id uuid,
  not_connected             integer not null default 0 check (not_connected >= 0),
  created_at                timestamptz not null default now(),
  updated_at                timestamptz not null default now(),
  unique (user_id, phone_number),
  unique (id, user_id)
);
comment on table app_public.contacts is 'People a tenant calls or is called by; created automatically from calls.';
comment on column app_public.contacts.not_connected is 'Calls to this contact that ended unanswered or failed (corrections move it).';
comment on column app_public.contacts.auto_created_from_call_id is
  'The call that created this contact (provenance only, no foreign key: calls are purged by retention).';
create trigger _100_set_updated_at before update on app_public.contacts
  for each row execute function app_private.tg__set_updated_at();
-- =============================================================================
-- 5. Calls, transcripts, lead analytics
-- =============================================================================
create table app_public.calls (
  id                    uuid primary key default uuidv7(),
  user_id               uuid not null references app_public.users on delete cascade,
  agent_id              uuid not null,
  contact_id            uuid,
  provider              text not null check (provider in ('bolna', 'twilio', 'vapi', 'retell', 'other')),
  provider_call_id      text not null check (length(provider_call_id) between 1 and 200),
  phone_number          text constraint calls_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  direction             text not null default 'outbound' check (direction in ('inbound', 'outbound')),
  call_source           text not null default 'phone' check (call_source in ('phone', 'internet', 'unknown')),
  caller_name           text,
  caller_email          citext,
  status                text not null default 'queued' check (status in (
                          'scheduled', 'queued', 'initiated', 'ringing', 'in_progress', 'disconnected',
                          'completed', 'busy', 'no_answer', 'canceled', 'failed')),
  answered_by_voicemail boolean not null default false,
  started_at            timestamptz not null default now(),
  ringing_at            timestamptz,
  answered_at           timestamptz,
  disconnected_at       timestamptz,
  ended_at              timestamptz,
  duration_seconds      integer not null default 0
                          constraint calls_duration_non_negative check (duration_seconds >= 0 and duration_seconds <= 86400),
  billed_minutes        integer generated always as ((duration_seconds + 59) / 60) stored,
  outcome               text generated always as (
                          case
                            when status = 'completed' and duration_seconds > 0 and not answered_by_voicemail then 'successful'
                            when status in ('completed', 'busy', 'no_answer') then 'unanswered'
                            when status in ('failed', 'canceled') then 'failed'
                          end) stored,
  credits_used          integer generated always as (
                          case when status = 'completed' and duration_seconds > 0
                               then (duration_seconds + 59) / 60 else 0 end) stored,
  cost_cents            numeric(12, 4) check (cost_cents >= 0),
  recording_url         text,
  hangup_by             text,
  hangup_reason         text,
  hangup_code           integer,
  metadata              jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  contact_link_pending  boolean not null default false,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  unique (provider, provider_call_id),
  unique (id, user_id),
  foreign key (agent_id, user_id) references app_public.agents (id, user_id) on delete restrict,
  foreign key (contact_id, user_id) references app_public.contacts (id, user_id) on delete set null (contact_id),
  constraint calls_lifecycle_order check (
    (ringing_at is null or ringing_at >= started_at - interval '1 minute')
    and (answered_at is null or answered_at >= started_at - interval '1 minute')
    and (ended_at is null or ended_at >= started_at - interval '1 minute'))
);
create index calls_user_started_idx on app_public.calls (user_id, started_at);
create index calls_agent_started_idx on app_public.calls (agent_id, started_at);
create index calls_contact_id_idx on app_public.calls (contact_id) where contact_id is not null;
comment on table app_public.calls is 'One call placed or received by an agent, at the provider''s granularity (a Bolna execution, a Twilio CallSid).';
comment on column app_public.calls.direction is 'inbound or outbound (the seed''s lead_type).';
comment on column app_public.calls.call_source is 'Channel: phone (telephony), internet (web call) or unknown.';
comment on column app_public.calls.status is
  'Lifecycle status; terminal ones are completed, busy, no_answer, canceled and failed.';
comment on column app_public.calls.started_at is 'When the call started (provider time); decides the tenant-local day and hour it counts on.';
comment on column app_public.calls.duration_seconds is 'Conversation length in seconds.';
comment on column app_public.calls.billed_minutes is 'Duration rounded up to whole minutes (61 s = 2 min).';
comment on column app_public.calls.outcome is
  'Derived: successful (completed with conversation, not voicemail), unanswered (busy, no answer, voicemail, completed without conversation), failed (failed, canceled); null while in progress.';
comment on column app_public.calls.credits_used is 'Derived: billed minutes of a completed call with conversation time; 0 otherwise.';
create trigger _100_set_updated_at before update on app_public.calls
  for each row execute function app_private.tg__set_updated_at();
-- Calls the link trigger had to skip: the contacts job links them.
create index calls_contact_link_pending_idx on app_public.calls (user_id) where contact_link_pending;
comment on column app_public.calls.contact_link_pending is
  'True while the call waits for app_hidden.sync_contacts to link it (its contact was being created by another transaction).';

create function app_private.tg_calls__guard_immutable() returns trigger
  language plpgsql
as $$
begin
  if new.user_id <> old.user_id or new.id <> old.id then
    raise exception 'a call cannot move to another tenant or change its id' using errcode = 'SB001';
  end if;
  return new;
end
$$;
comment on function app_private.tg_calls__guard_immutable() is 'BEFORE UPDATE: a call''s id and tenant never change (SB001).';
create trigger _010_guard_immutable before update on app_public.calls
  for each row execute function app_private.tg_calls__guard_immutable();

create table app_public.transcripts (
  id               uuid primary key default uuidv7(),
  user_id          uuid not null references app_public.users on delete cascade,
  call_id          uuid not null unique,
  content          text not null default '',
  speaker_segments jsonb not null default '[]' check (jsonb_typeof(speaker_segments) = 'array'),
  analysis_status  text not null default 'pending'
                     check (analysis_status in ('pending', 'processing', 'completed', 'failed', 'skipped')),
  analysis_error   text,
  analyzed_at      timestamptz,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  foreign key (call_id, user_id) references app_public.calls (id, user_id) on delete cascade
);
create index transcripts_user_id_idx on app_public.transcripts (user_id);
comment on table app_public.transcripts is 'The transcript of a call (text and speaker segments) and the state of its analysis.';
create trigger _100_set_updated_at before update on app_public.transcripts
  for each row execute function app_private.tg__set_updated_at();

create table app_public.lead_analytics (
  id                     uuid primary key default uuidv7(),
  user_id                uuid not null references app_public.users on delete cascade,
  analysis_type          text not null check (analysis_type in ('individual', 'complete')),
  call_id                uuid,
  latest_call_id         uuid,
  phone_number           text constraint lead_analytics_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  calls_analyzed         integer not null default 1 check (calls_analyzed >= 1),
  intent_level           text,
  intent_score           smallint check (intent_score between 0 and 100),
  urgency_level          text,
  urgency_score          smallint check (urgency_score between 0 and 100),
  budget_constraint      text,
  budget_score           smallint check (budget_score between 0 and 100),
  fit_alignment          text,
  fit_score              smallint check (fit_score between 0 and 100),
  engagement_health      text,
  engagement_score       smallint check (engagement_score between 0 and 100),
  total_score            smallint check (total_score between 0 and 100),
  lead_status_tag        text check (lead_status_tag in ('hot', 'warm', 'cold')),
  reasoning              jsonb not null default '{}',
  cta_interactions       jsonb not null default '{}',
  cta_pricing_clicked    boolean not null default false,
  cta_demo_clicked       boolean not null default false,
  cta_followup_clicked   boolean not null default false,
  cta_sample_clicked     boolean not null default false,
  cta_escalated_to_human boolean not null default false,
  extracted_name         text,
  extracted_email        citext,
  company_name           text,
  smart_notification     text,
  is_read                boolean not null default false,
  demo_book_datetime     timestamptz,
  analyzer               text not null default 'openai' check (analyzer in ('openai', 'builtin', 'import')),
  model                  text,
  prompt_version         text,
  analyzed_at            timestamptz not null default now(),
  created_at             timestamptz not null default now(),
  updated_at             timestamptz not null default now(),
  constraint lead_analytics_individual_has_call check ((analysis_type = 'individual') = (call_id is not null)),
  constraint lead_analytics_complete_has_phone check (analysis_type = 'individual' or phone_number is not null),
  foreign key (call_id, user_id) references app_public.calls (id, user_id) on delete cascade,
  foreign key (latest_call_id, user_id) references app_public.calls (id, user_id) on delete set null (latest_call_id)
);
-- Plain (not partial) so it also serves the (call_id, user_id) foreign key;
-- complete analyses have a null call_id, and nulls are distinct.
create unique index lead_analytics_individual_call_key on app_public.lead_analytics (call_id);
create unique index lead_analytics_complete_phone_key on app_public.lead_analytics (user_id, phone_number)
  where analysis_type = 'complete';
create index lead_analytics_user_created_idx on app_public.lead_analytics (user_id, created_at);
create index lead_analytics_latest_call_idx on app_public.lead_analytics (latest_call_id) where latest_call_id is not null;
create index lead_analytics_unread_idx on app_public.lead_analytics (user_id)
  where smart_notification is not null and not is_read;
comment on table app_public.lead_analytics is
  'Lead scores from call analysis. individual: one per call; complete: one per tenant and phone number, refreshed as calls accrue.';
comment on column app_public.lead_analytics.total_score is 'Overall lead score 0-100; 60 or more counts as a qualified lead.';
comment on column app_public.lead_analytics.smart_notification is 'A short actionable message for the manager; is_read tracks whether it was seen.';
create trigger _100_set_updated_at before update on app_public.lead_analytics
  for each row execute function app_private.tg__set_updated_at();

create function app_private.tg_lead_analytics__guard_immutable() returns trigger
  language plpgsql
as $$
begin
  if (new.id, new.call_id, new.analysis_type, new.user_id) is distinct from (old.id, old.call_id, old.analysis_type, old.user_id) then
    raise exception 'an analysis cannot change its id, call, type or tenant; insert a new one instead' using errcode = 'SB001';
  end if;
  return new;
end
$$;
comment on function app_private.tg_lead_analytics__guard_immutable() is 'BEFORE UPDATE: an analysis keeps its id, call, type and tenant (SB001).';
create trigger _010_guard_immutable before update on app_public.lead_analytics
  for each row execute function app_private.tg_lead_analytics__guard_immutable();

-- =============================================================================
-- 6. Credits, follow-ups, customers, targets
-- =============================================================================
create table app_public.credit_transactions (
  id            uuid primary key default uuidv7(),
  user_id       uuid not null references app_public.users on delete cascade,
  type          text not null check (type in ('purchase', 'usage', 'bonus', 'admin_adjustment', 'refund')),
  amount        integer not null check (amount <> 0),
  balance_after integer,
  posted_at     timestamptz,
  description   text,
  call_id       uuid,
  created_by    uuid references app_public.users on delete set null,
  created_at    timestamptz not null default now(),
  constraint credit_transactions_posted_together check ((balance_after is null) = (posted_at is null)),
  foreign key (call_id, user_id) references app_public.calls (id, user_id) on delete set null (call_id)
);
create index credit_transactions_user_created_idx on app_public.credit_transactions (user_id, created_at);
create index credit_transactions_unposted_idx on app_public.credit_transactions (user_id) where posted_at is null;
create index credit_transactions_call_idx on app_public.credit_transactions (call_id) where call_id is not null;
create index credit_transactions_created_by_idx on app_public.credit_transactions (created_by) where created_by is not null;
comment on table app_public.credit_transactions is
  'The credit ledger. Rows are appended (usage by trigger when a call''s credits change); the posting job assigns balance_after in order and updates users.credits.';
comment on column app_public.credit_transactions.amount is 'Signed credits: negative for usage, positive for purchases, bonuses and refunds.';
comment on column app_public.credit_transactions.balance_after is 'The tenant''s balance after this row; null until posted.';

create table app_public.follow_ups (
  id             uuid primary key default uuidv7(),
  user_id        uuid not null references app_public.users on delete cascade,
  contact_id     uuid,
  lead_phone     text not null constraint follow_ups_e164 check (lead_phone ~ '^\+[1-9][0-9]{6,14}$'),
  lead_email     citext,
  lead_name      text,
  follow_up_date date not null,
  remark         text,
  status         text not null default 'pending' check (status in ('pending', 'completed', 'cancelled')),
  created_by     uuid default app_public.current_user_id() references app_public.users on delete set null,
  completed_at   timestamptz,
  completed_by   uuid references app_public.users on delete set null,
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  foreign key (contact_id, user_id) references app_public.contacts (id, user_id) on delete set null (contact_id),
  constraint follow_ups_completion check ((status = 'completed') = (completed_at is not null))
);
create index follow_ups_user_date_idx on app_public.follow_ups (user_id, follow_up_date);
create index follow_ups_contact_idx on app_public.follow_ups (contact_id) where contact_id is not null;
create index follow_ups_created_by_idx on app_public.follow_ups (created_by) where created_by is not null;
create index follow_ups_completed_by_idx on app_public.follow_ups (completed_by) where completed_by is not null;
comment on table app_public.follow_ups is 'Follow-ups a manager schedules for a lead.';
create trigger _100_set_updated_at before update on app_public.follow_ups
  for each row execute function app_private.tg__set_updated_at();

create function app_private.tg_follow_ups__stamp_completion() returns trigger
  language plpgsql
as $$
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
$$;
comment on function app_private.tg_follow_ups__stamp_completion() is
  'Stamps completed_at / completed_by when a follow-up is completed and clears them when it is reopened or cancelled.';
create trigger _150_stamp_completion before insert or update on app_public.follow_ups
  for each row execute function app_private.tg_follow_ups__stamp_completion();

create table app_private.customer_reference_counters (
  user_id   uuid not null references app_public.users on delete cascade,
  year      integer not null,
  last_used integer not null,
  primary key (user_id, year)
);
comment on table app_private.customer_reference_counters is
  'Per-tenant, per-year counter behind CUST-YYYY-NNNN references (per tenant, so a reference reveals nothing about other tenants).';

create table app_public.customers (
  id                    uuid primary key default uuidv7(),
  user_id               uuid not null references app_public.users on delete cascade,
  contact_id            uuid,
  reference             text not null,
  name                  text not null check (length(name) between 1 and 200),
  email                 citext,
  phone                 text constraint customers_e164 check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  company               text,
  status                text not null default 'active' check (status in ('active', 'inactive', 'churned', 'on_hold')),
  conversion_date       timestamptz not null default now(),
  original_lead_source  text,
  assigned_sales_rep    text,
  last_interaction_date timestamptz,
  notes                 text,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  unique (user_id, reference),
  foreign key (contact_id, user_id) references app_public.contacts (id, user_id) on delete set null (contact_id)
);
create index customers_contact_idx on app_public.customers (contact_id) where contact_id is not null;
comment on table app_public.customers is 'Leads converted to customers; reference is generated per tenant as CUST-YYYY-NNNN.';
create trigger _100_set_updated_at before update on app_public.customers
  for each row execute function app_private.tg__set_updated_at();

create function app_private.tg_customers__set_reference() returns trigger
  language plpgsql security definer
as $$
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
$$;
create trigger _050_set_reference before insert on app_public.customers
  for each row execute function app_private.tg_customers__set_reference();

create table app_public.agent_targets (
  id                      uuid primary key default uuidv7(),
  user_id                 uuid not null references app_public.users on delete cascade,
  agent_id                uuid not null,
  period_type             text not null check (period_type in ('day', 'week', 'month')),
  period_start            date not null,
  target_calls            integer check (target_calls >= 0),
  target_successful_calls integer check (target_successful_calls >= 0),
  target_leads            integer check (target_leads >= 0),
  target_qualified_leads  integer check (target_qualified_leads >= 0),
  target_success_rate     numeric(5, 4) check (target_success_rate between 0 and 1),
  target_conversion_rate  numeric(5, 4) check (target_conversion_rate between 0 and 1),
  created_at              timestamptz not null default now(),
  updated_at              timestamptz not null default now(),
  unique (agent_id, period_type, period_start),
  foreign key (agent_id, user_id) references app_public.agents (id, user_id) on delete cascade,
  constraint agent_targets_period_aligned check (date_trunc(period_type, period_start)::date = period_start)
);
create index agent_targets_user_idx on app_public.agent_targets (user_id, period_start);
comment on table app_public.agent_targets is 'Goals for an agent over a day, ISO week (starting Monday) or month.';
create trigger _100_set_updated_at before update on app_public.agent_targets
  for each row execute function app_private.tg__set_updated_at();

-- =============================================================================
-- 7. Platform tables (private)
-- =============================================================================
create table app_private.system_config (
  key         text primary key,
  value       jsonb not null,
  description text,
  updated_by  uuid references app_public.users on delete set null,
  updated_at  timestamptz not null default now()
);
create index system_config_updated_by_idx on app_private.system_config (updated_by) where updated_by is not null;
comment on table app_private.system_config is 'Platform settings (JSON values).';
create trigger _100_set_updated_at before update on app_private.system_config
  for each row execute function app_private.tg__set_updated_at();
insert into app_private.system_config (key, value, description) values
  ('credits.signup_bonus', '15', 'Credits granted to a new tenant.'),
  ('rollups.verify_days', 'null', 'Days the nightly verification covers (null: all history).');

create table app_private.webhook_events (
  id           bigint generated always as identity primary key,
  provider     text not null,
  event_key    text not null,
  user_id      uuid references app_public.users on delete cascade,
  payload      jsonb not null,
  headers      jsonb not null default '{}',
  received_at  timestamptz not null default now(),
  attempts     integer not null default 0,
  status       text not null default 'pending' check (status in ('pending', 'processed', 'failed', 'ignored')),
  processed_at timestamptz,
  error        text,
  unique (provider, event_key)
);
create index webhook_events_user_idx on app_private.webhook_events (user_id);
create index webhook_events_pending_idx on app_private.webhook_events (received_at) where status in ('pending', 'failed');
comment on table app_private.webhook_events is 'Raw provider deliveries, stored before they are applied; de-duplicated by (provider, event_key).';

create table app_private.audit_log (
  id            bigint generated always as identity primary key,
  user_id       uuid references app_public.users on delete set null,
  actor         text not null default current_user,
  action        text not null,
  resource_type text,
  resource_id   text,
  details       jsonb not null default '{}',
  ip_address    inet,
  created_at    timestamptz not null default now()
);
create index audit_log_user_idx on app_private.audit_log (user_id, created_at);
comment on table app_private.audit_log is 'Who did what to which resource.';

create table app_private.trigger_error_log (
  id            bigint generated always as identity primary key,
  table_name    text not null,
  trigger_name  text not null,
  operation     text not null,
  row_id        text,
  error_code    text,
  error_message text not null,
  error_context text,
  occurred_at   timestamptz not null default now()
);
create index trigger_error_log_occurred_idx on app_private.trigger_error_log (occurred_at);
comment on table app_private.trigger_error_log is 'Failures of non-essential triggers, which are logged here instead of failing the write.';

create function app_private.log_trigger_error(
  p_table text, p_trigger text, p_operation text, p_row_id text, p_code text, p_message text, p_context text
) returns void
  language sql security definer
as $$
  insert into app_private.trigger_error_log (table_name, trigger_name, operation, row_id, error_code, error_message, error_context)
  values (p_table, p_trigger, p_operation, p_row_id, p_code, p_message, p_context)
$$;
