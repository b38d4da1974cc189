/**
 * The fourth rollup, agent x tenant-local day x hour (agent_hourly_analytics,
 * live view agent_hourly_stats; issue 15 item 4): inserts, a move to another
 * agent and hour, an analysis and a deletion move exactly the call's
 * contribution; verify_rollups sees a damaged row and rebuild_rollups repairs
 * it; the agent's hour matrix is an index-only scan of the rollup.
 */
import { describe, expect, it } from 'vitest';
import { inTransaction, withClient } from '../../helpers/db.ts';
import { createAgent, createAnalysis, createCalls, updateCall } from '../../helpers/fixtures.ts';
import { callMeasures, compact, db, expectExact, only, tenantWithAgent, useRollupDatabase, verify } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

describe('rollups: agent x hour', () => {
  it('inserts, a move to another agent and hour, an analysis and a deletion stay exact per agent and hour', async () => {
    const { tenant, agentId } = await tenantWithAgent('Asia/Kolkata');
    const other = (await createAgent(db.pool, tenant.id)).id;
    // 04:40 and 05:10 UTC are 10:10 and 10:40 in Kolkata: the same tenant-local hour
    const [a, b] = await createCalls(db.pool, [
      { userId: tenant.id, agentId, status: 'completed', durationSeconds: 90, startedAt: '2026-05-04T04:40:00Z' },
      { userId: tenant.id, agentId, status: 'busy', startedAt: '2026-05-04T05:10:00Z' },
    ]);
    if (!a || !b) throw new Error('calls not created');
    const hour = (agent: string, h: number) => ({ view: 'agent_hourly_stats' as const, agentId: agent, day: '2026-05-04', hour: h });
    await expectExact(tenant.id, [
      { key: hour(agentId, 10), measures: { ...callMeasures('completed', 90), calls: 2, unanswered_calls: 1, busy_calls: 1, billed_minutes: 2, outbound_calls: 2, phone_calls: 2 } },
      { key: hour(other, 10), measures: {} },
    ]);

    // b moves to the other agent and an hour later; a gets a hot analysis
    await updateCall(db.pool, b.id, { agentId: other, startedAt: '2026-05-04T06:10:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: a.id, totalScore: 80, leadStatusTag: 'hot' });
    const { rows } = await db.pool.query<{ m: Record<string, string> }>(
      `select to_jsonb(s) as m from app_public.agent_hourly_stats s where s.user_id = $1 and s.agent_id = $2 and s.hour = 10`,
      [tenant.id, agentId],
    );
    expect(Number(rows[0]?.m.leads_generated)).toBe(1);
    expect(Number(rows[0]?.m.hot_leads)).toBe(1);
    expect(await verify(tenant.id)).toEqual([]);
    await compact();
    await expectExact(tenant.id, [
      { key: hour(other, 11), measures: { ...callMeasures('busy', 0) } },
      { key: hour(agentId, 11), measures: {} },
    ]);

    await db.pool.query('delete from app_public.calls where id = $1', [b.id]);
    await expectExact(tenant.id, [{ key: hour(other, 11), measures: only({}) }]);
  });

  it('verify_rollups reports a damaged agent-hour row; rebuild_rollups repairs it', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    await createCalls(db.pool, [{ userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-05T09:00:00Z' }]);
    await compact();
    await db.pool.query(`update app_public.agent_hourly_analytics set calls = calls + 2 where user_id = $1`, [tenant.id]);
    expect(await verify(tenant.id)).toEqual([
      { rollup: 'agent_hour', agent_id: agentId, day: '2026-05-05', hour: 9, measure: 'calls', expected: 1, actual: 3 },
    ]);
    await db.pool.query('select app_hidden.rebuild_rollups($1)', [tenant.id]);
    expect(await verify(tenant.id)).toEqual([]);
  });

  it('the agent\'s hour matrix reads the rollup from its primary key only (index-only scan)', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    await createCalls(db.pool, [{ userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-06T09:00:00Z' }]);
    await compact();
    await db.pool.query('vacuum (analyze) app_public.agent_hourly_analytics');
    // (a one-page table is read whole: as on a big one, the planner is told to avoid that)
    const rows = await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await client.query('set local enable_seqscan = off');
        return (await client.query<{ 'QUERY PLAN': string }>(
          `explain select * from app_hidden.hour_cells('${tenant.id}', '2026-05-01', '2026-05-31', '${agentId}')`,
        )).rows;
      }),
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('Index Only Scan using agent_hourly_analytics_pkey');
    expect(plan).not.toMatch(/Seq Scan on agent_hourly_analytics|[^y] Scan using agent_hourly_analytics/);
    // the tenant-wide branch is pruned
    expect(plan).not.toContain('user_hourly_analytics');
  });
});
