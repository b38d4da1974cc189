/**
 * The lead rules (weights of the total score, bands of the levels and of the
 * temperature) live in SQL only: `app_hidden.lead_grade`. An analyser that
 * computes sub-scores itself (the built-in one) asks the database for the rest.
 */
import type pg from 'pg';
import type { LeadAnalysis } from './schema.ts';

export type SubScores = Pick<LeadAnalysis, 'intent_score' | 'urgency_score' | 'budget_score' | 'fit_score' | 'engagement_score'>;

export type LeadGrade = Pick<
  LeadAnalysis,
  'total_score' | 'lead_status_tag' | 'intent_level' | 'urgency_level' | 'budget_constraint' | 'fit_alignment' | 'engagement_health'
>;

/** Total score, temperature and levels of five sub-scores. */
export type GradeLead = (scores: SubScores) => Promise<LeadGrade>;

/** `app_hidden.lead_grade` through `db` (the owner's pool or client). */
export function sqlGrader(db: Pick<pg.Pool, 'query'>): GradeLead {
  return async (s) => {
    const { rows } = await db.query<LeadGrade>(
      `select g.total_score, g.lead_status_tag, g.intent_level, g.urgency_level, g.budget_constraint,
              g.fit_alignment, g.engagement_health
         from app_hidden.lead_grade($1, $2, $3, $4, $5) g`,
      [s.intent_score, s.urgency_score, s.budget_score, s.fit_score, s.engagement_score],
    );
    const grade = rows[0];
    if (!grade) throw new Error('app_hidden.lead_grade returned no row');
    return grade;
  };
}
