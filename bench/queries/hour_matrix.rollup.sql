-- 30-day hour x weekday matrix of one tenant ($1): all 168 cells (Monday 00:00
-- first, zeros included) from app_hidden.hour_cells, the function behind the
-- overview's hourMatrix (user_hourly_analytics + pending deltas). Scalar
-- subqueries for the day bounds, so they are pushed down as index conditions.
select c.iso_weekday, c.hour, c.calls, c.successful_calls, c.unanswered_calls, c.failed_calls, c.answer_rate,
       c.leads, c.hot_leads
  from app_hidden.hour_cells(
         $1::uuid,
         (select app_hidden.tenant_today(u.timezone) - 29 from app_public.users u where u.id = $1::uuid),
         (select app_hidden.tenant_today(u.timezone) from app_public.users u where u.id = $1::uuid)) c
 order by c.iso_weekday, c.hour
