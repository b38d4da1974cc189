/**
 * The hourly rollups' indexes under compaction (issue 18, item 6): the tenant's hour matrix is an
 * index-only scan of user_hourly_analytics' primary key (which INCLUDEs the six measures it reads),
 * and compacting into the same hourly rows over and over does not grow any index of the two hourly
 * rollups: every update adds an index entry (an INCLUDEd measure changes, so it is not HOT), and the
 * upsert's uniqueness check marks the key's older, dead entries, which a full page drops instead of
 * splitting. (The covering index of migration 000021 was never looked up by its key, so its dead
 * entries stayed until VACUUM and it grew by one entry per compaction.)
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

  it('compacting into the same hourly rows 300 times leaves every index of the hourly rollups at one leaf page', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    for (let round = 0; round < 300; round += 1) {
      await createCalls(db.pool, [
        { userId: tenant.id, agentId, status: 'completed', durationSeconds: 30 + round, startedAt: '2026-05-06T09:15:00Z' },
      ]);
      await compact();
    }
    const { rows } = await db.pool.query<{ calls: string; versions: string }>(
      `select calls::text, (select n_tup_upd from pg_stat_user_tables where relid = 'app_public.user_hourly_analytics'::regclass)::text as versions
         from app_public.user_hourly_analytics where user_id = $1`,
      [tenant.id],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.calls)).toBe(300);
    // a btree of one leaf page: the metapage and that page
    for (const table of ['user_hourly_analytics', 'agent_hourly_analytics']) {
      const pages = await indexPages(table);
      expect(Object.keys(pages).length).toBeGreaterThan(0);
      for (const [name, count] of Object.entries(pages)) expect({ name, pages: count }).toEqual({ name, pages: 2 });
    }
    expect(await verify(tenant.id)).toEqual([]);
  });
});
