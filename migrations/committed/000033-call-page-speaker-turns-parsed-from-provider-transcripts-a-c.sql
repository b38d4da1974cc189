--! Previous: sha1:ebfc494f7d50ae49d5a4791a64152c0028458994
--! Hash: sha1:5858b84b2bde5f71dc2c3949219702d1fc0957d3
--! Message: Call page: speaker turns parsed from provider transcripts, a call's queued time and provider deliveries (tenant-safe), retry of a failed analysis

-- The call page: speaker turns parsed from provider transcripts, the queued time
-- and the provider deliveries of a call (tenant-safe), and a retry of a failed analysis.

-- 1. Speaker turns --------------------------------------------------------------

create or replace function app_hidden.speaker_segments(p_content text)
  returns jsonb
  language sql
  immutable parallel safe
as $$
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
$$;
comment on function app_hidden.speaker_segments(p_content text) is
  'Speaker turns [{speaker: agent|user|unknown, text, start?, end?}] of a transcript: "assistant: ... / user: ..." lines (Bolna; unlabelled lines continue a turn) or a JSON array of {role, content|message|text} turns (system and tool messages left out). [] when the text has no speaker labels.';

create or replace function app_private.tg_transcripts__speaker_segments()
  returns trigger
  language plpgsql
as $$
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
$$;
comment on function app_private.tg_transcripts__speaker_segments() is
  'BEFORE INSERT/UPDATE OF content: fills speaker_segments from the text (app_hidden.speaker_segments) unless the writer gave them.';

drop trigger if exists _060_speaker_segments on app_public.transcripts;
create trigger _060_speaker_segments before insert or update of content on app_public.transcripts
  for each row execute function app_private.tg_transcripts__speaker_segments();

-- transcripts stored before this migration
update app_public.transcripts t
   set speaker_segments = app_hidden.speaker_segments(t.content)
 where t.speaker_segments = '[]'::jsonb and t.content <> '';

comment on column app_public.transcripts.speaker_segments is
  'Speaker turns [{speaker: agent|user|unknown, text, start?, end?}] parsed from the provider''s transcript (app_hidden.speaker_segments); [] when it has no speaker labels.';
comment on column app_public.transcripts.analysis_error is 'Why the analysis failed (analysis_status failed): the last attempt''s error.';

-- 2. Deliveries of a call ----------------------------------------------------------

-- every delivery of one provider call: the event key starts with the provider's call id
create index if not exists webhook_events_provider_call_idx
  on app_private.webhook_events (user_id, provider, split_part(event_key, ':', 1));

drop type if exists app_public.call_delivery cascade;
create type app_public.call_delivery as (
  id bigint,
  received_at timestamptz,
  provider text,
  provider_status text,
  provider_event_at timestamptz,
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

create or replace function app_public.calls_deliveries(c app_public.calls)
  returns setof app_public.call_delivery
  language sql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.calls_deliveries(c app_public.calls) is
  'The provider deliveries that built this call (every stored webhook for its provider call id, failed ones included), oldest first; only the signed-in business''s own.';
grant execute on function app_public.calls_deliveries(c app_public.calls) to app_user;

create or replace function app_public.calls_queued_at(c app_public.calls)
  returns timestamptz
  language sql
  stable
  security definer
  set search_path = pg_catalog, pg_temp
as $$
  select min(app_hidden.ts(coalesce(w.payload ->> 'updated_at', w.payload ->> 'Timestamp')))
    from app_private.webhook_events w
   where w.user_id = app_public.current_user_id()
     and w.user_id = c.user_id
     and w.provider = c.provider
     and split_part(w.event_key, ':', 1) = c.provider_call_id
     and lower(coalesce(w.payload ->> 'status', w.payload ->> 'CallStatus')) in ('scheduled', 'queued', 'rescheduled')
$$;
comment on function app_public.calls_queued_at(c app_public.calls) is
  'When the provider queued the call (its earliest scheduled / queued delivery); null when no pre-dial event arrived.';
grant execute on function app_public.calls_queued_at(c app_public.calls) to app_user;

-- 3. Retry of a failed analysis -----------------------------------------------------

create or replace function app_public.retry_call_analysis(call_id uuid)
  returns app_public.transcripts
  language plpgsql
  volatile
  security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.retry_call_analysis(call_id uuid) is
  'Queues a failed analysis again (analysis back to pending, one calls__analyze job per call). Idempotent: a transcript that is not failed is returned unchanged and nothing is queued.';
grant execute on function app_public.retry_call_analysis(call_id uuid) to app_user;
