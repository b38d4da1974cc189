/**
 * The rollup rules for analyses: an analysis added, re-scored or removed moves exactly its lead
 * measures, before and after compaction, and verify_rollups finds no difference.
 * Each test uses its own tenant on this file's database.
 */
import { describe, expect, it } from 'vitest';
import { createAnalysis, createCall, localNoon, tenantToday, updateAnalysis } from '../../helpers/fixtures.ts';
import { compact, db, everywhere, expectExact, type Measures, only, pendingDeltas, tenantWithAgent, useRollupDatabase } from '../../helpers/rollup-rules.ts';

useRollupDatabase();

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
        calls: 1, successful_calls: 1, talk_seconds: 90, call_seconds: 90, billed_minutes: 2, credits_used: 2, outbound_calls: 1, phone_calls: 1,
        leads_generated: 1, qualified_leads: 1, hot_leads: 1, cta_demo: 1, calls_with_cta: 1, cta_interactions: 1,
        intent_score_sum: 80, intent_score_count: 1, total_score_sum: 75, total_score_count: 1,
      }),
      { key: { view: 'tenant_daily_stats', day: today }, measures: {} },
      { key: { view: 'agent_daily_stats', agentId, day: today }, measures: {} },
    ]);
  });

  it('an updated or repeated analysis replaces the earlier one exactly once', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-11T16:30:00Z' });
    const callPart = { calls: 1, successful_calls: 1, talk_seconds: 60, call_seconds: 60, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1 };
    const check = (measures: Measures): Promise<void> =>
      expectExact(tenant.id, everywhere(agentId, '2026-05-11', 16, { ...callPart, ...measures }));

    const first = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 50, leadStatusTag: 'warm', fitScore: 40 });
    await check({ leads_generated: 1, warm_leads: 1, fit_score_sum: 40, fit_score_count: 1, total_score_sum: 50, total_score_count: 1 });

    // Re-scored twice (the second time with identical values), then only is_read changes.
    await updateAnalysis(db.pool, first.id, { totalScore: 80, leadStatusTag: 'hot', fitScore: null, ctaPricing: true });
    await updateAnalysis(db.pool, first.id, { totalScore: 80, leadStatusTag: 'hot' });
    await db.pool.query('update app_public.lead_analytics set is_read = true where id = $1', [first.id]);
    const rescored = {
      leads_generated: 1, qualified_leads: 1, hot_leads: 1, cta_pricing: 1, calls_with_cta: 1, cta_interactions: 1,
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
      calls_with_cta: 1, cta_interactions: 3, urgency_score_sum: 30, urgency_score_count: 1, engagement_score_sum: 70,
      engagement_score_count: 1, budget_score_sum: 20, budget_score_count: 1, total_score_sum: 65, total_score_count: 1,
    });
  });

  it('deleting an analysis removes only the lead measures', async () => {
    const { tenant, agentId } = await tenantWithAgent();
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'no_answer', startedAt: '2026-05-12T07:00:00Z' });
    const analysis = await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 60, intentScore: 10 });
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 7, {
      calls: 1, unanswered_calls: 1, no_answer_calls: 1, outbound_calls: 1, phone_calls: 1, leads_generated: 1, qualified_leads: 1,
      intent_score_sum: 10, intent_score_count: 1, total_score_sum: 60, total_score_count: 1,
    }));
    await db.pool.query('delete from app_public.lead_analytics where id = $1', [analysis.id]);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 7, {
      calls: 1, unanswered_calls: 1, no_answer_calls: 1, outbound_calls: 1, phone_calls: 1,
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
    await expectExact(tenant.id, everywhere(agentId, '2026-05-12', 8, { calls: 1, unanswered_calls: 1, busy_calls: 1, outbound_calls: 1, phone_calls: 1 }));
  });

  it('conversation measures (sentiment, quality, satisfaction, transfers, outcome classes) move exactly with re-analysis and deletion', async () => {
    const { tenant, agentId } = await tenantWithAgent('America/New_York');
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'completed', durationSeconds: 60, startedAt: '2026-05-11T16:30:00Z' });
    const callPart = { calls: 1, successful_calls: 1, talk_seconds: 60, call_seconds: 60, billed_minutes: 1, credits_used: 1, outbound_calls: 1, phone_calls: 1 };
    const check = (measures: Measures): Promise<void> =>
      expectExact(tenant.id, everywhere(agentId, '2026-05-11', 12, { ...callPart, leads_generated: 1, qualified_leads: 1, total_score_sum: 70, total_score_count: 1, ...measures }));

    const first = await createAnalysis(db.pool, {
      userId: tenant.id, callId: call.id, sentimentLabel: 'negative', sentimentScore: -40, callQualityScore: 55, csatScore: 30,
      transferRequested: true, transferHappened: false, conversationOutcome: 'callback_requested', topics: ['pricing'], objections: ['price'],
    });
    await check({
      sentiment_score_sum: -40, sentiment_score_count: 1, sentiment_negative: 1, quality_score_sum: 55, quality_score_count: 1,
      csat_score_sum: 30, csat_score_count: 1, transfer_requested_calls: 1, convo_callback_requested: 1,
    });
    // Only a conversation field changes: the trigger must see it.
    await updateAnalysis(db.pool, first.id, { conversationOutcome: 'converted', transferHappened: true });
    await check({
      sentiment_score_sum: -40, sentiment_score_count: 1, sentiment_negative: 1, quality_score_sum: 55, quality_score_count: 1,
      csat_score_sum: 30, csat_score_count: 1, transfer_requested_calls: 1, transfer_happened_calls: 1, convo_converted: 1,
    });
    await updateAnalysis(db.pool, first.id, { sentimentLabel: 'mixed', sentimentScore: 0, csatScore: null });
    await check({
      sentiment_score_sum: 0, sentiment_score_count: 1, sentiment_mixed: 1, quality_score_sum: 55, quality_score_count: 1,
      transfer_requested_calls: 1, transfer_happened_calls: 1, convo_converted: 1,
    });
    // Through record_call_analysis (the worker's path): the values of the JSON replace the row's.
    await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'openai', 'm', 'v')`, [
      call.id,
      JSON.stringify({
        intent_score: 70, urgency_score: 70, budget_score: 70, fit_score: 70, engagement_score: 70, sentiment_label: 'positive',
        sentiment_score: 80, call_quality_score: 90, csat_score: 85, human_transfer_requested: false, human_transfer_happened: false,
        conversation_outcome: 'interested', topics: ['scheduling', 'pricing', 'pricing'], objections: [], free_topics: [], next_steps: ' ',
      }),
    ]);
    const { rows } = await db.pool.query('select topics, objections, next_steps from app_public.lead_analytics where id = $1', [first.id]);
    expect(rows).toEqual([{ topics: ['pricing', 'scheduling'], objections: [], next_steps: null }]);
    await check({
      intent_score_sum: 70, intent_score_count: 1, urgency_score_sum: 70, urgency_score_count: 1, budget_score_sum: 70,
      budget_score_count: 1, fit_score_sum: 70, fit_score_count: 1, engagement_score_sum: 70, engagement_score_count: 1,
      sentiment_score_sum: 80, sentiment_score_count: 1, sentiment_positive: 1, quality_score_sum: 90, quality_score_count: 1,
      csat_score_sum: 85, csat_score_count: 1, convo_interested: 1, hot_leads: 1, // graded by lead_grade: 70 is hot
    });
    await db.pool.query('delete from app_public.lead_analytics where id = $1', [first.id]);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-11', 12, callPart));
  });
});
