--! Previous: sha1:af7abaecfa22b4594c730257ea665ac325234b93
--! Hash: sha1:d05fd30c9019b8e0b2d427ec48d67c10f9f915fd
--! Message: The overview's hour x weekday matrix as one array per measure (hourMatrix); the cells from one definition (app_hidden.hour_cells)

-- =============================================================================
-- 42. The overview's hour x weekday matrix as arrays
-- =============================================================================
-- dashboardOverview returned the matrix as 168 KpiHourCell objects: PostgreSQL
-- built 168 composites, PostGraphile unpacked each into four fields and the API
-- resolved 672 values. Measured with the GraphQL benchmark (16 clients, 1M
-- calls), the overview without the matrix served 30% more requests per second,
-- so the matrix was about a fifth of all the work per request. The overview now
-- returns it as one KpiHourMatrix: one 168-entry array per measure, in
-- weekday-major order (entry (isoWeekday - 1) * 24 + hour). The cells come from
-- one definition, app_hidden.hour_cells, which kpiHourlyMatrix (one object per
-- cell, for API consumers) returns as before.
create function app_hidden.hour_cells(p_user_id uuid, p_from date, p_to date)
  returns setof app_public.kpi_hour_cell
  language sql stable
as $$
  with s as (
    select extract(isodow from x.day)::smallint as dow, x.hour,
           sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful,
           sum(x.unanswered_calls)::bigint as unanswered, sum(x.failed_calls)::bigint as failed,
           sum(x.leads_generated)::bigint as leads, sum(x.hot_leads)::bigint as hot
      from (
        select h.day, h.hour, h.calls, h.successful_calls, h.unanswered_calls, h.failed_calls, h.leads_generated, h.hot_leads
          from app_public.user_hourly_analytics h
         where h.user_id = p_user_id and h.day between p_from and p_to
        union all
        select d.day, d.hour, d.calls, d.successful_calls, d.unanswered_calls, d.failed_calls, d.leads_generated, d.hot_leads
          from app_hidden.rollup_deltas d
         where d.user_id = p_user_id and d.day between p_from and p_to
           and (d.target is null or d.target = 'user_hour')) x
     group by 1, 2
  )
  select w::smallint, h::smallint, coalesce(s.calls, 0), coalesce(s.successful, 0), coalesce(s.unanswered, 0),
         coalesce(s.failed, 0), app_hidden.answer_rate(coalesce(s.successful, 0), coalesce(s.unanswered, 0)),
         coalesce(s.leads, 0), coalesce(s.hot, 0)
    from generate_series(1, 7) w
    cross join generate_series(0, 23) h
    left join s on s.dow = w and s.hour = h
   order by w, h
$$;
comment on function app_hidden.hour_cells(uuid, date, date) is
  'THE hour x weekday cells of a tenant over tenant-local days p_from..p_to (rollup + pending deltas): all 168, Monday 00:00 first, zeros included.';

create or replace function app_public.kpi_hourly_matrix(from_date date default null, to_date date default null)
  returns setof app_public.kpi_hour_cell
  language sql stable
as $$
  select c.*
    from app_hidden.kpi_range(kpi_hourly_matrix.from_date, kpi_hourly_matrix.to_date) r,
         app_hidden.hour_cells(r.user_id, r.from_date, r.to_date) c
   order by c.iso_weekday, c.hour
$$;

create type app_public.kpi_hour_matrix as (
  calls             bigint[],
  successful_calls  bigint[],
  unanswered_calls  bigint[],
  failed_calls      bigint[],
  answer_rate       numeric[],
  leads             bigint[],
  hot_leads         bigint[]
);
comment on type app_public.kpi_hour_matrix is
  'Calls by tenant-local weekday and hour, one 168-entry array per measure in weekday-major order: entry (isoWeekday - 1) * 24 + hour, so Monday 00:00 is entry 0 and Sunday 23:00 entry 167. The same cells as kpiHourlyMatrix, in a compact form.';
comment on column app_public.kpi_hour_matrix.answer_rate is 'Answered / (answered + unanswered) per cell; null where a cell has neither.';

create function app_hidden.hour_matrix(p_user_id uuid, p_from date, p_to date)
  returns app_public.kpi_hour_matrix
  language sql stable
as $$
  select array_agg(c.calls order by c.iso_weekday, c.hour),
         array_agg(c.successful_calls order by c.iso_weekday, c.hour),
         array_agg(c.unanswered_calls order by c.iso_weekday, c.hour),
         array_agg(c.failed_calls order by c.iso_weekday, c.hour),
         array_agg(c.answer_rate order by c.iso_weekday, c.hour),
         array_agg(c.leads order by c.iso_weekday, c.hour),
         array_agg(c.hot_leads order by c.iso_weekday, c.hour)
    from app_hidden.hour_cells(p_user_id, p_from, p_to) c
$$;
comment on function app_hidden.hour_matrix(uuid, date, date) is 'app_hidden.hour_cells as one array per measure (weekday-major).';

grant execute on function app_hidden.hour_cells(uuid, date, date), app_hidden.hour_matrix(uuid, date, date) to app_user;

-- The overview: `hourly` (168 objects) is replaced by `hourMatrix`. A query
-- that still asks for `hourly` fails validation with the field's name rather
-- than receiving another shape.
alter type app_public.dashboard_overview drop attribute hourly;
alter type app_public.dashboard_overview add attribute hour_matrix app_public.kpi_hour_matrix;
comment on column app_public.dashboard_overview.hour_matrix is
  'Calls by tenant-local weekday and hour over the range (as kpiHourlyMatrix, one array per measure; tenant-wide).';
comment on type app_public.dashboard_overview is
  'Everything the overview page shows for a date range, in one query: kpiSummary, daily kpiSeries, agentLeaderboard, the hour x weekday matrix, dataFreshness and the unread smart notifications.';

create or replace function app_public.dashboard_overview(from_date date default null, to_date date default null)
  returns app_public.dashboard_overview
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_public.kpi_summary(r.from_date, r.to_date),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day') s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         app_public.data_freshness(),
         (select count(*) from app_public.lead_analytics a
           where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read),
         array(select row(a.id, coalesce(a.call_id, a.latest_call_id), a.phone_number, a.extracted_name, a.company_name,
                          a.lead_status_tag, a.total_score, a.smart_notification, a.demo_book_datetime,
                          a.analyzed_at)::app_public.notification_item
                 from app_public.lead_analytics a
                where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read
                order by a.analyzed_at desc, a.total_score desc nulls last, a.id
                limit 10),
         app_hidden.hour_matrix(r.user_id, r.from_date, r.to_date)
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$$;
