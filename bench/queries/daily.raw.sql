-- 30-day daily series of one tenant ($1) from raw calls and their individual
-- analyses: the same rows as daily.rollup.sql, hand-written.
with t as (
  select u.timezone as tz, app_hidden.tenant_today(u.timezone) as today
    from app_public.users u
   where u.id = $1::uuid
), days as (
  select t.today - 29 + i as day from t cross join generate_series(0, 29) i
), d as (
  select (c.started_at at time zone t.tz)::date as day,
         count(*) as calls,
         count(*) filter (where c.outcome = 'successful') as successful_calls,
         count(*) filter (where c.outcome = 'failed') as failed_calls,
         count(*) filter (where c.outcome = 'unanswered') as unanswered_calls,
         coalesce(sum(c.duration_seconds) filter (where c.outcome = 'successful'), 0) as talk_seconds,
         count(a.id) as leads_generated,
         count(a.id) filter (where a.total_score >= app_hidden.qualified_score_threshold()) as qualified_leads
    from t
    join app_public.calls c
      on c.user_id = $1::uuid
     and c.started_at >= ((t.today - 29)::timestamp at time zone t.tz)
     and c.started_at < ((t.today + 1)::timestamp at time zone t.tz)
    left join app_public.lead_analytics a
      on a.call_id = c.id and a.analysis_type = 'individual'
   group by 1
)
select days.day,
       coalesce(d.calls, 0)::bigint as calls,
       coalesce(d.successful_calls, 0)::bigint as successful_calls,
       coalesce(d.failed_calls, 0)::bigint as failed_calls,
       coalesce(d.unanswered_calls, 0)::bigint as unanswered_calls,
       coalesce(d.talk_seconds, 0)::bigint as talk_seconds,
       coalesce(d.leads_generated, 0)::bigint as leads,
       coalesce(d.qualified_leads, 0)::bigint as qualified_leads,
       app_hidden.success_rate(d.successful_calls::bigint, d.failed_calls::bigint, d.unanswered_calls::bigint) as success_rate,
       app_hidden.conversion_rate(d.qualified_leads::bigint, d.leads_generated::bigint) as conversion_rate
  from days
  left join d on d.day = days.day
 order by days.day
