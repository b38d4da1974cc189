/**
 * The rollup rules, one test each: every change to calls and analyses moves
 * exactly its contribution in the live views (rollup + pending deltas), before
 * and after compaction, and verify_rollups (a recomputation from raw rows)
 * finds no difference. Each test uses its own tenant on this file's database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncContacts } from '../helpers/contacts.ts';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import {
  createAgent, createAnalysis, createCall, createCalls, createRandom, createTenant, expectedOutcome, localNoon,
  tenantToday, updateAnalysis, updateCall, type CallStatus, type TenantRow,
} from '../helpers/fixtures.ts';
import { compactRollups, pendingDeltas as pendingDeltasOf, verifyRollups, type RollupDifference } from '../helpers/rollups.ts';

let db: TestDatabase;
let measureNames: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const { rows } = await db.pool.query<{ name: string }>(
    `select attname::text as name from pg_attribute
      where attrelid = 'app_private.rollup_measures'::regclass and attnum > 0 and not attisdropped order by attnum`,
  );
  measureNames = rows.map((row) => row.name);
});

afterAll(async () => {
  await db?.drop();
});

// --- reading the rollups --------------------------------------------------------

type Measures = Record<string, number>;

type Key =
  | { view: 'agent_daily_stats'; agentId: string; day: string }
  | { view: 'tenant_daily_stats'; day: string }
  | { view: 'tenant_hourly_stats'; day: string; hour: number };

/** Every measure of one live-view row (all zero when the row does not exist). */
async function figures(userId: string, key: Key): Promise<Measures> {
  const conditions = ['s.user_id = $1', 's.day = $2::date'];
  const values: unknown[] = [userId, key.day];
  if (key.view === 'agent_daily_stats') {
    values.push(key.agentId);
    conditions.push(`s.agent_id = $${values.length}`);
  }
  if (key.view === 'tenant_hourly_stats') {
    values.push(key.hour);
    conditions.push(`s.hour = $${values.length}`);
  }
  const { rows } = await db.pool.query<{ m: Record<string, unknown> }>(
    `select to_jsonb(s) as m from app_public.${key.view} s where ${conditions.join(' and ')}`,
    values,
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  const row = rows[0]?.m ?? {};
  return Object.fromEntries(measureNames.map((name) => [name, Number(row[name] ?? 0)]));
}

/** All measures zero except those given. */
function only(measures: Measures): Measures {
  return { ...Object.fromEntries(measureNames.map((name) => [name, 0])), ...measures };
}

const verify = (userId: string): Promise<RollupDifference[]> => verifyRollups(db.pool, userId);
const pendingDeltas = (userId: string): Promise<number> => pendingDeltasOf(db.pool, userId);

async function compact(): Promise<void> {
  await compactRollups(db.pool);
}

interface Expected {
  key: Key;
  measures: Measures;
}

async function expectFigures(userId: string, expected: readonly Expected[]): Promise<void> {
  for (const { key, measures } of expected) {
    expect(await figures(userId, key), JSON.stringify(key)).toEqual(only(measures));
  }
}

/**
 * The figures hold and verification is clean from pending deltas; then the
 * same after compaction folded them into the rollup tables.
 */
async function expectExact(userId: string, expected: readonly Expected[]): Promise<void> {
  await expectFigures(userId, expected);
  expect(await verify(userId)).toEqual([]);
  await compact();
  expect(await pendingDeltas(userId)).toBe(0);
  await expectFigures(userId, expected);
  expect(await verify(userId)).toEqual([]);
}

/** The same measures on the agent's day, the tenant's day and the tenant's hour. */
function everywhere(agentId: string, day: string, hour: number, measures: Measures): Expected[] {
  return [
    { key: { view: 'agent_daily_stats', agentId, day }, measures },
    { key: { view: 'tenant_daily_stats', day }, measures },
    { key: { view: 'tenant_hourly_stats', day, hour }, measures },
  ];
}

async function tenantWithAgent(timezone = 'UTC'): Promise<{ tenant: TenantRow; agentId: string }> {
  const tenant = await createTenant(db.pool, { timezone });
  const agent = await createAgent(db.pool, tenant.id);
  return { tenant, agentId: agent.id };
}

/** What an outbound phone call without analysis contributes (a model of call_contribution for these tests). */
function callMeasures(status: CallStatus, durationSeconds: number): Measures {
  const outcome = expectedOutcome(status, durationSeconds);
  const minutes = Math.ceil(durationSeconds / 60);
  return {
    calls: 1,
    successful_calls: outcome === 'successful' ? 1 : 0,
    unanswered_calls: outcome === 'unanswered' ? 1 : 0,
    failed_calls: outcome === 'failed' ? 1 : 0,
    talk_seconds: outcome === 'successful' ? durationSeconds : 0,
    billed_minutes: minutes,
    credits_used: status === 'completed' && durationSeconds > 0 ? minutes : 0,
    outbound_calls: 1,
    phone_calls: 1,
  };
}

function add(...all: Measures[]): Measures {
  const total: Measures = {};
  for (const measures of all) {
    for (const [name, value] of Object.entries(measures)) total[name] = (total[name] ?? 0) + value;
  }
  return total;
}

// --- the rules -------------------------------------------------------------------

describe('rollups: calls', () => {
  it('counts an inserted terminal call of every outcome on its day and hour', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const base = { userId: tenant.id, agentId };
    await createCall(db.pool, {
      ...base, status: 'completed', durationSeconds: 125, direction: 'inbound', callSource: 'internet',
      startedAt: '2026-05-04T10:15:00Z',
    });
    await createCalls(db.pool, [
      { ...base, status: 'completed', durationSeconds: 30, answeredByVoicemail: true, startedAt: '2026-05-04T10:40:00Z' },
      { ...base, status: 'busy', startedAt: '2026-05-04T11:05:00Z' },
      { ...base, status: 'failed', startedAt: '2026-05-04T11:30:00Z' },
      { ...base, status: 'canceled', callSource: 'unknown', startedAt: '2026-05-04T11:45:00Z' },
      { ...base, status: 'no_answer', startedAt: '2026-05-04T11:50:00Z' },
      { ...base, status: 'completed', durationSeconds: 0, startedAt: '2026-05-04T11:55:00Z' },
    ]);
    expect(await pendingDeltas(tenant.id)).toBeGreaterThan(0);
    const day = {
      calls: 7, successful_calls: 1, unanswered_calls: 4, failed_calls: 2, talk_seconds: 125, billed_minutes: 4,
      credits_used: 4, inbound_calls: 1, outbound_calls: 6, phone_calls: 5, internet_calls: 1, unknown_source_calls: 1,
    };
    await expectExact(tenant.id, [
      { key: { view: 'agent_daily_stats', agentId, day: '2026-05-04' }, measures: day },
      { key: { view: 'tenant_daily_stats', day: '2026-05-04' }, measures: day },
      {
        key: { view: 'tenant_hourly_stats', day: '2026-05-04', hour: 10 },
        measures: {
          calls: 2, successful_calls: 1, unanswered_calls: 1, talk_seconds: 125, billed_minutes: 4, credits_used: 4,
          inbound_calls: 1, outbound_calls: 1, phone_calls: 1, internet_calls: 1,
        },
      },
      {
        key: { view: 'tenant_hourly_stats', day: '2026-05-04', hour: 11 },
        measures: { calls: 5, unanswered_calls: 3, failed_calls: 2, outbound_calls: 5, phone_calls: 4, unknown_source_calls: 1 },
      },
      { key: { view: 'tenant_daily_stats', day: '2026-05-03' }, measures: {} },
    ]);
  });

  it('counts a call once through status updates in any order; corrections move the outcome', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const random = createRandom(20260504);
    // Provider events for one call, delivered in shuffled order (duplicates included).
    const events: { status: CallStatus; durationSeconds: number }[] = [
      { status: 'initiated', durationSeconds: 0 },
      { status: 'ringing', durationSeconds: 0 },
      { status: 'in_progress', durationSeconds: 0 },
      { status: 'completed', durationSeconds: 80 },
      { status: 'completed', durationSeconds: 80 },
      { status: 'busy', durationSeconds: 0 },
    ];
    const calls = await createCalls(
      db.pool,
      Array.from({ length: 5 }, (_, i) => ({
        userId: tenant.id, agentId, status: 'queued' as const, startedAt: `2026-05-05T09:0${i}:00Z`,
      })),
    );
    const state = new Map(calls.map((call) => [call.id, { status: call.status, durationSeconds: 0 }]));
    const total = (): Measures => add(...[...state.values()].map((s) => callMeasures(s.status, s.durationSeconds)));
    const key = { view: 'tenant_daily_stats', day: '2026-05-05' } as const;

    expect(await figures(tenant.id, key)).toEqual(only({ calls: 5, outbound_calls: 5, phone_calls: 5 }));
    for (const call of calls) {
      for (const event of random.shuffle(events)) {
        await updateCall(db.pool, call.id, event);
        state.set(call.id, event);
        expect(await figures(tenant.id, key)).toEqual(only(total()));
      }
      // The last delivery decides; the call itself is counted once whatever happened.
      expect((await figures(tenant.id, key)).calls).toBe(5);
    }

    // Settle every call on completed (80 s): five successful calls, each counted once.
    for (const call of calls) await updateCall(db.pool, call.id, { status: 'completed', durationSeconds: 80 });
    const settled = {
      calls: 5, successful_calls: 5, talk_seconds: 400, billed_minutes: 10, credits_used: 10, outbound_calls: 5, phone_calls: 5,
    };
    await expectExact(tenant.id, everywhere(agentId, '2026-05-05', 9, settled));

    // A duplicate terminal delivery and non-terminal changes append nothing.
    const [first, second] = calls;
    if (!first || !second) throw new Error('calls missing');
    await updateCall(db.pool, first.id, { status: 'completed', durationSeconds: 80 });
    await updateCall(db.pool, first.id, { hangupReason: 'caller hung up' });
    expect(await pendingDeltas(tenant.id)).toBe(0);

    // completed -> failed: the call moves from successful to failed (billed minutes stay, credits go).
    await updateCall(db.pool, second.id, { status: 'failed' });
    await expectExact(tenant.id, everywhere(agentId, '2026-05-05', 9, {
      ...settled, successful_calls: 4, failed_calls: 1, talk_seconds: 320, credits_used: 8,
    }));
  });

  it('non-terminal status changes do not change any measure', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'scheduled', startedAt: '2026-05-06T08:00:00Z' });
    await compact();
    for (const status of ['queued', 'initiated', 'ringing', 'in_progress', 'disconnected'] as const) {
      await updateCall(db.pool, call.id, { status });
    }
    await updateCall(db.pool, call.id, { hangupReason: 'n/a' });
    expect(await pendingDeltas(tenant.id)).toBe(0);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-06', 8, { calls: 1, outbound_calls: 1, phone_calls: 1 }));
  });

  it('duration corrections move talk seconds, billed minutes and credits', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, {
      userId: tenant.id, agentId, status: 'completed', durationSeconds: 30, startedAt: '2026-05-07T14:20:00Z',
    });
    const base = { calls: 1, outbound_calls: 1, phone_calls: 1 };
    const check = (measures: Measures): Promise<void> =>
      expectExact(tenant.id, everywhere(agentId, '2026-05-07', 14, { ...base, ...measures }));

    await check({ successful_calls: 1, talk_seconds: 30, billed_minutes: 1, credits_used: 1 });
    await updateCall(db.pool, call.id, { durationSeconds: 61 });
    await check({ successful_calls: 1, talk_seconds: 61, billed_minutes: 2, credits_used: 2 });
    await updateCall(db.pool, call.id, { durationSeconds: 125 });
    await updateCall(db.pool, call.id, { durationSeconds: 180 });
    await check({ successful_calls: 1, talk_seconds: 180, billed_minutes: 3, credits_used: 3 });
    // Completed without conversation: unanswered, nothing billed.
    await updateCall(db.pool, call.id, { durationSeconds: 0 });
    await check({ unanswered_calls: 1 });
    await updateCall(db.pool, call.id, { durationSeconds: 59 });
    await check({ successful_calls: 1, talk_seconds: 59, billed_minutes: 1, credits_used: 1 });
  });

  it('counts a call on the tenant-local day and hour, across daylight saving time', async () => {
    const { tenant, agentId } = await tenantWithAgent('America/New_York');
    const base = { userId: tenant.id, agentId, status: 'completed' as const, durationSeconds: 60 };
    // EDT (UTC-4) since 2026-03-08: 02:30Z is 22:30 the day before.
    await createCall(db.pool, { ...base, startedAt: '2026-03-10T02:30:00Z' });
    // EST (UTC-5) before it: 02:30Z is 21:30 the day before.
    await createCall(db.pool, { ...base, startedAt: '2026-03-07T02:30:00Z' });
    const one = { calls: 1, successful_calls: 1, talk_seconds: 60, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1 };
    await expectExact(tenant.id, [
      ...everywhere(agentId, '2026-03-09', 22, one),
      ...everywhere(agentId, '2026-03-06', 21, one),
      { key: { view: 'tenant_daily_stats', day: '2026-03-10' }, measures: {} },
      { key: { view: 'tenant_daily_stats', day: '2026-03-07' }, measures: {} },
      { key: { view: 'tenant_hourly_stats', day: '2026-03-09', hour: 21 }, measures: {} },
    ]);
  });

  it('moving a call to another agent or start time moves its whole contribution, analysis included', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const other = await createAgent(db.pool, tenant.id);
    const call = await createCall(db.pool, {
      userId: tenant.id, agentId, status: 'completed', durationSeconds: 90, startedAt: '2026-05-08T09:10:00Z',
    });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 80, leadStatusTag: 'hot' });
    const measures = {
      calls: 1, successful_calls: 1, talk_seconds: 90, billed_minutes: 2, credits_used: 2, outbound_calls: 1, phone_calls: 1,
      leads_generated: 1, qualified_leads: 1, hot_leads: 1, total_score_sum: 80, total_score_count: 1,
    };
    await expectExact(tenant.id, everywhere(agentId, '2026-05-08', 9, measures));

    await updateCall(db.pool, call.id, { agentId: other.id });
    await expectExact(tenant.id, [
      ...everywhere(other.id, '2026-05-08', 9, measures),
      { key: { view: 'agent_daily_stats', agentId, day: '2026-05-08' }, measures: {} },
    ]);

    await updateCall(db.pool, call.id, { startedAt: '2026-05-09T17:45:00Z' });
    await expectExact(tenant.id, [
      ...everywhere(other.id, '2026-05-09', 17, measures),
      { key: { view: 'agent_daily_stats', agentId: other.id, day: '2026-05-08' }, measures: {} },
      { key: { view: 'tenant_daily_stats', day: '2026-05-08' }, measures: {} },
      { key: { view: 'tenant_hourly_stats', day: '2026-05-08', hour: 9 }, measures: {} },
    ]);

    // Both at once, back to the first agent and an earlier hour.
    await updateCall(db.pool, call.id, { agentId, startedAt: '2026-05-09T06:00:00Z' });
    await expectExact(tenant.id, [
      ...everywhere(agentId, '2026-05-09', 6, measures),
      { key: { view: 'agent_daily_stats', agentId: other.id, day: '2026-05-09' }, measures: {} },
      { key: { view: 'tenant_hourly_stats', day: '2026-05-09', hour: 17 }, measures: {} },
    ]);
  });

  it('deleting a call removes its contribution with its analysis', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const base = { userId: tenant.id, agentId, startedAt: '2026-05-10T12:00:00Z' };
    const kept = await createCall(db.pool, { ...base, status: 'busy' });
    const gone = await createCall(db.pool, { ...base, status: 'completed', durationSeconds: 200 });
    await db.pool.query(`insert into app_public.transcripts (user_id, call_id, content) values ($1, $2, 'hi')`, [tenant.id, gone.id]);
    await createAnalysis(db.pool, { userId: tenant.id, callId: gone.id, totalScore: 90, ctaDemo: true });
    await createAnalysis(db.pool, { userId: tenant.id, callId: kept.id, totalScore: 10 });
    await compact();

    await db.pool.query('delete from app_public.calls where id = $1', [gone.id]);
    const { rows } = await db.pool.query('select 1 from app_public.lead_analytics where call_id = $1', [gone.id]);
    expect(rows).toEqual([]);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-10', 12, {
      calls: 1, unanswered_calls: 1, outbound_calls: 1, phone_calls: 1,
      leads_generated: 1, total_score_sum: 10, total_score_count: 1,
    }));
    expect(kept.outcome).toBe('unanswered');
  });
});

describe('rollups: analyses', () => {
  it('counts a late analysis on the call\'s day, not the day it arrives', async () => {
    const timezone = 'Asia/Kolkata';
    const { tenant, agentId } = await tenantWithAgent(timezone);
    const startedAt = await localNoon(db.pool, timezone, 10);
    const today = await tenantToday(db.pool, timezone);
    const { rows } = await db.pool.query<{ day: string }>(`select (app_hidden.tenant_today($1) - 10)::text as day`, [timezone]);
    const callDay = rows[0]?.day ?? '';
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 90, startedAt });
    await compact();

    await createAnalysis(db.pool, {
      userId: tenant.id, callId: call.id, totalScore: 75, intentScore: 80, leadStatusTag: 'hot', ctaDemo: true,
    });
    await expectExact(tenant.id, [
      ...everywhere(agentId, callDay, 12, {
        calls: 1, successful_calls: 1, talk_seconds: 90, billed_minutes: 2, credits_used: 2, outbound_calls: 1, phone_calls: 1,
        leads_generated: 1, qualified_leads: 1, hot_leads: 1, cta_demo: 1, calls_with_cta: 1,
        intent_score_sum: 80, intent_score_count: 1, total_score_sum: 75, total_score_count: 1,
      }),
      { key: { view: 'tenant_daily_stats', day: today }, measures: {} },
      { key: { view: 'agent_daily_stats', agentId, day: today }, measures: {} },
    ]);
  });

  it('an updated or repeated analysis replaces the earlier one exactly once', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-11T16:30:00Z' });
    const callPart = { calls: 1, successful_calls: 1, talk_seconds: 60, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1 };
    const check = (measures: Measures): Promise<void> =>
      expectExact(tenant.id, everywhere(agentId, '2026-05-11', 16, { ...callPart, ...measures }));

    const first = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 50, leadStatusTag: 'warm', fitScore: 40 });
    await check({ leads_generated: 1, warm_leads: 1, fit_score_sum: 40, fit_score_count: 1, total_score_sum: 50, total_score_count: 1 });

    // Re-scored twice (the second time with identical values), then only is_read changes.
    await updateAnalysis(db.pool, first.id, { totalScore: 80, leadStatusTag: 'hot', fitScore: null, ctaPricing: true });
    await updateAnalysis(db.pool, first.id, { totalScore: 80, leadStatusTag: 'hot' });
    await db.pool.query('update app_public.lead_analytics set is_read = true where id = $1', [first.id]);
    const rescored = {
      leads_generated: 1, qualified_leads: 1, hot_leads: 1, cta_pricing: 1, calls_with_cta: 1,
      total_score_sum: 80, total_score_count: 1,
    };
    await check(rescored);
    await updateAnalysis(db.pool, first.id, { totalScore: 80 });
    expect(await pendingDeltas(tenant.id)).toBe(0);

    // Re-analysis: delete and insert a new one in one transaction.
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('delete from app_public.lead_analytics where id = $1', [first.id]);
      await createAnalysis(client, {
        userId: tenant.id, callId: call.id, totalScore: 65, leadStatusTag: 'cold', urgencyScore: 30, engagementScore: 70,
        budgetScore: 20, ctaSample: true, ctaEscalatedToHuman: true, ctaFollowup: true,
      });
      await client.query('commit');
    } finally {
      client.release();
    }
    await check({
      leads_generated: 1, qualified_leads: 1, cold_leads: 1, cta_sample: 1, cta_human_escalation: 1, cta_followup: 1,
      calls_with_cta: 1, urgency_score_sum: 30, urgency_score_count: 1, engagement_score_sum: 70,
      engagement_score_count: 1, budget_score_sum: 20, budget_score_count: 1, total_score_sum: 65, total_score_count: 1,
    });
  });

  it('deleting an analysis removes only the lead measures', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'no_answer', startedAt: '2026-05-12T07:00:00Z' });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 60, intentScore: 10 });
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 7, {
      calls: 1, unanswered_calls: 1, outbound_calls: 1, phone_calls: 1, leads_generated: 1, qualified_leads: 1,
      intent_score_sum: 10, intent_score_count: 1, total_score_sum: 60, total_score_count: 1,
    }));
    await db.pool.query('delete from app_public.lead_analytics where id = $1', [analysis.id]);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 7, {
      calls: 1, unanswered_calls: 1, outbound_calls: 1, phone_calls: 1,
    }));
  });

  it('a complete (per phone number) analysis does not count as a lead', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, {
      userId: tenant.id, agentId, status: 'busy', phoneNumber: '+15550001111', startedAt: '2026-05-12T08:00:00Z',
    });
    await db.pool.query(
      `insert into app_public.lead_analytics (user_id, analysis_type, phone_number, latest_call_id, total_score)
       values ($1, 'complete', '+15550001111', $2, 95)`,
      [tenant.id, call.id],
    );
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 8, { calls: 1, unanswered_calls: 1, outbound_calls: 1, phone_calls: 1 }));
  });
});

describe('rollups: tenant-wide operations', () => {
  it('a time zone change re-buckets every call and verifies clean', async () => {
    const { tenant, agentId } = await tenantWithAgent('UTC');
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 45, startedAt: '2026-03-10T02:30:00Z' });
    await createCall(db.pool, { userId: tenant.id, agentId, status: 'failed', startedAt: '2026-03-10T15:00:00Z' });
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 61 });
    await compact();
    const early = {
      calls: 1, successful_calls: 1, talk_seconds: 45, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1,
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
      { key: { view: 'tenant_hourly_stats', day: '2026-03-09', hour: 23 }, measures: { calls: 1, unanswered_calls: 1, outbound_calls: 1, phone_calls: 1 } },
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
      calls: 2, successful_calls: 1, unanswered_calls: 1, talk_seconds: 100, billed_minutes: 2, credits_used: 2,
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
    const day = { calls: 2, successful_calls: 1, unanswered_calls: 1, talk_seconds: 70, billed_minutes: 2, credits_used: 2, outbound_calls: 2, phone_calls: 2 };
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
        calls: 1, successful_calls: 1, talk_seconds: 50, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1,
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
