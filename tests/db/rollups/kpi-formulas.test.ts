/**
 * The KPI formulas and views over the rollups: rates, averages and the KPI views computed once in SQL
 * from the measures.
 * Each test uses its own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { createAgent, createAnalysis, createCalls, createTenant, localNoon } from '../../helpers/fixtures.ts';
import { compact, db, figures, useRollupDatabase, verify } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

describe('KPI formulas and views', () => {
  it('rates and averages are null when undefined and exact otherwise', async () => {
    const { rows } = await db.pool.query<Record<string, string | null>>(`
      select app_hidden.success_rate(0, 0, 0) as success_zero, app_hidden.success_rate(3, 1, 1) as success,
             app_hidden.answer_rate(0, 0) as answer_zero, app_hidden.answer_rate(3, 1) as answer,
             app_hidden.answer_rate(3, 0) as answer_all,
             app_hidden.conversion_rate(0, 0) as conversion_zero, app_hidden.conversion_rate(1, 3) as conversion,
             app_hidden.cta_conversion_rate(0, 0) as cta_zero, app_hidden.cta_conversion_rate(2, 8) as cta,
             app_hidden.average(0, 0) as average_zero, app_hidden.average(10, 3) as average,
             app_hidden.ratio(1, 0) as ratio_zero, app_hidden.ratio(1, null) as ratio_null, app_hidden.ratio(0, 5) as ratio,
             app_hidden.success_rate(null, null, null) as success_null,
             app_hidden.qualified_score_threshold()::text as threshold`);
    expect(rows[0]).toEqual({
      success_zero: null, success: '0.6000', answer_zero: null, answer: '0.7500', answer_all: '1.0000',
      conversion_zero: null, conversion: '0.3333', cta_zero: null, cta: '0.2500', average_zero: null, average: '3.33',
      ratio_zero: null, ratio_null: null, ratio: '0.0000', success_null: null, threshold: '60',
    });
  });

  it('the KPI summary matches the live views after a refresh, and the refresh is logged', async () => {
    const timezone = 'America/Los_Angeles';
    const tenant = await createTenant(db.pool, { timezone });
    const [a, b] = [await createAgent(db.pool, tenant.id), await createAgent(db.pool, tenant.id)];
    const at = (daysAgo: number): Promise<Date> => localNoon(db.pool, timezone, daysAgo);
    const base = { userId: tenant.id, status: 'completed' as const, durationSeconds: 120 };
    const calls = await createCalls(db.pool, [
      { ...base, agentId: a.id, startedAt: await at(0) },
      { ...base, agentId: a.id, startedAt: await at(3) },
      { ...base, agentId: a.id, status: 'busy', durationSeconds: 0, startedAt: await at(10) },
      { ...base, agentId: b.id, startedAt: await at(5) },
      { ...base, agentId: b.id, startedAt: await at(29) },
      { ...base, agentId: b.id, startedAt: await at(30) },
      { ...base, agentId: a.id, startedAt: await at(45) },
    ]);
    // Agent b has the most qualified leads in 30 days (2 against 1); a has more successful calls.
    const ids = calls.map((call) => call.id);
    for (const [i, score] of [[0, 90], [3, 70], [4, 65], [6, 99]] as const) {
      await createAnalysis(db.pool, { userId: tenant.id, callId: ids[i] ?? '', totalScore: score });
    }
    const { rows: before } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from app_private.mv_refresh_log where view_name = 'user_kpi_summary'`,
    );
    await db.pool.query('select app_hidden.refresh_kpi_summary()');
    const { rows: after } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from app_private.mv_refresh_log where view_name = 'user_kpi_summary'`,
    );
    expect(after[0]?.n).toBe((before[0]?.n ?? 0) + 1);

    const { rows: live } = await db.pool.query<Record<string, string | null>>(
      `select sum(calls) filter (where day > app_hidden.tenant_today($2) - 30)::text as calls_30d,
              sum(calls)::text as calls_lifetime,
              sum(successful_calls) filter (where day > app_hidden.tenant_today($2) - 30)::text as successful_30d,
              sum(qualified_leads) filter (where day > app_hidden.tenant_today($2) - 30)::text as qualified_30d,
              sum(calls) filter (where day > app_hidden.tenant_today($2) - 7)::text as calls_7d
         from app_public.tenant_daily_stats where user_id = $1`,
      [tenant.id, timezone],
    );
    expect(live[0]).toEqual({ calls_30d: '5', calls_lifetime: '7', successful_30d: '4', qualified_30d: '3', calls_7d: '3' });
    const { rows: summary } = await db.pool.query<Record<string, string | null>>(
      `select calls_30d::text, calls_lifetime::text, successful_calls_30d::text as successful_30d,
              qualified_leads_30d::text as qualified_30d, calls_7d::text, best_agent_id::text,
              best_agent_qualified_leads_30d::text as best_qualified, success_rate_30d::text,
              total_agents::text, first_call_day::text, last_call_day::text
         from app_hidden.user_kpi_summary where user_id = $1`,
      [tenant.id],
    );
    const { rows: days } = await db.pool.query<{ first: string; last: string }>(
      `select (app_hidden.tenant_today($1) - 45)::text as first, app_hidden.tenant_today($1)::text as last`, [timezone],
    );
    expect(summary[0]).toEqual({
      calls_30d: '5', calls_lifetime: '7', successful_30d: '4', qualified_30d: '3', calls_7d: '3',
      best_agent_id: b.id, best_qualified: '2', success_rate_30d: '0.8000', total_agents: '2',
      first_call_day: days[0]?.first, last_call_day: days[0]?.last,
    });
  });

  it('agent_performance, period_analytics, call_source_analytics, agent_trends and agent_target_progress agree with the daily stats', async () => {
    const timezone = 'Europe/London';
    const tenant = await createTenant(db.pool, { timezone });
    const [a, b] = [await createAgent(db.pool, tenant.id), await createAgent(db.pool, tenant.id)];
    const at = (daysAgo: number): Promise<Date> => localNoon(db.pool, timezone, daysAgo);
    const ok = { userId: tenant.id, status: 'completed' as const, durationSeconds: 100 };
    const calls = await createCalls(db.pool, [
      { ...ok, agentId: a.id, startedAt: await at(0) },
      { ...ok, agentId: a.id, status: 'failed', durationSeconds: 0, callSource: 'internet', startedAt: await at(0) },
      { ...ok, agentId: a.id, startedAt: await at(2) },
      { ...ok, agentId: a.id, status: 'no_answer', durationSeconds: 0, callSource: 'unknown', startedAt: await at(9) },
      { ...ok, agentId: a.id, startedAt: await at(9) },
      { ...ok, agentId: b.id, startedAt: await at(1) },
      { ...ok, agentId: b.id, startedAt: await at(40) },
    ]);
    for (const [i, score] of [[0, 80], [2, 40], [5, 60], [6, 75]] as const) {
      await createAnalysis(db.pool, { userId: tenant.id, callId: calls[i]?.id ?? '', totalScore: score });
    }
    const { rows: todayRows } = await db.pool.query<{ today: string; month: string }>(
      `select app_hidden.tenant_today($1)::text as today,
              date_trunc('month', app_hidden.tenant_today($1))::date::text as month`,
      [timezone],
    );
    const today = todayRows[0]?.today ?? '';
    const monthStart = todayRows[0]?.month ?? '';

    // agent_performance: today and lifetime are fixed; this month is checked against the daily stats.
    const { rows: perf } = await db.pool.query<Record<string, string | null>>(
      `select agent_id::text, calls_today::text, successful_calls_today::text, qualified_leads_today::text,
              success_rate_today::text, calls_lifetime::text, leads_lifetime::text, qualified_leads_lifetime::text,
              success_rate_lifetime::text, conversion_rate_lifetime::text, average_duration_seconds_lifetime::text,
              calls_this_month::text
         from app_public.agent_performance where user_id = $1 order by agent_id = $2 desc`,
      [tenant.id, a.id],
    );
    const { rows: month } = await db.pool.query<{ agent_id: string; calls: string }>(
      `select agent_id::text, sum(calls)::text as calls from app_public.agent_daily_stats
        where user_id = $1 and day >= $2::date group by agent_id`,
      [tenant.id, monthStart],
    );
    const monthCalls = (agentId: string): string => month.find((r) => r.agent_id === agentId)?.calls ?? '0';
    expect(perf).toEqual([
      {
        agent_id: a.id, calls_today: '2', successful_calls_today: '1', qualified_leads_today: '1', success_rate_today: '0.5000',
        calls_lifetime: '5', leads_lifetime: '2', qualified_leads_lifetime: '1', success_rate_lifetime: '0.6000',
        conversion_rate_lifetime: '0.5000', average_duration_seconds_lifetime: '100.00', calls_this_month: monthCalls(a.id),
      },
      {
        agent_id: b.id, calls_today: '0', successful_calls_today: '0', qualified_leads_today: '0', success_rate_today: null,
        calls_lifetime: '2', leads_lifetime: '2', qualified_leads_lifetime: '2', success_rate_lifetime: '1.0000',
        conversion_rate_lifetime: '1.0000', average_duration_seconds_lifetime: '100.00', calls_this_month: monthCalls(b.id),
      },
    ]);

    // period_analytics: every week and month sums its days; the day periods equal the daily rows.
    const { rows: periods } = await db.pool.query<{ period_type: string; mismatches: number; periods: number }>(
      `with d as (select * from app_public.tenant_daily_stats where user_id = $1),
            expected as (
              select p.period_type, date_trunc(p.period_type, d.day)::date as period_start,
                     sum(d.calls)::bigint as calls, sum(d.successful_calls)::bigint as successful_calls,
                     sum(d.qualified_leads)::bigint as qualified_leads, sum(d.talk_seconds)::bigint as talk_seconds,
                     sum(d.credits_used)::bigint as credits_used
                from d cross join (values ('day'), ('week'), ('month')) p(period_type)
               group by 1, 2)
       select e.period_type, count(*)::int as periods,
              count(*) filter (where (e.calls, e.successful_calls, e.qualified_leads, e.talk_seconds, e.credits_used)
                                 is distinct from (p.calls, p.successful_calls, p.qualified_leads, p.talk_seconds, p.credits_used))::int
                as mismatches
         from expected e
         left join app_public.period_analytics p
           on p.user_id = $1 and p.period_type = e.period_type and p.period_start = e.period_start
        group by e.period_type order by e.period_type`,
      [tenant.id],
    );
    expect(periods.map((p) => [p.period_type, p.mismatches])).toEqual([['day', 0], ['month', 0], ['week', 0]]);
    expect(periods.find((p) => p.period_type === 'day')?.periods).toBe(5);
    const { rows: totals } = await db.pool.query<{ period_type: string; calls: string; rate: string | null }>(
      `select period_type, sum(calls)::text as calls,
              app_hidden.success_rate(sum(successful_calls)::bigint, sum(failed_calls)::bigint, sum(unanswered_calls)::bigint)::text as rate
         from app_public.period_analytics where user_id = $1 group by period_type order by period_type`,
      [tenant.id],
    );
    expect(totals).toEqual([
      { period_type: 'day', calls: '7', rate: '0.7143' },
      { period_type: 'month', calls: '7', rate: '0.7143' },
      { period_type: 'week', calls: '7', rate: '0.7143' },
    ]);

    // call_source_analytics: today had one phone and one internet call.
    const { rows: sources } = await db.pool.query<{ call_source: string; calls: string; share: string | null }>(
      `select call_source, calls::text, share_of_calls::text as share from app_public.call_source_analytics
        where user_id = $1 and day = $2::date order by call_source`,
      [tenant.id, today],
    );
    expect(sources).toEqual([
      { call_source: 'internet', calls: '1', share: '0.5000' },
      { call_source: 'phone', calls: '1', share: '0.5000' },
      { call_source: 'unknown', calls: '0', share: '0.0000' },
    ]);
    const { rows: sourceTotals } = await db.pool.query<{ calls: string }>(
      `select sum(calls)::text as calls from app_public.call_source_analytics where user_id = $1`, [tenant.id],
    );
    expect(sourceTotals[0]?.calls).toBe('7');

    // agent_trends: a has 3 calls in the last 7 days against 2 in the 7 before; b 1 against 0.
    const { rows: trends } = await db.pool.query<Record<string, string | null>>(
      `select agent_id::text, period_type, calls::text, calls_previous::text, calls_change::text,
              successful_calls::text, successful_calls_previous::text, qualified_leads::text,
              qualified_leads_previous::text, success_rate::text, performance_rank::text
         from app_public.agent_trends where user_id = $1 order by period_type, agent_id = $2 desc`,
      [tenant.id, a.id],
    );
    expect(trends).toEqual([
      {
        agent_id: a.id, period_type: '30d', calls: '5', calls_previous: '0', calls_change: null, successful_calls: '3',
        successful_calls_previous: '0', qualified_leads: '1', qualified_leads_previous: '0', success_rate: '0.6000',
        performance_rank: '1',
      },
      {
        agent_id: b.id, period_type: '30d', calls: '1', calls_previous: '1', calls_change: '0.0000', successful_calls: '1',
        successful_calls_previous: '1', qualified_leads: '1', qualified_leads_previous: '1', success_rate: '1.0000',
        performance_rank: '2',
      },
      {
        agent_id: a.id, period_type: '7d', calls: '3', calls_previous: '2', calls_change: '0.5000', successful_calls: '2',
        successful_calls_previous: '1', qualified_leads: '1', qualified_leads_previous: '0', success_rate: '0.6667',
        performance_rank: '1',
      },
      {
        agent_id: b.id, period_type: '7d', calls: '1', calls_previous: '0', calls_change: null, successful_calls: '1',
        successful_calls_previous: '0', qualified_leads: '1', qualified_leads_previous: '0', success_rate: '1.0000',
        performance_rank: '2',
      },
    ]);

    // agent_target_progress: a day target for today and a month target, against the daily stats.
    await db.pool.query(
      `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start, target_calls, target_successful_calls,
                                             target_leads, target_qualified_leads, target_success_rate, target_conversion_rate)
       values ($1, $2, 'day', $3::date, 4, 2, 1, 1, 0.5, 0.5),
              ($1, $2, 'month', $4::date, 10, 10, 4, 4, 0.9, 0.25)`,
      [tenant.id, a.id, today, monthStart],
    );
    const { rows: progress } = await db.pool.query<Record<string, string | null>>(
      `select period_type, actual_calls::text, calls_achievement::text, actual_successful_calls::text,
              actual_leads::text, leads_achievement::text, actual_qualified_leads::text, actual_success_rate::text,
              actual_conversion_rate::text
         from app_public.agent_target_progress where user_id = $1 order by period_type`,
      [tenant.id],
    );
    const { rows: monthActual } = await db.pool.query<Record<string, string | null>>(
      `select 'month' as period_type, coalesce(sum(calls), 0)::text as actual_calls,
              app_hidden.ratio(coalesce(sum(calls), 0), 10)::text as calls_achievement,
              coalesce(sum(successful_calls), 0)::text as actual_successful_calls,
              coalesce(sum(leads_generated), 0)::text as actual_leads,
              app_hidden.ratio(coalesce(sum(leads_generated), 0), 4)::text as leads_achievement,
              coalesce(sum(qualified_leads), 0)::text as actual_qualified_leads,
              app_hidden.success_rate(sum(successful_calls)::bigint, sum(failed_calls)::bigint, sum(unanswered_calls)::bigint)::text
                as actual_success_rate,
              app_hidden.conversion_rate(sum(qualified_leads)::bigint, sum(leads_generated)::bigint)::text as actual_conversion_rate
         from app_public.agent_daily_stats
        where user_id = $1 and agent_id = $2 and day >= $3::date and day < ($3::date + interval '1 month')`,
      [tenant.id, a.id, monthStart],
    );
    expect(progress).toEqual([
      {
        period_type: 'day', actual_calls: '2', calls_achievement: '0.5000', actual_successful_calls: '1', actual_leads: '1',
        leads_achievement: '1.0000', actual_qualified_leads: '1', actual_success_rate: '0.5000', actual_conversion_rate: '1.0000',
      },
      monthActual[0],
    ]);

    // The same figures after compaction.
    await compact();
    const { rows: again } = await db.pool.query<{ calls: string }>(
      `select sum(calls_lifetime)::text as calls from app_public.agent_performance where user_id = $1`, [tenant.id],
    );
    expect(again[0]?.calls).toBe('7');
    expect(await verify(tenant.id)).toEqual([]);
  });
});
