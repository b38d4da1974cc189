/**
 * app_hidden.analysis_values: the one mapping from a validated analysis (JSON)
 * to lead_analytics values, used by record_call_analysis and
 * record_contact_analysis. Both write what it returns; these cases pin the
 * parts that are not plain copies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface Values {
  intent_score: number | null;
  total_score: number | null;
  lead_status_tag: string | null;
  reasoning: unknown;
  cta_interactions: unknown;
  cta_pricing_clicked: boolean;
  cta_demo_clicked: boolean;
  cta_followup_clicked: boolean;
  cta_sample_clicked: boolean;
  cta_escalated_to_human: boolean;
  extracted_email: string | null;
  demo_book_datetime: string | null;
  id: string | null;
  user_id: string | null;
}

async function valuesOf(analysis: unknown): Promise<Values> {
  const { rows } = await db.pool.query<Values>(
    `select f.intent_score, f.total_score, f.lead_status_tag, f.reasoning, f.cta_interactions,
            f.cta_pricing_clicked, f.cta_demo_clicked, f.cta_followup_clicked, f.cta_sample_clicked,
            f.cta_escalated_to_human, f.extracted_email::text as extracted_email,
            to_char(f.demo_book_datetime at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') as demo_book_datetime,
            f.id::text as id, f.user_id::text as user_id
       from app_hidden.analysis_values($1::jsonb) f`,
    [JSON.stringify(analysis)],
  );
  const row = rows[0];
  if (!row) throw new Error('no row');
  return row;
}

describe('app_hidden.analysis_values', () => {
  it('copies the sub-scores, grades them with lead_grade, reads the CTA flags inside cta_interactions, and sets nothing else', async () => {
    const v = await valuesOf({
      intent_score: 80,
      urgency_score: 55,
      budget_score: 60,
      fit_score: 75,
      engagement_score: 70,
      // the analyser's own total and temperature are not trusted: lead_grade decides (69.5 -> 70, hot)
      total_score: 50,
      lead_status_tag: 'cold',
      reasoning: { intent: 'asked for a quote' },
      cta_interactions: { pricing_clicked: true, demo_clicked: false, escalated_to_human: true },
      extracted_email: 'Asha@Example.com',
      demo_book_datetime: '2026-11-19T20:00:00+05:30',
    });
    expect(v).toMatchObject({
      intent_score: 80,
      total_score: 70,
      lead_status_tag: 'hot',
      reasoning: { intent: 'asked for a quote' },
      cta_pricing_clicked: true,
      cta_demo_clicked: false,
      cta_followup_clicked: false,
      cta_sample_clicked: false,
      cta_escalated_to_human: true,
      extracted_email: 'Asha@Example.com',
      demo_book_datetime: '2026-11-19T14:30:00',
      id: null,
      user_id: null,
    });
  });

  it('an empty e-mail is no e-mail; a demo time without offset is UTC; missing objects are empty', async () => {
    const v = await valuesOf({ extracted_email: '', demo_book_datetime: '2026-11-19 20:00:00', total_score: null });
    expect(v).toMatchObject({
      extracted_email: null,
      demo_book_datetime: '2026-11-19T20:00:00',
      total_score: null,
      reasoning: {},
      cta_interactions: {},
      cta_pricing_clicked: false,
    });
  });

  it('an unreadable demo time is null rather than an error', async () => {
    const v = await valuesOf({ demo_book_datetime: 'next Tuesday-ish' });
    expect(v.demo_book_datetime).toBeNull();
  });
});
