/**
 * The hourly rollups' indexes under compaction (issue 18, item 6): the tenant's hour matrix is an
 * index-only scan of user_hourly_analytics' primary key (which INCLUDEs the six measures it reads),
 * and compacting into the same hourly rows over and over keeps the hourly rollups' indexes near the
 * size of their live entries: every update adds an index entry (an INCLUDEd measure changes, so it is
 * not HOT), and the upsert's uniqueness check marks the key's older, dead entries, which a full page
 * drops instead of splitting. (The separate covering index of migration 000021 was never looked up
 * by its key, so its dead entries stayed until VACUUM and its pages split under them.)
 */
import { describe, expect, it } from 'vitest';
import { inTransaction, withClient } from '../../helpers/db.ts';
import { createCalls } from '../../helpers/fixtures.ts';
import { compact, db, tenantWithAgent, useRollupDatabase, verify } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

async function indexPages(table: string): Promise<Record<string, number>> {
  const { rows } = await db.pool.query<{ name: string; pages: number }>(
    `select c.relname as name, (pg_relation_size(i.indexrelid) / current_setting('block_size')::int)::int as pages
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = $1::regclass order by 1`,
    [`app_public.${table}`],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.pages]));
}

describe('rollups: the hourly rollups\' indexes', () => {
  it('the tenant\'s hour matrix reads user_hourly_analytics from its primary key only (index-only scan)', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    await createCalls(db.pool, [{ userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-06T09:00:00Z' }]);
    await compact();
    await db.pool.query('vacuum (analyze) app_public.user_hourly_analytics');
    const rows = await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        // (a one-page table is read whole: as on a big one, the planner is told to avoid that)
        await client.query('set local enable_seqscan = off');
        return (await client.query<{ 'QUERY PLAN': string }>(
          `explain select * from app_hidden.hour_cells('${tenant.id}', '2026-05-01', '2026-05-31')`,
        )).rows;
      }),
    );
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    expect(plan).toContain('Index Only Scan using user_hourly_analytics_pkey');
    expect(plan).not.toMatch(/Seq Scan on user_hourly_analytics|[^y] Scan using user_hourly_analytics/);
    expect(plan).not.toContain('agent_hourly_analytics');
  });

  it('400 compaction rounds that update 300 hourly rows of three tenants leave their indexes near their live size', async () => {
    const tenants = [await tenantWithAgent(), await tenantWithAgent(), await tenantWithAgent()];
    // 100 tenant-local hours one after the other, each compacted four times while it is current (a call each time)
    for (let round = 0; round < 400; round += 1) {
      const slot = Math.floor(round / 4);
      const startedAt = `2026-05-${String(1 + Math.floor(slot / 24)).padStart(2, '0')}T${String(slot % 24).padStart(2, '0')}:15:00Z`;
      await createCalls(db.pool, tenants.map(({ tenant, agentId }) => (
        { userId: tenant.id, agentId, status: 'completed' as const, durationSeconds: 30 + round, startedAt })));
      await compact();
    }
    const { rows } = await db.pool.query<{ n: string }>(
      'select count(*)::text as n from app_public.user_hourly_analytics where user_id = any ($1)',
      [tenants.map(({ tenant }) => tenant.id)],
    );
    expect(Number(rows[0]?.n)).toBe(300);
    // 300 entries of ~100 bytes fill 4 leaf pages; with the metapage and the root, 6 (7-8 seen alone, up to 14
    // with other test files running beside this one: a dead entry is only dropped once no snapshot can see it,
    // which depends on timing). The covering index of migration 000021 and the primary key beside it took
    // 20-27 pages in all when alone (no VACUUM in between; more under load), so 19 still tells the designs apart.
    const user = await indexPages('user_hourly_analytics');
    expect(Object.values(user).reduce((sum, pages) => sum + pages, 0), JSON.stringify(user)).toBeLessThanOrEqual(19);
    expect(Object.keys(user)).toEqual(['user_hourly_analytics_pkey']);
    // (its entries are 16 bytes longer: 5 leaf pages, 8-11 seen alone)
    const agent = await indexPages('agent_hourly_analytics');
    expect(agent.agent_hourly_analytics_pkey, JSON.stringify(agent)).toBeLessThanOrEqual(20);
    for (const { tenant } of tenants) expect(await verify(tenant.id)).toEqual([]);
  });
});
