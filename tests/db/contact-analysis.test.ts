/**
 * The complete analysis of a number is written only over the set of analysed calls it was made
 * from: app_hidden.record_contact_analysis_if checks app_hidden.contact_analysis_fingerprint under
 * a per-number lock, in one statement. A stale fingerprint writes nothing; a writer that analyses
 * another call of the number while holding the lock makes a waiting writer's fingerprint stale.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createCalls, createTenant, phoneNumber } from '../helpers/fixtures.ts';

let db: TestDatabase;
let userId: string;
let callIds: string[];
const phone = phoneNumber(42);

const ANALYSIS = {
  intent_score: 70, urgency_score: 60, budget_score: 50, fit_score: 65, engagement_score: 55,
  reasoning: {}, cta_interactions: {}, extracted_name: null, extracted_email: null, company_name: null,
  smart_notification: null, demo_book_datetime: null,
};

async function analyseCall(callId: string, content: string): Promise<void> {
  await db.pool.query('insert into app_public.transcripts (user_id, call_id, content) values ($1, $2, $3)', [userId, callId, content]);
  await db.pool.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'builtin', 'test', 'v1')`, [callId, JSON.stringify(ANALYSIS)]);
}

async function fingerprint(): Promise<string> {
  const { rows } = await db.pool.query<{ fp: string }>('select app_hidden.contact_analysis_fingerprint($1, $2) as fp', [userId, phone]);
  return rows[0]?.fp ?? '';
}

async function writeIf(fp: string, client: { query: TestDatabase['pool']['query'] } = db.pool): Promise<boolean> {
  const { rows } = await client.query<{ written: boolean }>(
    `select app_hidden.record_contact_analysis_if($1, $2, $3, $4::jsonb, 'builtin', 'test', 'v1') as written`,
    [userId, phone, fp, JSON.stringify({ ...ANALYSIS, intent_score: 90 })],
  );
  return rows[0]?.written === true;
}

async function completeCount(): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from app_public.lead_analytics where user_id = $1 and phone_number = $2 and analysis_type = 'complete'`,
    [userId, phone],
  );
  return rows[0]?.n ?? 0;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const tenant = await createTenant(db.pool);
  userId = tenant.id;
  const agent = await createAgent(db.pool, userId);
  const calls = await createCalls(db.pool, [0, 1, 2].map((i) => ({ userId, agentId: agent.id, phoneNumber: phone, durationSeconds: 60 + i })));
  callIds = calls.map((call) => call.id);
});

afterAll(async () => {
  await db?.drop();
});

describe('record_contact_analysis_if', () => {
  it('writes over the current set, refuses a stale fingerprint and writes nothing then', async () => {
    const [first, second] = callIds;
    if (!first || !second) throw new Error('no calls');
    expect(await fingerprint()).toBe(''); // nothing analysed yet
    await analyseCall(first, 'Agent: hello');
    const before = await fingerprint();
    expect(before).not.toBe('');
    await analyseCall(second, 'Agent: hello again');
    expect(await fingerprint()).not.toBe(before);
    expect(await writeIf(before)).toBe(false);
    expect(await completeCount()).toBe(0);
    expect(await writeIf(await fingerprint())).toBe(true);
    expect(await completeCount()).toBe(1);
  });

  it('checks after the lock: a writer waiting on the number sees the call analysed by the lock holder', async () => {
    const third = callIds[2];
    if (!third) throw new Error('no call');
    const seen = await fingerprint();
    const holder = await db.pool.connect();
    try {
      await holder.query('begin');
      await holder.query(`select pg_advisory_xact_lock(hashtextextended('switchboard:contact-analysis:' || $1::text || ':' || $2, 0))`, [userId, phone]);
      const waiting = writeIf(seen); // blocks on the lock
      await new Promise((resolve) => setTimeout(resolve, 200));
      await holder.query('insert into app_public.transcripts (user_id, call_id, content) values ($1, $2, $3)', [userId, third, 'Agent: third']);
      await holder.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'builtin', 'test', 'v1')`, [third, JSON.stringify(ANALYSIS)]);
      await holder.query('commit');
      expect(await waiting).toBe(false);
    } finally {
      holder.release();
    }
    expect(await writeIf(await fingerprint())).toBe(true);
  });
});
