/**
 * What keeps the call log fast at a whale's size (migration 000050), checked on its behaviour:
 * - an individual analysis carries its call's start (lead_analytics.call_started_at), also after the
 *   call's start moves, without a new analysis version or a rollup difference;
 * - a page with a KPI figure sorted by time switches the planner to nested loops for its one query
 *   and back: the rest of the transaction plans as before;
 * - who ended a call is inlined into a call's contribution (no SQL function call per call);
 * - the call log without a figure does not plan the contribution (its plan mentions no measure).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createCalls, createTenant } from '../helpers/fixtures.ts';
import { compactRollups, verifyRollups } from '../helpers/rollups.ts';

let db: TestDatabase;
let userId: string;
let callIds: string[];

const ANALYSIS = {
  intent_score: 90, urgency_score: 85, budget_score: 80, fit_score: 90, engagement_score: 85,
  reasoning: {}, cta_interactions: {}, extracted_name: null, extracted_email: null, company_name: null,
  smart_notification: null, demo_book_datetime: null,
};

async function analysisStarts(): Promise<Array<{ call: string; started: string; copy: string | null }>> {
  const { rows } = await db.pool.query<{ call: string; started: string; copy: string | null }>(
    `select c.id as call, c.started_at::text as started, a.call_started_at::text as copy
       from app_public.calls c join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
      where c.user_id = $1 order by c.started_at`,
    [userId],
  );
  return rows;
}

async function asTenant<T>(fn: (query: (sql: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('jwt.claims.user_id', $1, true)`, [userId]);
    await client.query('set local role app_user');
    const result = await fn(async (sql, values) => (await client.query(sql, values)).rows);
    await client.query('rollback');
    return result;
  } finally {
    client.release();
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  const tenant = await createTenant(db.pool);
  userId = tenant.id;
  const agent = await createAgent(db.pool, userId);
  const now = Date.now();
  const calls = await createCalls(
    db.pool,
    [1, 2, 3, 4].map((i) => ({ userId, agentId: agent.id, durationSeconds: 60 * i, startedAt: new Date(now - i * 3_600_000).toISOString() })),
  );
  callIds = calls.map((call) => call.id);
  for (const [i, callId] of callIds.entries()) {
    await db.pool.query('insert into app_public.transcripts (user_id, call_id, content) values ($1, $2, $3)', [userId, callId, `Call ${i}`]);
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'builtin', 'test', 'v1')`, [callId, JSON.stringify(ANALYSIS)]);
  }
});

afterAll(async () => {
  await db?.drop();
});

describe("an analysis carries its call's start", () => {
  it('is set when the analysis is written, whatever the writer gives', async () => {
    const rows = await analysisStarts();
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(row.copy).toBe(row.started);
    await db.pool.query(`update app_public.lead_analytics set call_started_at = now() - interval '5 years' where call_id = $1`, [callIds[0]]);
    for (const row of await analysisStarts()) expect(row.copy).toBe(row.started);
  });

  it("follows the call when the call's start moves, without a new analysis version or a rollup difference", async () => {
    const versions = async (): Promise<number> =>
      Number((await db.pool.query<{ n: string }>('select count(*) as n from app_public.analysis_versions where user_id = $1', [userId])).rows[0]?.n);
    const before = await versions();
    await db.pool.query(`update app_public.calls set started_at = started_at - interval '3 days' where id = $1`, [callIds[1]]);
    for (const row of await analysisStarts()) expect(row.copy).toBe(row.started);
    expect(await versions()).toBe(before);
    await compactRollups(db.pool);
    expect(await verifyRollups(db.pool, userId)).toEqual([]);
  });
});

describe('the call log', () => {
  it("lists a lead figure's calls sorted by time and leaves the planner's settings as they were", async () => {
    await asTenant(async (query) => {
      await query(`set local enable_hashjoin = off`);
      const [page] = await query(`select cardinality((app_public.call_log(figure => 'qualified_leads', from_date => current_date - 10)).rows) as n`);
      expect(page?.n).toBe(4);
      const [settings] = await query(`select current_setting('enable_hashjoin') as hash, current_setting('enable_mergejoin') as merge`);
      expect(settings).toEqual({ hash: 'off', merge: 'on' });
    });
  });

  it('plans a page without a figure without the measures, and who ended a call inside a contribution', async () => {
    const plan = async (sql: string): Promise<string> =>
      (await db.pool.query<{ 'QUERY PLAN': string }>(`explain (verbose, costs off) ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const { rows: [tenant] } = await db.pool.query<{ timezone: string }>('select timezone from app_public.users where id = $1', [userId]);
    const args = `$$${userId}$$::uuid, $$${tenant?.timezone}$$, now() - interval '30 days', now(), null, null, null, null, null, null, null, null, null, null, null, null, null, null, null`;
    const page = await plan(`select (m.r).call_id from app_hidden.call_log_filtered(${args}, null, null, null, 'started_at') m`);
    // the disposition rule is part of a contribution: a page without a figure has none
    expect(page).not.toMatch(/'connected'::text/);
    const figure = await plan(`select (m.r).call_id from app_hidden.call_log_matches(${args}, 'hot_leads', null, null, 'started_at') m`);
    expect(figure).toMatch(/'connected'::text/);
    expect(figure).not.toMatch(/hangup_side/);
  });
});

describe('a heatmap cell (migration 000051)', () => {
  // app_hidden.call_log_filtered lets through only the calls whose UTC quarter-hour of the week is one the
  // cell covers in the range; a quarter missing there would drop calls from the drill-down. Every instant
  // of every cell (7-minute steps) must be covered: across both DST changes of New York and Lord Howe (a
  // 30-minute change) and in zones a quarter or half an hour off UTC.
  it('covers every instant of the cell, across DST changes and quarter-hour offsets', async () => {
    const { rows } = await db.pool.query<{ tz: string; instants: number; missed: number }>(`
      with w(tz, lo, hi) as (values
             ('America/New_York', timestamptz '2026-03-05', timestamptz '2026-03-12'),
             ('America/New_York', timestamptz '2026-10-29', timestamptz '2026-11-05'),
             ('Australia/Lord_Howe', timestamptz '2026-04-01', timestamptz '2026-04-08'),
             ('Australia/Lord_Howe', timestamptz '2026-10-01', timestamptz '2026-10-08'),
             ('Asia/Kathmandu', timestamptz '2026-06-01 00:10', timestamptz '2026-06-08'),
             ('Asia/Kolkata', timestamptz '2026-06-01', timestamptz '2026-06-08 05:00')),
           cells(d, h) as (select d, h from generate_series(1, 7) d, unnest(array[0, 1, 2, 3, 10, 23]) h
                           union all values (null::int, 2), (3, null::int)),
           q as (select w.tz, w.lo, w.hi, cells.d, cells.h,
                        app_hidden.cell_quarter_hours(w.tz, w.lo, w.hi, cells.d, cells.h) as quarters
                   from w, cells)
      select q.tz, count(*)::int as instants,
             count(*) filter (where not (extract(epoch from t.t)::bigint / 900 % 672)::int = any (q.quarters))::int as missed
        from q
        cross join lateral generate_series(q.lo, q.hi - interval '1 microsecond', interval '7 minutes') t(t)
       where (q.d is null or extract(isodow from t.t at time zone q.tz) = q.d)
         and (q.h is null or extract(hour from t.t at time zone q.tz) = q.h)
       group by q.tz order by q.tz`);
    expect(rows.map((r) => r.tz)).toEqual(['America/New_York', 'Asia/Kathmandu', 'Asia/Kolkata', 'Australia/Lord_Howe']);
    for (const row of rows) {
      expect(row.instants).toBeGreaterThan(300);
      expect(row).toMatchObject({ missed: 0 });
    }
  });
});
