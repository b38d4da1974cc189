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
