/**
 * The rollup rules for tenant-wide operations (time zone changes, retention, rebuilds): the live views
 * stay exact and verify_rollups finds no difference.
 * Each test uses its own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { createAgent, createAnalysis, createCall, createCalls, createRandom, type CallStatus } from '../../helpers/fixtures.ts';
import { verifyRollups } from '../../helpers/rollups.ts';
import { add, callMeasures, compact, db, everywhere, type Expected, expectExact, expectFigures, measureNames, type Measures, tenantWithAgent, useRollupDatabase, verify } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

describe('rollups: tenant-wide operations', () => {
  it('a time zone change re-buckets every call and verifies clean', async () => {
    const { tenant, agentId } = await tenantWithAgent('UTC');
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 45, startedAt: '2026-03-10T02:30:00Z' });
    await createCall(db.pool, { userId: tenant.id, agentId, status: 'failed', startedAt: '2026-03-10T15:00:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 61 });
    await compact();
    const early = {
      calls: 1, successful_calls: 1, talk_seconds: 45, call_seconds: 45, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1,
      leads_generated: 1, qualified_leads: 1, total_score_sum: 61, total_score_count: 1,
    };
    const late = { calls: 1, failed_calls: 1, outbound_calls: 1, phone_calls: 1 };
    await expectFigures(tenant.id, [
      { key: { view: 'tenant_hourly_stats', day: '2026-03-10', hour: 2 }, measures: early },
      { key: { view: 'tenant_hourly_stats', day: '2026-03-10', hour: 15 }, measures: late },
      { key: { view: 'tenant_daily_stats', day: '2026-03-10' }, measures: add(early, late) },
    ]);

    await db.pool.query(`update app_public.users set timezone = 'America/New_York' where id = $1`, [tenant.id]);
    await expectExact(tenant.id, [
      ...everywhere(agentId, '2026-03-09', 22, early),
      { key: { view: 'tenant_hourly_stats', day: '2026-03-10', hour: 11 }, measures: late },
      { key: { view: 'tenant_daily_stats', day: '2026-03-10' }, measures: late },
      { key: { view: 'agent_daily_stats', agentId, day: '2026-03-10' }, measures: late },
      { key: { view: 'tenant_hourly_stats', day: '2026-03-10', hour: 2 }, measures: {} },
    ]);

    // Later writes use the new zone.
    await createCall(db.pool, { userId: tenant.id, agentId, status: 'busy', startedAt: '2026-03-10T03:59:00Z' });
    await expectExact(tenant.id, [
      { key: { view: 'tenant_hourly_stats', day: '2026-03-09', hour: 23 }, measures: { calls: 1, unanswered_calls: 1, busy_calls: 1, outbound_calls: 1, phone_calls: 1 } },
    ]);
  });

  it('retention purge keeps the history in the rollups and verification clean', async () => {
    const { tenant, agentId } = await tenantWithAgent('Europe/Berlin');
    const base = { userId: tenant.id, agentId };
    const old = await createCalls(db.pool, [
      { ...base, status: 'completed', durationSeconds: 100, startedAt: '2025-01-15T10:00:00Z' },
      { ...base, status: 'busy', startedAt: '2025-01-15T10:30:00Z' },
      { ...base, status: 'failed', startedAt: '2025-02-01T23:30:00Z' },
    ]);
    const [analysed] = old;
    if (!analysed) throw new Error('no call');
    await createAnalysis(db.pool, { userId: tenant.id, callId: analysed.id, totalScore: 70, leadStatusTag: 'warm' });
    const recent = await createCall(db.pool, { ...base, status: 'completed', durationSeconds: 20, startedAt: '2025-07-01T10:00:00Z' });
    const jan = {
      calls: 2, successful_calls: 1, unanswered_calls: 1, busy_calls: 1, talk_seconds: 100, call_seconds: 100, billed_minutes: 2, credits_used: 2,
      outbound_calls: 2, phone_calls: 2, leads_generated: 1, qualified_leads: 1, warm_leads: 1, total_score_sum: 70, total_score_count: 1,
    };
    const expected: Expected[] = [
      ...everywhere(agentId, '2025-01-15', 11, jan),
      // 23:30Z on Feb 1 is 00:30 on Feb 2 in Berlin (CET).
      ...everywhere(agentId, '2025-02-02', 0, { calls: 1, failed_calls: 1, outbound_calls: 1, phone_calls: 1 }),
      ...everywhere(agentId, '2025-07-01', 12, callMeasures('completed', 20)),
    ];
    await expectFigures(tenant.id, expected);

    // Two batches: one before compaction (pending deltas), one after.
    const { rows: first } = await db.pool.query<{ n: number }>(
      `select app_hidden.purge_calls($1, '2025-06-01', 2) as n`, [tenant.id],
    );
    expect(first[0]?.n).toBe(2);
    await expectExact(tenant.id, expected);
    const { rows: second } = await db.pool.query<{ n: number }>(
      `select app_hidden.purge_calls($1, '2025-06-01', 2) as n`, [tenant.id],
    );
    expect(second[0]?.n).toBe(1);
    const { rows: left } = await db.pool.query<{ id: string }>('select id from app_public.calls where user_id = $1', [tenant.id]);
    expect(left.map((row) => row.id)).toEqual([recent.id]);
    const { rows: log } = await db.pool.query<{ n: number }>(
      `select sum(rows_purged)::int as n from app_private.retention_log where user_id = $1`, [tenant.id],
    );
    expect(log[0]?.n).toBe(3);
    await expectExact(tenant.id, expected);

    // Nothing older left: a further run purges nothing.
    const { rows: third } = await db.pool.query<{ n: number }>(`select app_hidden.purge_calls($1, '2025-06-01') as n`, [tenant.id]);
    expect(third[0]?.n).toBe(0);
    await expectExact(tenant.id, expected);
  });

  it('detects a corrupted rollup row, names exactly that measure and key, and rebuild repairs it', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const base = { userId: tenant.id, agentId };
    await createCalls(db.pool, [
      { ...base, status: 'completed', durationSeconds: 70, startedAt: '2026-05-13T10:00:00Z' },
      { ...base, status: 'busy', startedAt: '2026-05-13T11:00:00Z' },
    ]);
    await compact();
    const day = { calls: 2, successful_calls: 1, unanswered_calls: 1, busy_calls: 1, talk_seconds: 70, call_seconds: 70, billed_minutes: 2, credits_used: 2, outbound_calls: 2, phone_calls: 2 };
    const expected: Expected[] = [
      { key: { view: 'tenant_daily_stats', day: '2026-05-13' }, measures: day },
      { key: { view: 'agent_daily_stats', agentId, day: '2026-05-13' }, measures: day },
      { key: { view: 'tenant_hourly_stats', day: '2026-05-13', hour: 10 }, measures: callMeasures('completed', 70) },
    ];
    await expectFigures(tenant.id, expected);

    await db.pool.query(`update app_public.user_analytics set calls = calls + 5 where user_id = $1 and day = '2026-05-13'`, [tenant.id]);
    await db.pool.query(
      `update app_public.agent_analytics set talk_seconds = talk_seconds - 9 where user_id = $1 and day = '2026-05-13'`, [tenant.id],
    );
    await db.pool.query(
      `update app_public.user_hourly_analytics set qualified_leads = 3 where user_id = $1 and day = '2026-05-13' and hour = 10`, [tenant.id],
    );
    expect(await verify(tenant.id)).toEqual([
      { rollup: 'agent_day', agent_id: agentId, day: '2026-05-13', hour: null, measure: 'talk_seconds', expected: 70, actual: 61 },
      { rollup: 'user_day', agent_id: null, day: '2026-05-13', hour: null, measure: 'calls', expected: 2, actual: 7 },
      { rollup: 'user_hour', agent_id: null, day: '2026-05-13', hour: 10, measure: 'qualified_leads', expected: 0, actual: 3 },
    ]);
    // A day range that excludes the damage reports nothing.
    expect(await verifyRollups(db.pool, tenant.id, { from: '2026-05-14' })).toEqual([]);

    const { rows } = await db.pool.query<{ n: number }>('select app_hidden.rebuild_rollups($1) as n', [tenant.id]);
    expect(rows[0]?.n).toBe(3);
    await expectExact(tenant.id, expected);
  });

  it('hourly rollups and agent rollups add up to the daily rollup', async () => {
    const { tenant, agentId } = await tenantWithAgent('Asia/Kathmandu');
    const other = await createAgent(db.pool, tenant.id);
    const random = createRandom(7);
    const statuses: CallStatus[] = ['completed', 'completed', 'busy', 'failed', 'no_answer', 'canceled', 'in_progress'];
    const calls = await createCalls(
      db.pool,
      Array.from({ length: 60 }, () => ({
        userId: tenant.id,
        agentId: random.pick([agentId, other.id]),
        status: random.pick(statuses),
        durationSeconds: random.int(400),
        direction: random.pick(['inbound', 'outbound'] as const),
        callSource: random.pick(['phone', 'internet', 'unknown'] as const),
        startedAt: new Date(Date.UTC(2026, 4, 14) + random.int(3 * 86_400_000)),
      })),
    );
    for (const call of calls.filter((_, i) => i % 3 === 0)) {
      await createAnalysis(db.pool, {
        userId: tenant.id, callId: call.id, totalScore: random.int(101), intentScore: random.int(101),
        leadStatusTag: random.pick(['hot', 'warm', 'cold'] as const), ctaDemo: random.next() < 0.5,
      });
    }
    const sumsMatch = async (): Promise<void> => {
      const sums = measureNames.map((m) => `sum(${m})::bigint as ${m}`).join(', ');
      const { rows } = await db.pool.query<{ source: string; day: string; m: Record<string, unknown> }>(
        `select 'day' as source, day::text, to_jsonb(d) - 'user_id' - 'day' as m from app_public.tenant_daily_stats d where user_id = $1
         union all
         select 'hours', day::text, to_jsonb(h) from (select day, ${sums} from app_public.tenant_hourly_stats
                                               where user_id = $1 group by day) h
         union all
         select 'agents', day::text, to_jsonb(a) from (select day, ${sums} from app_public.agent_daily_stats
                                                where user_id = $1 group by day) a`,
        [tenant.id],
      );
      const bySource = (source: string): Record<string, Measures> =>
        Object.fromEntries(rows.filter((r) => r.source === source).map((r) => [
          r.day, Object.fromEntries(measureNames.map((m) => [m, Number(r.m[m])])),
        ]));
      const days = bySource('day');
      expect(Object.keys(days).length).toBeGreaterThanOrEqual(3);
      expect(Object.values(days).reduce((n, d) => n + (d.calls ?? 0), 0)).toBe(60);
      expect(bySource('hours')).toEqual(days);
      expect(bySource('agents')).toEqual(days);
    };
    await sumsMatch();
    expect(await verify(tenant.id)).toEqual([]);
    await compact();
    await sumsMatch();
    expect(await verify(tenant.id)).toEqual([]);
  });
});
