-- 30-day agent leaderboard of one tenant ($1): every agent of the tenant, most
-- qualified leads first, from the rollup-backed live view. Scalar subqueries
-- for the day bounds, so they are pushed down into the view as index conditions.
with s as (
  select d.agent_id,
         sum(d.calls) as calls,
         sum(d.successful_calls) as successful,
         sum(d.failed_calls) as failed,
         sum(d.unanswered_calls) as unanswered,
         sum(d.talk_seconds) as talk_seconds,
         sum(d.leads_generated) as leads,
         sum(d.qualified_leads) as qualified
    from app_public.agent_daily_stats d
   where d.user_id = $1::uuid
     and d.day between (select app_hidden.tenant_today(u.timezone) - 29 from app_public.users u where u.id = $1::uuid)
                   and (select app_hidden.tenant_today(u.timezone) from app_public.users u where u.id = $1::uuid)
   group by d.agent_id
)
select g.id as agent_id,
       g.name,
       coalesce(s.calls, 0)::bigint as calls,
       coalesce(s.successful, 0)::bigint as successful_calls,
       coalesce(s.failed, 0)::bigint as failed_calls,
       coalesce(s.unanswered, 0)::bigint as unanswered_calls,
       coalesce(s.talk_seconds, 0)::bigint as talk_seconds,
       coalesce(s.leads, 0)::bigint as leads,
       coalesce(s.qualified, 0)::bigint as qualified_leads,
       app_hidden.success_rate(s.successful::bigint, s.failed::bigint, s.unanswered::bigint) as success_rate,
       app_hidden.conversion_rate(s.qualified::bigint, s.leads::bigint) as conversion_rate,
       app_hidden.average(s.talk_seconds::bigint, s.successful::bigint) as average_duration_seconds
  from app_public.agents g
  left join s on s.agent_id = g.id
 where g.user_id = $1::uuid
 order by coalesce(s.qualified, 0) desc, coalesce(s.successful, 0) desc, g.id
