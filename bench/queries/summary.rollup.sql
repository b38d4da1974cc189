-- 30-day KPI summary of one tenant ($1), from the rollup-backed live view
-- (rollup + pending deltas), over the tenant-local days today-29 .. today.
-- "today" is a scalar subquery (an init plan) so the day range is pushed
-- down into the view and becomes an index condition on the rollup.
with s as (
  select sum(d.calls) as calls,
         sum(d.successful_calls) as successful,
         sum(d.failed_calls) as failed,
         sum(d.unanswered_calls) as unanswered,
         sum(d.talk_seconds) as talk_seconds,
         sum(d.leads_generated) as leads,
         sum(d.qualified_leads) as qualified
    from app_public.tenant_daily_stats d
   where d.user_id = $1::uuid
     and d.day between (select app_hidden.tenant_today(u.timezone) - 29 from app_public.users u where u.id = $1::uuid)
                   and (select app_hidden.tenant_today(u.timezone) from app_public.users u where u.id = $1::uuid)
)
select coalesce(s.calls, 0)::bigint as calls,
       coalesce(s.successful, 0)::bigint as successful_calls,
       coalesce(s.failed, 0)::bigint as failed_calls,
       coalesce(s.unanswered, 0)::bigint as unanswered_calls,
       coalesce(s.talk_seconds, 0)::bigint as talk_seconds,
       coalesce(s.leads, 0)::bigint as leads,
       coalesce(s.qualified, 0)::bigint as qualified_leads,
       app_hidden.success_rate(s.successful::bigint, s.failed::bigint, s.unanswered::bigint) as success_rate,
       app_hidden.conversion_rate(s.qualified::bigint, s.leads::bigint) as conversion_rate
  from s
