/**
 * The rollup rules for deletions: deleting calls, agents and tenants takes exactly their contribution
 * out of the rollups.
 * Each test uses its own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { syncContacts } from '../../helpers/contacts.ts';
import { asTenant, inTransaction, withClient } from '../../helpers/db.ts';
import { createAgent, createAnalysis, createCall, updateCall } from '../../helpers/fixtures.ts';
import { compactRollups } from '../../helpers/rollups.ts';
import { add, callMeasures, compact, db, everywhere, expectExact, pendingDeltas, tenantWithAgent, useRollupDatabase, verify } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

describe('rollups: deleting agents and tenants', () => {
  /** Everything of the tenant that a refused agent deletion must leave exactly as it was. */
  async function tenantState(userId: string): Promise<unknown> {
    const { rows } = await db.pool.query<{ state: unknown }>(
      `select json_build_object(
         'agents', (select json_agg(g.id order by g.id) from app_public.agents g where g.user_id = $1),
         'targets', (select json_agg(t.id order by t.id) from app_public.agent_targets t where t.user_id = $1),
         'calls', (select json_agg(c.id order by c.id) from app_public.calls c where c.user_id = $1),
         'agent_analytics', (select json_agg(a order by a.agent_id, a.day) from app_public.agent_analytics a where a.user_id = $1),
         'deltas', (select md5(string_agg(d::text, '|' order by d::text)) from app_hidden.rollup_deltas d where d.user_id = $1),
         'purged', (select md5(string_agg(p::text, '|' order by p::text)) from app_hidden.purged_rollups p where p.user_id = $1),
         'agent_daily_stats', (select json_agg(s order by s.agent_id, s.day) from app_public.agent_daily_stats s where s.user_id = $1)
       ) as state`,
      [userId],
    );
    return rows[0]?.state;
  }

  async function addTarget(userId: string, agentId: string): Promise<void> {
    await db.pool.query(
      `insert into app_public.agent_targets (user_id, agent_id, period_type, period_start, target_calls)
       values ($1, $2, 'month', '2026-05-01', 10)`,
      [userId, agentId],
    );
  }

  it('an agent with call history cannot be deleted (SB002): calls pending, compacted or purged', async () => {
    const { tenant, agentId: pending } = await tenantWithAgent('Europe/Paris');
    const compacted = (await createAgent(db.pool, tenant.id)).id;
    const purged = (await createAgent(db.pool, tenant.id)).id;
    for (const agentId of [pending, compacted, purged]) await addTarget(tenant.id, agentId);
    const old = await createCall(db.pool, {
      userId: tenant.id, agentId: purged, status: 'completed', durationSeconds: 50, startedAt: '2025-01-10T10:00:00Z',
    });
    await createAnalysis(db.pool, { userId: tenant.id, callId: old.id, totalScore: 75 });
    await createCall(db.pool, { userId: tenant.id, agentId: compacted, status: 'busy', startedAt: '2026-05-22T10:00:00Z' });
    await compact();
    // The purged agent has no call left (so no foreign key protects it): its history is in the rollups and purged_rollups.
    const { rows: purgedCalls } = await db.pool.query<{ n: number }>(`select app_hidden.purge_calls($1, '2025-06-01') as n`, [tenant.id]);
    expect(purgedCalls[0]?.n).toBe(1);
    await createCall(db.pool, { userId: tenant.id, agentId: pending, status: 'failed', startedAt: '2026-05-22T11:00:00Z' });
    expect(await verify(tenant.id)).toEqual([]);

    const refused = { code: 'SB002', message: expect.stringMatching(/has call history; deactivate it/) };
    const before = await tenantState(tenant.id);
    for (const agentId of [pending, compacted, purged]) {
      await expect(db.pool.query('delete from app_public.agents where id = $1', [agentId]), agentId).rejects.toMatchObject(refused);
      expect(await tenantState(tenant.id)).toEqual(before);
    }
    // The tenant's own request (app_user may delete its agents) is refused the same way.
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, tenant.id);
        await expect(client.query('delete from app_public.agents where id = $1', [purged])).rejects.toMatchObject(refused);
      }),
    );
    expect(await tenantState(tenant.id)).toEqual(before);
    await expectExact(tenant.id, [
      { key: { view: 'agent_daily_stats', agentId: purged, day: '2025-01-10' }, measures: {
        calls: 1, successful_calls: 1, talk_seconds: 50, call_seconds: 50, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1,
        leads_generated: 1, qualified_leads: 1, total_score_sum: 75, total_score_count: 1,
      } },
      { key: { view: 'agent_daily_stats', agentId: compacted, day: '2026-05-22' }, measures: callMeasures('busy', 0) },
      { key: { view: 'agent_daily_stats', agentId: pending, day: '2026-05-22' }, measures: callMeasures('failed', 0) },
    ]);
  });

  it.each(['compacted before the move', 'still pending'] as const)(
    'an agent whose calls all moved to another agent can be deleted, and compaction drops its deltas (%s)',
    async (when) => {
      const { tenant, agentId } = await tenantWithAgent('America/Chicago');
      const other = await createAgent(db.pool, tenant.id);
      await addTarget(tenant.id, agentId);
      const call = await createCall(db.pool, {
        userId: tenant.id, agentId, status: 'completed', durationSeconds: 70, startedAt: '2026-05-20T15:00:00Z',
      });
      await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 40, leadStatusTag: 'cold' });
      if (when === 'compacted before the move') await compact();
      await updateCall(db.pool, call.id, { agentId: other.id });
      await db.pool.query('delete from app_public.agents where id = $1', [agentId]);

      const { rows: left } = await db.pool.query<{ agents: number; targets: number; deltas: number }>(
        `select (select count(*)::int from app_public.agents where id = $1) as agents,
                (select count(*)::int from app_public.agent_targets where agent_id = $1) as targets,
                (select count(*)::int from app_hidden.rollup_deltas where agent_id = $1) as deltas`,
        [agentId],
      );
      expect(left[0]).toMatchObject({ agents: 0, targets: 0 });
      expect(left[0]?.deltas).toBeGreaterThan(0);
      expect(await compactRollups(db.pool)).toBeGreaterThan(0);
      const { rows: gone } = await db.pool.query<{ n: number }>(
        `select (select count(*)::int from app_hidden.rollup_deltas where agent_id = $1)
              + (select count(*)::int from app_public.agent_analytics where agent_id = $1) as n`,
        [agentId],
      );
      expect(gone[0]?.n).toBe(0);
      const measures = {
        ...callMeasures('completed', 70), leads_generated: 1, cold_leads: 1, total_score_sum: 40, total_score_count: 1,
      };
      await expectExact(tenant.id, [
        ...everywhere(other.id, '2026-05-20', 10, measures),
        { key: { view: 'agent_daily_stats', agentId, day: '2026-05-20' }, measures: {} },
      ]);
    },
  );

  // Bug report: deleting a tenant with calls fails (null day in rollup_deltas), and its pending deltas would block compaction.
  // Its call charges not yet moved into the ledger must not block posting either.
  it('deleting a tenant with calls removes all of its rows; compaction and the contacts job keep working', async () => {
    const { tenant, agentId } = await tenantWithAgent('Europe/Paris');
    const kept = await tenantWithAgent('Asia/Tokyo');
    const base = { userId: tenant.id, agentId, phoneNumber: '+15550002222' };
    const first = await createCall(db.pool, { ...base, status: 'completed', durationSeconds: 30, startedAt: '2026-05-21T10:00:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: first.id, totalScore: 90 });
    await createCall(db.pool, { ...base, status: 'failed', startedAt: '2025-01-21T10:00:00Z' });
    await db.pool.query(`select app_hidden.purge_calls($1, '2025-06-01')`, [tenant.id]);
    await addTarget(tenant.id, agentId);
    await db.pool.query(`insert into app_public.customers (user_id, name) values ($1, 'Customer')`, [tenant.id]);
    await createCall(db.pool, { userId: kept.tenant.id, agentId: kept.agentId, status: 'busy', startedAt: '2026-05-21T01:00:00Z' });
    await compact();
    // Pending work of both tenants when the tenant goes: rollup deltas and a not_connected change.
    await createCall(db.pool, { ...base, status: 'busy', startedAt: '2026-05-21T11:00:00Z' });
    await createCall(db.pool, {
      userId: kept.tenant.id, agentId: kept.agentId, status: 'completed', durationSeconds: 20, startedAt: '2026-05-21T02:00:00Z',
    });
    expect(await pendingDeltas(tenant.id)).toBeGreaterThan(0);
    const charges = async (userId: string): Promise<number> => {
      const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from app_hidden.credit_charges where user_id = $1', [userId]);
      return rows[0]?.n ?? 0;
    };
    expect(await charges(tenant.id)).toBeGreaterThan(0);
    expect(await charges(kept.tenant.id)).toBeGreaterThan(0);

    await db.pool.query('delete from app_public.users where id = $1', [tenant.id]);
    await compact();
    await syncContacts(db.pool);
    await db.pool.query('select app_hidden.post_credit_transactions()');

    // No table keeps a row of the deleted tenant (retention_log is the record of what was deleted, on purpose).
    const { rows: tables } = await db.pool.query<{ name: string }>(
      `select c.oid::regclass::text as name
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attname = 'user_id' and not a.attisdropped
        where c.relkind in ('r', 'p') and n.nspname in ('app_public', 'app_hidden', 'app_private')
          and c.oid <> 'app_private.retention_log'::regclass
        order by 1`,
    );
    expect(tables.length).toBeGreaterThan(15);
    const { rows: leftovers } = await db.pool.query<{ name: string; n: number }>(
      tables.map((t) => `select '${t.name}' as name, count(*)::int as n from ${t.name} where user_id = $1`).join(' union all '),
      [tenant.id],
    );
    expect(leftovers.filter((row) => row.n > 0)).toEqual([]);
    const { rows: deltas } = await db.pool.query<{ n: number }>('select count(*)::int as n from app_hidden.contact_count_deltas');
    expect(deltas[0]?.n).toBe(0);

    // The other tenant is untouched and exact, and its charge was posted.
    expect(await verify(kept.tenant.id)).toEqual([]);
    const { rows: ledger } = await db.pool.query<{ type: string; amount: number; call_id: string | null; credits: number; pending: number }>(
      `select t.type, t.amount, t.call_id, u.credits,
              (select count(*)::int from app_hidden.credit_charges x where x.user_id = u.id)
                + (select count(*)::int from app_public.credit_transactions p where p.user_id = u.id and p.posted_at is null) as pending
         from app_public.credit_transactions t join app_public.users u on u.id = t.user_id
        where t.user_id = $1`,
      [kept.tenant.id],
    );
    const [billed] = (await db.pool.query<{ id: string; credits_used: number }>(
      `select id, credits_used from app_public.calls where user_id = $1 and credits_used > 0`, [kept.tenant.id],
    )).rows;
    expect(billed?.credits_used).toBeGreaterThan(0);
    expect(ledger).toEqual([
      { type: 'usage', amount: -(billed?.credits_used ?? 0), call_id: billed?.id, credits: -(billed?.credits_used ?? 0), pending: 0 },
    ]);
    const day = add(callMeasures('busy', 0), callMeasures('completed', 20));
    await expectExact(kept.tenant.id, [
      { key: { view: 'tenant_hourly_stats', day: '2026-05-21', hour: 10 }, measures: callMeasures('busy', 0) },
      { key: { view: 'tenant_hourly_stats', day: '2026-05-21', hour: 11 }, measures: callMeasures('completed', 20) },
      { key: { view: 'tenant_daily_stats', day: '2026-05-21' }, measures: day },
      { key: { view: 'agent_daily_stats', agentId: kept.agentId, day: '2026-05-21' }, measures: day },
    ]);
  });
});
