--! Previous: sha1:a7258042f9003c787656784b03d0c8c85b27bdd6
--! Hash: sha1:1ae4ae263bb963c732b777fad9e881b60d23bbb4
--! Message: Webhook ingest: provider credentials, monotonic call events from Bolna and Twilio, stored-then-applied deliveries with replay; analysis queue and recording; retention, clean-up and usage alerts

-- =============================================================================
-- 33. Provider credentials (webhook authentication)
-- =============================================================================
-- Bolna posts to /webhooks/bolna/<token>: the token is per tenant, shown once,
-- stored as its SHA-256. Secrets the server must read back (a Bolna signing
-- secret, a Twilio auth token) are encrypted by the server (AES-256-GCM with
-- SECRETS_KEY) before they reach the database: the database holds ciphertext only.
create table app_private.provider_credentials (
  user_id                   uuid primary key references app_public.users on delete cascade,
  bolna_token_hash          bytea unique,
  bolna_token_prefix        text,
  bolna_signing_secret_enc  bytea,
  bolna_require_signature   boolean not null default false,
  twilio_account_sid        text unique check (twilio_account_sid ~ '^AC[0-9a-fA-F]{32}$'),
  twilio_auth_token_enc     bytea,
  updated_at                timestamptz not null default now()
);
comment on table app_private.provider_credentials is
  'Per-tenant webhook credentials: the Bolna URL token (SHA-256), and server-encrypted secrets (Bolna signing secret, Twilio auth token).';

create type app_public.ingest_settings as (
  bolna_token_prefix       text,
  bolna_signing_secret_set boolean,
  bolna_require_signature  boolean,
  twilio_account_sid       text,
  twilio_auth_token_set    boolean,
  updated_at               timestamptz
);
comment on type app_public.ingest_settings is 'How the tenant''s providers authenticate their webhooks (never the secrets themselves).';

create function app_public.ingest_settings() returns app_public.ingest_settings
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select c.bolna_token_prefix, c.bolna_signing_secret_enc is not null, c.bolna_require_signature,
         c.twilio_account_sid, c.twilio_auth_token_enc is not null, c.updated_at
    from app_private.provider_credentials c
   where c.user_id = app_public.current_user_id()
$$;
comment on function app_public.ingest_settings() is 'The signed-in tenant''s webhook settings (null when none are set).';

create function app_hidden.require_password_session() returns uuid
  language plpgsql stable
as $$
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
$$;
comment on function app_hidden.require_password_session() is 'The signed-in tenant, refusing API-key sessions (42501).';

create function app_public.rotate_bolna_ingest_token() returns text
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_user  uuid := app_hidden.require_password_session();
  v_token text := 'sbw_' || translate(rtrim(encode(gen_random_bytes(32), 'base64'), '='), '+/', '-_');
begin
  insert into app_private.provider_credentials as c (user_id, bolna_token_hash, bolna_token_prefix)
  values (v_user, sha256(convert_to(v_token, 'UTF8')), left(v_token, 10))
  on conflict (user_id) do update
    set bolna_token_hash = excluded.bolna_token_hash, bolna_token_prefix = excluded.bolna_token_prefix, updated_at = now();
  insert into app_private.audit_log (user_id, action, resource_type) values (v_user, 'ingest_token.rotate', 'provider_credentials');
  return v_token;
end
$$;
comment on function app_public.rotate_bolna_ingest_token() is
  'Creates or replaces the tenant''s Bolna webhook token and returns it once: Bolna posts to /webhooks/bolna/<token>. The previous token stops working at once.';

-- Called by the server after it encrypted the secret (the GraphQL mutations
-- setBolnaSigningSecret / setTwilioCredentials live in server/graphql).
create function app_hidden.store_provider_secret(
  kind text, ciphertext bytea, twilio_account_sid text default null, require_signature boolean default null)
  returns void
  language plpgsql volatile security definer set search_path = pg_catalog, public, pg_temp
as $$
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
    begin
      insert into app_private.provider_credentials as c (user_id, twilio_account_sid, twilio_auth_token_enc)
      values (v_user, store_provider_secret.twilio_account_sid, ciphertext)
      on conflict (user_id) do update
        set twilio_account_sid = excluded.twilio_account_sid, twilio_auth_token_enc = excluded.twilio_auth_token_enc,
            updated_at = now();
    exception when unique_violation then
      raise exception 'this Twilio account is connected to another tenant' using errcode = 'SB105';
    end;
  else
    raise exception 'unknown secret kind %', kind using errcode = '22023';
  end if;
  insert into app_private.audit_log (user_id, action, resource_type, details)
  values (v_user, 'provider_secret.set', 'provider_credentials', jsonb_build_object('kind', kind));
end
$$;
comment on function app_hidden.store_provider_secret(text, bytea, text, boolean) is
  'Stores a server-encrypted provider secret for the signed-in tenant (password sessions only). SB105: the Twilio account belongs to another tenant.';

-- =============================================================================
-- 34. Calls from provider events: monotonic, idempotent, order-independent
-- =============================================================================
alter table app_public.calls
  add column provider_event_rank integer not null default 0,
  add column provider_event_at   timestamptz;
comment on column app_public.calls.provider_event_rank is
  'Progress of the last provider event applied (Bolna: status rank; Twilio: 1000 x status rank + SequenceNumber). Events that are not ahead of it change nothing.';
comment on column app_public.calls.provider_event_at is 'Provider time of the last applied event (Bolna updated_at, Twilio Timestamp).';

create function app_hidden.bolna_status(s text) returns table (status text, rank integer, terminal boolean)
  language sql immutable parallel safe
as $$
  select v.status, v.rank, v.rank >= 6
    from (values
      ('scheduled', 'scheduled', 0), ('queued', 'queued', 1), ('rescheduled', 'queued', 1),
      ('initiated', 'initiated', 2), ('ringing', 'ringing', 3), ('in-progress', 'in_progress', 4),
      ('call-disconnected', 'disconnected', 5),
      ('completed', 'completed', 6), ('busy', 'busy', 6), ('no-answer', 'no_answer', 6),
      ('balance-low', 'failed', 6), ('canceled', 'canceled', 6), ('stopped', 'canceled', 6),
      ('failed', 'failed', 6), ('error', 'failed', 6)) v(name, status, rank)
   where v.name = s
$$;
comment on function app_hidden.bolna_status(text) is 'A Bolna execution status as our call status, its rank in the lifecycle and whether it is final; no row for an unknown status.';

create function app_hidden.twilio_status(s text) returns table (status text, rank integer, terminal boolean)
  language sql immutable parallel safe
as $$
  select v.status, v.rank, v.rank >= 4
    from (values
      ('queued', 'queued', 0), ('initiated', 'initiated', 1), ('ringing', 'ringing', 2),
      ('in-progress', 'in_progress', 3), ('answered', 'in_progress', 3),
      ('completed', 'completed', 4), ('busy', 'busy', 4), ('no-answer', 'no_answer', 4),
      ('canceled', 'canceled', 4), ('failed', 'failed', 4)) v(name, status, rank)
   where v.name = s
$$;
comment on function app_hidden.twilio_status(text) is 'A Twilio CallStatus as our call status, its rank and whether it is final; no row for an unknown status.';

-- One event, already mapped to our columns, applied to its call. Rules:
-- (1) an event that is not ahead of the call's progress (rank, then provider
--     time) changes nothing: repeats and late arrivals are no-ops;
-- (2) duration, cost, recording, hangup and transcript come only from a final
--     event; (3) the start time, direction and number come from the first event.
create function app_hidden.apply_call_event(
  p_user_id uuid, p_agent_id uuid, p_provider text, p_provider_call_id text,
  p_status text, p_rank integer, p_terminal boolean, p_event_at timestamptz,
  p_started_at timestamptz, p_direction text, p_call_source text, p_phone_number text,
  p_voicemail boolean, p_duration integer, p_cost_cents numeric, p_recording_url text,
  p_hangup_by text, p_hangup_reason text, p_hangup_code integer, p_metadata jsonb, p_transcript text)
  returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
declare
  v_call   app_public.calls;
  v_moment timestamptz := coalesce(p_event_at, now());
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
  on conflict (provider, provider_call_id) do update
    set status = excluded.status,
        agent_id = excluded.agent_id,
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
    where c.user_id = excluded.user_id
      and (excluded.provider_event_rank, coalesce(excluded.provider_event_at, '-infinity'))
          > (c.provider_event_rank, coalesce(c.provider_event_at, '-infinity'))
  returning c.* into v_call;

  if v_call.id is null then
    -- Not applied: a repeat, a late event, or the id belongs to another tenant.
    select c.* into v_call from app_public.calls c
     where c.provider = p_provider and c.provider_call_id = p_provider_call_id;
    if v_call.user_id is distinct from p_user_id then
      raise exception 'call % belongs to another account', p_provider_call_id using errcode = 'SB106';
    end if;
    -- A late event may still know an earlier start (the only thing it can add).
    if p_started_at < v_call.started_at then
      update app_public.calls c set started_at = p_started_at where c.id = v_call.id;
      return query select v_call.id, true;
      return;
    end if;
    return query select v_call.id, false;
    return;
  end if;
  if p_started_at < v_call.started_at then
    update app_public.calls c set started_at = p_started_at where c.id = v_call.id;
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
$$;
comment on function app_hidden.apply_call_event(uuid, uuid, text, text, text, integer, boolean, timestamptz, timestamptz, text, text, text, boolean, integer, numeric, text, text, text, integer, jsonb, text) is
  'Applies one mapped provider event to its call (insert or monotonic update) and stores a final transcript. Returns the call and whether anything changed. SB106: the provider call id belongs to another tenant.';

create function app_hidden.ts(v text) returns timestamptz
  language plpgsql stable parallel safe
as $$
begin
  return v::timestamptz;
exception when others then
  return null;
end
$$;
comment on function app_hidden.ts(text) is 'A timestamp from provider text (ISO-8601 or RFC 2822), or null when unreadable.';

create function app_hidden.int_or_null(v text) returns integer
  language plpgsql immutable parallel safe
as $$
begin
  return round(v::numeric)::integer;
exception when others then
  return null;
end
$$;
comment on function app_hidden.int_or_null(text) is 'An integer from provider text, or null when it is not a number.';

create function app_hidden.apply_bolna_execution(p_user_id uuid, p jsonb) returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
declare
  s       record;
  v_agent uuid;
  tel     jsonb := coalesce(p -> 'telephony_data', '{}');
  v_dir   text := case when tel ->> 'call_type' = 'inbound' then 'inbound' else 'outbound' end;
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
    app_hidden.ts(p ->> 'updated_at'),
    app_hidden.ts(p ->> 'created_at'),
    v_dir,
    case when tel = '{}'::jsonb or tel ->> 'to_number' is null then 'internet' else 'phone' end,
    case when v_dir = 'inbound' then tel ->> 'from_number' else tel ->> 'to_number' end,
    (p ->> 'answered_by_voice_mail')::boolean,
    round(coalesce((p ->> 'conversation_duration')::numeric, (p ->> 'conversation_time')::numeric,
                   (tel ->> 'duration')::numeric, 0))::integer,
    (p ->> 'total_cost')::numeric,
    tel ->> 'recording_url',
    tel ->> 'hangup_by', tel ->> 'hangup_reason', app_hidden.int_or_null(tel ->> 'hangup_provider_code'),
    jsonb_strip_nulls(jsonb_build_object(
      'bolna', jsonb_build_object('batch_id', p -> 'batch_id', 'error_message', p -> 'error_message',
                                  'cost_breakdown', p -> 'cost_breakdown', 'extracted_data', p -> 'extracted_data',
                                  'context_details', p -> 'context_details', 'provider', tel -> 'provider',
                                  'provider_call_id', tel -> 'provider_call_id'))),
    p ->> 'transcript');
end
$$;
comment on function app_hidden.apply_bolna_execution(uuid, jsonb) is
  'Applies a Bolna execution payload. SB107: unknown status; SB108: no Bolna agent with that agent_id for the tenant.';

create function app_hidden.apply_twilio_status(p_user_id uuid, p jsonb) returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
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
    case when v_them ~ '^\+[1-9][0-9]{6,14}$' then v_them end,
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
$$;
comment on function app_hidden.apply_twilio_status(uuid, jsonb) is
  'Applies a Twilio voice status callback (form fields as JSON). Ordered by status rank, then SequenceNumber. SB107: unknown status; SB108: no agent has the number.';

-- =============================================================================
-- 35. Webhook deliveries: stored first, applied in the same transaction
-- =============================================================================
alter table app_private.webhook_events
  add column call_id uuid,
  add column error_code text;
comment on column app_private.webhook_events.status is
  'pending: stored, not yet applied; processed: applied (or a no-op repeat of an applied state); failed: kept with its error for replay; ignored: a duplicate delivery.';

-- Stores a delivery (once per provider and event key) and applies it. The
-- application runs in a subtransaction: if it fails, the raw delivery stays
-- with its error and can be replayed; the caller's transaction commits either way.
create function app_hidden.ingest_webhook(
  p_provider text, p_user_id uuid, p_event_key text, p_payload jsonb, p_headers jsonb default '{}')
  returns table (event_id bigint, duplicate boolean, status text, call_id uuid, error_code text, error text)
  language plpgsql volatile
as $$
declare
  v_id    bigint;
  v_call  uuid;
  v_state text;
  v_code  text;
  v_error text;
begin
  insert into app_private.webhook_events as e (provider, event_key, user_id, payload, headers)
  values (p_provider, p_event_key, p_user_id, p_payload, coalesce(p_headers, '{}'))
  on conflict (provider, event_key) do nothing
  returning e.id into v_id;
  if v_id is null then
    return query
    select e.id, true, e.status, e.call_id, e.error_code, e.error
      from app_private.webhook_events e where e.provider = p_provider and e.event_key = p_event_key;
    return;
  end if;
  select a.event_id_call, a.state, a.code, a.message into v_call, v_state, v_code, v_error
    from app_hidden.apply_webhook_event(v_id) a;
  return query select v_id, false, v_state, v_call, v_code, v_error;
end
$$;
comment on function app_hidden.ingest_webhook(text, uuid, text, jsonb, jsonb) is
  'Stores a provider delivery once per (provider, event key) and applies it; a duplicate returns the first delivery''s outcome and changes nothing.';

create function app_hidden.apply_webhook_event(p_event_id bigint)
  returns table (event_id_call uuid, state text, code text, message text)
  language plpgsql volatile
as $$
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
    return query select null::uuid, 'failed'::text, sqlstate::text, sqlerrm::text;
  end;
end
$$;
comment on function app_hidden.apply_webhook_event(bigint) is
  'Applies one stored delivery in a subtransaction and records the outcome (processed, or failed with the error).';

create function app_hidden.replay_webhook_events(p_max integer default 1000, p_max_attempts integer default 10)
  returns table (replayed integer, processed integer, failed integer)
  language plpgsql volatile
as $$
declare
  v_id bigint;
  n_replayed integer := 0;
  n_ok integer := 0;
  v_state text;
begin
  -- Oldest first, so a call's events are re-applied in the order they came.
  for v_id in
    select w.id from app_private.webhook_events w
     where w.status in ('pending', 'failed') and w.attempts < p_max_attempts
     order by w.received_at, w.id
     limit p_max
  loop
    select a.state into v_state from app_hidden.apply_webhook_event(v_id) a;
    n_replayed := n_replayed + 1;
    if v_state = 'processed' then n_ok := n_ok + 1; end if;
  end loop;
  return query select n_replayed, n_ok, n_replayed - n_ok;
end
$$;
comment on function app_hidden.replay_webhook_events(integer, integer) is
  'Re-applies pending and failed deliveries (oldest first; events already applied are no-ops, so replaying is always safe).';

-- =============================================================================
-- 36. Analysis: queued by the database, recorded exactly once
-- =============================================================================
create function app_private.tg_transcripts__queue_analysis() returns trigger
  language plpgsql security definer
as $$
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
$$;
comment on function app_private.tg_transcripts__queue_analysis() is
  'AFTER INSERT/UPDATE OF content: queues calls__analyze for the call (job key per call: queued once, a newer transcript replaces a waiting job).';
create trigger _500_queue_analysis after insert or update of content on app_public.transcripts
  for each row execute function app_private.tg_transcripts__queue_analysis();

-- The analysis of one call, as the job produced it (validated JSON), replacing
-- the call's previous individual analysis in one statement (the rollup
-- trigger moves the difference), then the contact's complete analysis.
create function app_hidden.record_call_analysis(
  p_call_id uuid, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text)
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
comment on function app_hidden.record_call_analysis(uuid, jsonb, text, text, text) is
  'Writes (or replaces) the individual analysis of a call from validated JSON and marks its transcript analysed. Idempotent: running it twice with the same analysis leaves the same row and rollups.';

create function app_hidden.record_contact_analysis(
  p_user_id uuid, p_phone text, p_analysis jsonb, p_analyzer text, p_model text, p_prompt_version text)
  returns uuid
  language plpgsql volatile
as $$
declare
  v_id uuid;
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
comment on function app_hidden.record_contact_analysis(uuid, text, jsonb, text, text, text) is
  'Writes (or replaces) the complete analysis of a tenant''s phone number over all its analysed calls (the seed''s dual analysis). Complete analyses never count in the rollups.';

create function app_hidden.mark_analysis_failed(p_call_id uuid, p_error text) returns void
  language sql volatile
as $$
  update app_public.transcripts t
     set analysis_status = 'failed', analysis_error = left(p_error, 2000)
   where t.call_id = p_call_id
$$;
comment on function app_hidden.mark_analysis_failed(uuid, text) is 'Marks a call''s transcript analysis failed with the reason (after the job gave up).';

-- =============================================================================
-- 37. Retention, clean-up and usage alerts
-- =============================================================================
create table app_private.retention_policies (
  data_type   text primary key check (data_type in ('calls', 'webhook_events', 'login_attempts', 'trigger_errors', 'audit_log')),
  retain_days integer not null check (retain_days >= 1),
  description text
);
comment on table app_private.retention_policies is 'Platform default retention per data type (days).';
insert into app_private.retention_policies (data_type, retain_days, description) values
  ('calls', 730, 'Raw calls with transcripts and analyses; their KPIs stay in the rollups.'),
  ('webhook_events', 30, 'Raw provider deliveries that were applied.'),
  ('login_attempts', 90, 'Sign-in attempts.'),
  ('trigger_errors', 30, 'Logged failures of non-essential triggers.'),
  ('audit_log', 365, 'Audit trail.');

create table app_private.tenant_retention (
  user_id     uuid not null references app_public.users on delete cascade,
  data_type   text not null references app_private.retention_policies,
  retain_days integer not null check (retain_days >= 1),
  primary key (user_id, data_type)
);
comment on table app_private.tenant_retention is 'Per-tenant overrides of the retention policy.';

-- One batch of one kind: returns the rows removed (the job loops until 0).
create function app_hidden.retention_batch(p_data_type text, p_batch integer default 1000) returns integer
  language plpgsql volatile
as $$
declare
  n       integer := 0;
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
                     where x.status in ('processed', 'ignored') and x.received_at < now() - make_interval(days => v_days)
                     limit p_batch);
  elsif p_data_type = 'login_attempts' then
    delete from app_private.login_attempts a
     where a.id in (select x.id from app_private.login_attempts x
                     where x.attempted_at < now() - make_interval(days => v_days) limit p_batch);
  elsif p_data_type = 'trigger_errors' then
    delete from app_private.trigger_error_log a
     where a.id in (select x.id from app_private.trigger_error_log x
                     where x.occurred_at < now() - make_interval(days => v_days) limit p_batch);
  elsif p_data_type = 'audit_log' then
    delete from app_private.audit_log a
     where a.id in (select x.id from app_private.audit_log x
                     where x.created_at < now() - make_interval(days => v_days) limit p_batch);
  end if;
  get diagnostics n = row_count;
  if n > 0 then
    insert into app_private.retention_log (user_id, data_type, cutoff, rows_purged)
    values ('00000000-0000-0000-0000-000000000000', p_data_type, now() - make_interval(days => v_days), n);
  end if;
  return n;
end
$$;
comment on function app_hidden.retention_batch(text, integer) is
  'Removes up to one batch (default 1000) of data older than its retention (calls: per tenant, history kept in the rollups via purged_rollups) and logs it in retention_log. Returns the rows removed.';

alter table app_public.users add column alert_phone text constraint users_alert_phone_e164 check (alert_phone ~ '^\+[1-9][0-9]{6,14}$');
comment on column app_public.users.alert_phone is 'Where usage alerts are sent by SMS (E.164); null: no SMS.';
grant update (alert_phone) on app_public.users to app_user;

insert into app_private.system_config (key, value, description) values
  ('usage_alerts.thresholds_percent', '[20, 10]', 'Usage alerts fire when the balance falls below these percentages of the period''s highest balance.')
on conflict (key) do nothing;

create table app_public.usage_alerts (
  id                uuid primary key default uuidv7(),
  user_id           uuid not null references app_public.users on delete cascade,
  period_start      date not null,
  threshold_percent integer not null check (threshold_percent between 1 and 99),
  balance           integer not null,
  reference_balance integer not null,
  sms_to            text,
  sms_status        text not null default 'none' check (sms_status in ('none', 'pending', 'sent', 'failed')),
  sms_error         text,
  sms_sent_at       timestamptz,
  created_at        timestamptz not null default now(),
  unique (user_id, period_start, threshold_percent)
);
comment on table app_public.usage_alerts is
  'One row per tenant, month and threshold when the credit balance fell below that percentage of the month''s highest balance (and the SMS sent for it).';
alter table app_public.usage_alerts enable row level security;
create policy select_own on app_public.usage_alerts for select to app_user using (user_id = (select app_public.current_user_id()));
grant select on app_public.usage_alerts to app_user;

-- Set-based: every tenant below a threshold gets its alert once per month;
-- returns the new alerts (the job sends their SMS).
create function app_hidden.check_usage_alerts() returns setof app_public.usage_alerts
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
   where r.reference > 0 and r.balance * 100 < r.reference * th.pct
  on conflict (user_id, period_start, threshold_percent) do nothing
  returning a.*
$$;
comment on function app_hidden.check_usage_alerts() is
  'Creates the usage alerts due (balance below a threshold percentage of the month''s highest balance), once per tenant, month and threshold; returns the new ones.';

-- =============================================================================
-- 38. Grants
-- =============================================================================
grant execute on function app_public.ingest_settings(), app_public.rotate_bolna_ingest_token(),
  app_hidden.store_provider_secret(text, bytea, text, boolean), app_hidden.require_password_session()
  to app_user;
