/**
 * The rollup rules of the outcome and cost measures (issue 17 items 2, 3, 8): dispositions, who hung up,
 * time to answer, provider cost and CTA interactions land on the tenant-local day and hour in three time
 * zones, from pending deltas and after compaction; lifecycle events of a call in progress append no
 * deltas; corrections, a deletion and a time zone change stay exact and verify clean. The expected
 * measures come from the small model below, written from sql/README.md, not from call_contribution.
 */
import { describe, expect, it } from 'vitest';
import { createAnalysis, createCall, createCalls, updateCall, type CallInput, type CallStatus } from '../../helpers/fixtures.ts';
import {
  add, callMeasures, compact, db, everywhere, expectExact, type Measures, pendingDeltas, tenantWithAgent, useRollupDatabase, verify,
} from '../../helpers/rollup-rules.ts';

useRollupDatabase();

interface Outcome {
  status: CallStatus;
  durationSeconds?: number;
  voicemail?: boolean;
  direction?: 'inbound' | 'outbound';
  hangupBy?: string | null;
  costCents?: string | null;
  /** ms after the start */
  ringingMs?: number | null;
  answeredMs?: number | null;
}

const AGENT_SIDE = ['agent', 'api request', 'system'];
const PERSON_SIDE = ['user', 'customer'];

/** The model: what one call (no analysis) contributes, outcome and cost measures included. */
function model(o: Outcome): Measures {
  const duration = o.durationSeconds ?? 0;
  const direction = o.direction ?? 'outbound';
  const base = callMeasures(o.status, duration);
  if (o.voicemail && o.status === 'completed') {
    base.successful_calls = 0;
    base.unanswered_calls = 1;
    base.talk_seconds = 0;
  }
  if (direction === 'inbound') {
    base.inbound_calls = 1;
    base.outbound_calls = 0;
  }
  const ended = ['completed', 'busy', 'no_answer', 'canceled', 'failed'].includes(o.status);
  const successful = base.successful_calls === 1;
  const by = (o.hangupBy ?? '').toLowerCase();
  const side = AGENT_SIDE.includes(by) ? 'agent' : PERSON_SIDE.includes(by) ? 'caller'
    : by === 'callee' ? (direction === 'outbound' ? 'caller' : 'agent')
      : by === 'caller' ? (direction === 'inbound' ? 'caller' : 'agent') : null;
  const waited = ended && o.ringingMs != null && o.answeredMs != null && o.answeredMs >= o.ringingMs;
  return {
    ...base,
    voicemail_calls: o.status === 'completed' && o.voicemail ? 1 : 0,
    agent_hangup_calls: successful && side === 'agent' ? 1 : 0,
    caller_hangup_calls: successful && side === 'caller' ? 1 : 0,
    time_to_answer_ms_sum: waited ? (o.answeredMs ?? 0) - (o.ringingMs ?? 0) : 0,
    time_to_answer_count: waited ? 1 : 0,
    cost_micros: o.costCents == null ? 0 : Math.round(Number(o.costCents) * 10_000),
    costed_calls: o.costCents == null ? 0 : 1,
  };
}

function input(userId: string, agentId: string, start: string, o: Outcome): CallInput {
  const at = (ms: number | null | undefined) => (ms == null ? null : new Date(Date.parse(start) + ms));
  return {
    userId, agentId, status: o.status, durationSeconds: o.durationSeconds ?? 0, answeredByVoicemail: o.voicemail ?? false,
    direction: o.direction ?? 'outbound', startedAt: start, hangupBy: o.hangupBy ?? null, costCents: o.costCents ?? null,
    ringingAt: at(o.ringingMs), answeredAt: at(o.answeredMs),
  };
}

/** One call of every disposition and hang-up side, costs reported and not, answers before and after ringing. */
const CALLS: Outcome[] = [
  { status: 'completed', durationSeconds: 95, hangupBy: 'agent', costCents: '12.3456', ringingMs: 800, answeredMs: 4300 },
  { status: 'completed', durationSeconds: 61, hangupBy: 'Callee', costCents: '7.0001', ringingMs: 1000, answeredMs: 3000 },
  { status: 'completed', durationSeconds: 30, direction: 'inbound', hangupBy: 'Callee', costCents: '3.5', ringingMs: 0, answeredMs: 1 },
  { status: 'completed', durationSeconds: 44, direction: 'inbound', hangupBy: 'Caller', costCents: null, ringingMs: 500, answeredMs: 250 },
  { status: 'completed', durationSeconds: 12, hangupBy: 'carrier', costCents: '0' },
  { status: 'completed', durationSeconds: 20, voicemail: true, hangupBy: 'agent', costCents: '1.25', ringingMs: 100, answeredMs: 9100 },
  { status: 'completed', durationSeconds: 0, hangupBy: 'user', costCents: '0.5' },
  { status: 'busy', costCents: '0.1', ringingMs: 100 },
  { status: 'no_answer', costCents: '0.2', ringingMs: 200 },
  { status: 'canceled' },
  { status: 'failed', costCents: '0' },
  { status: 'ringing', ringingMs: 300, answeredMs: 900 },
];
const TOTAL = add(...CALLS.map(model));

describe('rollups: outcome and cost measures', () => {
  it.each([
    ['UTC', '2026-05-04', 3],
    ['America/New_York', '2026-05-03', 23],
    ['Asia/Kolkata', '2026-05-04', 9],
  ] as const)('count every disposition, hang-up side, time to answer and cost on the local day and hour (%s)', async (zone, day, hour) => {
    const { tenant, agentId } = await tenantWithAgent(zone);
    const start = '2026-05-04T03:30:00Z';
    await createCalls(db.pool, CALLS.map((o) => input(tenant.id, agentId, start, o)));
    expect(TOTAL).toMatchObject({
      voicemail_calls: 1, busy_calls: 1, no_answer_calls: 1, canceled_calls: 1, agent_hangup_calls: 2, caller_hangup_calls: 2,
      time_to_answer_ms_sum: 3500 + 2000 + 1 + 9000, time_to_answer_count: 4, cost_micros: 248_957, costed_calls: 9,
    });
    await expectExact(tenant.id, everywhere(agentId, day, hour, TOTAL));

    // the figures: dispositions, hang-up split, average time to answer, cost and its rates
    const { rows } = await db.pool.query<{ f: Record<string, unknown> }>(
      `select to_jsonb(app_hidden.kpi_figures(jsonb_populate_record(null::app_hidden.measures, to_jsonb(d)))) as f
         from app_public.tenant_daily_stats d where d.user_id = $1 and d.day = $2`,
      [tenant.id, day],
    );
    expect(rows[0]?.f).toMatchObject({
      voicemail_calls: 1, no_conversation_calls: 1, busy_calls: 1, no_answer_calls: 1, canceled_calls: 1, errored_calls: 1,
      // an inbound call's Callee is the agent's leg
      agent_hangup_calls: 2, caller_hangup_calls: 2, other_hangup_calls: 1,
      // (3500 + 2000 + 1 + 9000) ms / 4
      average_time_to_answer_seconds: 3.63,
      provider_cost_cents: 24.8957, costed_calls: 9,
      // 11 ended calls; 95 + 61 + 30 + 44 + 12 = 242 talk seconds; no leads
      cost_per_call_cents: 2.2632, cost_per_connected_minute_cents: 6.1725, cost_per_lead_cents: null,
      cost_per_qualified_lead_cents: null, cta_interactions: 0, cta_call_conversion_rate: 0,
    });
  });

  it('lifecycle events of a call in progress append no deltas; the final event counts once', async () => {
    const { tenant, agentId } = await tenantWithAgent('Asia/Kolkata');
    const start = '2026-05-06T10:00:00Z';
    const call = await createCall(db.pool, { userId: tenant.id, agentId, status: 'initiated', startedAt: start });
    await compact();
    await updateCall(db.pool, call.id, { status: 'ringing', ringingAt: '2026-05-06T10:00:01.250Z' });
    await updateCall(db.pool, call.id, { status: 'in_progress', answeredAt: '2026-05-06T10:00:04Z' });
    expect(await pendingDeltas(tenant.id)).toBe(0);
    await updateCall(db.pool, call.id, { status: 'completed', durationSeconds: 130, hangupBy: 'Callee', costCents: '9.87' });
    const expected = model({ status: 'completed', durationSeconds: 130, hangupBy: 'Callee', costCents: '9.87', ringingMs: 1250, answeredMs: 4000 });
    expect(expected).toMatchObject({ caller_hangup_calls: 1, time_to_answer_ms_sum: 2750, cost_micros: 98_700 });
    await expectExact(tenant.id, everywhere(agentId, '2026-05-06', 15, expected));
  });

  it('corrections of cost, hang-up side, answer time and disposition move exactly; a deletion removes them', async () => {
    const { tenant, agentId } = await tenantWithAgent('America/New_York');
    const start = '2026-05-07T16:00:00Z';
    const o: Outcome = { status: 'completed', durationSeconds: 50, hangupBy: 'agent', costCents: '4.4', ringingMs: 0, answeredMs: 2000 };
    const call = await createCall(db.pool, input(tenant.id, agentId, start, o));
    await compact();
    const expectAt = (outcome: Outcome) => expectExact(tenant.id, everywhere(agentId, '2026-05-07', 12, model(outcome)));
    await expectAt(o);

    await updateCall(db.pool, call.id, { costCents: '4.4001', hangupBy: 'customer' });
    await expectAt({ ...o, costCents: '4.4001', hangupBy: 'customer' });
    await updateCall(db.pool, call.id, { answeredAt: '2026-05-07T16:00:03.5Z', costCents: null });
    await expectAt({ ...o, hangupBy: 'customer', answeredMs: 3500, costCents: null });
    // completed without conversation -> busy: both unanswered, the disposition moves
    await updateCall(db.pool, call.id, { durationSeconds: 0 });
    await updateCall(db.pool, call.id, { status: 'busy' });
    await expectAt({ status: 'busy', hangupBy: 'customer', ringingMs: 0, answeredMs: 3500 });
    // an analysis adds its CTA interactions
    await createAnalysis(db.pool, { userId: tenant.id, callId: call.id, totalScore: 70, ctaDemo: true, ctaPricing: true, ctaSample: true });
    const withLead = add(model({ status: 'busy', hangupBy: 'customer', ringingMs: 0, answeredMs: 3500 }), {
      leads_generated: 1, qualified_leads: 1, total_score_sum: 70, total_score_count: 1, cta_demo: 1, cta_pricing: 1,
      cta_sample: 1, calls_with_cta: 1, cta_interactions: 3,
    });
    await expectExact(tenant.id, everywhere(agentId, '2026-05-07', 12, withLead));

    await db.pool.query('delete from app_public.calls where id = $1', [call.id]);
    await expectExact(tenant.id, everywhere(agentId, '2026-05-07', 12, {}));
  });

  it('a time zone change re-buckets the outcome and cost measures', async () => {
    const { tenant, agentId } = await tenantWithAgent('UTC');
    const start = '2026-05-04T03:30:00Z';
    await createCalls(db.pool, CALLS.map((o) => input(tenant.id, agentId, start, o)));
    await compact();
    await db.pool.query(`update app_public.users set timezone = 'America/New_York' where id = $1`, [tenant.id]);
    await expectExact(tenant.id, [
      ...everywhere(agentId, '2026-05-03', 23, TOTAL),
      ...everywhere(agentId, '2026-05-04', 3, {}),
    ]);
    expect(await verify(tenant.id)).toEqual([]);
  });
});
