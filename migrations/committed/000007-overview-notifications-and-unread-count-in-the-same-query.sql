--! Previous: sha1:4ca95cf2ab9848ea18c24e1c68ebcf2d3e4195f8
--! Hash: sha1:4e274d08e9f259206c25db74752dbcca912d9494
--! Message: Overview notifications and unread count in the same query

-- =============================================================================
-- 30. The overview's notifications in the same query
-- =============================================================================
-- The "hot leads to call back" panel (newest unread smart notifications, and
-- how many are unread) was two more round trips per overview.
alter type app_public.dashboard_overview
  add attribute unread_notifications bigint,
  add attribute notifications app_public.lead_analytics[];
comment on column app_public.dashboard_overview.unread_notifications is 'Smart notifications of the tenant not yet marked read (all dates).';
comment on column app_public.dashboard_overview.notifications is
  'The 10 newest unread smart notifications (all dates), hottest leads first within the same minute: who to call back.';

create or replace function app_public.dashboard_overview(from_date date default null, to_date date default null)
  returns app_public.dashboard_overview
  language sql stable
  set plan_cache_mode = force_generic_plan
as $$
  select app_public.kpi_summary(r.from_date, r.to_date),
         array(select s from app_public.kpi_series(r.from_date, r.to_date, 'day') s),
         array(select l from app_public.agent_leaderboard(r.from_date, r.to_date) l),
         array(select h from app_public.kpi_hourly_matrix(r.from_date, r.to_date) h),
         app_public.data_freshness(),
         (select count(*) from app_public.lead_analytics a
           where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read),
         array(select a from app_public.lead_analytics a
                where a.user_id = r.user_id and a.smart_notification is not null and not a.is_read
                order by a.analyzed_at desc, a.total_score desc nulls last, a.id
                limit 10)
    from app_hidden.kpi_range(dashboard_overview.from_date, dashboard_overview.to_date) r
$$;
