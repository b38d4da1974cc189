--! Previous: sha1:d194b1a56a2570a9003ee972aa1f405c771e069a
--! Hash: sha1:e3d0c9dd53e68e005f625b5c45694ef4973e5283
--! Message: Provider ids unique per business (agents, active numbers, calls, deliveries; several tenants may name one Twilio account); scheduled Bolna calls count when dialled; per-tenant rollup freshness

-- =============================================================================
-- 42. Provider ids are per business; ingest edge cases; per-business freshness
-- =============================================================================
-- (a) Provider ids are unique per business, never globally. A global unique key
-- let one tenant learn that another used an agent id, number, AccountSid or
-- call id (ALREADY_EXISTS / TWILIO_ACCOUNT_TAKEN / CALL_OF_ANOTHER_ACCOUNT) and
-- squat it, so that the real owner's genuine deliveries then failed. No foreign
-- key or index depends on the old keys (foreign keys between tenant tables use
-- (id, user_id)); the ingest functions' conflict targets change with them below.
alter table app_public.agents drop constraint agents_provider_provider_agent_id_key;
alter table app_public.agents
  add constraint agents_user_id_provider_provider_agent_id_key unique (user_id, provider, provider_agent_id);
comment on column app_public.agents.provider_agent_id is 'The agent''s id at the provider; unique per tenant and provider.';

drop index app_public.phone_numbers_active_number_key;
create unique index phone_numbers_active_number_key on app_public.phone_numbers (user_id, phone_number) where is_active;
comment on table app_public.phone_numbers is
  'Phone numbers (E.164); an active number is unique per tenant; each is assigned to at most one agent and an agent has at most one.';

alter table app_public.calls drop constraint calls_provider_provider_call_id_key;
alter table app_public.calls
  add constraint calls_user_id_provider_provider_call_id_key unique (user_id, provider, provider_call_id);

alter table app_private.webhook_events drop constraint webhook_events_provider_event_key_key;
alter table app_private.webhook_events
  add constraint webhook_events_user_id_provider_event_key_key unique nulls not distinct (user_id, provider, event_key);
comment on table app_private.webhook_events is
  'Raw provider deliveries, stored before they are applied; de-duplicated per tenant by (provider, event_key).';

-- Several tenants may name the same AccountSid: the webhook routes a callback
-- to the one whose auth token validates Twilio's signature (server/webhooks).
alter table app_private.provider_credentials drop constraint provider_credentials_twilio_account_sid_key;
create index provider_credentials_twilio_account_sid_idx on app_private.provider_credentials (twilio_account_sid)
  where twilio_account_sid is not null;

create or replace function app_hidden.store_provider_secret(
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
  insert into app_private.audit_log (user_id, action, resource_type, details)
  values (v_user, 'provider_secret.set', 'provider_credentials', jsonb_build_object('kind', kind));
end
$$;
comment on function app_hidden.store_provider_secret(text, bytea, text, boolean) is
  'Stores a server-encrypted provider secret for the signed-in tenant (password sessions only). A Twilio account may be named by several tenants; none can block another.';

-- (b) Calls keyed by tenant + provider + provider call id. A call counts when
-- it was dialled: a pre-dial event (scheduled, queued) gives a provisional
-- start that the first dialled event replaces; dialled events only ever move
-- the start earlier.
create or replace function app_hidden.apply_call_event(
  p_user_id uuid, p_agent_id uuid, p_provider text, p_provider_call_id text,
  p_status text, p_rank integer, p_terminal boolean, p_event_at timestamptz,
  p_started_at timestamptz, p_direction text, p_call_source text, p_phone_number text,
  p_voicemail boolean, p_duration integer, p_cost_cents numeric, p_recording_url text,
  p_hangup_by text, p_hangup_reason text, p_hangup_code integer, p_metadata jsonb, p_transcript text)
  returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
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
$$;
comment on function app_hidden.apply_call_event(uuid, uuid, text, text, text, integer, boolean, timestamptz, timestamptz, text, text, text, boolean, integer, numeric, text, text, text, integer, jsonb, text) is
  'Applies one mapped provider event to the tenant''s call (insert or monotonic update, keyed by tenant, provider and provider call id) and stores a final transcript. A pre-dial event (scheduled, queued) gives a provisional start that the first dialled event replaces. Returns the call and whether anything changed.';

-- (c) A Bolna execution counts when it was dialled: a scheduled execution is
-- created (created_at) long before it is dialled. Pre-dial statuses start at
-- created_at (provisional); a dialled event starts no later than its own time
-- (updated_at; a final event: updated_at minus the telephony duration), never
-- before created_at. The earliest dialled event wins (the initiated one when
-- it arrives).
create or replace function app_hidden.apply_bolna_execution(p_user_id uuid, p jsonb) returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
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
$$;
comment on function app_hidden.apply_bolna_execution(uuid, jsonb) is
  'Applies a Bolna execution payload; the call counts when it was dialled (not when a scheduled execution was created). SB107: unknown status; SB108: no Bolna agent with that agent_id for the tenant.';

-- (d) Status classes (sql/README.md lists every provider status): balance-low
-- stays a failed call on purpose: the call was never placed because the
-- tenant's Bolna wallet was empty, a technical failure that must not lower the
-- answer rate as if the callee had not picked up.
comment on function app_hidden.bolna_status(text) is
  'A Bolna execution status as our call status, its rank in the lifecycle and whether it is final; no row for an unknown status. balance-low is failed (never dialled), not unanswered; see sql/README.md.';

-- (e) Deliveries de-duplicated per tenant: another tenant's delivery with the
-- same key is that tenant's own.
create or replace function app_hidden.ingest_webhook(
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
$$;
comment on function app_hidden.ingest_webhook(text, uuid, text, jsonb, jsonb) is
  'Stores a provider delivery once per (tenant, provider, event key) and applies it; a duplicate returns the first delivery''s outcome and changes nothing.';

-- (f) Data freshness per tenant: the platform-wide compaction log moved when any
-- tenant posted. The tenant's own latest compaction is the newest updated_at of
-- its daily rollup rows (the compactor sets it in the statement that folds them).
create or replace function app_public.data_freshness() returns app_public.data_freshness
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select now(),
         (select max(a.updated_at) from app_public.user_analytics a where a.user_id = app_public.current_user_id()),
         (select count(*) from app_hidden.rollup_deltas d where d.user_id = app_public.current_user_id()),
         (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary'),
         (select max(c.started_at) from app_public.calls c where c.user_id = app_public.current_user_id())
$$;
comment on function app_public.data_freshness() is
  'When the signed-in tenant''s rollups were last compacted and the KPI summary last refreshed, the tenant''s not-yet-compacted changes and its latest call.';
