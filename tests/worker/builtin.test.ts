/**
 * The built-in analyser (no OPENAI_API_KEY): deterministic, every field
 * filled sensibly from the transcript, valid against the same schema as the
 * model's answers; its total score, temperature and levels come from the lead
 * rules in SQL (app_hidden.lead_grade); and calls__analyze records it labelled
 * as builtin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeBuiltin as analyzeWith, BUILTIN_MODEL } from '../../worker/analysis/builtin.ts';
import { sqlGrader } from '../../worker/analysis/grade.ts';
import type { LeadAnalysis } from '../../worker/analysis/schema.ts';
import { analysisSchemaFor, type AnalysisContext } from '../../worker/analysis/schema.ts';
import { completeText } from '../../worker/analysis/transcript-text.ts';
import type { AnalysisInput } from '../../worker/analysis/types.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createTenant } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { analyzeJobKey, callWithTranscript, driveJob } from './support.ts';

const MONDAY_NOON_NY = new Date('2026-11-16T17:00:00Z');

const HOT = `assistant: Hi, this is Maya from Switchboard. Is now a good time?
user: Yes. My name is Priya Sharma, I work at Acme Logistics. We need exactly this for our team, urgently.
assistant: Happy to help. Would a demo be useful?
user: Yes please. How much does it cost? Budget is not a problem. Can we book the demo for Thursday at 3 pm?
user: Email me at Priya.Sharma@acme.io please.
assistant: Done, Thursday at 3 PM it is.`;

const COLD = `assistant: Hello, this is Maya from Switchboard.
user: Not interested. Please stop calling, this is the wrong number.`;

/** A taxonomy and criteria like a tenant's (the worker loads the tenant's own). */
const CONTEXT: AnalysisContext = {
  topics: [
    { key: 'pricing', label: 'Pricing', description: null, keywords: ['price', 'cost', 'how much'] },
    { key: 'scheduling', label: 'Scheduling', description: null, keywords: ['demo', 'book'] },
    { key: 'billing', label: 'Billing', description: null, keywords: ['invoice', 'refund'] },
  ],
  criteria: [
    { id: '0193a000-0000-7000-8000-000000000001', name: 'Asked for the email', question: 'Did the caller give an email?', keywords: ['email me', 'my email'] },
    { id: '0193a000-0000-7000-8000-000000000002', name: 'Mentioned a refund', question: 'Did a refund come up?', keywords: ['refund'] },
    { id: '0193a000-0000-7000-8000-000000000003', name: 'Empathy', question: 'Was the agent empathetic?', keywords: [] },
  ],
};

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** The built-in analyser with the lead rules of this file's database. */
function analyzeBuiltin(analysisInput: AnalysisInput): Promise<LeadAnalysis> {
  return analyzeWith(analysisInput, sqlGrader(db.pool));
}

function input(transcript: string, overrides: Partial<AnalysisInput> = {}): AnalysisInput {
  return {
    kind: 'individual',
    instructions: 'ignored by the built-in analyser',
    transcript,
    referenceTime: MONDAY_NOON_NY,
    timezone: 'America/New_York',
    calls: [{ startedAt: MONDAY_NOON_NY, direction: 'outbound', durationSeconds: 180 }],
    context: CONTEXT,
    ...overrides,
  };
}

describe('built-in analyser', () => {
  it('is deterministic: the same input gives the same analysis', async () => {
    const first = await analyzeBuiltin(input(HOT));
    expect(await analyzeBuiltin(input(HOT))).toEqual(first);
    expect(await analyzeBuiltin(input(COLD))).toEqual(await analyzeBuiltin(input(COLD)));
    expect(await analyzeBuiltin(input(HOT))).not.toEqual(await analyzeBuiltin(input(COLD)));
  });

  it('reads an engaged, buying lead: scores, CTAs, contact details and the demo slot in the tenant’s zone', async () => {
    const analysis = await analyzeBuiltin(input(HOT));
    expect(analysisSchemaFor(CONTEXT).safeParse(analysis).success).toBe(true);
    expect(analysis).toMatchObject({
      intent_level: 'high',
      urgency_level: 'medium', // one urgency keyword ("urgently")
      fit_alignment: 'strong',
      cta_interactions: { pricing_clicked: true, demo_clicked: true, followup_clicked: true, sample_clicked: false, escalated_to_human: false },
      extracted_name: 'Priya Sharma',
      extracted_email: 'priya.sharma@acme.io',
      company_name: 'Acme Logistics',
      // Thursday after Monday 16 Nov 2026, 15:00 in New York (EST, UTC-5)
      demo_book_datetime: '2026-11-19T20:00:00.000Z',
    });
    expect(analysis.total_score).toBeGreaterThanOrEqual(60);
    expect(analysis.lead_status_tag).not.toBe('cold');
    expect(analysis.smart_notification).toMatch(/^Priya Sharma asked for pricing|^Priya Sharma wants a demo/);
    expect(analysis.reasoning.intent).toContain('"how much"');
  });

  it('reads a refusal as a cold lead with nothing to do', async () => {
    const analysis = await analyzeBuiltin(input(COLD));
    expect(analysis).toMatchObject({
      intent_level: 'low',
      lead_status_tag: 'cold',
      engagement_health: 'at_risk',
      extracted_name: null,
      extracted_email: null,
      company_name: null,
      smart_notification: null,
      demo_book_datetime: null,
    });
    expect(analysis.reasoning.intent).toContain('"not interested"');
    expect(analysis.total_score).toBeLessThan(45);
  });

  it('reads the conversation of an engaged lead: sentiment, topics, outcome, next steps, criteria', async () => {
    const analysis = await analyzeBuiltin(input(HOT));
    expect(analysis).toMatchObject({
      sentiment_label: 'neutral', // no sentiment phrase besides the agent's
      topics: ['pricing', 'scheduling'],
      free_topics: [],
      objections: [],
      human_transfer_requested: false,
      human_transfer_happened: false,
      conversation_outcome: 'converted', // a demo with an agreed time
      success_criteria: [
        { criterion_id: CONTEXT.criteria[0]?.id, passed: true, evidence: 'Found "email me".' },
        { criterion_id: CONTEXT.criteria[1]?.id, passed: false, evidence: 'None of the keywords was said.' },
        { criterion_id: CONTEXT.criteria[2]?.id, passed: false, evidence: 'No keywords are set for the built-in analyser, so it cannot tell.' },
      ],
    });
    expect(analysis.next_steps).toContain('Confirm the booked slot (2026-11-19T20:00:00.000Z).');
    expect(analysis.next_steps).toContain('Send pricing.');
    expect(analysis.call_quality_score).toBe(30 + 4 * 3 + 2 * 3 + 10);
  });

  it('reads refusals, objections, sentiment and transfers by its documented rules', async () => {
    const cold = await analyzeBuiltin(input(COLD));
    expect(cold).toMatchObject({ conversation_outcome: 'wrong_person', sentiment_label: 'negative', objections: [], next_steps: expect.stringContaining('Correct') });
    const objections = await analyzeBuiltin(input(`assistant: Hi, this is Maya.
user: Thanks, but it is too expensive and I need to check with my boss. We already use another provider. Is this legit?
assistant: I understand.
user: Not now, maybe later. I want to speak to a person.
assistant: Sure, transferring you now.`));
    expect(objections).toMatchObject({
      objections: ['price', 'timing', 'authority', 'competitor', 'trust'],
      sentiment_label: 'positive', // "thanks" only: 25
      sentiment_score: 25,
      human_transfer_requested: true,
      human_transfer_happened: true,
      conversation_outcome: 'no_outcome',
    });
    const angry = await analyzeBuiltin(input('user: This is terrible and annoying, a waste of time. Stop calling. Thanks.'));
    expect(angry).toMatchObject({ sentiment_label: 'negative', sentiment_score: -75, conversation_outcome: 'not_interested' });
    const mixed = await analyzeBuiltin(input('user: Great product but the support was awful. Call me back tomorrow.'));
    expect(mixed).toMatchObject({ sentiment_label: 'mixed', sentiment_score: 0, conversation_outcome: 'callback_requested' });
    const unmet = await analyzeBuiltin(input('assistant: Hello.\nuser: I want to talk to a human.'));
    expect(unmet).toMatchObject({ human_transfer_requested: true, human_transfer_happened: false });
    expect(unmet.next_steps).toContain('Have a person call back');
  });

  it('only tags topics of the tenant’s taxonomy and answers exactly its criteria', async () => {
    const none = await analyzeBuiltin(input(HOT, { context: { topics: [], criteria: [] } }));
    expect(none).toMatchObject({ topics: [], success_criteria: [] });
    const other = await analyzeBuiltin(input('user: I need a refund on my invoice.', { context: { topics: CONTEXT.topics.slice(2), criteria: CONTEXT.criteria.slice(1, 2) } }));
    expect(other.topics).toEqual(['billing']);
    expect(other.success_criteria).toEqual([{ criterion_id: CONTEXT.criteria[1]?.id, passed: true, evidence: 'Found "refund".' }]);
  });

  it('keeps every score within 0-100 and the total consistent with its weights', async () => {
    for (const text of [HOT, COLD, '', 'user: ?', `${HOT}\n`.repeat(40)]) {
      const a = await analyzeBuiltin(input(text));
      const weighted = 0.3 * a.intent_score + 0.15 * a.urgency_score + 0.2 * a.budget_score + 0.15 * a.fit_score + 0.2 * a.engagement_score;
      expect(Math.abs(a.total_score - weighted)).toBeLessThanOrEqual(0.5);
      expect(a.lead_status_tag).toBe(a.total_score >= 70 ? 'hot' : a.total_score >= 45 ? 'warm' : 'cold');
    }
  });

  it('analyses a lead over several calls (complete analysis text, oldest first)', async () => {
    const calls = [
      { startedAt: new Date('2026-11-16T17:00:00Z'), direction: 'outbound', durationSeconds: 200, content: HOT },
      { startedAt: new Date('2026-11-10T17:00:00Z'), direction: 'outbound', durationSeconds: 20, content: COLD },
    ];
    const { text, included } = completeText(calls, 'America/New_York');
    expect(text.indexOf('### Call 1 of 2')).toBeLessThan(text.indexOf('### Call 2 of 2'));
    expect(text.indexOf('wrong number')).toBeLessThan(text.indexOf('Priya'));
    const analysis = await analyzeBuiltin(input(text, { kind: 'complete', calls: included }));
    expect(analysis.reasoning.summary).toContain('over 2 calls');
    expect(analysis.extracted_name).toBe('Priya Sharma');
    expect(await analyzeBuiltin(input(text, { kind: 'complete', calls: included }))).toEqual(analysis);
  });
});

describe('calls__analyze with the built-in analyser', () => {
  let worker: WorkerHandle | undefined;

  beforeAll(async () => {
    worker = await startWorker({ connectionString: db.connectionString, concurrency: 1, cron: false, pollInterval: 50, openai: null, sms: null });
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('records the analysis labelled builtin, and the lead’s complete analysis', async () => {
    const tenant = await createTenant(db.pool, { timezone: 'America/New_York' });
    const agent = await createAgent(db.pool, tenant.id);
    const callId = await callWithTranscript(db.pool, {
      userId: tenant.id,
      agentId: agent.id,
      phoneNumber: '+15551230001',
      transcript: HOT,
      startedAt: MONDAY_NOON_NY,
    });
    expect(await driveJob(db.pool, analyzeJobKey(callId))).toBeNull();
    const { rows } = await db.pool.query<{ analysis_type: string; analyzer: string; model: string; extracted_name: string; demo: string | null }>(
      `select analysis_type, analyzer, model, extracted_name, demo_book_datetime::text as demo
         from app_public.lead_analytics where user_id = $1 order by analysis_type`,
      [tenant.id],
    );
    const expected = await analyzeBuiltin(input(HOT));
    expect(rows).toEqual([
      { analysis_type: 'complete', analyzer: 'builtin', model: BUILTIN_MODEL, extracted_name: 'Priya Sharma', demo: '2026-11-19 20:00:00+00' },
      { analysis_type: 'individual', analyzer: 'builtin', model: BUILTIN_MODEL, extracted_name: 'Priya Sharma', demo: '2026-11-19 20:00:00+00' },
    ]);
    const { rows: scores } = await db.pool.query<{ total_score: number }>(
      `select total_score from app_public.lead_analytics where call_id = $1`,
      [callId],
    );
    expect(scores).toEqual([{ total_score: expected.total_score }]);
    // The conversation fields, with the tenant's default taxonomy (loaded by the worker).
    const { rows: conversation } = await db.pool.query(
      `select sentiment_label, topics, objections, conversation_outcome, human_transfer_requested, csat_score is not null as csat
         from app_public.lead_analytics where call_id = $1`,
      [callId],
    );
    expect(conversation).toEqual([
      { sentiment_label: 'neutral', topics: ['pricing', 'scheduling'], objections: [], conversation_outcome: 'converted', human_transfer_requested: false, csat: true },
    ]);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});
