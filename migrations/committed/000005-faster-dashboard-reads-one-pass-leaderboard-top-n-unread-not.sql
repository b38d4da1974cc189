--! Previous: sha1:4fe3c98d65dc3642cd2efe9cc2cfd8940db5b49a
--! Hash: sha1:952f37cf6a7af542817f083b41637ca1aaf94741
--! Message: Faster dashboard reads: one-pass leaderboard, top-N unread notifications index

-- =============================================================================
-- 26. Faster dashboard reads (measured with the GraphQL benchmark)
-- =============================================================================
-- The leaderboard summed every measure once per agent through arrays and
-- joined the day list per agent: now one grouped pass for the totals and one
-- two-column pass for the sparklines.
do $gen$
declare
  plain text;
  sums  text;
begin
  select string_agg(format('%I', attname), ', ' order by attnum),
         string_agg(format('coalesce(sum(%1$I), 0)::bigint', attname), ', ' order by attnum)
    into plain, sums
    from pg_attribute
   where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped;

  execute format($f$
    create function app_hidden.agent_measures(p_user_id uuid, p_from date, p_to date)
      returns table (agent_id uuid, measures app_hidden.measures)
      language sql stable
    as $body$
      select s.agent_id, row(%2$s)::app_hidden.measures
        from (
          select r.agent_id, %1$s from app_public.agent_analytics r
           where r.user_id = p_user_id and r.day between p_from and p_to
          union all
          select r.agent_id, %1$s from app_hidden.rollup_deltas r
           where r.user_id = p_user_id and r.day between p_from and p_to
             and (r.target is null or r.target = 'agent_day')
        ) s
       group by s.agent_id
    $body$
  $f$, plain, sums);
end
$gen$;
comment on function app_hidden.agent_measures(uuid, date, date) is
  'Summed measures per agent (rollup + pending deltas) for a tenant and tenant-local day range (generated).';

create or replace function app_public.agent_leaderboard(from_date date default null, to_date date default null)
  returns setof app_public.agent_leaderboard_row
  language sql stable
as $$
  with r as (select * from app_hidden.kpi_range(agent_leaderboard.from_date, agent_leaderboard.to_date, 366)),
  totals as (select t.agent_id, t.measures from r, app_hidden.agent_measures(r.user_id, r.from_date, r.to_date) t),
  daily as (
    select x.agent_id, x.day, sum(x.calls)::bigint as calls, sum(x.successful_calls)::bigint as successful
      from r, lateral (
        select a.agent_id, a.day, a.calls, a.successful_calls from app_public.agent_analytics a
         where a.user_id = r.user_id and a.day between r.from_date and r.to_date
        union all
        select d.agent_id, d.day, d.calls, d.successful_calls from app_hidden.rollup_deltas d
         where d.user_id = r.user_id and d.day between r.from_date and r.to_date
           and (d.target is null or d.target = 'agent_day')) x
     group by x.agent_id, x.day
  ),
  sparklines as (
    select g.id as agent_id,
           array_agg(coalesce(d.calls, 0) order by days.day) as daily_calls,
           array_agg(coalesce(d.successful, 0) order by days.day) as daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      cross join lateral generate_series(r.from_date, r.to_date, interval '1 day') days(day)
      left join daily d on d.agent_id = g.id and d.day = days.day::date
     group by g.id
  ),
  per_agent as (
    select g.id as agent_id, g.name, g.is_active,
           app_hidden.kpi_figures(coalesce(t.measures, app_hidden.zero_measures())) as f,
           s.daily_calls, s.daily_successful
      from r
      join app_public.agents g on g.user_id = r.user_id
      left join totals t on t.agent_id = g.id
      left join sparklines s on s.agent_id = g.id
  )
  select a.agent_id, a.name, a.is_active,
         rank() over (order by (a.f).qualified_leads desc, (a.f).successful_calls desc, (a.f).calls desc)::integer,
         a.f, a.daily_calls, a.daily_successful
    from per_agent a
   order by 4, a.name, a.agent_id
$$;

-- "Hot leads to call back": the newest unread notifications of a tenant,
-- read top-N from the index instead of sorting all of them.
drop index app_public.lead_analytics_unread_idx;
create index lead_analytics_unread_idx on app_public.lead_analytics (user_id, analyzed_at)
  where smart_notification is not null and not is_read;

grant execute on function app_hidden.agent_measures(uuid, date, date) to app_user;

-- kpi_range returns exactly one row: say so, so plans around it are sized right.
alter function app_hidden.kpi_range(date, date, integer) rows 1;
