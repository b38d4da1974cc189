/**
 * Bolna executions over real HTTP: a realistic status sequence delivered with
 * repeats, in seeded shuffled orders (one of them all at once), ends as
 * exactly one call with the final event's figures, one transcript, one
 * analysis job and exact rollups; repeats and late events change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRollups } from '../helpers/rollups.ts';
import {
  bolnaSequence,
  callRow,
  seedIngestTenant,
  startWebhookApp,
  withRepeats,
  type BolnaPayload,
  type IngestTenant,
  type WebhookApp,
  type WebhookResponse,
} from '../helpers/webhooks.ts';

let app: WebhookApp;
let tenant: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp();
  tenant = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await app?.close();
});

function idOf(payload: BolnaPayload): string {
  return String(payload.id);
}

function keyOf(payload: BolnaPayload): string {
  return `${String(payload.id)}:${String(payload.status)}:${String(payload.updated_at)}`;
}

async function sendInOrder(deliveries: readonly BolnaPayload[]): Promise<WebhookResponse[]> {
  const responses: WebhookResponse[] = [];
  for (const payload of deliveries) responses.push(await app.postBolna(tenant.bolnaToken, payload));
  return responses;
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await app.pool.query<{ n: number }>(`select (${sql})::int as n`, params);
  return rows[0]?.n ?? -1;
}

/** Everything the final state must show, whatever the order of delivery. */
async function expectFinalCall(sequence: readonly BolnaPayload[]): Promise<string> {
  const executionId = idOf(sequence[0]!);
  const completed = sequence.at(-1)!;
  // Counted when it was dialled: the earliest dialled event (ringing; the queued one is pre-dial).
  const ringing = sequence[1]!;
  expect(await count('select count(*) from app_public.calls where provider_call_id = $1', [executionId])).toBe(1);
  const call = await callRow(app.pool, 'bolna', executionId);
  expect(call).toMatchObject({
    user_id: tenant.userId,
    agent_id: tenant.agentId,
    status: 'completed',
    outcome: 'successful',
    duration_seconds: 87,
    billed_minutes: 2,
    credits_used: 2,
    cost_cents: '12.3500',
    recording_url: `https://recordings.example.com/${executionId}.mp3`,
    hangup_by: 'Callee',
    hangup_reason: 'Call recipient hungup',
    hangup_code: 4000,
    direction: 'outbound',
    call_source: 'phone',
    phone_number: '+14155550123',
    answered_by_voicemail: false,
    provider_event_rank: 6,
  });
  expect((call?.started_at as Date).toISOString()).toBe(ringing.updated_at);
  expect((call?.ended_at as Date).toISOString()).toBe(completed.updated_at);
  expect((call?.provider_event_at as Date).toISOString()).toBe(completed.updated_at);
  const callId = String(call?.id);

  const { rows: transcripts } = await app.pool.query<{ content: string }>('select content from app_public.transcripts where call_id = $1', [callId]);
  expect(transcripts).toEqual([{ content: completed.transcript }]);
  expect(await count('select count(*) from graphile_worker.jobs where key = $1', [`calls__analyze:${callId}`])).toBe(1);
  expect(
    await count(
      `select count(*) from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
        where t.identifier = 'calls__analyze' and j.payload ->> 'callId' = $1`,
      [callId],
    ),
  ).toBe(1);
  const { rows: events } = await app.pool.query<{ status: string; call_id: string; attempts: number }>(
    `select status, call_id, attempts from app_private.webhook_events where provider = 'bolna' and event_key like $1`,
    [`${executionId}:%`],
  );
  expect(events).toHaveLength(sequence.length);
  expect(events.every((event) => event.status === 'processed' && event.call_id === callId && event.attempts === 1)).toBe(true);
  return callId;
}

describe('a Bolna execution', () => {
  it('delivered in order with every event repeated: one call, repeats flagged as duplicates and changing nothing', async () => {
    const sequence = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const first = await sendInOrder(sequence);
    expect(first.map((r) => [r.status, r.body.duplicate, r.body.status])).toEqual(sequence.map(() => [200, false, 'processed']));
    const callId = await expectFinalCall(sequence);
    expect(first.every((r) => r.body.callId === callId)).toBe(true);
    expect(first.map((r) => r.body.eventKey)).toEqual(sequence.map(keyOf));

    const before = await callRow(app.pool, 'bolna', idOf(sequence[0]!));
    const repeats = await sendInOrder(sequence);
    expect(repeats.map((r) => [r.status, r.body.duplicate, r.body.status, r.body.callId])).toEqual(
      sequence.map(() => [200, true, 'processed', callId]),
    );
    expect(repeats.map((r) => r.body.eventKey)).toEqual(first.map((r) => r.body.eventKey));
    expect(await callRow(app.pool, 'bolna', idOf(sequence[0]!))).toEqual(before);
    await expectFinalCall(sequence);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it.each([11, 23, 47, 101])('delivered with repeats in shuffled order (seed %i): the same final call', async (seed) => {
    const sequence = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const deliveries = withRepeats(sequence, seed);
    const responses = await sendInOrder(deliveries);
    expect(responses.every((r) => r.status === 200 && r.body.status === 'processed')).toBe(true);
    // The first delivery of each event is new, every later one a duplicate.
    const seen = new Set<string>();
    const expectedDuplicates = deliveries.map((payload) => {
      const duplicate = seen.has(keyOf(payload));
      seen.add(keyOf(payload));
      return duplicate;
    });
    expect(responses.map((r) => r.body.duplicate)).toEqual(expectedDuplicates);
    await expectFinalCall(sequence);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('delivered all at once (concurrently, with repeats): the same final call, one stored delivery per event', async () => {
    const sequence = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const deliveries = withRepeats(sequence, 5);
    const responses = await Promise.all(deliveries.map((payload) => app.postBolna(tenant.bolnaToken, payload)));
    expect(responses.every((r) => r.status === 200 && r.body.status === 'processed')).toBe(true);
    expect(responses.filter((r) => r.body.duplicate === false)).toHaveLength(sequence.length);
    await expectFinalCall(sequence);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('completed with no conversation is an unanswered call, with nothing billed', async () => {
    const [queued, ringing, , , completed] = bolnaSequence({ agentId: tenant.bolnaAgentId, conversationSeconds: 0, transcript: '' });
    const rejected: BolnaPayload = {
      ...completed,
      conversation_time: 0,
      conversation_duration: 0,
      total_cost: 0.8,
      telephony_data: { ...(completed!.telephony_data as BolnaPayload), duration: '12', hangup_reason: 'Call recipient rejected', recording_url: null },
    };
    const responses = await sendInOrder([queued!, ringing!, rejected]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const call = await callRow(app.pool, 'bolna', idOf(queued!));
    expect(call).toMatchObject({ status: 'completed', outcome: 'unanswered', duration_seconds: 0, billed_minutes: 0, credits_used: 0 });
    expect(await count('select count(*) from app_public.transcripts where call_id = $1', [call?.id])).toBe(0);
    expect(await count(`select count(*) from graphile_worker.jobs where key = $1`, [`calls__analyze:${String(call?.id)}`])).toBe(0);
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
  });

  it('a call-disconnected arriving after completed (older or newer timestamp) only fills the missing disconnect time', async () => {
    const [queued, ringing, inProgress, disconnected, completed] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    await sendInOrder([queued!, ringing!, inProgress!, completed!]);
    const before = await callRow(app.pool, 'bolna', idOf(queued!));
    expect(before).toMatchObject({ status: 'completed', duration_seconds: 87, disconnected_at: null });
    const late = await app.postBolna(tenant.bolnaToken, disconnected);
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ duplicate: false, status: 'processed', callId: before?.id });
    const filled = await callRow(app.pool, 'bolna', idOf(queued!));
    // Nothing moves backwards: only the lifecycle time no other event recorded is filled in.
    expect(filled).toEqual({ ...before, disconnected_at: filled?.disconnected_at, updated_at: filled?.updated_at });
    expect(filled?.disconnected_at).not.toBeNull();
    const later = await app.postBolna(tenant.bolnaToken, { ...disconnected, updated_at: new Date(Date.parse(String(completed!.updated_at)) + 60_000).toISOString() });
    expect(later.body).toMatchObject({ duplicate: false, status: 'processed' });
    expect(await callRow(app.pool, 'bolna', idOf(queued!))).toEqual(filled);
  });
});

describe('provider data that must not break or leak', () => {
  it("another tenant posting a tenant's execution id gets its own call: nothing of the first is revealed or changed", async () => {
    const other = await seedIngestTenant(app.pool);
    const sequence = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const first = await app.postBolna(tenant.bolnaToken, sequence[0]!);
    expect(first.status).toBe(200);
    const before = await callRow(app.pool, 'bolna', idOf(sequence[0]!), tenant.userId);
    // the same execution, sent to the other tenant's URL with the other tenant's agent
    const copy = await app.postBolna(other.bolnaToken, { ...sequence[4]!, agent_id: other.bolnaAgentId });
    expect([copy.status, copy.body.duplicate, copy.body.status]).toEqual([200, false, 'processed']);
    expect(copy.body.callId).not.toBe(first.body.callId);
    expect(JSON.stringify(copy.body)).not.toContain(String(first.body.callId));
    expect(await callRow(app.pool, 'bolna', idOf(sequence[0]!), tenant.userId)).toEqual(before);
    expect(await callRow(app.pool, 'bolna', idOf(sequence[0]!), other.userId)).toMatchObject({ id: copy.body.callId, status: 'completed' });
    expect(await verifyRollups(app.pool, tenant.userId)).toEqual([]);
    expect(await verifyRollups(app.pool, other.userId)).toEqual([]);
  });

  it('a malformed number is dropped rather than failing the delivery; a time without an offset is UTC', async () => {
    const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    const payload = {
      ...queued!,
      created_at: '2026-11-20T09:30:00',
      updated_at: '2026-11-20T09:30:00',
      telephony_data: { ...(queued!.telephony_data as Record<string, unknown>), to_number: '+91 98765 43210' },
    };
    const response = await app.postBolna(tenant.bolnaToken, payload);
    expect(response.status).toBe(200);
    const call = await callRow(app.pool, 'bolna', idOf(queued!));
    expect(call?.phone_number).toBeNull();
    expect((call?.started_at as Date).toISOString()).toBe('2026-11-20T09:30:00.000Z');
  });
});
