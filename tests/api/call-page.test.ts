/**
 * What the call page reads and does, through real webhooks and GraphQL:
 * speaker turns parsed from each provider transcript shape, the queued time and
 * the deliveries that built a call (never another business's), the reason a
 * failed analysis gives, and the retry that queues exactly one analysis job.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asTenant, inTransaction, withClient } from '../helpers/db.ts';
import { errorCodes } from '../helpers/api.ts';
import { bolnaSequence, callRow, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';

let app: WebhookApp;
let a: IngestTenant;
let b: IngestTenant;

beforeAll(async () => {
  app = await startWebhookApp({ graphql: true, env: { RATE_LIMIT_BURST: '5000' } });
  a = await seedIngestTenant(app.pool);
  b = await seedIngestTenant(app.pool);
});

afterAll(async () => {
  await app?.close();
});

async function deliver(tenant: IngestTenant, events: Array<Record<string, unknown>>): Promise<string> {
  for (const event of events) {
    const response = await app.postBolna(tenant.bolnaToken, event);
    expect(response.status).toBe(200);
  }
  const id = String(events[0]?.id);
  const row = await callRow(app.pool, 'bolna', id, tenant.userId);
  if (!row) throw new Error('no call');
  return String(row.id);
}

async function segmentsOf(content: string): Promise<unknown> {
  const { rows } = await app.pool.query<{ s: unknown }>('select app_hidden.speaker_segments($1) as s', [content]);
  return rows[0]?.s;
}

async function jobsFor(callId: string): Promise<Array<{ id: string; attempts: number; run_at: Date }>> {
  const { rows } = await app.pool.query<{ id: string; attempts: number; run_at: Date }>(
    'select id::text, attempts, run_at from graphile_worker.jobs where key = $1',
    [`calls__analyze:${callId}`],
  );
  return rows;
}

const CALL_PAGE = `query ($id: UUID!) {
  callByRowId(rowId: $id) {
    rowId queuedAt startedAt ringingAt answeredAt endedAt hangupBy hangupReason recordingUrl
    deliveries(first: 100) { totalCount nodes { rowId provider providerStatus providerEventAt status errorCode receivedAt } }
  }
  transcriptByCallId(callId: $id) { analysisStatus analysisError speakerSegments }
}`;

interface CallPageData {
  callByRowId: {
    rowId: string;
    queuedAt: string | null;
    startedAt: string;
    ringingAt: string | null;
    answeredAt: string | null;
    endedAt: string | null;
    hangupBy: string | null;
    hangupReason: string | null;
    recordingUrl: string | null;
    deliveries: { totalCount: number; nodes: Array<{ rowId: string; provider: string; providerStatus: string; providerEventAt: string; status: string; errorCode: string | null; receivedAt: string }> };
  } | null;
  transcriptByCallId: { analysisStatus: string; analysisError: string | null; speakerSegments: unknown } | null;
}

describe('speaker turns', () => {
  it('come from a Bolna execution\'s "assistant: / user:" transcript, stored by the webhook', async () => {
    const events = bolnaSequence({ agentId: a.bolnaAgentId });
    const callId = await deliver(a, events);
    const { rows } = await app.pool.query<{ speaker_segments: unknown }>('select speaker_segments from app_public.transcripts where call_id = $1', [callId]);
    expect(rows[0]?.speaker_segments).toEqual([
      { speaker: 'agent', text: 'Hi, this is Maya from Acme Solar. Is this a good time?' },
      { speaker: 'user', text: 'Sure, I was looking at panels for my house.' },
      { speaker: 'agent', text: 'Great! Could I book a site survey for Thursday?' },
      { speaker: 'user', text: 'Thursday works, send me the pricing first please.' },
    ]);
  });

  it('join unlabelled lines to the turn before, accept " user:" after a newline and other labels (Agent, Customer)', async () => {
    expect(await segmentsOf('assistant: Hello there.\n user: Hi,\nI have a question.\r\nAgent: Go ahead.\n\nCustomer: What does it cost?')).toEqual([
      { speaker: 'agent', text: 'Hello there.' },
      { speaker: 'user', text: 'Hi, I have a question.' },
      { speaker: 'agent', text: 'Go ahead.' },
      { speaker: 'user', text: 'What does it cost?' },
    ]);
  });

  it('come from structured turns (Vapi messages with times, Retell words), leaving out system and tool messages', async () => {
    const vapi = JSON.stringify([
      { role: 'system', message: 'You are Maya, a solar sales agent.', time: 1, secondsFromStart: 0 },
      { role: 'bot', message: 'Hi, this is Maya.', time: 2, secondsFromStart: 0.8 },
      { role: 'user', message: 'Hello Maya.', time: 3, secondsFromStart: 2.5 },
      { role: 'tool_calls', toolCalls: [] },
    ]);
    expect(await segmentsOf(vapi)).toEqual([
      { speaker: 'agent', text: 'Hi, this is Maya.', start: 0.8 },
      { speaker: 'user', text: 'Hello Maya.', start: 2.5 },
    ]);
    const retell = JSON.stringify([
      { role: 'agent', content: 'Good morning!', words: [{ word: 'Good', start: 0.5, end: 0.7 }, { word: 'morning!', start: 0.7, end: 1.2 }] },
      { role: 'user', content: 'Morning.', words: [{ word: 'Morning.', start: 1.9, end: 2.4 }] },
    ]);
    expect(await segmentsOf(retell)).toEqual([
      { speaker: 'agent', text: 'Good morning!', start: 0.5, end: 1.2 },
      { speaker: 'user', text: 'Morning.', start: 1.9, end: 2.4 },
    ]);
  });

  it('are empty for a transcript without speaker labels, and segments a writer gives are kept', async () => {
    expect(await segmentsOf('Just a voicemail greeting, nobody answered.')).toEqual([]);
    expect(await segmentsOf('')).toEqual([]);
    const callId = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId, transcript: 'plain words' }));
    const given = [{ speaker: 'agent', text: 'timed', start: 0, end: 1 }];
    await app.pool.query('update app_public.transcripts set speaker_segments = $2, content = $3 where call_id = $1', [callId, JSON.stringify(given), 'agent: other']);
    const { rows } = await app.pool.query<{ speaker_segments: unknown }>('select speaker_segments from app_public.transcripts where call_id = $1', [callId]);
    expect(rows[0]?.speaker_segments).toEqual(given);
    // a new text alone brings its own turns
    await app.pool.query('update app_public.transcripts set content = $2 where call_id = $1', [callId, 'agent: Bye now.']);
    const after = await app.pool.query<{ speaker_segments: unknown }>('select speaker_segments from app_public.transcripts where call_id = $1', [callId]);
    expect(after.rows[0]?.speaker_segments).toEqual([{ speaker: 'agent', text: 'Bye now.' }]);
  });
});

describe('a call\'s timeline and deliveries', () => {
  it('lists every delivery of the call, failed ones too, with the provider status and time; queuedAt from the queued event', async () => {
    const events = bolnaSequence({ agentId: a.bolnaAgentId });
    const callId = await deliver(a, events);
    // a delivery the database refused (unknown status): kept with its code, shown with the call
    const refused = await app.postBolna(a.bolnaToken, { ...events[1], status: 'warp-speed', updated_at: '2026-11-20T09:30:03.000Z' });
    expect(refused.status).not.toBe(200);
    const body = await app.graphql<CallPageData>(CALL_PAGE, { id: callId }, app.tokenFor(a.userId));
    expect(body.errors).toBeUndefined();
    const call = body.data?.callByRowId;
    expect(Date.parse(String(call?.queuedAt))).toBe(Date.parse(String(events[0]?.updated_at)));
    expect(call?.ringingAt).not.toBeNull();
    expect(call?.hangupBy).toBe('Callee');
    expect(call?.hangupReason).toBe('Call recipient hungup');
    const nodes = call?.deliveries.nodes ?? [];
    expect(nodes.map((n) => [n.providerStatus, n.status, n.errorCode])).toEqual([
      ['queued', 'processed', null],
      ['ringing', 'processed', null],
      ['in-progress', 'processed', null],
      ['call-disconnected', 'processed', null],
      ['completed', 'processed', null],
      ['warp-speed', 'failed', 'SB107'],
    ]);
    expect(call?.deliveries.totalCount).toBe(6);
  });

  it('never shows another business\'s deliveries, even for the same provider call id', async () => {
    const executionId = randomUUID();
    const mine = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId, executionId }));
    const theirs = await deliver(b, bolnaSequence({ agentId: b.bolnaAgentId, executionId }).slice(0, 2));
    const tokenB = app.tokenFor(b.userId);
    // B cannot open A's call; its own call with the same execution id lists only its own two deliveries
    expect((await app.graphql<CallPageData>(CALL_PAGE, { id: mine }, tokenB)).data?.callByRowId).toBeNull();
    const own = await app.graphql<CallPageData>(CALL_PAGE, { id: theirs }, tokenB);
    expect(own.data?.callByRowId?.deliveries.totalCount).toBe(2);
    // called directly with A's call row, the function still answers only for the signed-in business
    const rows = await withClient(app.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, b.userId);
        const { rows: found } = await client.query(
          `select d.* from (select * from app_public.calls) c, app_public.calls_deliveries(c) d where c.id = $1`,
          [mine],
        );
        const forged = await client.query(
          `select d.* from app_public.calls_deliveries(jsonb_populate_record(null::app_public.calls, $1::jsonb)) d`,
          [JSON.stringify({ id: mine, user_id: a.userId, provider: 'bolna', provider_call_id: executionId })],
        );
        return [...found, ...forged.rows];
      }),
    );
    expect(rows).toEqual([]);
  });
});

describe('a failed analysis', () => {
  it('shows its reason, and a retry queues exactly one job (a second retry queues nothing)', async () => {
    const callId = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId }));
    const token = app.tokenFor(a.userId);
    // the analysis job gave up: permanently failed job, transcript failed with the reason
    await app.pool.query('update graphile_worker._private_jobs set attempts = max_attempts, last_error = $2 where key = $1', [`calls__analyze:${callId}`, 'boom']);
    await app.pool.query('select app_hidden.mark_analysis_failed($1, $2)', [callId, 'The analyzer timed out after 30 s']);
    const before = await app.graphql<CallPageData>(CALL_PAGE, { id: callId }, token);
    expect(before.data?.transcriptByCallId).toMatchObject({ analysisStatus: 'failed', analysisError: 'The analyzer timed out after 30 s' });

    const retry = `mutation ($id: UUID!) { retryCallAnalysis(input: { callId: $id }) { result { analysisStatus analysisError } } }`;
    const first = await app.graphql<{ retryCallAnalysis: { result: { analysisStatus: string; analysisError: string | null } } }>(retry, { id: callId }, token);
    expect(first.errors).toBeUndefined();
    expect(first.data?.retryCallAnalysis.result).toEqual({ analysisStatus: 'pending', analysisError: null });
    const jobs = await jobsFor(callId);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.attempts).toBe(0);

    const second = await app.graphql<{ retryCallAnalysis: { result: { analysisStatus: string } } }>(retry, { id: callId }, token);
    expect(second.data?.retryCallAnalysis.result.analysisStatus).toBe('pending');
    expect(await jobsFor(callId)).toEqual(jobs);
  });

  it('cannot be retried by another business (NOT_FOUND, nothing queued or changed)', async () => {
    const callId = await deliver(a, bolnaSequence({ agentId: a.bolnaAgentId }));
    await app.pool.query('delete from graphile_worker._private_jobs where key = $1', [`calls__analyze:${callId}`]);
    await app.pool.query('select app_hidden.mark_analysis_failed($1, $2)', [callId, 'Rate limited']);
    const body = await app.graphql(`mutation ($id: UUID!) { retryCallAnalysis(input: { callId: $id }) { result { analysisStatus } } }`, { id: callId }, app.tokenFor(b.userId));
    expect(errorCodes(body), JSON.stringify(body)).toEqual(['NOT_FOUND']);
    expect(await jobsFor(callId)).toEqual([]);
    const { rows } = await app.pool.query<{ analysis_status: string }>('select analysis_status from app_public.transcripts where call_id = $1', [callId]);
    expect(rows[0]?.analysis_status).toBe('failed');
  });
});

describe('ids in the URL', () => {
  it('a malformed id gets a coded error, an unknown or foreign one null', async () => {
    const token = app.tokenFor(a.userId);
    const malformed = await app.graphql(CALL_PAGE, { id: 'not-a-uuid' }, token);
    const codes = errorCodes(malformed);
    expect(codes).toHaveLength(1);
    expect(codes[0]).toBe('INVALID_ID');
    // written in the query itself, too
    expect(errorCodes(await app.graphql('{ callByRowId(rowId: "12345") { rowId } }', {}, token))).toEqual(['INVALID_ID']);
    expect(codes[0]).not.toBe('INTERNAL_ERROR');
    const unknown = await app.graphql<CallPageData>(CALL_PAGE, { id: randomUUID() }, token);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data?.callByRowId).toBeNull();
  });
});
