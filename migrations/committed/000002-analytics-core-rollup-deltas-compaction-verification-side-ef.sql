--! Previous: sha1:bf9459a9ed341576271dd7eb6637885ac41539cf
--! Hash: sha1:95f93b85976496ee91daa3bac1a0ead70642338f
--! Message: analytics core: rollup deltas, compaction, verification, side-effect triggers

-- =============================================================================
-- 8. Rollups: one list of additive measures, deltas, three rollup tables
-- =============================================================================
-- The single list of additive measures. Every rollup-shaped table copies its
-- columns with LIKE, and app_private.generate_rollup_code() builds the
-- column-by-column SQL (compaction, live views, diffs) from it. To add a
-- measure: add the column here and to the LIKE copies (ALTER TABLE), extend
-- app_hidden.call_contribution, then CALL app_private.generate_rollup_code().
create table app_private.rollup_measures (
  calls                  bigint not null default 0,
  successful_calls       bigint not null default 0,
  failed_calls           bigint not null default 0,
  unanswered_calls       bigint not null default 0,
  talk_seconds           bigint not null default 0,
  billed_minutes         bigint not null default 0,
  credits_used           bigint not null default 0,
  inbound_calls          bigint not null default 0,
  outbound_calls         bigint not null default 0,
  phone_calls            bigint not null default 0,
  internet_calls         bigint not null default 0,
  unknown_source_calls   bigint not null default 0,
  leads_generated        bigint not null default 0,
  qualified_leads        bigint not null default 0,
  hot_leads              bigint not null default 0,
  warm_leads             bigint not null default 0,
  cold_leads             bigint not null default 0,
  cta_pricing            bigint not null default 0,
  cta_demo               bigint not null default 0,
  cta_followup           bigint not null default 0,
  cta_sample             bigint not null default 0,
  cta_human_escalation   bigint not null default 0,
  calls_with_cta         bigint not null default 0,
  intent_score_sum       bigint not null default 0,
  intent_score_count     bigint not null default 0,
  urgency_score_sum      bigint not null default 0,
  urgency_score_count    bigint not null default 0,
  budget_score_sum       bigint not null default 0,
  budget_score_count     bigint not null default 0,
  fit_score_sum          bigint not null default 0,
  fit_score_count        bigint not null default 0,
  engagement_score_sum   bigint not null default 0,
  engagement_score_count bigint not null default 0,
  total_score_sum        bigint not null default 0,
  total_score_count      bigint not null default 0
);
comment on table app_private.rollup_measures is
  'Template (never holds rows): the additive measures every rollup stores. Rates and averages are computed at read time.';

-- Append-only signed contributions, written by the call and analysis
-- triggers (one row per change, no locks on shared rows) and folded into the
-- rollups by app_hidden.compact_rollups(). target is null for ordinary rows
-- (they feed all three rollups); corrections written by rebuild_rollups()
-- name the one rollup they repair.
create table app_hidden.rollup_deltas (
  user_id  uuid not null,
  agent_id uuid,
  day      date not null,
  hour     smallint check (hour between 0 and 23),
  target   text check (target in ('agent_day', 'user_day', 'user_hour')),
  like app_private.rollup_measures including defaults
);
comment on table app_hidden.rollup_deltas is
  'Not-yet-compacted signed rollup contributions (append-only; the compactor moves them into the rollup tables).';
-- Nearly empty at any moment, but every row is deleted within a second:
-- vacuum it eagerly so readers (who scan it) never walk dead pages.
alter table app_hidden.rollup_deltas set (
  autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0);

-- What retention purged: raw calls are gone but their contribution stays in
-- the rollups; verification adds this back so purged history is not drift.
create table app_hidden.purged_rollups (
  user_id   uuid not null references app_public.users on delete cascade,
  agent_id  uuid,
  day       date not null,
  hour      smallint,
  target    text,
  like app_private.rollup_measures including defaults,
  purged_at timestamptz not null default now()
);
create index purged_rollups_user_day_idx on app_hidden.purged_rollups (user_id, day);
comment on table app_hidden.purged_rollups is 'Contributions of calls deleted by retention clean-up (kept so verification does not report them as drift).';

create table app_public.agent_analytics (
  user_id    uuid not null references app_public.users on delete cascade,
  agent_id   uuid not null,
  day        date not null,
  like app_private.rollup_measures including defaults,
  updated_at timestamptz not null default now(),
  primary key (user_id, day, agent_id),
  foreign key (agent_id, user_id) references app_public.agents (id, user_id) on delete cascade
);
create index agent_analytics_agent_day_idx on app_public.agent_analytics (agent_id, day);
-- Rollup rows are updated in place by every compaction: leave room for HOT updates.
alter table app_public.agent_analytics set (fillfactor = 70);
comment on table app_public.agent_analytics is
  'Rollup per agent and tenant-local day (compacted part; agent_daily_stats adds the pending deltas).';

create table app_public.user_analytics (
  user_id    uuid not null references app_public.users on delete cascade,
  day        date not null,
  like app_private.rollup_measures including defaults,
  updated_at timestamptz not null default now(),
  primary key (user_id, day)
);
alter table app_public.user_analytics set (fillfactor = 70);
comment on table app_public.user_analytics is
  'Rollup per tenant and tenant-local day (compacted part; tenant_daily_stats adds the pending deltas).';

create table app_public.user_hourly_analytics (
  user_id    uuid not null references app_public.users on delete cascade,
  day        date not null,
  hour       smallint not null check (hour between 0 and 23),
  like app_private.rollup_measures including defaults,
  updated_at timestamptz not null default now(),
  primary key (user_id, day, hour)
);
alter table app_public.user_hourly_analytics set (fillfactor = 70);
comment on table app_public.user_hourly_analytics is
  'Rollup per tenant, tenant-local day and hour (compacted part; tenant_hourly_stats adds the pending deltas).';

create table app_private.rollup_compaction_log (
  id            bigint generated always as identity primary key,
  compacted_at  timestamptz not null default now(),
  delta_rows    integer not null,
  duration_ms   numeric(12, 3) not null
);
comment on table app_private.rollup_compaction_log is 'One row per compaction run that moved deltas (data freshness).';

-- =============================================================================
-- 9. The contribution of one call: THE definition of every measure
-- =============================================================================
create function app_hidden.qualified_score_threshold() returns integer
  language sql immutable parallel safe
as $$ select 60 $$;
comment on function app_hidden.qualified_score_threshold() is 'A lead with total_score at or above this is qualified.';

create function app_hidden.call_contribution(
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
    coalesce(s * a.total_score, 0),      case when a.total_score is not null then s else 0 end
   where c.id is not null
$$;
comment on function app_hidden.call_contribution(app_public.calls, app_public.lead_analytics, text, bigint, boolean) is
  'What one call (with its individual analysis, if any) adds to the rollups, multiplied by s (+1 or -1), keyed by agent and tenant-local day and hour; with_call = false gives only the analysis part. One row; none when c is null. Set-returning plain SQL, so the planner inlines it into the triggers'' cached plans.';
-- =============================================================================
-- 10. Generated column-by-column code (compaction, live views, comparisons)
-- =============================================================================
-- Written once here, generated from app_private.rollup_measures so that adding a
-- measure never means editing five copies of a 35-column list. Re-run with
-- CALL app_private.generate_rollup_code() after changing the measures.
create procedure app_private.generate_rollup_code()
  language plpgsql
as $gen$
declare
  cols  text[];
  plain text;          -- calls, successful_calls, ...
  sums  text;          -- sum(calls)::bigint as calls, ...
  upd   text;          -- calls = t.calls + excluded.calls, ...
  e_row text;          -- coalesce(e.calls, 0), ...
  a_row text;
  diff_e_a text;       -- e.calls - a.calls, ...
begin
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
    'Moves up to max_rows pending deltas into the three rollup tables in one statement (generated). Returns the rows moved.';

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
end
$gen$;
comment on procedure app_private.generate_rollup_code() is
  'Re-creates the column-by-column rollup code from app_private.rollup_measures.';
call app_private.generate_rollup_code();

-- =============================================================================
-- 11. Rollup triggers (essential: a failure here fails the write)
-- =============================================================================
-- Trigger functions that write internal tables are SECURITY DEFINER without a
-- SET clause (a SET costs a GUC save/restore per row); every name in them is
-- schema-qualified and pg_catalog is always searched first.
-- The call side (insert, update, delete of a call) is part of
-- app_private.tg_calls__write_effects(), section 14, with the other per-call work.

create function app_private.tg_lead_analytics__rollup() returns trigger
  language plpgsql security definer
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
        new.intent_score, new.urgency_score, new.budget_score, new.fit_score, new.engagement_score)
       is not distinct from
       (old.total_score, old.lead_status_tag, old.cta_pricing_clicked, old.cta_demo_clicked,
        old.cta_followup_clicked, old.cta_sample_clicked, old.cta_escalated_to_human,
        old.intent_score, old.urgency_score, old.budget_score, old.fit_score, old.engagement_score) then
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
    select * from app_hidden.call_contribution(c, old_a, tz, -1, false) where old_a.id is not null
    union all
    select * from app_hidden.call_contribution(c, new_a, tz, 1, false) where new_a.id is not null;
  return null;
end
$$;
comment on function app_private.tg_lead_analytics__rollup() is
  'Appends the change an individual analysis makes to its call''s contribution (on the call''s day, whenever the analysis arrives).';
create trigger _500_rollup after insert or update or delete on app_public.lead_analytics
  for each row execute function app_private.tg_lead_analytics__rollup();

create function app_private.tg_agents__guard_history() returns trigger
  language plpgsql security definer
as $$
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
$$;
comment on function app_private.tg_agents__guard_history() is
  'BEFORE DELETE: an agent whose calls count in the KPIs cannot be deleted (SB002), so history never loses its agent.';

create trigger _100_guard_history before delete on app_public.agents
  for each row execute function app_private.tg_agents__guard_history();

-- =============================================================================
-- 12. Verification, repair, time zone changes, retention
-- =============================================================================
create function app_hidden.verify_rollups(p_user_id uuid, p_from date default null, p_to date default null)
  returns table (rollup text, agent_id uuid, day date, hour smallint, measure text, expected bigint, actual bigint)
  language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select c.rollup, c.agent_id, c.day, c.hour, e.key, e.value::bigint, a.value::bigint
    from app_hidden.rollup_comparison(p_user_id, p_from, p_to) c
    cross join lateral jsonb_each_text(to_jsonb(c.expected)) e
    join lateral jsonb_each_text(to_jsonb(c.actual)) a on a.key = e.key
   where c.expected is distinct from c.actual
     and e.value <> a.value
   order by c.rollup, c.day, c.agent_id, c.hour, e.key
$$;
comment on function app_hidden.verify_rollups(uuid, date, date) is
  'Recomputes a tenant''s rollups from raw calls (plus purged history) for a tenant-local day range and returns every difference from the stored figures; no rows means exact.';

create function app_hidden.rebuild_rollups(p_user_id uuid, p_from date default null, p_to date default null)
  returns integer
  language plpgsql
as $$
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
$$;
comment on function app_hidden.rebuild_rollups(uuid, date, date) is
  'Repairs a tenant''s rollups over a tenant-local day range (null = all) by appending correction deltas; returns the keys corrected.';

create function app_private.tg_users__lock_for_timezone_change() returns trigger
  language plpgsql security definer
as $$
begin
  -- FOR UPDATE conflicts with the KEY SHARE every writer of this tenant's calls
  -- and analyses holds: wait for those in flight, hold off new ones until commit.
  perform 1 from app_public.users u where u.id = old.id for update;
  return new;
end
$$;
create trigger _400_lock_for_timezone_change before update of timezone on app_public.users
  for each row when (new.timezone is distinct from old.timezone)
  execute function app_private.tg_users__lock_for_timezone_change();

create function app_private.tg_users__timezone_changed() returns trigger
  language plpgsql security definer
as $$
begin
  -- Every call now belongs to a different local day/hour: re-bucket the tenant.
  perform app_hidden.rebuild_rollups(new.id, null, null);
  return null;
end
$$;
create trigger _500_timezone_changed after update of timezone on app_public.users
  for each row when (new.timezone is distinct from old.timezone)
  execute function app_private.tg_users__timezone_changed();

create table app_private.retention_log (
  id          bigint generated always as identity primary key,
  user_id     uuid not null,
  data_type   text not null,
  cutoff      timestamptz not null,
  rows_purged integer not null,
  ran_at      timestamptz not null default now()
);
comment on table app_private.retention_log is 'What each retention clean-up batch deleted.';

create function app_hidden.purge_calls(p_user_id uuid, p_before timestamptz, p_batch integer default 1000)
  returns integer
  language plpgsql
as $$
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
  insert into app_hidden.purged_rollups
    select d.*, now()
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
$$;
comment on function app_hidden.purge_calls(uuid, timestamptz, integer) is
  'Retention: deletes up to p_batch of a tenant''s calls started before p_before (with transcripts and analyses) while keeping their history in the rollups.';

create table app_private.rollup_verification_log (
  id          bigint generated always as identity primary key,
  ran_at      timestamptz not null default now(),
  tenants     integer not null,
  differences integer not null,
  repaired    boolean not null default false,
  details     jsonb not null default '[]',
  duration_ms numeric(12, 3) not null
);
comment on table app_private.rollup_verification_log is 'Outcome of each nightly rollup verification.';

create function app_hidden.verify_rollups_nightly() returns integer
  language plpgsql
as $$
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
$$;
comment on function app_hidden.verify_rollups_nightly() is 'Verifies every tenant''s rollups and logs the outcome (run nightly by the worker).';
-- =============================================================================
-- 13. Contacts (non-essential: failures are logged, the call is kept)
-- =============================================================================
-- Contact work never waits on another transaction, so batches that share
-- phone numbers cannot deadlock here: creating a contact another transaction is
-- creating right now is skipped (the contacts job links the call within a
-- second), and not-connected changes are appended to contact_count_deltas,
-- which the same job applies in contact order.
create table app_hidden.contact_count_deltas (
  contact_id uuid not null,
  user_id    uuid not null,
  delta      integer not null
);
comment on table app_hidden.contact_count_deltas is
  'Pending not-connected counter changes (append-only; applied by app_hidden.sync_contacts()).';
alter table app_hidden.contact_count_deltas set (
  autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0);

create function app_hidden.contact_lock_key(user_id uuid, phone_number text) returns bigint
  language sql immutable parallel safe
as $$
  select hashtextextended(user_id::text || phone_number, 1)
$$;
comment on function app_hidden.contact_lock_key(uuid, text) is
  'Advisory lock key of the contact being created for a tenant and phone number (taken with try-lock only: nobody waits).';

create function app_private.tg_calls__link_contact() returns trigger
  language plpgsql security definer
as $$
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
$$;
comment on function app_private.tg_calls__link_contact() is
  'BEFORE INSERT: links the call to the tenant''s contact for its phone number, creating the contact if no other transaction is doing so (otherwise app_hidden.sync_contacts links it shortly).';
create trigger _200_link_contact before insert on app_public.calls
  for each row execute function app_private.tg_calls__link_contact();

create function app_hidden.sync_contacts(max_calls integer default 10000) returns integer
  language plpgsql
as $$
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
$$;
comment on function app_hidden.sync_contacts(integer) is
  'Links calls the link trigger skipped (creating their contacts) and applies pending not-connected changes. Run every second by the worker.';

-- =============================================================================
-- 14. Per-call write effects: rollups, credit charges, not-connected counts
-- =============================================================================
-- One trigger function for everything a call's insert, update or delete
-- causes, so each row pays for one trigger call. Every effect is an append to
-- a table without indexes or foreign keys (rollup_deltas, credit_charges,
-- contact_count_deltas): nothing here waits for another transaction, and
-- jobs fold the appends in within a second.
create table app_hidden.credit_charges (
  user_id     uuid not null,
  call_id     uuid not null,
  amount      integer not null,
  description text not null,
  created_at  timestamptz not null default now()
);
comment on table app_hidden.credit_charges is
  'Credit changes of calls not yet moved into the ledger (append-only; app_hidden.post_credit_transactions moves them).';
alter table app_hidden.credit_charges set (
  autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_insert_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_vacuum_cost_delay = 0);

create function app_private.tg_calls__write_effects() returns trigger
  language plpgsql security definer
as $$
declare
  tz           text;
  a            app_public.lead_analytics;
  credit_delta integer;
  was_missed   boolean;
  is_missed    boolean;
begin
  if tg_op = 'UPDATE'
     and (new.agent_id, new.started_at, new.outcome, new.duration_seconds, new.credits_used,
          new.direction, new.call_source)
         is not distinct from
         (old.agent_id, old.started_at, old.outcome, old.duration_seconds, old.credits_used,
          old.direction, old.call_source) then
    return null;  -- nothing a rollup, a charge or a counter depends on changed
  end if;

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

  -- Rollups. KEY SHARE on the tenant row (inserts already hold it from the
  -- foreign key check): a time zone change, which locks the row FOR UPDATE
  -- first, waits for this transaction and this one for it, so no call is
  -- bucketed in a zone the rebuild does not see.
  select u.timezone into tz from app_public.users u where u.id = new.user_id for key share;
  if tg_op = 'INSERT' then
    -- A new call cannot have an analysis yet (the foreign key needs the call first).
    insert into app_hidden.rollup_deltas
      select * from app_hidden.call_contribution(new, null, tz, 1);
  else
    if (new.agent_id, new.started_at) is distinct from (old.agent_id, old.started_at) then
      -- The call moved to another agent, day or hour: its analysis moves with it.
      select * into a from app_public.lead_analytics l where l.call_id = old.id and l.analysis_type = 'individual';
    end if;
    -- Otherwise the analysis part is the same on both sides and a stays null.
    insert into app_hidden.rollup_deltas
      select * from app_hidden.call_contribution(old, a, tz, -1)
      union all
      select * from app_hidden.call_contribution(new, a, tz, 1);
  end if;

  -- Credits: charge exactly the change of credits_used (corrections adjust, repeats do nothing).
  credit_delta := new.credits_used - case when tg_op = 'UPDATE' then old.credits_used else 0 end;
  if credit_delta <> 0 then
    insert into app_hidden.credit_charges (user_id, call_id, amount, description)
    values (new.user_id, new.id, -credit_delta,
            case when tg_op = 'INSERT' or old.credits_used = 0 then 'Call usage'
                 else format('Call usage correction (%s -> %s credits)', old.credits_used, new.credits_used) end);
  end if;

  -- Not connected: +1 when the call ends unanswered or failed, -1 when a correction takes it back.
  was_missed := tg_op = 'UPDATE' and coalesce(old.outcome in ('unanswered', 'failed'), false);
  is_missed := coalesce(new.outcome in ('unanswered', 'failed'), false);
  if new.contact_id is not null and was_missed <> is_missed then
    insert into app_hidden.contact_count_deltas (contact_id, user_id, delta)
    values (new.contact_id, new.user_id, case when is_missed then 1 else -1 end);
  end if;
  return null;
end
$$;
comment on function app_private.tg_calls__write_effects() is
  'Everything a call''s insert, update or delete causes: the signed change of its rollup contribution, a credit charge when credits_used changes, and not-connected count changes.';
create trigger _500_write_effects after insert or update on app_public.calls
  for each row execute function app_private.tg_calls__write_effects();
create trigger _500_write_effects_delete before delete on app_public.calls
  for each row execute function app_private.tg_calls__write_effects();

-- =============================================================================
-- 15. Credit ledger
-- =============================================================================
create function app_private.tg_users__grant_signup_credits() returns trigger
  language plpgsql security definer
as $$
begin
  if new.credits <> 0 then
    insert into app_public.credit_transactions (user_id, type, amount, balance_after, posted_at, description)
    values (new.id, 'bonus', new.credits, new.credits, now(), 'Opening balance');
  end if;
  return null;
end
$$;
create trigger _500_grant_signup_credits after insert on app_public.users
  for each row execute function app_private.tg_users__grant_signup_credits();

create function app_hidden.post_credit_transactions() returns integer
  language plpgsql
as $$
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
$$;
comment on function app_hidden.post_credit_transactions() is
  'Moves pending call charges into the ledger, then posts pending ledger rows in order: assigns balance_after and moves users.credits (one writer at a time).';

create function app_public.users_available_credits(u app_public.users) returns integer
  language sql stable
as $$
  select u.credits
       + coalesce((select sum(t.amount)::integer from app_public.credit_transactions t
                    where t.user_id = u.id and t.posted_at is null), 0)
       + coalesce((select sum(c.amount)::integer from app_hidden.credit_charges c where c.user_id = u.id), 0)
$$;
comment on function app_public.users_available_credits(app_public.users) is
  'The tenant''s credit balance including call charges and ledger rows not yet posted.';
