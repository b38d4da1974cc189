--! Previous: sha1:763c196313d511f57181a2eff77310b22219c1dd
--! Hash: sha1:cc0ef6e5dcfc5a526d6dbcf114d0682496fc449d
--! Message: Call log: one filtered, sorted, keyset-paged call list with totals (app_public.call_log), its CSV export rows, and the drill-down rule from every dashboard figure to its calls (app_hidden.figure_calls)

-- Call log: every call of the business, filtered, sorted, keyset-paged, with totals, and the
-- drill-down from every dashboard figure to exactly the calls behind it.

-- 1. Drill-down: which calls are "behind" a figure, defined on the call's contribution to the
--    measures (app_hidden.call_contribution), i.e. on the same expressions the rollups add up.
--    A count figure lists the calls whose contribution to its measure is not zero; a rate or an
--    average lists its DENOMINATOR set (the calls it is a share of; the page's totals give the
--    numerator, and app_hidden.kpi_figures over those totals gives the figure again).
--    Add a KPI figure = add its line here (tests/api/drilldown.test.ts checks every figure of the
--    overview and agent page against it).

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
    'cta_sample', 'cta_human_escalation', 'average_lead_score'
  ]
$$;
comment on function app_hidden.drilldown_figures() is 'Every figure the call log can drill down to (the keys of app_hidden.figure_calls).';
grant execute on function app_hidden.drilldown_figures() to app_user;

-- PL/pgSQL on purpose: a SQL function that names d in every branch is not inlined when d is the
-- (inlined) contribution, and a non-inlined SQL function costs an executor start per call. It runs
-- only for a drill-down (app_public.call_log plans per call, so a null figure folds the test away).
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
  end;
end
$$;
comment on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) is
  'THE drill-down rule: whether a call whose contribution (app_hidden.call_contribution) is d is behind the figure. Counts: the calls that add to the measure; rates and averages: their denominator. Null for an unknown figure.';
grant execute on function app_hidden.figure_calls(figure text, d app_hidden.rollup_deltas) to app_user;

-- The call log applies the contribution per call (security invoker, under RLS): app_user may run it.
grant execute on function app_hidden.call_contribution(c app_public.calls, a app_public.lead_analytics, tz text, s bigint, with_call boolean) to app_user;

-- 2. The call log's types.

create type app_public.call_log_row as (
  call_id uuid,
  started_at timestamptz,
  agent_id uuid,
  agent_name text,
  contact_id uuid,
  phone_number text,
  caller_name text,
  contact_name text,
  provider text,
  direction text,
  call_source text,
  status text,
  outcome text,
  duration_seconds integer,
  credits_used integer,
  has_transcript boolean,
  has_analysis boolean,
  has_recording boolean,
  total_score smallint,
  lead_status_tag text,
  cursor text
);
comment on type app_public.call_log_row is 'One call in the call log. cursor: pass it as `after` to get the calls after this one in the same order.';

create type app_public.call_log_totals as (
  calls bigint,
  duration_seconds bigint,
  credits_used bigint,
  figures app_public.kpi_figures
);
comment on type app_public.call_log_totals is 'Totals of the whole filtered set (not only the page): calls, their summed duration and credits, and every KPI figure of those calls (app_hidden.kpi_figures over their contributions).';

create type app_public.call_log_page as (
  from_date date,
  to_date date,
  timezone text,
  rows app_public.call_log_row[],
  next_cursor text,
  totals app_public.call_log_totals
);
comment on type app_public.call_log_page is 'A page of the call log: the resolved range, the rows, the cursor of the next page (null on the last page) and the totals of the filtered set (null when not asked for).';

-- 3. Validation and the range, once for the page and the export.

create or replace function app_hidden.call_log_params(
  from_date date, to_date date, outcomes text[], statuses text[], providers text[], directions text[],
  sources text[], temperatures text[], min_score integer, max_score integer,
  min_duration integer, max_duration integer, search text, figure text,
  iso_weekday integer, hour integer, sort text, after text
) returns table (p_user_id uuid, p_timezone text, p_from date, p_to date, p_lo timestamptz, p_hi timestamptz,
                 p_search text, p_after_key numeric, p_after_id uuid)
  language plpgsql stable rows 1
as $$
declare
  r record;
  bad text;
  v_search text := nullif(btrim(call_log_params.search), '');
begin
  select * into r from app_hidden.kpi_range(call_log_params.from_date, call_log_params.to_date) k;
  select string_agg(x, ', ') into bad from (
    select 'outcome ' || quote_literal(v) x from unnest(outcomes) v where v is null or v not in ('successful', 'unanswered', 'failed', 'in_progress')
    union all
    select 'status ' || quote_literal(v) from unnest(statuses) v
     where v is null or v not in ('scheduled', 'queued', 'initiated', 'ringing', 'in_progress', 'disconnected', 'completed', 'busy', 'no_answer', 'canceled', 'failed')
    union all
    select 'provider ' || quote_literal(v) from unnest(providers) v where v is null or v not in ('bolna', 'twilio', 'vapi', 'retell', 'other')
    union all
    select 'direction ' || quote_literal(v) from unnest(directions) v where v is null or v not in ('inbound', 'outbound')
    union all
    select 'source ' || quote_literal(v) from unnest(sources) v where v is null or v not in ('phone', 'internet', 'unknown')
    union all
    select 'temperature ' || quote_literal(v) from unnest(temperatures) v where v is null or v not in ('hot', 'warm', 'cold', 'untagged')
    union all
    select 'figure ' || quote_literal(figure) where figure is not null and not (figure = any (app_hidden.drilldown_figures()))
    union all
    select 'sort ' || quote_literal(sort) where sort is null or sort not in ('started_at', 'duration', 'score', 'credits')
  ) b;
  if bad is not null then
    raise exception 'Unknown filter value: %.', left(bad, 200) using errcode = 'SB160';
  end if;
  if min_score > max_score then
    raise exception 'The minimum score (%) is above the maximum (%).', min_score, max_score using errcode = 'SB161';
  end if;
  if min_duration > max_duration then
    raise exception 'The minimum duration (% s) is above the maximum (% s).', min_duration, max_duration using errcode = 'SB161';
  end if;
  if min_score < 0 or max_score > 100 or min_duration < 0 or max_duration > 86400
     or iso_weekday not between 1 and 7 or hour not between 0 and 23 then
    raise exception 'A score is 0-100, a duration 0-86400 seconds, a weekday 1-7 and an hour 0-23.' using errcode = 'SB161';
  end if;
  if length(v_search) > 100 then
    raise exception 'The search is % characters long; at most 100 are allowed.', length(v_search) using errcode = 'SB162';
  end if;
  if after is not null and after !~ '^-?[0-9]+(\.[0-9]+)?~[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    raise exception 'The page cursor is not one this call log gave; start from the first page.' using errcode = 'SB163';
  end if;
  return query select r.user_id, r.timezone, r.from_date, r.to_date,
                      r.from_date::timestamp at time zone r.timezone,
                      (r.to_date + 1)::timestamp at time zone r.timezone,
                      v_search,
                      split_part(after, '~', 1)::numeric, nullif(split_part(after, '~', 2), '')::uuid;
end
$$;
comment on function app_hidden.call_log_params is 'Checks the call log''s filters (SB160 unknown value, SB161 inverted or out-of-bounds range, SB162 search too long, SB163 bad cursor, SB103 dates) and resolves the tenant-local date range to timestamps.';
grant execute on function app_hidden.call_log_params to app_user;

-- 4. The filtered calls, once (plain SQL: inlined into the page and the export).

create or replace function app_hidden.call_log_matches(
  p_user_id uuid, p_tz text, p_lo timestamptz, p_hi timestamptz, agent_id uuid,
  outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[],
  min_score integer, max_score integer, min_duration integer, max_duration integer,
  has_transcript boolean, has_analysis boolean, has_recording boolean, search text,
  figure text, iso_weekday integer, hour integer, sort text
) returns table (r app_public.call_log_row, sort_key numeric, d app_hidden.rollup_deltas)
  language sql stable
as $$
  select row(c.id, c.started_at, c.agent_id, g.name, c.contact_id, c.phone_number, c.caller_name, k.name,
             c.provider, c.direction, c.call_source, c.status, c.outcome, c.duration_seconds, c.credits_used,
             t.id is not null, a.id is not null, c.recording_url is not null, a.total_score, a.lead_status_tag,
             x.key::text || '~' || c.id::text)::app_public.call_log_row,
         x.key, d
    from app_public.calls c
    join app_public.agents g on g.id = c.agent_id and g.user_id = c.user_id
    left join app_public.contacts k on k.id = c.contact_id and k.user_id = c.user_id
    left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
    left join app_public.transcripts t on t.call_id = c.id
    cross join lateral app_hidden.call_contribution(c, a, p_tz, 1) d
    cross join lateral (select case sort
                                 when 'duration' then c.duration_seconds::numeric
                                 when 'score' then coalesce(a.total_score, -1)::numeric
                                 when 'credits' then c.credits_used::numeric
                                 else extract(epoch from c.started_at)
                               end as key) x
   where c.user_id = p_user_id
     and c.started_at >= p_lo and c.started_at < p_hi
     and (call_log_matches.agent_id is null or c.agent_id = call_log_matches.agent_id)
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
     and (call_log_matches.has_transcript is null or (t.id is not null) = call_log_matches.has_transcript)
     and (has_analysis is null or (a.id is not null) = has_analysis)
     and (has_recording is null or (c.recording_url is not null) = has_recording)
     and (search is null
          or c.phone_number like '%' || regexp_replace(search, '[^0-9+]', '', 'g') || '%' and search ~ '^[0-9+ ().-]+$'
          or c.caller_name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%'
          or k.name ilike '%' || replace(replace(replace(search, '\', '\\'), '%', '\%'), '_', '\_') || '%')
     and (figure is null or app_hidden.figure_calls(figure, d))
     and (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
     and (call_log_matches.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_matches.hour)
$$;
comment on function app_hidden.call_log_matches is 'THE call log filter: the tenant''s calls in [p_lo, p_hi) matching every given filter (null = any), each with its row, its sort key and its contribution to the measures. Used by app_public.call_log and app_hidden.call_log_export.';
grant execute on function app_hidden.call_log_matches to app_user;

-- 5. The page (GraphQL: callLog).

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
  v_rows app_public.call_log_row[];
  v_totals app_public.call_log_totals;
  v_sort text := coalesce(call_log.sort, 'started_at');
  v_desc boolean := coalesce(call_log.descending, true);
begin
  if page_size is null or page_size < 1 or page_size > 500 then
    raise exception 'A page holds 1 to 500 calls.' using errcode = 'SB161';
  end if;
  select * into p from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions,
    sources, temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
    v_sort, after) x;
  select array(
    select m.r
      from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses, providers,
             directions, sources, temperatures, min_score, max_score, min_duration, max_duration, has_transcript,
             has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
     where p.p_after_key is null
        or (v_desc and (m.sort_key, (m.r).call_id) < (p.p_after_key, p.p_after_id))
        or (not v_desc and (m.sort_key, (m.r).call_id) > (p.p_after_key, p.p_after_id))
     order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
              case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
     limit page_size + 1) into v_rows;
  if with_totals then
    v_totals := (select row(count(*), coalesce(sum((m.r).duration_seconds), 0), coalesce(sum((m.r).credits_used), 0),
               app_hidden.kpi_figures(jsonb_populate_record(app_hidden.zero_measures(), jsonb_strip_nulls(jsonb_build_object(
                 'calls', sum((m.d).calls), 'successful_calls', sum((m.d).successful_calls),
                 'failed_calls', sum((m.d).failed_calls), 'unanswered_calls', sum((m.d).unanswered_calls),
                 'talk_seconds', sum((m.d).talk_seconds), 'billed_minutes', sum((m.d).billed_minutes),
                 'credits_used', sum((m.d).credits_used), 'inbound_calls', sum((m.d).inbound_calls),
                 'outbound_calls', sum((m.d).outbound_calls), 'leads_generated', sum((m.d).leads_generated),
                 'qualified_leads', sum((m.d).qualified_leads), 'hot_leads', sum((m.d).hot_leads),
                 'warm_leads', sum((m.d).warm_leads), 'cold_leads', sum((m.d).cold_leads),
                 'calls_with_cta', sum((m.d).calls_with_cta),
                 'total_score_sum', sum((m.d).total_score_sum), 'total_score_count', sum((m.d).total_score_count),
                 'intent_score_sum', sum((m.d).intent_score_sum), 'intent_score_count', sum((m.d).intent_score_count),
                 'urgency_score_sum', sum((m.d).urgency_score_sum), 'urgency_score_count', sum((m.d).urgency_score_count),
                 'budget_score_sum', sum((m.d).budget_score_sum), 'budget_score_count', sum((m.d).budget_score_count),
                 'fit_score_sum', sum((m.d).fit_score_sum), 'fit_score_count', sum((m.d).fit_score_count),
                 'engagement_score_sum', sum((m.d).engagement_score_sum), 'engagement_score_count', sum((m.d).engagement_score_count)
               )))))::app_public.call_log_totals
      from app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses, providers,
             directions, sources, temperatures, min_score, max_score, min_duration, max_duration, has_transcript,
             has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m);
  end if;
  return row(p.p_from, p.p_to, p.p_timezone, v_rows[1:page_size],
             case when cardinality(v_rows) > page_size then (v_rows[page_size]).cursor end,
             v_totals)::app_public.call_log_page;
end
$$;
comment on function app_public.call_log is 'The call log: the business''s calls over tenant-local days fromDate..toDate (default: the last 30 days), filtered (each filter null = any; outcome in_progress = no final status yet; temperature untagged = analysed without a tag; search: digits of the phone number, or the caller''s or contact''s name; figure + isoWeekday/hour: the calls behind a dashboard figure, see app_hidden.figure_calls), sorted by started_at, duration, score or credits, keyset-paged (after = a row''s cursor), with the totals of the whole filtered set.';
grant execute on function app_public.call_log to app_user;

-- 6. The CSV export's rows: the same filter and order, no page (streamed by COPY, server/http/call-log-export.ts).

create or replace function app_hidden.call_log_export(
  from_date date, to_date date, agent_id uuid, outcomes text[], statuses text[], providers text[],
  directions text[], sources text[], temperatures text[], min_score integer, max_score integer,
  min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean,
  search text, figure text, iso_weekday integer, hour integer, sort text, descending boolean
) returns setof app_public.call_log_row
  language sql stable
as $$
  select (m.r).*
    from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions, sources,
           temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
           coalesce(sort, 'started_at'), null) p
    cross join lateral app_hidden.call_log_matches(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
           providers, directions, sources, temperatures, min_score, max_score, min_duration, max_duration,
           has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, coalesce(sort, 'started_at')) m
   order by case when coalesce(descending, true) then m.sort_key end desc,
            case when coalesce(descending, true) then (m.r).call_id end desc,
            case when not coalesce(descending, true) then m.sort_key end,
            case when not coalesce(descending, true) then (m.r).call_id end
$$;
comment on function app_hidden.call_log_export is 'Every row of the call log for these filters, in the page''s order (the CSV export; same checks as app_public.call_log).';
grant execute on function app_hidden.call_log_export to app_user;
