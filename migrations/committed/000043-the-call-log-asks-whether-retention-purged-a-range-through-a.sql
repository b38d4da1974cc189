--! Previous: sha1:7b20be38e9901f76bfe9c4a3c22dbbde22f2fa21
--! Hash: sha1:d06273ec196f2ba22cf7c37e0890441add94cb08
--! Message: The call log asks whether retention purged a range through app_hidden.purged_history_in (security definer, the caller's own business) instead of reading purged history, which stays unreadable to tenants; a new business's default topics are not audit entries

-- Purged history stays unreadable to tenants (tests/db/rls.test.ts): the call log asks whether retention
-- purged calls of a range through a function instead of reading app_hidden.purged_rollups (migration 000037
-- granted the read; this takes it back).
revoke select on app_hidden.purged_rollups from app_user;

create or replace function app_hidden.purged_history_in(p_from date, p_to date)
  returns boolean
  language sql stable security definer
  set search_path = pg_catalog, public
as $$
  select exists (select 1 from app_hidden.purged_rollups g
                  where g.user_id = app_public.current_user_id() and g.day between p_from and p_to)
$$;
comment on function app_hidden.purged_history_in(date, date) is 'Whether retention purged calls of the signed-in business on these tenant-local days (then the rollups count calls the call log no longer lists). Only the caller''s own business; a yes or no, never the figures.';
revoke all on function app_hidden.purged_history_in(date, date) from public;
grant execute on function app_hidden.purged_history_in(date, date) to app_user;

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
begin
  if page_size is null or page_size < 1 or page_size > 500 then
    raise exception 'A page holds 1 to 500 calls.' using errcode = 'SB161';
  end if;
  select * into p from app_hidden.call_log_params(from_date, to_date, outcomes, statuses, providers, directions,
    sources, temperatures, min_score, max_score, min_duration, max_duration, search, figure, iso_weekday, hour,
    v_sort, after) x;

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

-- The six default topics every new business gets (written by a trigger on users) are not changes anybody
-- made: the audit trail records analysis_topics only for writes made directly (trigger depth 0), so a
-- sign-up records one entry, the business, as before.
drop trigger _900_audit on app_public.analysis_topics;
create trigger _900_audit after insert or update or delete on app_public.analysis_topics
  for each row when (pg_trigger_depth() = 0) execute function app_private.tg__audit();
