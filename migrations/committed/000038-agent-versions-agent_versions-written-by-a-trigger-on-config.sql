--! Previous: sha1:20bcb6e8d413c41cff7d818229993b7e9d00dfc3
--! Hash: sha1:e91861e08eb8e38ff6ac245f7a372ec6ad349fc8
--! Message: Agent versions (agent_versions written by a trigger on configuration changes, the version of a call derived from its start, KPIs by version with two-proportion z-tests) and score calibration (conversion to customer by score band and temperature)

-- Agent versions (issue 17 item 7) and score calibration (item 6).
-- Written idempotently (db:watch re-runs it as a whole).

------------------------------------------------------------------------------
-- 1. app_public.agent_versions: one row per configuration of an agent.
------------------------------------------------------------------------------
create table if not exists app_public.agent_versions (
  id          uuid default uuidv7() not null,
  user_id     uuid not null,
  agent_id    uuid not null,
  version     integer not null,
  name        text not null,
  agent_type  text not null,
  config      jsonb not null,
  created_at  timestamptz default now() not null,
  created_by  uuid default app_public.current_member_id(),
  actor       text default app_hidden.request_actor() not null,
  constraint agent_versions_pkey primary key (id),
  constraint agent_versions_id_agent_user_key unique (id, agent_id, user_id),
  constraint agent_versions_agent_version_key unique (agent_id, version),
  constraint agent_versions_agent_fkey foreign key (agent_id, user_id)
    references app_public.agents (id, user_id) on delete cascade,
  constraint agent_versions_user_id_fkey foreign key (user_id) references app_public.users (id) on delete cascade,
  constraint agent_versions_created_by_fkey foreign key (created_by) references app_public.members (id) on delete set null,
  constraint agent_versions_version_positive check (version >= 1)
);
comment on table app_public.agent_versions is 'Every configuration an agent has had: version 1 when it was created (or when versions were introduced), then one more each time its configuration (config or agent type) changes. A call ran with the version current when it started (app_public.calls_agent_version_id). Written only by a trigger on agents.';
comment on column app_public.agent_versions.version is 'The version number, 1, 2, 3, ... per agent.';
comment on column app_public.agent_versions.name is 'The agent''s name when this version was recorded (a rename alone makes no new version).';
comment on column app_public.agent_versions.agent_type is 'The agent type (call or chat) of this version.';
comment on column app_public.agent_versions.config is 'The provider configuration (voice, LLM, task) of this version, as the agent held it.';
comment on column app_public.agent_versions.created_at is 'When this configuration took effect; calls that started from then on (until the next version) ran with it.';
comment on column app_public.agent_versions.created_by is 'The login (member) that made the change; null for API keys, the system (webhooks, imports) and the versions recorded when versioning was introduced.';
comment on column app_public.agent_versions.actor is 'Who made the change: user, api_key, admin, anonymous or system (as in the audit log).';
drop index if exists app_public.agent_versions_agent_created_idx;
create index agent_versions_agent_created_idx on app_public.agent_versions (agent_id, created_at, version);
create index if not exists agent_versions_user_idx on app_public.agent_versions (user_id);
create index if not exists agent_versions_created_by_idx on app_public.agent_versions (created_by) where created_by is not null;
grant select on table app_public.agent_versions to app_user;
alter table app_public.agent_versions enable row level security;
drop policy if exists select_own on app_public.agent_versions;
create policy select_own on app_public.agent_versions for select to app_user
  using (user_id = (select app_public.current_user_id()));
drop policy if exists select_all_admin on app_public.agent_versions;
create policy select_all_admin on app_public.agent_versions for select to app_admin using (true);

-- Version 1 of every existing agent: its configuration now, effective since the agent was created (the history
-- of earlier configurations is not reconstructed; every existing call is counted under version 1).
insert into app_public.agent_versions (user_id, agent_id, version, name, agent_type, config, created_at, created_by, actor)
select g.user_id, g.id, 1, g.name, g.agent_type, g.config, g.created_at, null, 'system'
  from app_public.agents g
 where not exists (select 1 from app_public.agent_versions v where v.agent_id = g.id)
 order by g.id;

create or replace function app_private.tg_agents__record_version() returns trigger
  language plpgsql security definer
as $$
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
$$;
comment on function app_private.tg_agents__record_version() is 'AFTER INSERT, and AFTER UPDATE when config or agent_type changed: records the agent''s configuration as its next version (1 for a new agent, effective from its created_at). Calls are not touched: the version a call ran with is derived from its start (app_public.calls_agent_version_id).';

drop trigger if exists _500_record_version on app_public.agents;
drop trigger if exists _500_record_version_update on app_public.agents;
create trigger _500_record_version after insert on app_public.agents
  for each row execute function app_private.tg_agents__record_version();
create trigger _500_record_version_update after update of config, agent_type on app_public.agents
  for each row when ((new.config, new.agent_type) is distinct from (old.config, old.agent_type))
  execute function app_private.tg_agents__record_version();

------------------------------------------------------------------------------
-- 2. The version a call ran with: derived from the agent's versions and the call's start, not stored.
--    A stored column cost every insert a row trigger, a foreign key check and an index entry (the
--    100-row batch ingest ratio fell from 0.68 to 0.44 and COPY from 0.57 to 0.29 in a first
--    measurement), and a configuration change had to move calls already stored; derived, ingest pays
--    nothing and a late call needs nothing.
------------------------------------------------------------------------------
create or replace function app_hidden.agent_version_ranges(p_agent_id uuid)
  returns table (id uuid, version integer, lo timestamptz, hi timestamptz)
  language sql stable
as $$
  -- THE rule: a call runs with the agent's latest version created at or before its start; a call dated before
  -- the agent's first version (an import, a late delivery) with that first version.
  select v.id, v.version,
         case when row_number() over w = 1 then '-infinity'::timestamptz else v.created_at end,
         coalesce(lead(v.created_at) over w, 'infinity'::timestamptz)
    from app_public.agent_versions v
   where v.agent_id = p_agent_id
  window w as (order by v.created_at, v.version)
$$;
comment on function app_hidden.agent_version_ranges(uuid) is 'THE rule for the version a call ran with, as ranges of start times: each version of the agent holds the calls that started in [lo, hi) (the first version from -infinity). Security invoker: RLS applies.';
grant execute on function app_hidden.agent_version_ranges(uuid) to app_user;

create or replace function app_public.calls_agent_version_id(c app_public.calls)
  returns uuid
  language sql stable
as $$
  select r.id from app_hidden.agent_version_ranges(c.agent_id) r where c.started_at >= r.lo and c.started_at < r.hi
$$;
comment on function app_public.calls_agent_version_id(app_public.calls) is 'The agent version the call ran with: the agent''s latest version created at or before the call started (its first version for a call dated before it).';
grant execute on function app_public.calls_agent_version_id(app_public.calls) to app_user;

------------------------------------------------------------------------------
-- 3. KPIs by version, with a two-proportion z-test for the rates.
------------------------------------------------------------------------------
drop function if exists app_hidden.call_measures(app_public.calls, app_public.lead_analytics, text);
create or replace function app_hidden.agent_version_measures(
  p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[]
) returns table (agent_version_id uuid, measures app_hidden.measures)
  language plpgsql stable
as $$
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
$$;
comment on function app_hidden.agent_version_measures(p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[]) is 'Summed measures per agent version of the calls that started in a tenant-local day range: app_hidden.call_contribution of each call with its current analysis (exactly what the rollups add up), every measure by name. Security invoker: RLS applies.';
grant execute on function app_hidden.agent_version_measures(p_user_id uuid, p_agent_id uuid, p_tz text, p_from date, p_to date, p_versions uuid[]) to app_user;

drop type if exists app_public.rate_test cascade;
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

create or replace function app_hidden.two_proportion_test(
  rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint
) returns app_public.rate_test
  language sql immutable parallel safe
as $$
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
$$;
comment on function app_hidden.two_proportion_test(rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint) is 'Two-proportion z-test (pooled), two-sided, of x2/n2 against the baseline x1/n1; no result when an expected count (n x pooled rate, or its complement) is under 5.';
grant execute on function app_hidden.two_proportion_test(rate text, x1 bigint, n1 bigint, x2 bigint, n2 bigint) to app_user;

create or replace function app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures)
  returns app_public.rate_test[]
  language sql immutable parallel safe
as $$
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
$$;
comment on function app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures) is 'The z-tests of every rate of kpi_figures, m against the baseline base.';
grant execute on function app_hidden.rate_tests(base app_hidden.measures, m app_hidden.measures) to app_user;

drop type if exists app_public.agent_version_kpis cascade;
create type app_public.agent_version_kpis as (
  version_id uuid,
  version integer,
  name text,
  created_at timestamptz,
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
comment on column app_public.agent_version_kpis.changes is 'Change against compared_with, as period-over-period changes are defined (app_hidden.kpi_changes: relative for counts and durations, a difference for rates); null on the first row.';
comment on column app_public.agent_version_kpis.tests is 'Two-proportion z-tests of success, answer, conversion and CTA rates against compared_with; null on the first row.';

create or replace function app_public.agent_version_kpis(
  agent_id uuid, from_date date default null, to_date date default null, versions integer[] default null
) returns setof app_public.agent_version_kpis
  language sql stable
  set search_path = pg_catalog, pg_temp
  set plan_cache_mode = force_generic_plan
as $$
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
$$;
comment on function app_public.agent_version_kpis(agent_id uuid, from_date date, to_date date, versions integer[]) is '@behavior +list -connection
@listSuffix omit
KPIs of one agent per version for the calls that started between fromDate and toDate (tenant-local days; default the last 30 days), every version or only those listed in versions (e.g. [3, 5] to compare two); each row after the first carries two-proportion z-tests of its rates against the row before it (significant at 95% or not, too few calls guarded). Computed exactly from the calls and their current analyses through the same per-call contribution as the rollups.';
grant execute on function app_public.agent_version_kpis(agent_id uuid, from_date date, to_date date, versions integer[]) to app_user;

------------------------------------------------------------------------------
-- 4. Calibration: does the score predict customers?
------------------------------------------------------------------------------
create or replace function app_hidden.contact_conversions(p_user_id uuid)
  returns table (contact_id uuid, converted_at timestamptz)
  language sql stable
as $$
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
$$;
comment on function app_hidden.contact_conversions(p_user_id uuid) is 'The contacts of a tenant that became customers and when (infinity when only flagged is_customer).';
grant execute on function app_hidden.contact_conversions(p_user_id uuid) to app_user;

create or replace function app_hidden.score_band(score integer) returns text
  language sql immutable parallel safe
as $$
  select case when score is null then null
              when score >= 80 then '80-100'
              else (score / 20 * 20)::text || '-' || (score / 20 * 20 + 19)::text end
$$;
comment on function app_hidden.score_band(score integer) is 'The calibration band of a total score: 0-19, 20-39, 40-59, 60-79, 80-100.';
grant execute on function app_hidden.score_band(score integer) to app_user;

drop type if exists app_public.score_calibration_row cascade;
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

create or replace function app_public.score_calibration(
  from_date date default null, to_date date default null, agent_id uuid default null
) returns setof app_public.score_calibration_row
  language sql stable
  set search_path = pg_catalog, pg_temp
as $$
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
$$;
comment on function app_public.score_calibration(from_date date, to_date date, agent_id uuid) is '@behavior +list -connection
@listSuffix omit
Calibration of the lead score: per total-score band (0-19 ... 80-100) and per temperature (hot, warm, cold), how many contacts became customers. A contact counts once, with the current analysis of its latest analysed call in the period (tenant-local days; default the last 30) that started before it became a customer (a customer record linked to the contact or carrying its number, or the is_customer flag); calls of agentId only when given, else every agent. Exact, read from the raw rows.';
grant execute on function app_public.score_calibration(from_date date, to_date date, agent_id uuid) to app_user;
