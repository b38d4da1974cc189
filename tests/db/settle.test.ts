/**
 * app_hidden.settle(): the settle sequence once (contacts, compaction, ledger,
 * KPI view), used by the seed, the scale load and the test helpers in place
 * of their own copies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createCalls, createTenant, phoneNumber } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface Pending {
  deltas: number;
  counters: number;
  charges: number;
  refreshes: number;
}

async function pending(): Promise<Pending> {
  const { rows } = await db.pool.query<Pending>(
    `select (select count(*) from app_hidden.rollup_deltas)::int as deltas,
            (select count(*) from app_hidden.contact_count_deltas)::int as counters,
            (select count(*) from app_hidden.credit_charges)::int as charges,
            (select count(*) from app_private.mv_refresh_log where view_name = 'user_kpi_summary')::int as refreshes`,
  );
  if (!rows[0]) throw new Error('no row');
  return rows[0];
}

describe('app_hidden.settle()', () => {
  it('syncs contacts, compacts every delta, posts the ledger and refreshes the KPI view, in one call', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    const number = phoneNumber(4242);
    await createCalls(db.pool, [
      { userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 125, phoneNumber: number },
      { userId: tenant.id, agentId: agent.id, status: 'no_answer', phoneNumber: number },
      { userId: tenant.id, agentId: agent.id, status: 'failed', phoneNumber: phoneNumber(4243) },
    ]);
    const before = await pending();
    expect(before).toMatchObject({ counters: 2, charges: 1 });
    expect(before.deltas).toBeGreaterThan(0);

    const { rows } = await db.pool.query<{ contacts_linked: number; compacted: number; posted: number; refresh_ms: string | null }>(
      'select contacts_linked, compacted, posted, refresh_ms::text from app_hidden.settle()',
    );
    expect(rows).toEqual([{ contacts_linked: 0, compacted: before.deltas, posted: 1, refresh_ms: expect.any(String) }]);
    expect(await pending()).toEqual({ deltas: 0, counters: 0, charges: 0, refreshes: before.refreshes + 1 });

    const { rows: state } = await db.pool.query<{ not_connected: number[]; calls_30d: string; credits: number; balance: number }>(
      `select array(select not_connected from app_public.contacts where user_id = $1 order by phone_number) as not_connected,
              (select calls_30d::text from app_hidden.user_kpi_summary where user_id = $1) as calls_30d,
              (select sum(credits_used)::int from app_public.user_analytics where user_id = $1) as credits,
              (select count(*)::int from app_public.credit_transactions where user_id = $1) as balance`,
      [tenant.id],
    );
    expect(state).toEqual([{ not_connected: [1, 1], calls_30d: '3', credits: 3, balance: 1 }]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);

    // Nothing left: a second run does nothing but refresh.
    const { rows: again } = await db.pool.query('select contacts_linked, compacted, posted from app_hidden.settle()');
    expect(again).toEqual([{ contacts_linked: 0, compacted: 0, posted: 0 }]);
  });

  it('runs a part on request (in the same order), and refuses an unknown step', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    await createCalls(db.pool, [{ userId: tenant.id, agentId: agent.id, status: 'completed', durationSeconds: 61 }]);
    const { rows } = await db.pool.query<{ compacted: number; posted: number; compact_ms: string | null; post_ms: string | null }>(
      `select compacted, posted, compact_ms::text, post_ms::text from app_hidden.settle('{post}')`,
    );
    expect(rows).toEqual([{ compacted: 0, posted: 1, compact_ms: null, post_ms: expect.any(String) }]);
    expect(await pending()).toMatchObject({ charges: 0 });
    expect((await pending()).deltas).toBeGreaterThan(0);
    await db.pool.query(`select app_hidden.settle('{refresh,compact}')`);
    expect(await pending()).toMatchObject({ deltas: 0 });
    await expect(db.pool.query(`select app_hidden.settle('{compact,vacuum}')`)).rejects.toMatchObject({ code: '22023' });
  });
});
