--! Previous: sha1:d06273ec196f2ba22cf7c37e0890441add94cb08
--! Hash: sha1:2d186ace2dbd47586267b33e97be3193f01030ff
--! Message: Drill-down from the Insights page's topics, objections and free topics: call log figure topic:<key>, objection:<key>, free_topic:<text> lists the calls whose analysis names it

-- Drill-down from the Insights page's topics, objections and free topics to the call log: figure
-- 'topic:<key>', 'objection:<key>' or 'free_topic:<text>' lists the calls whose analysis names it.

create or replace function app_hidden.call_log_params(
  from_date date, to_date date, outcomes text[], statuses text[], providers text[], directions text[],
  sources text[], temperatures text[], min_score integer, max_score integer,
  min_duration integer, max_duration integer, search text, figure text,
  iso_weekday integer, hour integer, sort text, after text
) returns table (p_user_id uuid, p_timezone text, p_from date, p_to date, p_lo timestamptz, p_hi timestamptz,
                 p_search text, p_after_key numeric, p_after_id uuid)
  language plpgsql stable rows 1
  set plan_cache_mode = auto
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
       and figure !~ '^(topic|objection|free_topic):.{1,200}$'
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
comment on function app_hidden.call_log_params is 'Checks the call log''s filters (SB160 unknown value, SB161 inverted or out-of-bounds range, SB162 search too long, SB163 bad cursor, SB103 dates) and resolves the tenant-local date range to timestamps. A figure is a key of app_hidden.drilldown_figures() or topic:/objection:/free_topic: and a key.';

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
     -- a lead figure needs an analysis: said first, so the planner joins only analysed calls and tests
     -- the figure on those (a plain condition on a constant figure, folded away for the other figures)
     and (figure is null or a.id is not null
          or not (figure = any (array['leads', 'qualified_leads', 'hot_leads', 'warm_leads', 'cold_leads', 'untagged_leads',
                                      'conversion_rate', 'calls_with_cta', 'cta_rate', 'cta_pricing', 'cta_demo', 'cta_followup',
                                      'cta_sample', 'cta_human_escalation', 'average_lead_score'])
                  or figure ~ '^(topic|objection|free_topic):'))
     -- a KPI figure: its rule on the call's contribution; a topic, objection or free topic of the Insights page
     -- (figure 'topic:<key>'): the calls whose analysis lists it (app_public.conversation_topics counts the same)
     and (figure is null or case
            when figure like 'topic:%' then substr(figure, 7) = any (a.topics)
            when figure like 'objection:%' then substr(figure, 11) = any (a.objections)
            when figure like 'free_topic:%' then exists (select 1 from unnest(a.free_topics) f where lower(f) = substr(figure, 12))
            else app_hidden.figure_calls(figure, d)
          end)
     and (iso_weekday is null or extract(isodow from c.started_at at time zone p_tz) = iso_weekday)
     and (call_log_matches.hour is null or extract(hour from c.started_at at time zone p_tz) = call_log_matches.hour)
$$;
comment on function app_hidden.call_log_matches is 'THE call log filter: the tenant''s calls in [p_lo, p_hi) matching every given filter (null = any), each with its row, its sort key and its contribution to the measures. Used by app_public.call_log and app_hidden.call_log_export.';
