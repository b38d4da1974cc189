/**
 * The lead rules once, in SQL: app_hidden.lead_grade (weights of the total
 * score, bands of the five levels and of the temperature). Checked against the
 * rules as the prompt states them, and shown to be the one source: what
 * record_call_analysis stores, and what the seed generates, follow it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMPTY_CONTEXT } from '../../worker/analysis/schema.ts';
import { sqlGrader } from '../../worker/analysis/grade.ts';
import { analyzeBuiltin } from '../../worker/analysis/builtin.ts';
import { createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

interface Grade {
  total_score: number | null;
  lead_status_tag: string | null;
  intent_level: string | null;
  urgency_level: string | null;
  budget_constraint: string | null;
  fit_alignment: string | null;
  engagement_health: string | null;
}

async function grade(i: number | null, u: number | null, b: number | null, f: number | null, e: number | null): Promise<Grade> {
  const { rows } = await db.pool.query<Grade>('select * from app_hidden.lead_grade($1, $2, $3, $4, $5)', [i, u, b, f, e]);
  if (!rows[0]) throw new Error('no row');
  return rows[0];
}

describe('app_hidden.lead_grade', () => {
  it('weights: round(0.30 intent + 0.15 urgency + 0.20 budget + 0.15 fit + 0.20 engagement), x.5 rounds up', async () => {
    expect((await grade(100, 0, 0, 0, 0)).total_score).toBe(30);
    expect((await grade(0, 100, 0, 0, 0)).total_score).toBe(15);
    expect((await grade(0, 0, 100, 0, 0)).total_score).toBe(20);
    expect((await grade(0, 0, 0, 100, 0)).total_score).toBe(15);
    expect((await grade(0, 0, 0, 0, 100)).total_score).toBe(20);
    expect((await grade(80, 55, 60, 75, 70)).total_score).toBe(70); // 69.5
    expect((await grade(1, 0, 0, 0, 0)).total_score).toBe(0); // 0.3
  });

  it('bands: temperature hot >= 70 > warm >= 45 > cold, and the five levels at their cut-offs', async () => {
    expect(await grade(70, 70, 65, 65, 65)).toMatchObject({
      intent_level: 'high', urgency_level: 'high', budget_constraint: 'flexible', fit_alignment: 'strong', engagement_health: 'healthy',
    });
    expect(await grade(69, 40, 64, 40, 35)).toMatchObject({
      intent_level: 'medium', urgency_level: 'medium', budget_constraint: 'moderate', fit_alignment: 'partial', engagement_health: 'neutral',
    });
    expect(await grade(39, 39, 34, 39, 34)).toMatchObject({
      intent_level: 'low', urgency_level: 'low', budget_constraint: 'tight', fit_alignment: 'weak', engagement_health: 'at_risk',
    });
    expect((await grade(70, 70, 70, 70, 70)).lead_status_tag).toBe('hot');
    expect((await grade(69, 69, 69, 69, 69)).lead_status_tag).toBe('warm');
    expect((await grade(45, 45, 45, 45, 45)).lead_status_tag).toBe('warm');
    expect((await grade(44, 44, 44, 44, 44)).lead_status_tag).toBe('cold');
  });

  it('null in, null out (never a made-up "cold" or "low")', async () => {
    expect(await grade(null, null, null, null, null)).toEqual({
      total_score: null, lead_status_tag: null, intent_level: null, urgency_level: null,
      budget_constraint: null, fit_alignment: null, engagement_health: null,
    });
  });

  it('is the one source: the built-in analyser and what the seed wrote follow a changed rule', async () => {
    await withClient(db.pool, (client) =>
      inTransaction(client, async () => {
        // Everyone hot from 50: the built-in analyser (sub-scores in TS) takes its temperature from SQL.
        await client.query(`create or replace function app_hidden.lead_grade(
            intent_score integer, urgency_score integer, budget_score integer, fit_score integer, engagement_score integer)
          returns table (total_score smallint, lead_status_tag text, intent_level text, urgency_level text,
                         budget_constraint text, fit_alignment text, engagement_health text)
          language sql immutable as $$ select 99::smallint, 'hot', 'high', 'high', 'flexible', 'strong', 'healthy' $$`);
        const analysis = await analyzeBuiltin(
          {
            kind: 'individual',
            instructions: '',
            transcript: 'user: Not interested, wrong number.',
            referenceTime: new Date('2026-11-16T17:00:00Z'),
            timezone: 'UTC',
            calls: [{ startedAt: new Date('2026-11-16T17:00:00Z'), direction: 'outbound', durationSeconds: 20 }],
            context: EMPTY_CONTEXT,
          },
          sqlGrader(client),
        );
        expect(analysis).toMatchObject({ total_score: 99, lead_status_tag: 'hot', intent_level: 'high', engagement_health: 'healthy' });
        expect(analysis.intent_score).toBeLessThan(40); // its own sub-score is still the keyword one
        const { rows } = await client.query<{ total_score: number; lead_status_tag: string }>(
          `select total_score, lead_status_tag from app_hidden.analysis_values('{"intent_score": 1}'::jsonb)`,
        );
        expect(rows).toEqual([{ total_score: 99, lead_status_tag: 'hot' }]);
      }),
    );
  });
});
