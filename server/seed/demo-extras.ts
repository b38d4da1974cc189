/**
 * The demo's data beyond calls, derived set-based from the generated calls so
 * it is consistent with them: agent targets, follow-ups, customers and credit
 * purchases (with usage rows dated at their calls, so posted balances tell a
 * believable story). `end` stands in for now, for determinism.
 */
import type pg from 'pg';

/** A month and a week target per agent: about 10% above its recent pace. */
export async function insertTargets(client: pg.ClientBase, userIds: readonly string[], end: Date): Promise<number> {
  const { rowCount } = await client.query(
    `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start, target_calls,
                                           target_successful_calls, target_leads, target_qualified_leads,
                                           target_success_rate, target_conversion_rate)
     select g.user_id, g.id, p.period_type, p.period_start,
            (ceil(s.calls * p.days * 1.1 / 10) * 10)::int, (ceil(s.successful * p.days * 1.1 / 5) * 5)::int,
            (ceil(s.leads * p.days * 1.1 / 5) * 5)::int, (ceil(s.qualified * p.days * 1.1))::int,
            least(0.95, round(coalesce(s.success_rate, 0.5) * 1.08, 2)),
            least(0.95, round(coalesce(s.conversion_rate, 0.2) * 1.1, 2))
       from app_public.agents g
       join app_public.users u on u.id = g.user_id
      cross join lateral (select ($2::timestamptz at time zone u.timezone)::date as today) t
      cross join lateral (values ('month', date_trunc('month', t.today)::date, 30),
                                 ('week', date_trunc('week', t.today)::date, 7)) p(period_type, period_start, days)
      cross join lateral (
        select coalesce(sum(d.calls), 0) / 28.0 as calls, coalesce(sum(d.successful_calls), 0) / 28.0 as successful,
               coalesce(sum(d.leads_generated), 0) / 28.0 as leads, coalesce(sum(d.qualified_leads), 0) / 28.0 as qualified,
               app_hidden.success_rate(sum(d.successful_calls)::bigint, sum(d.failed_calls)::bigint,
                                       sum(d.unanswered_calls)::bigint) as success_rate,
               app_hidden.conversion_rate(sum(d.qualified_leads)::bigint, sum(d.leads_generated)::bigint) as conversion_rate
          from app_public.agent_daily_stats d
         where d.agent_id = g.id and d.user_id = g.user_id and d.day > t.today - 28 and d.day <= t.today) s
      where g.user_id = any ($1::uuid[])`,
    [userIds, end],
  );
  return rowCount ?? 0;
}

/** Up to 12 follow-ups per tenant for its best recent leads with a notification: older ones done, recent ones pending. */
export async function insertFollowUps(client: pg.ClientBase, userIds: readonly string[], end: Date): Promise<number> {
  const { rowCount } = await client.query(
    `insert into app_public.follow_ups (user_id, contact_id, lead_phone, lead_email, lead_name, follow_up_date, remark,
                                        status, created_by, completed_at, completed_by, created_at, updated_at)
     select x.user_id, x.contact_id, x.phone_number, x.extracted_email, x.extracted_name,
            case when x.done then x.call_day + 2 else x.today + 1 + (x.rn % 6)::int end,
            x.smart_notification,
            case when x.done then 'completed' else 'pending' end, x.user_id,
            case when x.done then x.analyzed_at + interval '2 days' end, case when x.done then x.user_id end,
            x.analyzed_at, case when x.done then x.analyzed_at + interval '2 days' else x.analyzed_at end
       from (select l.*, c.contact_id, t.today, (c.started_at at time zone u.timezone)::date as call_day,
                    c.started_at < $2::timestamptz - interval '7 days' as done,
                    row_number() over (partition by l.user_id order by l.total_score desc, c.provider_call_id) as rn
               from (select distinct on (l.user_id, l.phone_number) l.*
                       from app_public.lead_analytics l
                      where l.user_id = any ($1::uuid[]) and l.analysis_type = 'individual'
                        and l.smart_notification is not null and l.analyzed_at > $2::timestamptz - interval '21 days'
                      order by l.user_id, l.phone_number, l.total_score desc, l.analyzed_at desc) l
               join app_public.calls c on c.id = l.call_id
               join app_public.users u on u.id = l.user_id
              cross join lateral (select ($2::timestamptz at time zone u.timezone)::date as today) t) x
      where x.rn <= 12
      order by x.user_id, x.rn`,
    [userIds, end],
  );
  return rowCount ?? 0;
}

/** Six customers per tenant from its best-scoring contacts (the trigger numbers them CUST-YYYY-NNNN). */
export async function insertCustomers(client: pg.ClientBase, userIds: readonly string[]): Promise<number> {
  const { rowCount } = await client.query(
    `with picked as (
       select x.* from (
         select l.user_id, l.phone_number, l.extracted_name, l.extracted_email, l.company_name, l.analyzed_at,
                ct.id as contact_id, ct.name as contact_name,
                row_number() over (partition by l.user_id
                                   order by coalesce(l.extracted_name, ct.name) is null, l.total_score desc,
                                            l.calls_analyzed desc, l.phone_number) as rn
           from app_public.lead_analytics l
           join app_public.contacts ct on ct.user_id = l.user_id and ct.phone_number = l.phone_number
          where l.user_id = any ($1::uuid[]) and l.analysis_type = 'complete') x
        where x.rn <= 6
     ), converted as (
       insert into app_public.customers (user_id, contact_id, name, email, phone, company, status, conversion_date,
                                         original_lead_source, assigned_sales_rep, last_interaction_date, notes)
       select p.user_id, p.contact_id,
              coalesce(p.extracted_name, p.contact_name, 'Customer ' || right(p.phone_number, 4)),
              p.extracted_email, p.phone_number, p.company_name,
              case when p.rn = 6 then 'on_hold' else 'active' end, p.analyzed_at, 'AI voice agent',
              (array['Dana Whitfield', 'Marcus Lee', 'Nisha Rao'])[1 + p.rn % 3], p.analyzed_at,
              'Converted after a qualified call with the AI agent.'
         from picked p
        order by p.user_id, p.rn
       returning contact_id, company
     )
     update app_public.contacts ct
        set is_customer = true, company = coalesce(ct.company, c.company)
       from converted c
      where ct.id = c.contact_id`,
    [userIds],
  );
  return rowCount ?? 0;
}

/**
 * A credit pack per tenant bought the day before the window (about 30% more
 * than the window used), and usage rows dated at their calls, so that
 * posting orders the ledger as it happened.
 */
export async function insertPurchases(client: pg.ClientBase, userIds: readonly string[], start: Date): Promise<void> {
  await client.query(
    `update app_hidden.credit_charges x
        set created_at = coalesce(c.ended_at, c.started_at)
       from app_public.calls c
      where c.id = x.call_id and x.user_id = any ($1::uuid[])`,
    [userIds],
  );
  await client.query(
    `insert into app_public.credit_transactions (user_id, type, amount, description, created_by, created_at)
     select u.id, 'purchase', greatest(1000, ceil(-(coalesce((select sum(t.amount) from app_public.credit_transactions t
                                           where t.user_id = u.id and t.posted_at is null), 0)
                                + coalesce((select sum(x.amount) from app_hidden.credit_charges x where x.user_id = u.id), 0))
                              * 1.3 / 1000) * 1000)::int,
            'Credit pack purchase', u.id, $2::timestamptz - interval '1 day'
       from app_public.users u
      where u.id = any ($1::uuid[])`,
    [userIds, start],
  );
}
