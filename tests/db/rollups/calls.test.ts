/**
 * The rollup rules for calls: inserting, updating and moving a call moves exactly its contribution in
 * the live views (rollup + pending deltas), before and after compaction, and verify_rollups finds no
 * difference.
 * Each test uses its own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { createAgent, createAnalysis, createCall, createCalls, createRandom, updateCall, type CallStatus } from '../../helpers/fixtures.ts';
import { add, callMeasures, compact, db, everywhere, expectExact, figures, type Measures, only, pendingDeltas, tenantWithAgent, useRollupDatabase } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

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
      calls: 7, successful_calls: 1, unanswered_calls: 4, failed_calls: 2, talk_seconds: 125, call_seconds: 155, billed_minutes: 4,
      credits_used: 4, inbound_calls: 1, outbound_calls: 6, phone_calls: 5, internet_calls: 1, unknown_source_calls: 1,
      voicemail_calls: 1, busy_calls: 1, no_answer_calls: 1, canceled_calls: 1,
    };
    await expectExact(tenant.id, [
      { key: { view: 'agent_daily_stats', agentId, day: '2026-05-04' }, measures: day },
      { key: { view: 'tenant_daily_stats', day: '2026-05-04' }, measures: day },
      {
        key: { view: 'tenant_hourly_stats', day: '2026-05-04', hour: 10 },
        measures: {
          calls: 2, successful_calls: 1, unanswered_calls: 1, talk_seconds: 125, call_seconds: 155, billed_minutes: 4, credits_used: 4,
          inbound_calls: 1, outbound_calls: 1, phone_calls: 1, internet_calls: 1, voicemail_calls: 1,
        },
      },
      {
        key: { view: 'tenant_hourly_stats', day: '2026-05-04', hour: 11 },
        measures: {
          calls: 5, unanswered_calls: 3, failed_calls: 2, outbound_calls: 5, phone_calls: 4, unknown_source_calls: 1,
          busy_calls: 1, no_answer_calls: 1, canceled_calls: 1,
        },
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
      calls: 5, successful_calls: 5, talk_seconds: 400, call_seconds: 400, billed_minutes: 10, credits_used: 10, outbound_calls: 5, phone_calls: 5,
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
      ...settled, successful_calls: 4, failed_calls: 1, talk_seconds: 320, credits_used: 8, // a failed call's 80 s still count in call_seconds
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

    await check({ successful_calls: 1, talk_seconds: 30, call_seconds: 30, billed_minutes: 1, credits_used: 1 });
    await updateCall(db.pool, call.id, { durationSeconds: 61 });
    await check({ successful_calls: 1, talk_seconds: 61, call_seconds: 61, billed_minutes: 2, credits_used: 2 });
    await updateCall(db.pool, call.id, { durationSeconds: 125 });
    await updateCall(db.pool, call.id, { durationSeconds: 180 });
    await check({ successful_calls: 1, talk_seconds: 180, call_seconds: 180, billed_minutes: 3, credits_used: 3 });
    // Completed without conversation: unanswered, nothing billed.
    await updateCall(db.pool, call.id, { durationSeconds: 0 });
    await check({ unanswered_calls: 1 });
    await updateCall(db.pool, call.id, { durationSeconds: 59 });
    await check({ successful_calls: 1, talk_seconds: 59, call_seconds: 59, billed_minutes: 1, credits_used: 1 });
  });

  it('counts a call on the tenant-local day and hour, across daylight saving time', async () => {
    const { tenant, agentId } = await tenantWithAgent('America/New_York');
    const base = { userId: tenant.id, agentId, status: 'completed' as const, durationSeconds: 60 };
    // EDT (UTC-4) since 2026-03-08: 02:30Z is 22:30 the day before.
    await createCall(db.pool, { ...base, startedAt: '2026-03-10T02:30:00Z' });
    // EST (UTC-5) before it: 02:30Z is 21:30 the day before.
    await createCall(db.pool, { ...base, startedAt: '2026-03-07T02:30:00Z' });
    const one = { calls: 1, successful_calls: 1, talk_seconds: 60, call_seconds: 60, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1 };
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
      calls: 1, successful_calls: 1, talk_seconds: 90, call_seconds: 90, billed_minutes: 2, credits_used: 2, outbound_calls: 1, phone_calls: 1,
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
      calls: 1, unanswered_calls: 1, busy_calls: 1, outbound_calls: 1, phone_calls: 1,
      leads_generated: 1, total_score_sum: 10, total_score_count: 1,
    }));
    expect(kept.outcome).toBe('unanswered');
  });
});
