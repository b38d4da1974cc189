-- 30-day daily series of one tenant ($1), one row per tenant-local day
-- (days without calls included), from the rollup-backed live view.
with t as (
  select app_hidden.tenant_today(u.timezone) as today
    from app_public.users u
   where u.id = $1::uuid
), days as (
  select t.today - 29 + i as day from t cross join generate_series(0, 29) i
), d as (
  -- Scalar subqueries for the bounds: pushed down into the view as index conditions.
  select s.day, s.calls, s.successful_calls, s.failed_calls, s.unanswered_calls, s.talk_seconds,
         s.leads_generated, s.qualified_leads
    from app_public.tenant_daily_stats s
   where s.user_id = $1::uuid
     and s.day between (select app_hidden.tenant_today(u.timezone) - 29 from app_public.users u where u.id = $1::uuid)
                   and (select app_hidden.tenant_today(u.timezone) from app_public.users u where u.id = $1::uuid)
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
