--! Previous: sha1:b6ada0f54c696a00366f2c198a53acca0486ec1a
--! Hash: sha1:8bfafe5c7d5b3f09ed85ed77da882bcbd6bace1d
--! Message: The call log's sorts and heatmap cells at a whale's size: pages sorted by duration, credits or score read an index in that order and stop after the page, the copied call start joins only for time sorts, filter expressions have statistics, and a heatmap cell tests an arithmetic quarter-hour before the time zone

-- The call log's sorts and heatmap cells at a whale's size: every page of the benchmark's mix stops after its page.
--
-- 1. Sorted by duration or credits: indexes in that order per tenant (the sort keys as the page orders them),
--    so the longest or dearest calls of a range are read from the top instead of sorting every call of it.
-- 2. Sorted by score, highest first: an index of individual analyses in score order; app_public.call_log reads
--    the scored calls first (a score filter of 0 makes the analysis an inner join the planner can drive from
--    that index) and the unscored ones (sort key -1) only when the scored run out.
-- 3. The copied start (lead_analytics.call_started_at = calls.started_at, 000050) joins only when the page is
--    sorted by time: it is what lets a lead figure read analyses in call order, but the planner counts it as a
--    second independent condition beside the call id and expects one row, which hid the index orders above.
-- 4. Statistics on the filters' expressions (a temperature is coalesce(tag, 'untagged'), an outcome
--    coalesce(outcome, 'in_progress')): without them the planner took 1% of the analyses for hot + warm.
-- 5. A heatmap cell (weekday x hour in the tenant's time zone): the call's UTC quarter-hour of the week is
--    tested first against the ones the cell covers in the range (app_hidden.cell_quarter_hours, once per
--    query), the two time-zone conversions only on the calls that pass.

create index if not exists calls_user_duration_idx on app_public.calls (user_id, (duration_seconds::numeric), id);
create index if not exists calls_user_credits_idx on app_public.calls (user_id, (credits_used::numeric), id);
create index if not exists lead_analytics_individual_score_idx on app_public.lead_analytics
  (user_id, (coalesce(total_score, -1)::numeric), call_id) where analysis_type = 'individual';

create statistics if not exists app_public.lead_analytics_temperature_stats on (coalesce(lead_status_tag, 'untagged')) from app_public.lead_analytics;
create statistics if not exists app_public.calls_outcome_stats on (coalesce(outcome, 'in_progress')) from app_public.calls;
analyze app_public.calls;
analyze app_public.lead_analytics;

create or replace function app_hidden.cell_quarter_hours(p_tz text, p_lo timestamptz, p_hi timestamptz, p_isodow integer, p_hour integer)
returns integer[] language sql stable parallel safe as $$
  select coalesce(array_agg(distinct (extract(epoch from g.s)::bigint / 900 % 672)::integer), '{}')
    from generate_series(date_trunc('hour', p_lo), p_hi, interval '15 minutes') g(s)
   cross join lateral (values (g.s at time zone p_tz), ((g.s + interval '15 minutes' - interval '1 microsecond') at time zone p_tz)) l(t)
   where (p_isodow is null or extract(isodow from l.t) = p_isodow)
     and (p_hour is null or extract(hour from l.t) = p_hour)
$$;
comment on function app_hidden.cell_quarter_hours(text, timestamptz, timestamptz, integer, integer) is
  'A heatmap cell''s UTC quarter-hours of the week (epoch / 900 mod 672) in [p_lo, p_hi): those whose start or end falls on the tenant-local ISO weekday and hour (null = any). A call outside them is outside the cell; app_hidden.call_log_filtered tests the time zone on the others.';
grant execute on function app_hidden.cell_quarter_hours(text, timestamptz, timestamptz, integer, integer) to app_user;

create or replace function app_hidden.call_log_filtered(p_user_id uuid, p_tz text, p_lo timestamp with time zone, p_hi timestamp with time zone, agent_id uuid, outcomes text[], statuses text[], providers text[], directions text[], sources text[], temperatures text[], min_score integer, max_score integer, min_duration integer, max_duration integer, has_transcript boolean, has_analysis boolean, has_recording boolean, search text, figure text, iso_weekday integer, hour integer, sort text)
 RETURNS TABLE(r app_public.call_log_row, sort_key numeric, c app_public.calls, a app_public.lead_analytics)
 LANGUAGE sql
 STABLE
AS $function$
  select row(c.id, c.started_at, c.agent_id, g.name, c.contact_id, c.phone_number, c.caller_name, k.name,
             c.provider, c.direction, c.call_source, c.status, c.outcome, c.duration_seconds, c.credits_used,
             t.id is not null, a.id is not null, c.recording_url is not null, a.total_score, a.lead_status_tag,
             x.key::text || '~' || c.id::text)::app_public.call_log_row,
         x.key, c, a
    from app_public.calls c
    join app_public.agents g on g.id = c.agent_id and g.user_id = c.user_id
    left join app_public.contacts k on k.id = c.contact_id and k.user_id = c.user_id
    -- a filter that needs an analysis reads the analyses of the range (lead_analytics_individual_started_idx);
    -- sorted by time, the copy of the call's start is joined too, so the analyses come in call order (the
    -- condition is always true; another sort leaves it out, where it only cost the planner's row estimate)
    left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
          and a.user_id = c.user_id and (sort <> 'started_at' or a.call_started_at = c.started_at)
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
     -- a heatmap cell (tenant-local weekday and/or hour): first the call's UTC quarter-hour of the week against
     -- those the cell covers in this range (arithmetic, computed once), then the time-zone conversions on those
     -- calls only (a CASE keeps that order)
     and (iso_weekday is null and call_log_filtered.hour is null
          or case when (extract(epoch from c.started_at)::bigint / 900 % 672)::integer
                       = any ((select app_hidden.cell_quarter_hours(p_tz, p_lo, p_hi, iso_weekday, call_log_filtered.hour))::integer[])
                  then (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
                   and (call_log_filtered.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_filtered.hour)
                  else false
             end)
$function$;


create or replace function app_public.call_log(from_date date DEFAULT NULL::date, to_date date DEFAULT NULL::date, agent_id uuid DEFAULT NULL::uuid, outcomes text[] DEFAULT NULL::text[], statuses text[] DEFAULT NULL::text[], providers text[] DEFAULT NULL::text[], directions text[] DEFAULT NULL::text[], sources text[] DEFAULT NULL::text[], temperatures text[] DEFAULT NULL::text[], min_score integer DEFAULT NULL::integer, max_score integer DEFAULT NULL::integer, min_duration integer DEFAULT NULL::integer, max_duration integer DEFAULT NULL::integer, has_transcript boolean DEFAULT NULL::boolean, has_analysis boolean DEFAULT NULL::boolean, has_recording boolean DEFAULT NULL::boolean, search text DEFAULT NULL::text, figure text DEFAULT NULL::text, iso_weekday integer DEFAULT NULL::integer, hour integer DEFAULT NULL::integer, sort text DEFAULT 'started_at'::text, descending boolean DEFAULT true, after text DEFAULT NULL::text, page_size integer DEFAULT 50, with_totals boolean DEFAULT true)
 RETURNS app_public.call_log_page
 LANGUAGE plpgsql
 STABLE
 SET plan_cache_mode TO 'force_custom_plan'
AS $function$
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
  -- the non-time sorts' keyset position and score filter, per phase (see below)
  v_key numeric;
  v_id uuid;
  v_min_score integer;
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
      -- Highest score first: the scored calls (a score filter of 0 makes the analysis an inner join, read in
      -- score order from lead_analytics_individual_score_idx, stopping after the page), then, when they run out,
      -- the unscored ones (key -1: no analysis or no score; every call of the range, in id order).
      v_key := p.p_after_key;
      v_id := p.p_after_id;
      v_min_score := min_score;
      if v_sort = 'score' and v_desc and min_score is null and max_score is null and (v_key is null or v_key >= 0) then
        v_min_score := 0;
      end if;
      v_ids := '{}';
      loop
        v_ids := v_ids || array(
          select (m.r).call_id
            from app_hidden.call_log_filtered(p.p_user_id, p.p_timezone, p.p_lo, p.p_hi, agent_id, outcomes, statuses,
                   providers, directions, sources, temperatures, v_min_score, max_score, min_duration, max_duration,
                   has_transcript, has_analysis, has_recording, p.p_search, figure, iso_weekday, hour, v_sort) m
           where v_key is null
              or (v_desc and (m.sort_key, (m.r).call_id) < (v_key, v_id))
              or (not v_desc and (m.sort_key, (m.r).call_id) > (v_key, v_id))
           order by case when v_desc then m.sort_key end desc, case when v_desc then (m.r).call_id end desc,
                    case when not v_desc then m.sort_key end, case when not v_desc then (m.r).call_id end
           limit page_size + 1 - cardinality(v_ids));
        exit when v_min_score is not distinct from min_score or cardinality(v_ids) > page_size;
        -- the scored calls ran out: the rest of the page from below every score (-0.5 < 0, whatever the id)
        v_min_score := min_score;
        v_key := -0.5;
        v_id := null;
      end loop;
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
$function$;
