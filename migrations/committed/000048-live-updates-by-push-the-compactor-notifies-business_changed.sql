--! Previous: sha1:d42232a70be07d745577417cf3e986e9a13fe59a
--! Hash: sha1:22b4dd0552200aa97debc7a799aaff2c7a9dbd44
--! Message: Live updates by push: the compactor notifies business_changed once per business whose figures it folded (statement-level triggers on user_analytics), and a webhook delivery that fails to apply notifies its business

-- Live updates by push (issue 18, item 3): PostgreSQL says "this business's figures changed" on the
-- channel business_changed (payload: the business id), and the server turns that into server-sent events
-- for the business's open dashboards (server/events/).
--
-- Where: the dashboard's figures are rollups + pending deltas, so a figure changes when a call's or an
-- analysis's delta commits. Notifying there (in the ingest transaction) would put a NOTIFY on every
-- webhook delivery; PostgreSQL serialises the commits of notifying transactions on one lock (held through
-- the commit's WAL flush), which would undo group commit on the ingest path. Instead the compactor
-- (one transaction a second, app_hidden.compact_rollups) notifies once per business it folded deltas of:
-- a statement-level trigger on the user-day rollup reads the (business, day) rows the statement inserted
-- or updated (a few per business, not one per call) and notifies each business once. Every change of a
-- call or of an analysis goes through there (call_contribution deltas target every rollup), so does a
-- recorded analysis, an erasure, a retention purge or a time zone rebuild. A refetch caused by the event
-- sees the new figure: the delta committed before the compactor read it.
--
-- The trigger lives on the table, not in the generated compact_rollups, so regenerating the rollup code
-- (app_private.generate_rollup_code, a new measure) keeps it.

create or replace function app_private.tg_user_analytics__notify_change()
  returns trigger
  language plpgsql
as $$
begin
  -- One notification per business and statement (PostgreSQL also folds identical ones per transaction).
  perform pg_catalog.pg_notify('business_changed', s.user_id::text)
     from (select distinct n.user_id from new_rows n) s;
  return null;
end
$$;
comment on function app_private.tg_user_analytics__notify_change() is
  'NOTIFY business_changed, <business id> once per business whose user-day rollup rows the statement inserted or updated (the compactor): the server pushes "data changed" to that business''s open dashboards.';

drop trigger if exists _900_notify_insert on app_public.user_analytics;
create trigger _900_notify_insert
  after insert on app_public.user_analytics
  referencing new table as new_rows
  for each statement execute function app_private.tg_user_analytics__notify_change();

drop trigger if exists _900_notify_update on app_public.user_analytics;
create trigger _900_notify_update
  after update on app_public.user_analytics
  referencing new table as new_rows
  for each statement execute function app_private.tg_user_analytics__notify_change();

-- A delivery that fails to apply changes no figure, but the Providers page lists it: notify its business
-- too (only on the failure path; an applied delivery notifies through the compactor).
create or replace function app_hidden.apply_webhook_event(p_event_id bigint)
 returns table(event_id_call uuid, state text, code text, message text)
 language plpgsql
as $function$
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
