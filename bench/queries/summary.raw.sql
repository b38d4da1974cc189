-- 30-day KPI summary of one tenant ($1), computed from raw calls and their
-- individual analyses: the same figures as summary.rollup.sql, hand-written.
-- A call counts on the tenant-local day of started_at (tenant time zone).
with t as (
  select u.timezone as tz, app_hidden.tenant_today(u.timezone) as today
    from app_public.users u
   where u.id = $1::uuid
), s as (
  select count(*) as calls,
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
