-- 30-day agent leaderboard of one tenant ($1) from raw calls and their
-- individual analyses: the same rows as leaderboard.rollup.sql, hand-written.
with t as (
  select u.timezone as tz, app_hidden.tenant_today(u.timezone) as today
    from app_public.users u
   where u.id = $1::uuid
), s as (
  select c.agent_id,
         count(*) as calls,
         count(*) filter (where c.outcome = 'successful') as successful,
         count(*) filter (where c.outcome = 'failed') as failed,
         count(*) filter (where c.outcome = 'unanswered') as unanswered,
         sum(c.duration_seconds) filter (where c.outcome = 'successful') as talk_seconds,
         count(a.id) as leads,
         count(a.id) filter (where a.total_score >= app_hidden.qualified_score_threshold()) as qualified
    from t
    join app_public.calls c
      on c.user_id = $1::uuid
     and c.started_at >= ((t.today - 29)::timestamp at time zone t.tz)
     and c.started_at < ((t.today + 1)::timestamp at time zone t.tz)
    left join app_public.lead_analytics a
      on a.call_id = c.id and a.analysis_type = 'individual'
   group by c.agent_id
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
