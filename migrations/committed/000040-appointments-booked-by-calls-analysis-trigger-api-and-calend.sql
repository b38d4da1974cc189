--! Previous: sha1:347f81912aa1c31213a711676c50b7c2afed2c0f
--! Hash: sha1:31bad5d0949a93d5661418fdd21ecf681a6c57e9
--! Message: appointments: booked by calls (analysis trigger), API and calendar sync; booked_calls measure; booking, show and no-show rates per agent and day

-- Appointments (issue 17, item 4): booked by calls (from the analysis' demo_book_datetime), created and
-- updated through the API and by calendar tools; the additive measure booked_calls; booking / show /
-- no-show rates per agent and day.

-- =============================================================================
-- 1. The table
-- =============================================================================
create table app_public.appointments (
  id                  uuid not null default uuidv7() primary key,
  user_id             uuid not null default app_public.current_user_id() references app_public.users on delete cascade,
  agent_id            uuid,
  call_id             uuid,
  contact_id          uuid,
  phone_number        text,
  contact_name        text,
  scheduled_at        timestamptz not null,
  status              text not null default 'scheduled',
  source              text not null,
  status_source       text not null,
  external_id         text,
  external_updated_at timestamptz,
  notes               text,
  confirmed_at        timestamptz,
  status_changed_at   timestamptz not null default now(),
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  constraint appointments_id_user_id_key unique (id, user_id),
  constraint appointments_agent_id_user_id_fkey foreign key (agent_id, user_id)
    references app_public.agents (id, user_id) on delete set null (agent_id),
  constraint appointments_call_id_user_id_fkey foreign key (call_id, user_id)
    references app_public.calls (id, user_id) on delete set null (call_id),
  constraint appointments_contact_id_user_id_fkey foreign key (contact_id, user_id)
    references app_public.contacts (id, user_id) on delete set null (contact_id),
  constraint appointments_status_valid check (status in ('scheduled', 'confirmed', 'completed', 'no_show', 'cancelled', 'rescheduled')),
  constraint appointments_source_valid check (source in ('analysis', 'api', 'calendar')),
  constraint appointments_status_source_valid check (status_source in ('analysis', 'api', 'calendar')),
  constraint appointments_e164 check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  constraint appointments_contact_name_length check (length(contact_name) <= 200),
  constraint appointments_notes_length check (length(notes) <= 2000),
  constraint appointments_external_id_length check (length(external_id) between 1 and 200),
  constraint appointments_calendar_has_external_id check (source <> 'calendar' or (external_id is not null and external_updated_at is not null)),
  constraint appointments_external_id_key unique (user_id, source, external_id)
);
comment on table app_public.appointments is
  'Appointments booked by calls (source analysis: from the call analysis'' booked time), through the API (source api) or by a calendar tool (source calendar, keyed by its external id). Show and no-show count on the tenant-local day of scheduled_at.';
comment on column app_public.appointments.agent_id is 'The agent whose call booked it (null for an appointment created without one).';
comment on column app_public.appointments.call_id is 'The call that booked it; null when created by the API or a calendar tool without a call, or once the call was deleted.';
comment on column app_public.appointments.scheduled_at is 'When the appointment takes place; its tenant-local day is the day its show / no-show counts on.';
comment on column app_public.appointments.status is 'scheduled, confirmed, completed (the contact showed up), no_show, cancelled, or rescheduled (moved to a new time, still to take place).';
comment on column app_public.appointments.source is 'Who created it: analysis (a call''s analysis), api, or calendar (a calendar tool''s webhook).';
comment on column app_public.appointments.status_source is 'Who last set the status or time. While it is analysis, a re-analysis of the call may move or cancel the appointment; once a person or a calendar tool changed it, the analysis leaves it alone.';
comment on column app_public.appointments.external_id is 'The calendar tool''s booking id (unique per tenant and source).';
comment on column app_public.appointments.external_updated_at is 'The calendar tool''s last-change time of the applied delivery: older or equal deliveries change nothing.';
comment on column app_public.appointments.confirmed_at is 'When it was first confirmed (kept when it later completes or is a no-show): the funnel''s confirmed step.';
create index appointments_user_scheduled_idx on app_public.appointments (user_id, scheduled_at) include (agent_id, status, confirmed_at);
create index appointments_agent_idx on app_public.appointments (agent_id) where agent_id is not null;
create unique index appointments_analysis_call_key on app_public.appointments (call_id) where source = 'analysis';
create index appointments_call_idx on app_public.appointments (call_id) where call_id is not null;
create index appointments_contact_idx on app_public.appointments (contact_id) where contact_id is not null;

alter table app_public.appointments enable row level security;
create policy select_own on app_public.appointments for select to app_user
  using (user_id = (select app_public.current_user_id()));
-- Writes go through the functions below (they check the tenant and the rules); no table write grants.
grant select on app_public.appointments to app_user;

create function app_private.tg_appointments__stamps() returns trigger
  language plpgsql
as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.status_changed_at := pg_catalog.now();
  end if;
  if new.status = 'confirmed' and new.confirmed_at is null then
    new.confirmed_at := pg_catalog.now();
  end if;
  return new;
end
$$;
comment on function app_private.tg_appointments__stamps() is 'Stamps status_changed_at on a status change and confirmed_at the first time an appointment is confirmed.';

create trigger _100_set_updated_at before update on app_public.appointments
  for each row execute function app_private.tg__set_updated_at();
create trigger _150_stamps before insert or update on app_public.appointments
  for each row execute function app_private.tg_appointments__stamps();
create trigger _900_audit after insert or update or delete on app_public.appointments
  for each row execute function app_private.tg__audit('-status_changed_at', '-external_updated_at');

-- =============================================================================
-- 2. The measure booked_calls (sql/README.md "Adding a KPI")
-- =============================================================================
alter table app_private.rollup_measures add column booked_calls bigint not null default 0;

call app_private.generate_rollup_code();

create or replace function app_hidden.call_contribution(
  c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean default true
) returns setof app_hidden.rollup_deltas
  language sql stable parallel safe rows 1
as $$
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
    case when a.demo_book_datetime is not null then s else 0 end             -- booked_calls
   where c.id is not null
$$;

-- The analysis trigger skipped updates that change no measure: a booked time that appears or
-- disappears now changes booked_calls (copied from the latest definition, plus demo_book_datetime).
create or replace function app_private.tg_lead_analytics__rollup() returns trigger
  language plpgsql
  security definer
as $$
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
        new.demo_book_datetime is null)
       is not distinct from
       (old.total_score, old.lead_status_tag, old.cta_pricing_clicked, old.cta_demo_clicked,
        old.cta_followup_clicked, old.cta_sample_clicked, old.cta_escalated_to_human,
        old.intent_score, old.urgency_score, old.budget_score, old.fit_score, old.engagement_score,
        old.demo_book_datetime is null) then
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
  insert into app_hidden.rollup_deltas
  select d.* from app_hidden.call_contribution(c, old_a, tz, -1, false) d
  union all
  select d.* from app_hidden.call_contribution(c, new_a, tz, 1, false) d;
  return null;
end
$$;

select app_hidden.rebuild_rollups(u.id) from app_public.users u;

-- =============================================================================
-- 3. Appointments from the analysis
-- =============================================================================
create function app_private.tg_lead_analytics__appointment() returns trigger
  language plpgsql
  security definer
as $$
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
$$;
comment on function app_private.tg_lead_analytics__appointment() is
  'Keeps the appointment an individual analysis booked (demo_book_datetime): creates it, moves it on a re-analysis with another time, cancels it when a re-analysis clears the time, deletes it with the analysis; only while no person or calendar tool has changed it (status_source = analysis).';

create trigger _600_appointment
  after insert or delete or update of demo_book_datetime on app_public.lead_analytics
  for each row execute function app_private.tg_lead_analytics__appointment();

create function app_private.tg_calls__drop_untouched_appointment() returns trigger
  language plpgsql
  security definer
as $$
begin
  -- BEFORE the row goes (the foreign key's SET NULL runs after it): an appointment its analysis
  -- booked and nobody acted on goes with the call; others stay, without their call.
  delete from app_public.appointments p
   where p.call_id = old.id and p.source = 'analysis' and p.status_source = 'analysis';
  return old;
end
$$;
comment on function app_private.tg_calls__drop_untouched_appointment() is
  'Deleting a call deletes the appointment its analysis booked if nobody has acted on it; an acted-on one stays with call_id null.';
create trigger _490_drop_untouched_appointment before delete on app_public.calls
  for each row execute function app_private.tg_calls__drop_untouched_appointment();

-- =============================================================================
-- 4. API: create, change status, reschedule; calendar sync
-- =============================================================================
create function app_hidden.appointment_status(p_status text) returns text
  language plpgsql immutable
as $$
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
$$;
comment on function app_hidden.appointment_status(text) is 'The appointment status for a name (no-show and canceled accepted), or SB185.';

create function app_hidden.check_appointment_time(p_at timestamptz) returns timestamptz
  language plpgsql stable
as $$
begin
  if p_at is null then
    raise exception 'The appointment needs a date and time (scheduledAt).' using errcode = 'SB188';
  end if;
  if p_at < pg_catalog.now() - interval '2 years' or p_at > pg_catalog.now() + interval '2 years' then
    raise exception 'The appointment time must be within two years of today.' using errcode = 'SB188';
  end if;
  return p_at;
end
$$;
comment on function app_hidden.check_appointment_time(timestamptz) is 'The time if it is set and within two years of now, else SB188.';

create function app_hidden.appointment_links(p_user_id uuid, p_call_id uuid, p_agent_id uuid, p_phone text,
  out agent_id uuid, out contact_id uuid, out phone_number text)
  language plpgsql stable
as $$
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
$$;
comment on function app_hidden.appointment_links(uuid, uuid, uuid, text) is 'Checks an appointment''s call and agent belong to the tenant (SB187) and derives its agent, contact and phone from them.';

create function app_public.create_appointment(
  scheduled_at timestamptz, call_id uuid default null, agent_id uuid default null,
  phone_number text default null, contact_name text default null, notes text default null
) returns app_public.appointments
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.create_appointment(timestamptz, uuid, uuid, text, text, text) is
  'Creates an appointment (source api), optionally for a call (its agent, contact and phone are taken from it) or an agent.';
grant execute on function app_public.create_appointment(timestamptz, uuid, uuid, text, text, text) to app_user;

create function app_public.update_appointment_status(appointment_id uuid, status text, notes text default null)
  returns app_public.appointments
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.update_appointment_status(uuid, text, text) is
  'Sets an appointment''s status: scheduled, confirmed, completed (showed up), no_show or cancelled (use rescheduleAppointment to move it), optionally with notes.';
grant execute on function app_public.update_appointment_status(uuid, text, text) to app_user;

create function app_public.reschedule_appointment(appointment_id uuid, scheduled_at timestamptz, notes text default null)
  returns app_public.appointments
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.reschedule_appointment(uuid, timestamptz, text) is
  'Moves an appointment to a new time (status rescheduled: still to take place). Not for one that already took place (completed or no-show).';
grant execute on function app_public.reschedule_appointment(uuid, timestamptz, text) to app_user;

create type app_hidden.calendar_sync_result as (
  appointment_id uuid,
  created boolean,
  applied boolean,
  status text,
  scheduled_at timestamptz,
  external_updated_at timestamptz
);

create function app_hidden.sync_calendar_appointment(
  p_external_id text, p_updated_at timestamptz, p_status text, p_scheduled_at timestamptz,
  p_phone_number text default null, p_contact_name text default null, p_notes text default null,
  p_call_id uuid default null, p_agent_id uuid default null
) returns app_hidden.calendar_sync_result
  language plpgsql volatile security definer
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_hidden.sync_calendar_appointment(text, timestamptz, text, timestamptz, text, text, text, uuid, uuid) is
  'A calendar tool''s booking (POST /api/calendar/appointments): created or updated by (tenant, external id) when its updated_at is newer than the stored one; older or equal deliveries change nothing (applied = false).';
grant execute on function app_hidden.sync_calendar_appointment(text, timestamptz, text, timestamptz, text, text, text, uuid, uuid) to app_user;

-- =============================================================================
-- 5. Reading: the list and the KPIs
-- =============================================================================
create function app_public.appointment_list(
  from_date date default null, to_date date default null, statuses text[] default null, agent_id uuid default null,
  max_rows integer default 200
) returns setof app_public.appointments
  language sql stable
as $$
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
$$;
comment on function app_public.appointment_list(date, date, text[], uuid, integer) is
  'Appointments scheduled on the tenant-local days from..to (default: the last 30 days), optionally by status and agent, by time; at most maxRows (200, at most 1000).';
grant execute on function app_public.appointment_list(date, date, text[], uuid, integer) to app_user;

-- The rates, once.
create function app_hidden.booking_rate(booked_calls numeric, connected_calls numeric) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(booked_calls, connected_calls) $$;
comment on function app_hidden.booking_rate(numeric, numeric) is 'Booking rate: calls whose analysis booked an appointment / connected (successful) calls.';
create function app_hidden.show_rate(completed numeric, no_shows numeric) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(completed, completed + no_shows) $$;
comment on function app_hidden.show_rate(numeric, numeric) is 'Show rate: completed / (completed + no-show) appointments; pending and cancelled ones are left out.';
create function app_hidden.no_show_rate(completed numeric, no_shows numeric) returns numeric
  language sql immutable parallel safe
as $$ select app_hidden.ratio(no_shows, completed + no_shows) $$;
comment on function app_hidden.no_show_rate(numeric, numeric) is 'No-show rate: no-show / (completed + no-show) appointments.';
grant execute on function app_hidden.booking_rate(numeric, numeric), app_hidden.show_rate(numeric, numeric),
  app_hidden.no_show_rate(numeric, numeric) to app_user;

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

-- Per agent and day: booked / connected calls from the rollups (call's day), appointment statuses from
-- the appointments themselves (appointment's day): exact at commit, no rollup to keep in step.
create function app_hidden.booking_counts(p_user_id uuid, p_tz text, p_from date, p_to date, p_agent_id uuid)
  returns table (agent_id uuid, day date, connected_calls bigint, booked_calls bigint, appointments bigint,
                 confirmed bigint, completed bigint, no_shows bigint, cancelled bigint, pending bigint)
  language sql stable
as $$
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
$$;
comment on function app_hidden.booking_counts(uuid, text, date, date, uuid) is 'Booking counts per agent and tenant-local day: connected and booked calls on the call''s day, appointments by status on the appointment''s day.';
grant execute on function app_hidden.booking_counts(uuid, text, date, date, uuid) to app_user;

create function app_public.booking_kpis(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.booking_kpi_row
  language sql stable
as $$
  select b.agent_id, b.day, b.connected_calls, b.booked_calls, app_hidden.booking_rate(b.booked_calls, b.connected_calls),
         b.appointments, b.confirmed, b.completed, b.no_shows, b.cancelled, b.pending,
         app_hidden.show_rate(b.completed, b.no_shows), app_hidden.no_show_rate(b.completed, b.no_shows)
    from app_hidden.kpi_range(booking_kpis.from_date, booking_kpis.to_date) r,
         lateral app_hidden.booking_counts(r.user_id, r.timezone, r.from_date, r.to_date, booking_kpis.agent_id) b
   order by b.day, b.agent_id nulls last
$$;
comment on function app_public.booking_kpis(date, date, uuid) is
  'Booking rate, show rate and no-show rate per agent and tenant-local day (default: the last 30 days). A booking counts on the booking call''s day; an appointment''s show or no-show on the day it was scheduled for.';
grant execute on function app_public.booking_kpis(date, date, uuid) to app_user;

create function app_public.booking_summary(from_date date default null, to_date date default null, agent_id uuid default null)
  returns setof app_public.booking_kpi_row
  language sql stable
as $$
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
$$;
comment on function app_public.booking_summary(date, date, uuid) is
  'The booking funnel over a range: first the total (agentId null), then one row per agent with bookings or connected calls. Same definitions as bookingKpis.';
grant execute on function app_public.booking_summary(date, date, uuid) to app_user;

-- =============================================================================
-- 6. Privacy: erasing a caller erases their appointments too (copied from the latest erase_contact)
-- =============================================================================
create or replace function app_public.erase_contact(phone_number text DEFAULT NULL::text, contact_id uuid DEFAULT NULL::uuid)
 RETURNS app_public.privacy_requests
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO 'pg_catalog', 'pg_temp'
AS $$
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
$$;
comment on function app_public.erase_contact(phone_number text, contact_id uuid) is 'Erases one caller of the signed-in business (by contact or phone number): calls (their KPI contribution is taken out of the rollups), transcripts, analyses, appointments, follow-ups, the customer record, the contact and raw deliveries carrying the number. Credit ledger rows keep their amounts and lose the call link. Stored export archives (which hold the caller) are expired at once. Recorded in allPrivacyRequests without the number.';

-- Bookings among the KPI figures (cards, series, leaderboard, call log totals and drill-down): calls that
-- booked, the booking rate, and the provider cost per booked appointment (migration 000039's cost_per).
alter type app_public.kpi_figures
  add attribute booked_calls bigint,
  add attribute booking_rate numeric,
  add attribute cost_per_booked_appointment_cents numeric;
comment on column app_public.kpi_figures.booked_calls is 'Calls whose analysis booked an appointment (a meeting time was agreed), on the call''s day.';
comment on column app_public.kpi_figures.booking_rate is 'Booking rate: calls that booked an appointment / connected (successful) calls.';
comment on column app_public.kpi_figures.cost_per_booked_appointment_cents is 'Provider cost / calls that booked an appointment, in cents.';

create or replace function app_hidden.kpi_figures(m app_hidden.measures)
  returns app_public.kpi_figures
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
$$;
comment on function app_hidden.kpi_figures(m app_hidden.measures) is 'THE mapping from summed rollup measures to KPI figures (through the rate and average functions).';

create or replace function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas)
  returns boolean
  language plpgsql immutable parallel safe
as $$
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
  end;
end
$$;
comment on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) is 'THE drill-down rule: whether a call whose contribution (app_hidden.call_contribution) is d is behind the figure. Counts: the calls that add to the measure; rates and averages: their denominator. Null for an unknown figure.';

create or replace function app_hidden.drilldown_figures()
  returns text[]
  language sql immutable parallel safe
as $$
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
    'booked_calls', 'booking_rate', 'cost_per_booked_appointment_cents'
  ]
$$;
comment on function app_hidden.drilldown_figures() is 'Every figure the call log can drill down to (the keys of app_hidden.figure_calls).';
