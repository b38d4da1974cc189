/** What a load does after its calls are in: per-contact complete analyses, then compaction, ledger posting and the KPI view. */
import type pg from 'pg';

/**
 * One 'complete' analysis per tenant and phone number from that number's
 * individual analyses (averaged sub-scores graded by app_hidden.lead_grade, any
 * CTA, the latest call's extracted details), inserted or refreshed in one
 * statement. Returns the rows written.
 */
export async function insertCompleteAnalyses(client: pg.ClientBase, userIds: readonly string[]): Promise<number> {
  const { rowCount } = await client.query(
    `insert into app_public.lead_analytics as l (
       user_id, analysis_type, phone_number, latest_call_id, calls_analyzed,
       intent_level, intent_score, urgency_level, urgency_score, budget_constraint, budget_score,
       fit_alignment, fit_score, engagement_health, engagement_score, total_score, lead_status_tag,
       reasoning, cta_pricing_clicked, cta_demo_clicked, cta_followup_clicked, cta_sample_clicked,
       cta_escalated_to_human, extracted_name, extracted_email, company_name, is_read,
       analyzer, model, prompt_version, analyzed_at, created_at, updated_at)
     select g.user_id, 'complete', g.phone_number, g.latest_call_id, g.calls_analyzed,
            r.intent_level, g.intent, r.urgency_level, g.urgency, r.budget_constraint, g.budget,
            r.fit_alignment, g.fit, r.engagement_health, g.engagement, r.total_score, r.lead_status_tag,
            jsonb_build_object('summary', format('%s analysed call%s, average score %s', g.calls_analyzed,
                                                 case when g.calls_analyzed = 1 then '' else 's' end, r.total_score)),
            g.pricing, g.demo, g.followup, g.sample, g.escalated, g.extracted_name, g.extracted_email, g.company_name,
            true, 'builtin', 'switchboard-builtin-v1', '1', g.analyzed_at, g.first_analyzed_at, g.analyzed_at
       from (select a.user_id, a.phone_number,
                    (array_agg(a.call_id order by a.analyzed_at desc, a.id desc))[1] as latest_call_id,
                    count(*)::int as calls_analyzed,
                    round(avg(a.intent_score))::smallint as intent, round(avg(a.urgency_score))::smallint as urgency,
                    round(avg(a.budget_score))::smallint as budget, round(avg(a.fit_score))::smallint as fit,
                    round(avg(a.engagement_score))::smallint as engagement,
                    bool_or(a.cta_pricing_clicked) as pricing, bool_or(a.cta_demo_clicked) as demo,
                    bool_or(a.cta_followup_clicked) as followup, bool_or(a.cta_sample_clicked) as sample,
                    bool_or(a.cta_escalated_to_human) as escalated,
                    (array_agg(a.extracted_name order by a.analyzed_at desc) filter (where a.extracted_name is not null))[1] as extracted_name,
                    (array_agg(a.extracted_email order by a.analyzed_at desc) filter (where a.extracted_email is not null))[1] as extracted_email,
                    (array_agg(a.company_name order by a.analyzed_at desc) filter (where a.company_name is not null))[1] as company_name,
                    max(a.analyzed_at) as analyzed_at, min(a.analyzed_at) as first_analyzed_at
               from app_public.lead_analytics a
              where a.analysis_type = 'individual' and a.user_id = any ($1::uuid[]) and a.phone_number is not null
              group by a.user_id, a.phone_number) g
      -- total score, temperature and levels of the averaged sub-scores: the lead rules
      cross join lateral app_hidden.lead_grade(g.intent, g.urgency, g.budget, g.fit, g.engagement) r
     on conflict (user_id, phone_number) where analysis_type = 'complete' do update set
       latest_call_id = excluded.latest_call_id, calls_analyzed = excluded.calls_analyzed,
       intent_level = excluded.intent_level, intent_score = excluded.intent_score,
       urgency_level = excluded.urgency_level, urgency_score = excluded.urgency_score,
       budget_constraint = excluded.budget_constraint, budget_score = excluded.budget_score,
       fit_alignment = excluded.fit_alignment, fit_score = excluded.fit_score,
       engagement_health = excluded.engagement_health, engagement_score = excluded.engagement_score,
       total_score = excluded.total_score, lead_status_tag = excluded.lead_status_tag, reasoning = excluded.reasoning,
       cta_pricing_clicked = excluded.cta_pricing_clicked, cta_demo_clicked = excluded.cta_demo_clicked,
       cta_followup_clicked = excluded.cta_followup_clicked, cta_sample_clicked = excluded.cta_sample_clicked,
       cta_escalated_to_human = excluded.cta_escalated_to_human, extracted_name = excluded.extracted_name,
       extracted_email = excluded.extracted_email, company_name = excluded.company_name,
       analyzed_at = excluded.analyzed_at
     where l.calls_analyzed is distinct from excluded.calls_analyzed`,
    [userIds],
  );
  return rowCount ?? 0;
}

/** Runs `fn` and adds its duration (seconds) to `timings[step]`. */
export async function timed<T>(timings: Record<string, number>, step: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[step] = (timings[step] ?? 0) + (performance.now() - started) / 1000;
  }
}

/** The steps of `app_hidden.settle()`, in the order it always runs them. */
export type SettleStep = 'contacts' | 'compact' | 'post' | 'refresh';

export interface SettleResult {
  /** Calls linked to contacts the link trigger skipped. */
  linked: number;
  /** Delta rows folded into the rollups. */
  compacted: number;
  /** Ledger rows posted. */
  posted: number;
  /** Seconds per step run (contacts, compact, post, refresh). */
  timings: Record<string, number>;
}

/**
 * `app_hidden.settle()`: syncs contacts, compacts every pending rollup delta,
 * posts the credit ledger and refreshes the KPI materialized view, in order
 * (the one definition of that sequence, in SQL). `steps` runs only some of
 * them (still in that order).
 */
export async function settleLoad(client: pg.ClientBase, steps?: readonly SettleStep[]): Promise<SettleResult> {
  const { rows } = await client.query<{
    contacts_linked: number;
    compacted: number;
    posted: number;
    contacts_ms: string | null;
    compact_ms: string | null;
    post_ms: string | null;
    refresh_ms: string | null;
  }>(steps ? 'select * from app_hidden.settle($1::text[])' : 'select * from app_hidden.settle()', steps ? [steps] : []);
  const row = rows[0];
  if (!row) throw new Error('app_hidden.settle() returned no row');
  const ms = { contacts: row.contacts_ms, compact: row.compact_ms, post: row.post_ms, refresh: row.refresh_ms };
  return {
    linked: row.contacts_linked,
    compacted: row.compacted,
    posted: row.posted,
    timings: Object.fromEntries(Object.entries(ms).flatMap(([step, value]) => (value === null ? [] : [[step, Number(value) / 1000]]))),
  };
}
