--! Previous: sha1:5053d6d56a45ef930e7b3579d351cef0f5c57d90
--! Hash: sha1:15981939cfe189d6b9ae4090458176bd072fb152
--! Message: Inserted calls: one statement-level trigger with a transition table instead of one trigger call per row (batches and COPY)

-- =============================================================================
-- 39. Inserted calls: one statement-level trigger instead of one call per row
-- =============================================================================
-- Measured with the ingest benchmark (npm run bench -- --quick --skip-reads
-- --skip-webhooks, side by side): per-row, the write-effects trigger cost
-- 28 us of the 74 us a pipelined insert costs per row, and 100-row batches
-- and COPY reached 0.54 and 0.38 of bare inserts. One statement-level trigger
-- with a transition table does the same appends set-based, once per
-- statement: 0.72 and 0.61, no deadlocks, rollups verified exact.
--
-- Semantics are unchanged. A new call cannot have an analysis yet, so its
-- contribution is the call part only; a call with credits is charged them;
-- a call that ended unanswered or failed and is linked to a contact counts
-- one not-connected. KEY SHARE on each tenant row is already held: the
-- statement's foreign key checks (row-level AFTER triggers) run before
-- statement-level AFTER triggers, and they lock the referenced users rows,
-- which is what makes a concurrent time zone change wait (see section 14).
create function app_private.tg_calls__inserted_effects() returns trigger
  language plpgsql security definer
as $$
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
$$;
comment on function app_private.tg_calls__inserted_effects() is
  'AFTER INSERT, once per statement: what the inserted calls cause, set-based (their rollup contribution, credit charges, not-connected counts).';

-- The row trigger keeps updates and deletes (their old and new rows pair up
-- naturally per row); its insert branches are gone.
create or replace function app_private.tg_calls__write_effects() returns trigger
  language plpgsql security definer
as $$
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
      new.direction, new.call_source)
     is not distinct from
     (old.agent_id, old.started_at, old.outcome, old.duration_seconds, old.credits_used,
      old.direction, old.call_source) then
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
$$;
comment on function app_private.tg_calls__write_effects() is
  'A call''s update or delete: the signed change of its rollup contribution, a credit charge when credits_used changes, and not-connected count changes (inserts: tg_calls__inserted_effects, once per statement).';

drop trigger _500_write_effects on app_public.calls;
create trigger _500_write_effects after update on app_public.calls
  for each row execute function app_private.tg_calls__write_effects();
create trigger _500_inserted_effects after insert on app_public.calls
  referencing new table as new_calls
  for each statement execute function app_private.tg_calls__inserted_effects();
