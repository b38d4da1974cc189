/**
 * Generated SQL from one place: app_private.generate_rollup_code() builds every
 * object whose body follows the measure list (app_private.rollup_measures).
 *
 * 1. Coverage, read from the catalog: every rollup-shaped table and live view
 *    has exactly the template's measures, every generated function body names
 *    each of them. The check is shown to fail when the template gains a
 *    measure that is not generated yet, or when one generated object is left on
 *    the old list.
 * 2. The "Adding a KPI" recipe of sql/README.md, step by step in this file's
 *    own database: a new measure is populated by new and old calls, through
 *    the triggers, compaction, the KPI readers and retention, and
 *    verify_rollups stays exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createCalls, createTenant, updateCall, type Queryable } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** Rollup-shaped tables and views, with their columns that are not measures. */
const SHAPED: Record<string, readonly string[]> = {
  'app_hidden.rollup_deltas': ['user_id', 'agent_id', 'day', 'hour', 'target'],
  'app_hidden.purged_rollups': ['user_id', 'agent_id', 'day', 'hour', 'target', 'purged_at'],
  'app_public.agent_analytics': ['user_id', 'agent_id', 'day', 'updated_at'],
  'app_public.user_analytics': ['user_id', 'day', 'updated_at'],
  'app_public.user_hourly_analytics': ['user_id', 'day', 'hour', 'updated_at'],
  'app_public.agent_hourly_analytics': ['user_id', 'agent_id', 'day', 'hour', 'updated_at'],
  'app_hidden.measures': [],
  'app_public.agent_daily_stats': ['user_id', 'agent_id', 'day'],
  'app_public.tenant_daily_stats': ['user_id', 'day'],
  'app_public.tenant_hourly_stats': ['user_id', 'day', 'hour'],
  'app_public.agent_hourly_stats': ['user_id', 'agent_id', 'day', 'hour'],
};

/** Generated functions whose body lists every measure. */
const GENERATED_FUNCTIONS = [
  'app_hidden.compact_rollups(integer)',
  'app_hidden.rollup_measures_diff(app_private.rollup_measures, app_private.rollup_measures)',
  'app_hidden.rollup_comparison(uuid, date, date)',
  'app_hidden.measures_by_bucket(uuid, date, date, uuid, text)',
  'app_hidden.agent_day_measures(uuid, date, date)',
  'app_hidden.sum_measures(app_hidden.measures[])',
  'app_hidden.sum_deltas(app_hidden.rollup_deltas[])',
  'app_hidden.agent_measures(uuid, date, date)',
  'app_hidden.purge_calls(uuid, timestamptz, integer)',
];

async function measureList(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `select attname as name from pg_attribute
      where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  return rows.map((row) => row.name);
}

/** Every way a generated object differs from the measure list, as "object: problem"; [] when all cover it exactly. */
async function coverageGaps(db: Queryable): Promise<string[]> {
  const measures = await measureList(db);
  const gaps: string[] = [];
  for (const [relation, keys] of Object.entries(SHAPED)) {
    const { rows } = await db.query<{ name: string }>(
      `select attname as name from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped order by attnum`,
      [relation],
    );
    const columns = rows.map((row) => row.name).filter((name) => !keys.includes(name));
    for (const m of measures) if (!columns.includes(m)) gaps.push(`${relation}: lacks ${m}`);
    for (const c of columns) if (!measures.includes(c)) gaps.push(`${relation}: ${c} is not a measure`);
    // The copies' measures in the template's order: positional copies (call_contribution -> rollup_deltas) rely on it.
    if (columns.join() !== measures.filter((m) => columns.includes(m)).join()) gaps.push(`${relation}: measures out of order`);
  }
  for (const fn of GENERATED_FUNCTIONS) {
    const { rows } = await db.query<{ body: string }>('select prosrc as body from pg_proc where oid = $1::regprocedure', [fn]);
    const body = rows[0]?.body ?? '';
    for (const m of measures) if (!new RegExp(`(?<![A-Za-z0-9_])${m}(?![A-Za-z0-9_])`).test(body)) gaps.push(`${fn}: lacks ${m}`);
  }
  // zero_measures names no column: one zero per measure.
  const { rows: zero } = await db.query<{ body: string }>(`select prosrc as body from pg_proc where oid = 'app_hidden.zero_measures()'::regprocedure`);
  const zeros = /row\(([^)]*)\)/.exec(zero[0]?.body ?? '')?.[1]?.split(',').length ?? 0;
  if (zeros !== measures.length) gaps.push(`app_hidden.zero_measures(): ${zeros} values for ${measures.length} measures`);
  return gaps;
}

describe('one generator for the measure-list SQL', () => {
  it('every generated object covers exactly the measures of app_private.rollup_measures', async () => {
    expect((await measureList(db.pool)).length).toBe(66);
    expect(await coverageGaps(db.pool)).toEqual([]);
  });

  it('the check fails for a measure not generated yet, and for one object left on the old list', async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        const { rows } = await client.query<{ def: string }>(
          `select pg_get_functiondef('app_hidden.agent_measures(uuid, date, date)'::regprocedure) as def`,
        );
        const oldAgentMeasures = rows[0]?.def ?? '';
        await client.query('alter table app_private.rollup_measures add column probe_calls bigint not null default 0');
        const before = await coverageGaps(client);
        // every rollup-shaped table and view, every generated function
        expect(before).toHaveLength(Object.keys(SHAPED).length + GENERATED_FUNCTIONS.length + 1);
        expect(before).toContain('app_hidden.measures: lacks probe_calls');
        expect(before).toContain('app_hidden.agent_measures(uuid, date, date): lacks probe_calls');

        await client.query('call app_private.generate_rollup_code()');
        expect(await coverageGaps(client)).toEqual([]);

        // One object on the old column list (as the DO blocks of 000004/000005 left them): caught. (Body
        // checks off: PostgreSQL itself refuses this one's row cast, but not, say, a plpgsql body's.)
        await client.query('set local check_function_bodies = off');
        await client.query(oldAgentMeasures);
        expect(await coverageGaps(client)).toEqual(['app_hidden.agent_measures(uuid, date, date): lacks probe_calls']);
      }),
    );
  });
});

describe('sql/README.md "Adding a KPI", step by step', () => {
  it('a new measure (successful calls of 5 minutes or more) is exact from old and new calls, through every reader', async () => {
    const tenant = await createTenant(db.pool, { timezone: 'Asia/Kolkata' });
    const agent = await createAgent(db.pool, tenant.id);
    const day = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString();
    const call = (durationSeconds: number, daysAgo: number, status: 'completed' | 'failed' = 'completed') => ({
      userId: tenant.id, agentId: agent.id, status, durationSeconds, startedAt: day(daysAgo),
    });
    // History from before the KPI existed: two long calls, one short, one failed.
    await createCalls(db.pool, [call(420, 40), call(300, 3), call(60, 3), call(0, 2, 'failed')]);
    await db.pool.query('select app_hidden.settle()');

    // The migration of the recipe, in one transaction.
    await withClient(db.pool, (client) =>
      inTransaction(
        client,
        async () => {
          // 1. the measure, in the template
          await client.query('alter table app_private.rollup_measures add column long_calls bigint not null default 0');
          // 2. the generator: the copies get the column, the generated code the measure
          await client.query('call app_private.generate_rollup_code()');
          // 3. what one call contributes: a line at the end of call_contribution's select list
          const { rows } = await client.query<{ def: string }>(
            `select pg_get_functiondef('app_hidden.call_contribution(app_public.calls, app_public.lead_analytics, text, bigint, boolean)'::regprocedure) as def`,
          );
          const def = rows[0]?.def ?? '';
          // the comma goes after the last expression, before its trailing "-- measure" comment if it has one
          const withLine = def.replace(
            /([^\n]*?)(\s*--[^\n]*)?\n(\s*where c\.id is not null)/,
            `$1,$2\n    case when with_call and c.outcome = 'successful' and c.duration_seconds >= 300 then s else 0 end -- long_calls\n$3`,
          );
          expect(withLine).not.toBe(def);
          await client.query(withLine);
          // 4. history: the existing calls' part of the new measure, as correction deltas
          await client.query('select app_hidden.rebuild_rollups(u.id) from app_public.users u');
        },
        { commit: true },
      ),
    );
    expect(await coverageGaps(db.pool)).toEqual([]);

    // New calls, a correction, a deletion: the triggers write the new measure.
    const [, , shortOne] = await createCalls(db.pool, [call(900, 1), call(30, 1), call(100, 0)]);
    if (!shortOne) throw new Error('no call');
    await updateCall(db.pool, shortOne.id, { durationSeconds: 360 });
    await db.pool.query(
      `delete from app_public.calls where id = (select id from app_public.calls where user_id = $1 and duration_seconds = 300)`,
      [tenant.id],
    );
    await db.pool.query('select app_hidden.settle()');
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);

    // 420 (40 days ago), 900 and 360: three long calls; 300 was deleted.
    const { rows: figures } = await db.pool.query<{
      daily: string; range: string; agent: string; hourly: string; agentHourly: string; pending: string;
    }>(
      `select (select sum(long_calls) from app_public.tenant_daily_stats where user_id = $1)::text as daily,
              (select sum(long_calls) from app_public.tenant_hourly_stats where user_id = $1)::text as hourly,
              (select sum(long_calls) from app_public.agent_hourly_stats where user_id = $1)::text as "agentHourly",
              (app_hidden.range_measures($1, current_date - 60, current_date + 1, null)).long_calls::text as range,
              (select (m.measures).long_calls from app_hidden.agent_measures($1, current_date - 60, current_date + 1) m)::text as agent,
              (select count(*) from app_hidden.rollup_deltas where user_id = $1)::text as pending`,
      [tenant.id],
    );
    expect(figures).toEqual([{ daily: '3', hourly: '3', range: '3', agent: '3', agentHourly: '3', pending: '0' }]);

    // Retention keeps the new measure of what it purges.
    await db.pool.query(`select app_hidden.purge_calls($1, now() - interval '10 days')`, [tenant.id]);
    const { rows: purged } = await db.pool.query<{ long_calls: string; calls: string }>(
      'select sum(long_calls)::text as long_calls, sum(calls)::text as calls from app_hidden.purged_rollups where user_id = $1 and target is null',
      [tenant.id],
    );
    expect(purged).toEqual([{ long_calls: '1', calls: '1' }]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});
