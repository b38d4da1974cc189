--! Previous: sha1:13fd56103ebe8ac988412a39d0369cd187d2beeb
--! Hash: sha1:015425db4008cdda043329898937d56e644bd425
--! Message: Ingest fixes: offset-less provider times are UTC, malformed numbers dropped, late events fill lifecycle times, cross-tenant event keys refused, replay fewest attempts first

-- =============================================================================
-- 41. Ingest fixes found by the webhook tests
-- =============================================================================
-- (a) Provider timestamps without an offset are UTC (not the session's zone).
create or replace function app_hidden.ts(v text) returns timestamptz
  language plpgsql stable parallel safe
as $$
begin
  if v ~* '(z|[+-][0-9]{2}(:?[0-9]{2})?|gmt|utc|ut)\s*$' then
    return v::timestamptz;
  end if;
  return v::timestamp at time zone 'UTC';
exception when others then
  return null;
end
$$;
comment on function app_hidden.ts(text) is
  'A timestamp from provider text (ISO-8601 or RFC 2822; without an offset it is UTC), or null when unreadable.';

-- (b) Numbers from providers: E.164 or nothing (a malformed number no longer
-- fails the whole delivery on calls_e164).
create function app_hidden.e164_or_null(v text) returns text
  language sql immutable parallel safe
as $$
  select case when v ~ '^\+[1-9][0-9]{6,14}$' then v end
$$;
comment on function app_hidden.e164_or_null(text) is 'The number when it is E.164, else null.';

create or replace function app_hidden.apply_bolna_execution(p_user_id uuid, p jsonb) returns table (call_id uuid, applied boolean)
  language plpgsql volatile
as $$
declare
  s       record;
  v_agent uuid;
  tel     jsonb := coalesce(p -> 'telephony_data', '{}');
  v_dir   text := case when tel ->> 'call_type' = 'inbound' then 'inbound' else 'outbound' end;
  -- the other party's number ('' counts as none; web calls have none)
  v_number text := nullif(btrim(case when v_dir = 'inbound' then tel ->> 'from_number' else tel ->> 'to_number' end), '');
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
    case when v_number is null then 'internet' else 'phone' end,
    app_hidden.e164_or_null(v_number),
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

create or replace function app_hidden.apply_twilio_status(p_user_id uuid, p jsonb) returns table (call_id uuid, applied boolean)
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
$$;

-- (c) A late event fills lifecycle times nothing else recorded.
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
    -- A late event may still know an earlier start or fill a lifecycle time
    -- nothing else recorded (an in-progress after the completed); it never
    -- changes what a later event set.
    update app_public.calls c
       set started_at = least(c.started_at, coalesce(p_started_at, c.started_at)),
           ringing_at = coalesce(c.ringing_at, case when p_status = 'ringing' then v_moment end),
           answered_at = coalesce(c.answered_at, case when p_status = 'in_progress' then v_moment end),
           disconnected_at = coalesce(c.disconnected_at, case when p_status = 'disconnected' then v_moment end)
     where c.id = v_call.id
       and (p_started_at < c.started_at
            or (c.ringing_at is null and p_status = 'ringing')
            or (c.answered_at is null and p_status = 'in_progress')
            or (c.disconnected_at is null and p_status = 'disconnected'));
    return query select v_call.id, found;
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

-- (d) The same provider event key from another tenant: refused, and the first
-- tenant's delivery is not revealed.
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
  on conflict (provider, event_key) do nothing
  returning e.id into v_id;
  if v_id is null then
    if exists (select 1 from app_private.webhook_events e
                where e.provider = p_provider and e.event_key = p_event_key
                  and e.user_id is distinct from p_user_id) then
      -- Another tenant's delivery of the same provider call: say nothing about it.
      raise exception 'this % call belongs to another account', p_provider using errcode = 'SB106';
    end if;
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

-- (e) Replay fewest-attempts first.
create or replace function app_hidden.replay_webhook_events(p_max integer default 1000, p_max_attempts integer default 10)
  returns table (replayed integer, processed integer, failed integer)
  language plpgsql volatile
as $$
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
$$;
