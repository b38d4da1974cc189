/**
 * calls__analyze through the real worker and the real `openai` client against
 * a local fake server: success, retries on 429 / timeout / invalid output, and
 * failure after the last attempt. In every path a call has at most one
 * individual analysis, the lead's complete analysis follows, and the rollups
 * verify exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INDIVIDUAL_PROMPT, DEFAULT_PROMPT_VERSION } from '../../worker/analysis/prompts.ts';
import { analysisJsonSchema, type AnalysisContext } from '../../worker/analysis/schema.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { asTenant, createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { startFakeOpenAI, type FakeOpenAI, type FakeReply } from '../helpers/fake-openai.ts';
import { createAgent, createTenant, phoneNumber } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { analyzeJobKey, callWithTranscript, count, driveJob, scalar, waitFor } from './support.ts';

const TIMEOUT_MS = 1500;
const TRANSCRIPT = 'assistant: Hello, this is Maya.\nuser: Hi, I am interested. How much does it cost?';

let db: TestDatabase;
let openai: FakeOpenAI;
let worker: WorkerHandle | undefined;
let userId: string;
let agentId: string;
let phoneSeq = 100;

beforeAll(async () => {
  db = await createTestDatabase();
  openai = await startFakeOpenAI();
  const tenant = await createTenant(db.pool, { timezone: 'Europe/Berlin' });
  userId = tenant.id;
  agentId = (await createAgent(db.pool, userId)).id;
  worker = await startWorker({
    connectionString: db.connectionString,
    concurrency: 2,
    cron: false,
    pollInterval: 50,
    openai: { apiKey: 'test-key', baseURL: openai.baseURL, model: 'fake-model', timeoutMs: TIMEOUT_MS },
    sms: null,
  });
});

afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await db?.drop();
});

interface Outcome {
  callId: string;
  phone: string;
  requests: { individual: number; complete: number };
  job: Awaited<ReturnType<typeof driveJob>>;
  statusesBetweenAttempts: string[];
}

/** A new call (on `phone`, default a new number) analysed with the scripted replies. */
async function analyse(replies: FakeReply[], options: { phone?: string; maxAttempts?: number } = {}): Promise<Outcome> {
  const phone = options.phone ?? phoneNumber((phoneSeq += 1));
  const before = openai.requests.length;
  openai.script(...replies);
  const callId = await callWithTranscript(db.pool, {
    userId,
    agentId,
    phoneNumber: phone,
    transcript: TRANSCRIPT,
    maxAttempts: options.maxAttempts,
  });
  const statusesBetweenAttempts: string[] = [];
  const job = await driveJob(db.pool, analyzeJobKey(callId), async () => {
    statusesBetweenAttempts.push(String(await scalar(db.pool, 'select analysis_status from app_public.transcripts where call_id = $1', [callId])));
  });
  const mine = openai.requests.slice(before);
  return {
    callId,
    phone,
    job,
    statusesBetweenAttempts,
    requests: {
      individual: mine.filter((request) => request.kind === 'individual').length,
      complete: mine.filter((request) => request.kind === 'complete').length,
    },
  };
}

async function transcript(callId: string): Promise<{ analysis_status: string; analysis_error: string | null }> {
  const { rows } = await db.pool.query<{ analysis_status: string; analysis_error: string | null }>(
    'select analysis_status, analysis_error from app_public.transcripts where call_id = $1',
    [callId],
  );
  if (!rows[0]) throw new Error(`no transcript for ${callId}`);
  return rows[0];
}

/** An answer whose five sub-scores are all `n` (the database grades them: total n). */
function scored(n: number, tag: 'hot' | 'warm' | 'cold') {
  return { intent_score: n, urgency_score: n, budget_score: n, fit_score: n, engagement_score: n, total_score: n, lead_status_tag: tag } as const;
}

async function individualAnalyses(callId: string): Promise<Array<{ analyzer: string; model: string; prompt_version: string; total_score: number }>> {
  const { rows } = await db.pool.query<{ analyzer: string; model: string; prompt_version: string; total_score: number }>(
    `select analyzer, model, prompt_version, total_score from app_public.lead_analytics
      where call_id = $1 and analysis_type = 'individual'`,
    [callId],
  );
  return rows;
}

async function completeAnalysis(phone: string): Promise<{ calls_analyzed: number; latest_call_id: string; analyzer: string } | undefined> {
  const { rows } = await db.pool.query<{ calls_analyzed: number; latest_call_id: string; analyzer: string }>(
    `select calls_analyzed, latest_call_id, analyzer from app_public.lead_analytics
      where user_id = $1 and phone_number = $2 and analysis_type = 'complete'`,
    [userId, phone],
  );
  return rows[0];
}

/** The tenant's taxonomy and active criteria, as the worker loads them. */
async function tenantContext(): Promise<AnalysisContext> {
  const { rows } = await db.pool.query<{ context: AnalysisContext }>(
    `select json_build_object(
       'topics', coalesce((select json_agg(json_build_object('key', t.key, 'label', t.label, 'description', t.description, 'keywords', t.keywords) order by t.key)
                             from app_public.analysis_topics t where t.user_id = $1), '[]'),
       'criteria', coalesce((select json_agg(json_build_object('id', k.id, 'name', k.name, 'question', k.question, 'keywords', k.keywords) order by k.name, k.id)
                               from app_public.success_criteria k where k.user_id = $1 and k.is_active), '[]')) as context`,
    [userId],
  );
  if (!rows[0]) throw new Error('no context');
  return rows[0].context;
}

async function expectExactRollups(): Promise<void> {
  expect(await verifyRollups(db.pool, userId)).toEqual([]);
}

describe('calls__analyze with the OpenAI client', () => {
  let firstPhone = '';

  it('success: one request per analysis with the strict JSON schema; individual and complete analyses recorded', async () => {
    const outcome = await analyse([]);
    firstPhone = outcome.phone;
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 1, complete: 1 });
    const request = openai.requests.find((r) => r.kind === 'individual');
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.authorization).toBe('Bearer test-key');
    expect(request?.body.model).toBe('fake-model');
    expect(request?.body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'lead_analysis', strict: true, schema: analysisJsonSchema(await tenantContext()) },
    });
    expect(request?.body.messages?.[0]).toEqual({ role: 'system', content: DEFAULT_INDIVIDUAL_PROMPT });
    expect(request?.body.messages?.[1]?.content).toContain(TRANSCRIPT);

    expect(await transcript(outcome.callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    expect(await individualAnalyses(outcome.callId)).toEqual([
      { analyzer: 'openai', model: 'fake-model', prompt_version: `default-v${DEFAULT_PROMPT_VERSION}`, total_score: 70 },
    ]);
    expect(await completeAnalysis(outcome.phone)).toEqual({ calls_analyzed: 1, latest_call_id: outcome.callId, analyzer: 'openai' });
    await expectExactRollups();
  });

  it('429 then success: retried, one analysis; the lead’s complete analysis now covers both calls', async () => {
    const outcome = await analyse([{ kind: 'status', status: 429, message: 'Rate limit reached' }], { phone: firstPhone });
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 2, complete: 1 });
    expect(outcome.statusesBetweenAttempts).not.toContain('failed');
    expect(await transcript(outcome.callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    expect(await individualAnalyses(outcome.callId)).toHaveLength(1);
    expect(await completeAnalysis(firstPhone)).toEqual({ calls_analyzed: 2, latest_call_id: outcome.callId, analyzer: 'openai' });
    await expectExactRollups();
  });

  it('500s until the last attempt: failed with the reason only then, no analysis row', async () => {
    const outcome = await analyse(
      [500, 502, 503].map((status) => ({ kind: 'status', status }) as const),
      { maxAttempts: 3 },
    );
    expect(outcome.job).toBeNull(); // the last attempt records the failure and completes the job
    expect(outcome.requests).toEqual({ individual: 3, complete: 0 });
    expect(outcome.statusesBetweenAttempts.length).toBeGreaterThan(0);
    expect(outcome.statusesBetweenAttempts.every((status) => status === 'processing')).toBe(true);
    const row = await transcript(outcome.callId);
    expect(row.analysis_status).toBe('failed');
    expect(row.analysis_error).toMatch(/^OpenAI HTTP 503/);
    expect(await individualAnalyses(outcome.callId)).toEqual([]);
    expect(await completeAnalysis(outcome.phone)).toBeUndefined();
    await expectExactRollups();
  });

  it('malformed JSON on every attempt: failed with the reason, no analysis row', async () => {
    const outcome = await analyse(
      [{ kind: 'content', content: '{"intent_level": "high", ' }, { kind: 'content', content: 'Sure! Here is the analysis:' }],
      { maxAttempts: 2 },
    );
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 2, complete: 0 });
    expect(outcome.statusesBetweenAttempts).toEqual(['processing']);
    const row = await transcript(outcome.callId);
    expect(row.analysis_status).toBe('failed');
    expect(row.analysis_error).toContain('malformed JSON from the model: Sure! Here is the analysis:');
    expect(await individualAnalyses(outcome.callId)).toEqual([]);
    await expectExactRollups();
  });

  it('schema-violating JSON is retried: the valid answer of the next attempt is recorded once', async () => {
    const outcome = await analyse([{ kind: 'content', content: JSON.stringify({ intent_level: 'extreme', intent_score: 250 }) }]);
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 2, complete: 1 });
    expect(outcome.statusesBetweenAttempts).toEqual(['processing']);
    expect(await transcript(outcome.callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    expect(await individualAnalyses(outcome.callId)).toHaveLength(1);
    expect(await completeAnalysis(outcome.phone)).toMatchObject({ calls_analyzed: 1, latest_call_id: outcome.callId });
    await expectExactRollups();
  });

  it('schema-violating JSON on every attempt: failed with the schema error', async () => {
    const bad = { kind: 'analysis', analysis: { total_score: 101, lead_status_tag: 'lukewarm' } } as const;
    const outcome = await analyse([bad, bad], { maxAttempts: 2 });
    expect(outcome.job).toBeNull();
    const row = await transcript(outcome.callId);
    expect(row.analysis_status).toBe('failed');
    expect(row.analysis_error).toMatch(/^the answer does not match the schema: .*total_score/);
    expect(row.analysis_error).toContain('lead_status_tag');
    expect(await individualAnalyses(outcome.callId)).toEqual([]);
    await expectExactRollups();
  });

  it('a timeout is retried: the next attempt’s answer is recorded once', async () => {
    const outcome = await analyse([{ kind: 'hang' }]);
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 2, complete: 1 });
    expect(await transcript(outcome.callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    expect(await individualAnalyses(outcome.callId)).toHaveLength(1);
    await expectExactRollups();
  });

  it('a retry after a partial run (complete analysis failed) does not analyse the call again', async () => {
    const outcome = await analyse([{ kind: 'analysis' }, { kind: 'status', status: 500 }]);
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 1, complete: 2 });
    expect(await individualAnalyses(outcome.callId)).toHaveLength(1);
    expect(await completeAnalysis(outcome.phone)).toMatchObject({ calls_analyzed: 1, latest_call_id: outcome.callId });
    await expectExactRollups();
  });

  it('a new transcript replaces the call’s analysis (never a second row) and the rollups move by the difference', async () => {
    const outcome = await analyse([{ kind: 'analysis', analysis: scored(30, 'cold') }]);
    expect(await individualAnalyses(outcome.callId)).toMatchObject([{ total_score: 30 }]);
    const qualifiedBefore = await count(db.pool, 'select coalesce(sum(qualified_leads), 0) from app_public.tenant_daily_stats where user_id = $1', [userId]);
    openai.script({ kind: 'analysis', analysis: scored(90, 'hot') });
    await db.pool.query(`update app_public.transcripts set content = content || '\nuser: Send the contract today.', analysis_status = 'pending' where call_id = $1`, [outcome.callId]);
    await driveJob(db.pool, analyzeJobKey(outcome.callId));
    expect(await individualAnalyses(outcome.callId)).toMatchObject([{ total_score: 90 }]);
    expect(await count(db.pool, 'select coalesce(sum(qualified_leads), 0) from app_public.tenant_daily_stats where user_id = $1', [userId])).toBe(
      qualifiedBefore + 1,
    );
    await expectExactRollups();
  });

  it('a transcript that changes while it is analysed: the old text’s result is never recorded, the new one is', async () => {
    let release = (): void => {};
    const until = new Promise<void>((resolve) => (release = resolve));
    const before = openai.requests.length;
    openai.script({ kind: 'held', until, analysis: scored(20, 'cold') }, { kind: 'analysis', analysis: scored(85, 'hot') });
    const callId = await callWithTranscript(db.pool, { userId, agentId, phoneNumber: phoneNumber((phoneSeq += 1)), transcript: TRANSCRIPT });
    await openai.waitForRequests(before + 1);
    // The provider's final event again, with a longer transcript: pending again, a new job queued.
    await db.pool.query(`update app_public.transcripts set content = content || '
user: Send the contract.', analysis_status = 'pending' where call_id = $1`, [callId]);
    await openai.waitForRequests(before + 3); // the new job: individual + complete
    release();
    await waitFor('every job of the call to finish', async () =>
      (await count(db.pool, `select count(*) from graphile_worker._private_jobs where payload ->> 'callId' = $1`, [callId])) === 0,
    );
    expect(await individualAnalyses(callId)).toMatchObject([{ total_score: 85 }]);
    expect(await transcript(callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    await expectExactRollups();
  });

  it('the tenant’s own prompt is sent and its version recorded', async () => {
    await db.pool.query('update app_public.users set analysis_prompt_individual = $2 where id = $1', [userId, 'Score leads for a dental clinic.']);
    const version = Number(await scalar(db.pool, 'select analysis_prompt_version from app_public.users where id = $1', [userId]));
    const before = openai.requests.length;
    const outcome = await analyse([]);
    const request = openai.requests.slice(before).find((r) => r.kind === 'individual');
    expect(request?.body.messages?.[0]).toEqual({ role: 'system', content: 'Score leads for a dental clinic.' });
    expect(await individualAnalyses(outcome.callId)).toMatchObject([{ prompt_version: `tenant-v${version}` }]);
  });
});

describe('one notification per contact per analysis', () => {
  /** The overview's hot-lead inbox as the tenant sees it, for one phone number. */
  async function inboxFor(phone: string): Promise<{ entries: Array<{ call_id: string; smart_notification: string }>; unreadRows: number }> {
    const entries = await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        await asTenant(client, userId);
        const { rows } = await client.query<{ call_id: string; smart_notification: string }>(
          `select n.call_id, n.smart_notification from app_public.dashboard_overview() o, unnest(o.notifications) n
            where n.phone_number = $1`,
          [phone],
        );
        return rows;
      }),
    );
    // What any reader of "unread" sees: the rows themselves.
    const unreadRows = await count(db.pool, `select count(*) from app_public.lead_analytics where user_id = $1 and phone_number = $2 and not is_read`, [userId, phone]);
    return { entries, unreadRows };
  }

  it('a new call: one entry (its individual analysis), not a second identical one from the contact’s complete analysis', async () => {
    const first = await analyse([]);
    expect(first.requests).toEqual({ individual: 1, complete: 1 });
    expect(await completeAnalysis(first.phone)).toMatchObject({ calls_analyzed: 1 });
    const once = await inboxFor(first.phone);
    expect(once.entries).toEqual([{ call_id: first.callId, smart_notification: 'Priya asked for pricing — call back today' }]);
    expect(once.unreadRows).toBe(1);
    // A second call of the same contact: a second analysis, so a second entry; the refreshed complete analysis adds none.
    const second = await analyse([], { phone: first.phone });
    const twice = await inboxFor(first.phone);
    expect(twice.entries.map((e) => e.call_id).sort()).toEqual([first.callId, second.callId].sort());
    expect(twice.unreadRows).toBe(2);
  });
});

describe('conversation intelligence through the OpenAI client', () => {
  let criteria: { budget: string; empathy: string; retired: string };

  beforeAll(async () => {
    const insert = async (name: string, question: string, active = true): Promise<string> =>
      String(await scalar(db.pool, `insert into app_public.success_criteria (user_id, name, question, is_active) values ($1, $2, $3, $4) returning id`, [
        userId, name, question, active,
      ]));
    criteria = {
      budget: await insert('Budget confirmed', 'Did the agent confirm the caller’s budget?'),
      empathy: await insert('Empathy', 'Did the agent acknowledge the caller’s concern?'),
      retired: await insert('Old rule', 'Did the agent mention the old offer?', false),
    };
  });

  async function stored(callId: string): Promise<Record<string, unknown> | undefined> {
    const { rows } = await db.pool.query(
      `select sentiment_label, sentiment_score, topics, free_topics, objections, next_steps, call_quality_score, csat_score,
              human_transfer_requested, human_transfer_happened, conversation_outcome
         from app_public.lead_analytics where call_id = $1`,
      [callId],
    );
    return rows[0];
  }

  async function results(callId: string): Promise<Array<{ criterion_id: string; passed: boolean; evidence: string }>> {
    const { rows } = await db.pool.query<{ criterion_id: string; passed: boolean; evidence: string }>(
      'select criterion_id, passed, evidence from app_public.call_criterion_results where call_id = $1 order by criterion_id',
      [callId],
    );
    return rows;
  }

  it('sends the tenant’s taxonomy and active criteria (prompt and strict schema) and stores every field and each answer', async () => {
    const before = openai.requests.length;
    const outcome = await analyse([
      {
        kind: 'analysis',
        analysis: {
          topics: ['pricing', 'competitor', 'pricing'],
          free_topics: ['  Onboarding timeline ', 'onboarding timeline', ''],
          objections: ['price', 'authority'],
          success_criteria: [
            { criterion_id: criteria.budget, passed: false, evidence: 'Budget never came up.' },
            { criterion_id: criteria.empathy, passed: true, evidence: '"I understand"' },
          ],
        },
      },
    ]);
    expect(outcome.job).toBeNull();
    const request = openai.requests.slice(before).find((r) => r.kind === 'individual');
    const schema = request?.body.response_format?.json_schema?.schema as {
      properties: Record<string, { items?: { enum?: string[]; properties?: { criterion_id?: { enum?: string[] } } }; description?: string }>;
    };
    expect(schema.properties.topics?.items?.enum).toEqual(['billing', 'competitor', 'pricing', 'product_features', 'scheduling', 'support']);
    expect(schema.properties.success_criteria?.items?.properties?.criterion_id?.enum?.sort()).toEqual([criteria.budget, criteria.empathy].sort());
    expect(schema.properties.success_criteria?.description).toContain('Budget confirmed: Did the agent confirm the caller’s budget?');
    expect(schema.properties.success_criteria?.description).not.toContain('Old rule');
    const message = request?.body.messages?.[1]?.content ?? '';
    expect(message).toContain(`- ${criteria.budget}: Budget confirmed — Did the agent confirm the caller’s budget?`);
    expect(message).toContain('pricing: Pricing — Price, cost');
    expect(await stored(outcome.callId)).toEqual({
      sentiment_label: 'positive', sentiment_score: 60, topics: ['competitor', 'pricing'], free_topics: ['Onboarding timeline', 'onboarding timeline'],
      objections: ['authority', 'price'], next_steps: 'Send pricing today.', call_quality_score: 80, csat_score: 75,
      human_transfer_requested: false, human_transfer_happened: false, conversation_outcome: 'interested',
    });
    expect(await results(outcome.callId)).toEqual(
      [
        { criterion_id: criteria.budget, passed: false, evidence: 'Budget never came up.' },
        { criterion_id: criteria.empathy, passed: true, evidence: '"I understand"' },
      ].sort((a, b) => a.criterion_id.localeCompare(b.criterion_id)),
    );
    await expectExactRollups();
  });

  const violations: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a topic outside the taxonomy', { topics: ['weather'] }, /topics\.0/],
    ['a sentiment score above 100', { sentiment_score: 150 }, /sentiment_score/],
    ['an unknown sentiment label', { sentiment_label: 'ecstatic' }, /sentiment_label/],
    ['an unknown objection', { objections: ['weather'] }, /objections\.0/],
    ['an unknown conversation outcome', { conversation_outcome: 'maybe' }, /conversation_outcome/],
    ['a quality score below 0', { call_quality_score: -1 }, /call_quality_score/],
    ['a missing transfer flag', { human_transfer_happened: null }, /human_transfer_happened/],
    ['a success criterion left out', { success_criteria: [] }, /success_criteria/],
    ['an unknown criterion id', { success_criteria: [{ criterion_id: '00000000-0000-7000-8000-000000000000', passed: true, evidence: '' }] }, /success_criteria/],
  ];

  it.each(violations)('%s is retried; the valid answer of the next attempt is recorded once', async (_name, bad) => {
    const outcome = await analyse([{ kind: 'analysis', analysis: bad }]);
    expect(outcome.job).toBeNull();
    expect(outcome.requests).toEqual({ individual: 2, complete: 1 });
    expect(await transcript(outcome.callId)).toEqual({ analysis_status: 'completed', analysis_error: null });
    expect(await individualAnalyses(outcome.callId)).toHaveLength(1);
    expect(await results(outcome.callId)).toHaveLength(2);
  });

  it.each(violations)('%s on every attempt fails the call with the field named', async (_name, bad, field) => {
    const outcome = await analyse([{ kind: 'analysis', analysis: bad }, { kind: 'analysis', analysis: bad }], { maxAttempts: 2 });
    expect(outcome.job).toBeNull();
    const row = await transcript(outcome.callId);
    expect(row.analysis_status).toBe('failed');
    expect(row.analysis_error).toMatch(/^the answer does not match the schema: /);
    expect(row.analysis_error).toMatch(field);
    expect(await individualAnalyses(outcome.callId)).toEqual([]);
    expect(await results(outcome.callId)).toEqual([]);
  });

  it('a re-analysis replaces the call’s criterion answers and moves the rollups by the difference', async () => {
    const outcome = await analyse([]);
    expect((await results(outcome.callId)).map((r) => r.passed)).toEqual([true, true]);
    openai.script({
      kind: 'analysis',
      analysis: {
        sentiment_label: 'negative', sentiment_score: -40, conversation_outcome: 'not_interested', human_transfer_requested: true,
        success_criteria: [
          { criterion_id: criteria.budget, passed: false, evidence: 'No.' },
          { criterion_id: criteria.empathy, passed: false, evidence: 'No.' },
        ],
      },
    });
    await db.pool.query(`update app_public.transcripts set content = content || '\nuser: Actually, no.', analysis_status = 'pending' where call_id = $1`, [outcome.callId]);
    await driveJob(db.pool, analyzeJobKey(outcome.callId));
    expect((await results(outcome.callId)).map((r) => r.passed)).toEqual([false, false]);
    expect(await stored(outcome.callId)).toMatchObject({ sentiment_label: 'negative', conversation_outcome: 'not_interested', human_transfer_requested: true });
    await expectExactRollups();
  });
});
