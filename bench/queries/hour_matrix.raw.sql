-- 30-day hour x weekday matrix of one tenant ($1) from raw calls and their
-- individual analyses: the same rows as hour_matrix.rollup.sql, hand-written.
-- A call counts in the tenant-local weekday and hour of started_at.
with t as (
  select u.timezone as tz, app_hidden.tenant_today(u.timezone) as today
    from app_public.users u
   where u.id = $1::uuid
), s as (
  select extract(isodow from c.started_at at time zone t.tz)::int as dow,
         extract(hour from c.started_at at time zone t.tz)::int as hour,
         count(*) as calls,
         count(*) filter (where c.outcome = 'successful') as successful,
         count(*) filter (where c.outcome = 'unanswered') as unanswered,
         count(*) filter (where c.outcome = 'failed') as failed,
         count(a.id) as leads,
         count(a.id) filter (where a.lead_status_tag = 'hot') as hot
    from t
    join app_public.calls c
      on c.user_id = $1::uuid
     and c.started_at >= ((t.today - 29)::timestamp at time zone t.tz)
     and c.started_at < ((t.today + 1)::timestamp at time zone t.tz)
    left join app_public.lead_analytics a
      on a.call_id = c.id and a.analysis_type = 'individual'
   group by 1, 2
)
select w::smallint as iso_weekday,
       h::smallint as hour,
       coalesce(s.calls, 0)::bigint as calls,
       coalesce(s.successful, 0)::bigint as successful_calls,
       coalesce(s.unanswered, 0)::bigint as unanswered_calls,
       coalesce(s.failed, 0)::bigint as failed_calls,
       app_hidden.answer_rate(coalesce(s.successful, 0)::bigint, coalesce(s.unanswered, 0)::bigint) as answer_rate,
       coalesce(s.leads, 0)::bigint as leads,
       coalesce(s.hot, 0)::bigint as hot_leads
  from generate_series(1, 7) w
 cross join generate_series(0, 23) h
  left join s on s.dow = w and s.hour = h
 order by w, h
