--! Previous: sha1:b19ad571347cd558325dfaef3c6e96cb7a0b410d
--! Hash: sha1:b6ada0f54c696a00366f2c198a53acca0486ec1a
--! Message: The call log at a whale's size: pages no longer plan the 66 measures, analyses carry their call's start (indexed) so lead filters and unread leads read the range only, lead figures sorted by time stop after the page, and who-hung-up is inlined into every contribution

-- The call log at a whale's size (a tenant with a year of a million calls).
--
-- 1. Pages without planning the measures: app_hidden.call_log_matches inlined
--    app_hidden.call_contribution (66 measures) into every page query, and parsing and folding that body
--    cost 3-15 ms of planning per request (custom plans), against 0.2 ms of execution for a first page.
--    It now returns the call and its analysis; the totals compute the contribution from them, and a
--    figure filter tests it in a subquery that PostgreSQL folds away (unplanned) when no figure is given.
-- 2. Analysed calls in call order: an individual analysis carries its call's start (call_started_at,
--    kept by triggers on both tables), indexed per tenant, and the call log joins on it. A filter that
--    needs an analysis (temperature, score, a lead figure) reads the analyses of the range instead of
--    every analysis of the tenant's history, and a lead figure sorted by time stops after its page. The
--    overview's unread hot leads too (app_hidden.lead_rows): the unread ones of the range, in call order.

alter table app_public.lead_analytics add column call_started_at timestamptz;
comment on column app_public.lead_analytics.call_started_at is '@behavior -*
An individual analysis: its call''s started_at (kept by triggers; the call log''s index in call order). Null for complete analyses.';

create function app_private.tg_lead_analytics__call_started_at()
  returns trigger
  language plpgsql
as $$
begin
  new.call_started_at := case when new.analysis_type = 'individual'
                              then (select c.started_at from app_public.calls c where c.id = new.call_id) end;
  return new;
end
$$;
comment on function app_private.tg_lead_analytics__call_started_at() is 'BEFORE INSERT/UPDATE: an individual analysis carries its call''s start (call_started_at).';
create trigger _020_call_started_at before insert or update on app_public.lead_analytics
  for each row execute function app_private.tg_lead_analytics__call_started_at();

create function app_private.tg_calls__analysis_started_at()
  returns trigger
  language plpgsql
  security definer
  set search_path = pg_catalog, public, pg_temp
as $$
begin
  -- (the BEFORE trigger of lead_analytics reads the call's new start)
  update app_public.lead_analytics a set call_started_at = new.started_at
   where a.call_id = new.id and a.analysis_type = 'individual' and a.call_started_at is distinct from new.started_at;
  return null;
end
$$;
comment on function app_private.tg_calls__analysis_started_at() is 'AFTER UPDATE of a call''s start: its individual analysis follows (lead_analytics.call_started_at). A pre-dial start replaced by the dialled one; analysed calls practically never move.';
create trigger _510_analysis_started_at after update of started_at on app_public.calls
  for each row when (old.started_at is distinct from new.started_at)
  execute function app_private.tg_calls__analysis_started_at();

-- the existing analyses: bookkeeping, not an analysis change (no rollup, history or appointment trigger)
alter table app_public.lead_analytics disable trigger user;
update app_public.lead_analytics a set call_started_at = c.started_at
  from app_public.calls c
 where c.id = a.call_id and a.analysis_type = 'individual';
alter table app_public.lead_analytics enable trigger user;

create index lead_analytics_individual_started_idx on app_public.lead_analytics (user_id, call_started_at)
  include (lead_status_tag, total_score) where analysis_type = 'individual';

-- unread leads in call order (replaces the index on (user_id, call_id) with the same predicate)
drop index app_public.lead_analytics_individual_unread_idx;
create index lead_analytics_unread_started_idx on app_public.lead_analytics (user_id, call_started_at)
  where analysis_type = 'individual' and not is_read;

create or replace function app_hidden.lead_rows(
  p_user_id uuid, p_from date, p_to date, p_agent_id uuid,
  p_temperature text, p_unread_only boolean, p_min_score integer, p_max_score integer)
  returns setof app_public.notification_item
  language sql stable
as $$
  select a.id, c.id, c.phone_number, a.extracted_name, a.company_name, a.lead_status_tag, a.total_score,
         a.smart_notification, a.demo_book_datetime, a.analyzed_at, c.contact_id, c.agent_id, c.started_at, a.is_read
    from app_public.users u
    join app_public.calls c
      on c.user_id = u.id
     and c.started_at >= coalesce(p_from::timestamp at time zone u.timezone, '-infinity')
     and c.started_at < coalesce((p_to + 1)::timestamp at time zone u.timezone, 'infinity')
     and (p_agent_id is null or c.agent_id = p_agent_id)
    -- the analysis's copy of the call's start joins too: unread leads are read in call order from their own
    -- index (the overview's unread hot leads of a range, not of the tenant's whole history)
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
     and a.user_id = c.user_id and a.call_started_at = c.started_at
     and a.call_started_at >= coalesce(p_from::timestamp at time zone u.timezone, '-infinity')
     and a.call_started_at < coalesce((p_to + 1)::timestamp at time zone u.timezone, 'infinity')
   where u.id = p_user_id
     and (p_temperature is null or coalesce(a.lead_status_tag, 'untagged') = p_temperature)
     and (not coalesce(p_unread_only, false) or not a.is_read)
     and (p_min_score is null or a.total_score >= p_min_score)
     and (p_max_score is null or a.total_score <= p_max_score)
$$;
comment on function app_hidden.lead_rows(uuid, date, date, uuid, text, boolean, integer, integer) is 'THE leads of a tenant: calls with an individual analysis, on the call''s tenant-local day p_from..p_to (null = unbounded), of one agent or all, filtered by temperature (hot / warm / cold / untagged), unread, score range. The same rule as the leads_generated and hot_leads measures, so a count of these rows equals the card.';

-- a version keeps the analysis, not this bookkeeping column
create or replace function app_hidden.analysis_document(a app_public.lead_analytics)
  returns jsonb
  language sql immutable parallel safe
as $$
  select to_jsonb(a) - '{id,user_id,analysis_type,call_id,latest_call_id,phone_number,calls_analyzed,is_read,created_at,updated_at,call_started_at}'::text[]
$$;
comment on function app_hidden.analysis_document(app_public.lead_analytics) is 'The analysis columns of a lead_analytics row as JSON: every column but the row''s identity and bookkeeping (id, user_id, analysis_type, call_id, latest_call_id, phone_number, calls_analyzed, is_read, created_at, updated_at, call_started_at), so new analysis columns are kept without changing this.';

create function app_hidden.call_log_filtered(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, agent_id uuid,
  outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[],
  min_score integer, max_score integer, min_duration integer, max_duration integer,
  has_transcript boolean, has_analysis boolean, has_recording boolean, search text,
  figure text, iso_weekday integer, hour integer, sort text
) returns table (r app_public.call_log_row, sort_key numeric, c app_public.calls, a app_public.lead_analytics)
  language sql stable
as $$
  select row(c.id, c.started_at, c.agent_id, g.name, c.contact_id, c.phone_number, c.caller_name, k.name,
             c.provider, c.direction, c.call_source, c.status, c.outcome, c.duration_seconds, c.credits_used,
             t.id is not null, a.id is not null, c.recording_url is not null, a.total_score, a.lead_status_tag,
             x.key::text || '~' || c.id::text)::app_public.call_log_row,
         x.key, c, a
    from app_public.calls c
    join app_public.agents g on g.id = c.agent_id and g.user_id = c.user_id
    left join app_public.contacts k on k.id = c.contact_id and k.user_id = c.user_id
    -- the analysis's copy of the call's start joins too: a filter that needs an analysis reads the
    -- analyses of the range in call order (lead_analytics_individual_started_idx)
    left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          and a.user_id = c.user_id and a.call_started_at = c.started_at
          and a.call_started_at >= p_lo and a.call_started_at < p_hi
    left join app_public.transcripts t on t.call_id = c.id
    cross join lateral (select case sort
                                 when 'duration' then c.duration_seconds::numeric
                                 when 'score' then coalesce(a.total_score, -1)::numeric
                                 when 'credits' then c.credits_used::numeric
                                 else extract(epoch from c.started_at)
                               end as key) x
   where c.user_id = p_user_id
     and c.started_at >= p_lo and c.started_at < p_hi
     and (call_log_filtered.agent_id is null or c.agent_id = call_log_filtered.agent_id)
     and (outcomes is null or coalesce(c.outcome, 'in_progress') = any (outcomes))
     and (statuses is null or c.status = any (statuses))
     and (providers is null or c.provider = any (providers))
     and (directions is null or c.direction = any (directions))
     and (sources is null or c.call_source = any (sources))
     and (temperatures is null or (a.id is not null and coalesce(a.lead_status_tag, 'untagged') = any (temperatures)))
     and (min_score is null or a.total_score >= min_score)
     and (max_score is null or a.total_score <= max_score)
     and (min_duration is null or c.duration_seconds >= min_duration)
     and (max_duration is null or c.duration_seconds <= max_duration)
     and (call_log_filtered.has_transcript is null or (t.id is not null) = call_log_filtered.has_transcript)
     and (has_analysis is null or (a.id is not null) = has_analysis)
     and (has_recording is null or (c.recording_url is not null) = has_recording)
     and (search is null
          or c.phone_number like '%' || regexp_replace(search, '[^0-9+]', '', 'g') || '%' and search ~ '^[0-9+ ().-]+$'
          or c.caller_name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%'
          or k.name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%')
     -- a lead figure needs an analysis: said first, so the planner joins only analysed calls and tests
     -- the figure on those (a plain condition on a constant figure, folded away for the other figures)
     and (figure is null or a.id is not null
          or not (figure = any (array['leads', 'qualified_leads', 'hot_leads', 'warm_leads', 'cold_leads', 'untagged_leads',
                                      'conversion_rate', 'calls_with_cta', 'cta_rate', 'cta_pricing', 'cta_demo', 'cta_followup',
                                      'cta_sample', 'cta_human_escalation', 'average_lead_score'])
                  or figure ~ '^(topic|objection|free_topic):'))
     -- a topic, objection or free topic of the Insights page (figure 'topic:<key>'): the calls whose analysis
     -- lists it (app_public.conversation_topics counts the same); a KPI figure's rule: app_hidden.call_log_matches
     and (figure is null or case
            when figure like 'topic:%' then substr(figure, 7) = any (a.topics)
            when figure like 'objection:%' then substr(figure, 11) = any (a.objections)
            when figure like 'free_topic:%' then exists (select 1 from unnest(a.free_topics) f where lower(f) = substr(figure, 12))
            else true
          end)
     and (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
     and (call_log_filtered.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_filtered.hour)
$$;
comment on function app_hidden.call_log_filtered is 'The call log''s filters but a KPI figure''s rule: the tenant''s calls in [p_lo, p_hi) matching every other given filter (null = any), each with its row, its sort key, the call and its analysis. Without the contribution to the measures, so that planning a page does not inline app_hidden.call_contribution (3-15 ms a request). THE filter is app_hidden.call_log_matches.';
grant execute on function app_hidden.call_log_filtered to app_user;

create or replace function app_hidden.call_log_matches(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, agent_id uuid,
  outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[],
  min_score integer, max_score integer, min_duration integer, max_duration integer,
  has_transcript boolean, has_analysis boolean, has_recording boolean, search text,
  figure text, iso_weekday integer, hour integer, sort text
) returns table (r app_public.call_log_row, sort_key numeric, d app_hidden.rollup_deltas)
  language sql stable
as $$
  select m.r, m.sort_key, d
    from app_hidden.call_log_filtered(p_user_id, p_tz, p_lo, p_hi, agent_id, outcomes, statuses, providers, directions,
           sources, temperatures, min_score, max_score, min_duration, max_duration, has_transcript, has_analysis,
           has_recording, search, figure, iso_weekday, hour, sort) m
    cross join lateral app_hidden.call_contribution(m.c, m.a, p_tz, 1) d
   -- a KPI figure: its rule on the call's contribution (the other figures are call_log_filtered's)
   where figure is null or figure ~ '^(topic|objection|free_topic):' or app_hidden.figure_calls(figure, d)
$$;
comment on function app_hidden.call_log_matches is 'THE call log filter: the tenant''s calls in [p_lo, p_hi) matching every given filter (null = any), each with its row, its sort key and its contribution to the measures (app_hidden.call_log_filtered and a KPI figure''s rule, app_hidden.figure_calls). Used by app_public.call_log (pages with a KPI figure, totals) and app_hidden.call_log_export.';

-- Who ended a call, inlinable: the same rule without a FROM clause, so that app_hidden.call_contribution
-- (the ingest triggers, the totals, a figure's rule) evaluates it in place instead of calling a SQL
-- function twice per call.
create or replace function app_hidden.hangup_side(hangup_by text, direction text)
  returns text
  language sql immutable parallel safe
as $$
  select case lower(btrim(hangup_by))
    when 'agent' then 'agent' when 'assistant' then 'agent' when 'bot' then 'agent' when 'ai' then 'agent'
    when 'api request' then 'agent' when 'api' then 'agent' when 'bolna' then 'agent' when 'system' then 'agent'
    when 'user' then 'caller' when 'customer' then 'caller' when 'human' then 'caller' when 'contact' then 'caller'
    -- Bolna names the telephony legs: on an outbound call the callee is the person called,
    -- on an inbound call the caller is the person who called.
    when 'callee' then case when direction = 'outbound' then 'caller' else 'agent' end
    when 'caller' then case when direction = 'inbound' then 'caller' else 'agent' end
  end
$$;

-- a page's rows: the filters need nothing but the range
create or replace function app_hidden.call_log_rows(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, p_ids uuid[], p_sort text
) returns app_public.call_log_row[]
  language plpgsql stable
  set plan_cache_mode = force_generic_plan
as $$
begin
  return array(
    select m.r
      from unnest(p_ids) with ordinality u(id, n)
      join lateral (
        select x.r
          from app_hidden.call_log_filtered(p_user_id, p_tz, p_lo, p_hi, null, null, null, null, null, null, null, null,
                 null, null, null, null, null, null, null, null, null, null, p_sort) x
         where (x.r).call_id = u.id
      ) m on true
     order by u.n);
end
$$;
comment on function app_hidden.call_log_rows is 'The call log rows of the given calls (in [p_lo, p_hi)), in the order of p_ids (the page''s second step; one generic plan).';

create or replace function app_public.call_log(
  from_date date default null, to_date date default null, agent_id uuid default null,
  outcomes text[] default null, statuses text[] default null, providers text[] default null,
  directions text[] default null, sources text[] default null, temperatures text[] default null,
  min_score integer default null, max_score integer default null,
  min_duration integer default null, max_duration integer default null,
  has_transcript boolean default null, has_analysis boolean default null, has_recording boolean default null,
  search text default null, figure text default null, iso_weekday integer default null, hour integer default null,
  sort text default 'started_at', descending boolean default true, after text default null,
  page_size integer default 50, with_totals boolean default true
) returns app_public.call_log_page
  language plpgsql stable
  -- custom plans: the filters not given fold away (and the joins they alone need with them), the sort key is one expression
  set plan_cache_mode = force_custom_plan
as $$
declare
  p record;
  v_ids uuid[];
  v_rows app_public.call_log_row[];
  v_totals app_public.call_log_totals;
  v_measures app_hidden.measures;
  v_sort text := coalesce(call_log.sort, 'started_at');
  v_desc boolean := coalesce(call_log.descending, true);
  -- the cursor's start time, widened by a millisecond: an index bound (the exact test is on the key)
  v_after_lo timestamptz;
  v_after_hi timestamptz;
  v_kpi_figure boolean := figure is not null and figure !~ '^(topic|objection|free_topic):';
  v_planner text[];
begin
  if page_size is null or page_size < 1 or page_size > 500 then
    raise exception 'A page holds 1 to 500 calls.' using errcode = 'SB161';
  end if;
  select * into p from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions,
    sources, temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
    v_sort, after) x;

  -- the page's ids: a KPI figure tests its rule on each call's contribution (call_log_matches); without one,
  -- the same filters without the contribution (call_log_filtered), so the plan does not inline the measures
  if v_kpi_figure then
    -- Sorted by time, nested loops in call order: the planner takes the analysis' copy of the call's start and
    -- the call id for two independent conditions, expects about one row and hashes every call of the range
    -- instead of stopping after the page (a whale's qualified leads: 98 ms against 5 ms; hot leads 125 against
    -- 23). The settings are back right after this query.
    if v_sort = 'started_at' then
      v_planner := array[current_setting('enable_hashjoin'), current_setting('enable_mergejoin')];
      perform set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true);
    end if;
    if v_sort = 'started_at' then
      v_after_lo := to_timestamp(p.p_after_key::double precision) - interval '1 millisecond';
      v_after_hi := to_timestamp(p.p_after_key::double precision) + interval '1 millisecond';
      if v_desc then
        select array(
          select (m.r).call_id
            from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at <= v_after_hi and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
           order by (m.r).started_at desc, (m.r).call_id desc
           limit page_size + 1) into v_ids;
      else
        select array(
          select (m.r).call_id
            from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at >= v_after_lo and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
           order by (m.r).started_at, (m.r).call_id
           limit page_size + 1) into v_ids;
      end if;
    else
      select array(
        select (m.r).call_id
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
         where p.p_after_key is null
            or (v_desc and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
            or (not v_desc and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
         order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                  case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
         limit page_size + 1) into v_ids;
    end if;

    if v_planner is not null then
      perform set_config('enable_hashjoin', v_planner[1], true), set_config('enable_mergejoin', v_planner[2], true);
    end if;
  else
    if v_sort = 'started_at' then
      v_after_lo := to_timestamp(p.p_after_key::double precision) - interval '1 millisecond';
      v_after_hi := to_timestamp(p.p_after_key::double precision) + interval '1 millisecond';
      if v_desc then
        select array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at <= v_after_hi and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
           order by (m.r).started_at desc, (m.r).call_id desc
           limit page_size + 1) into v_ids;
      else
        select array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where p.p_after_key is null
              or ((m.r).started_at >= v_after_lo and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
           order by (m.r).started_at, (m.r).call_id
           limit page_size + 1) into v_ids;
      end if;
    else
      select array(
        select (m.r).call_id
          from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
         where p.p_after_key is null
            or (v_desc and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
            or (not v_desc and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
         order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                  case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
         limit page_size + 1) into v_ids;
    end if;

  end if;

  -- the rows of those calls, in that order (the same filter function builds them: one definition of a row)
  v_rows := app_hidden.call_log_rows(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, v_ids[1:page_size], v_sort);

  if with_totals then
    if outcomes is null and statuses is null and providers is null and directions is null and sources is null
       and temperatures is null and min_score is null and max_score is null and min_duration is null
       and max_duration is null and has_transcript is null and has_analysis is null and has_recording is null
       and p.p_search is null and figure is null and iso_weekday is null and call_log.hour is null
       and not app_hidden.purged_history_in(p.p_from, p.p_to) then
      v_measures := app_hidden.call_log_range_measures(p.p_user_id, p.p_from, p.p_to, agent_id);
    else
      v_measures := (
        select app_hidden.sum_deltas(array_agg(m.d))
          from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                 providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
                 has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m);
    end if;
    v_measures := coalesce(v_measures, app_hidden.zero_measures());
    v_totals := row(v_measures.calls, v_measures.call_seconds, v_measures.credits_used,
                    app_hidden.kpi_figures(v_measures))::app_public.call_log_totals;
  end if;
  return row(p.p_from, p.p_to, p.p_timezone, v_rows,
             case when cardinality(v_ids) > page_size then (v_rows[page_size]).cursor end,
             v_totals)::app_public.call_log_page;
end
$$;
comment on function app_public.call_log is 'The call log: the business''s calls over tenant-local days fromDate..toDate (default: the last 30 days), filtered (each filter null = any; outcome in_progress = no final status yet; temperature untagged = analysed without a tag; search: digits of the phone number, or the caller''s or contact''s name; figure + isoWeekday/hour: the calls behind a dashboard figure, see app_hidden.figure_calls), sorted by started_at, duration, score or credits, keyset-paged (after = a row''s cursor), with the totals of the whole filtered set (withTotals: false leaves them out, e.g. when turning pages).';
