/** What a load does after its calls are in: per-contact complete analyses, then compaction, ledger posting and the KPI view. */
import type pg from 'pg';

/**
 * One 'complete' analysis per tenant and phone number from that number's
 * individual analyses (averaged scores, any CTA, the latest call's extracted
 * details), inserted or refreshed in one statement. Returns the rows written.
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
            case when g.intent >= 70 then 'high' when g.intent >= 40 then 'medium' else 'low' end, g.intent,
            case when g.urgency >= 70 then 'high' when g.urgency >= 40 then 'medium' else 'low' end, g.urgency,
            case when g.budget >= 65 then 'flexible' when g.budget >= 35 then 'moderate' else 'tight' end, g.budget,
            case when g.fit >= 65 then 'strong' when g.fit >= 40 then 'partial' else 'weak' end, g.fit,
            case when g.engagement >= 65 then 'healthy' when g.engagement >= 35 then 'neutral' else 'at_risk' end, g.engagement,
            g.total, case when g.total >= 70 then 'hot' when g.total >= 45 then 'warm' else 'cold' end,
            jsonb_build_object('summary', format('%s analysed call%s, average score %s', g.calls_analyzed,
                                                 case when g.calls_analyzed = 1 then '' else 's' end, g.total)),
            g.pricing, g.demo, g.followup, g.sample, g.escalated, g.extracted_name, g.extracted_email, g.company_name,
            true, 'builtin', 'switchboard-builtin-v1', '1', g.analyzed_at, g.first_analyzed_at, g.analyzed_at
       from (select a.user_id, a.phone_number,
                    (array_agg(a.call_id order by a.analyzed_at desc, a.id desc))[1] as latest_call_id,
                    count(*)::int as calls_analyzed,
                    round(avg(a.intent_score))::smallint as intent, round(avg(a.urgency_score))::smallint as urgency,
                    round(avg(a.budget_score))::smallint as budget, round(avg(a.fit_score))::smallint as fit,
                    round(avg(a.engagement_score))::smallint as engagement, round(avg(a.total_score))::smallint as total,
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

/**
 * Applies pending contact work (app_hidden.sync_contacts: not-connected counts,
 * calls the link trigger skipped), where the schema has it. Returns calls linked.
 */
export async function syncContacts(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ present: boolean }>(
    `select to_regprocedure('app_hidden.sync_contacts(integer)') is not null as present`,
  );
  if (!rows[0]?.present) return 0;
  let linked = 0;
  for (;;) {
    const result = await client.query<{ n: number }>('select app_hidden.sync_contacts() as n');
    const n = result.rows[0]?.n ?? 0;
    linked += n;
    if (n === 0) return linked;
  }
}

/** Folds every pending rollup delta into the rollups (until the compactor reports nothing moved). Returns the rows moved. */
export async function compactAll(client: pg.ClientBase): Promise<number> {
  let compacted = 0;
  for (;;) {
    const { rows } = await client.query<{ n: number }>('select app_hidden.compact_rollups() as n');
    const n = rows[0]?.n ?? 0;
    compacted += n;
    if (n === 0) return compacted;
  }
}

/** Posts the pending credit ledger rows. Returns the rows posted. */
export async function postCredits(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: number }>('select app_hidden.post_credit_transactions() as n');
  return rows[0]?.n ?? 0;
}

export async function refreshKpis(client: pg.ClientBase): Promise<void> {
  await client.query('select app_hidden.refresh_kpi_summary()');
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

export interface SettleResult {
  /** Delta rows folded into the rollups. */
  compacted: number;
  /** Ledger rows posted. */
  posted: number;
  /** Seconds per step (contacts, compact, post, refresh). */
  timings: Record<string, number>;
}

/** Syncs contacts, compacts every pending rollup delta, posts the credit ledger and refreshes the KPI materialized view, in order. */
export async function settleLoad(client: pg.ClientBase): Promise<SettleResult> {
  const timings: Record<string, number> = {};
  await timed(timings, 'contacts', () => syncContacts(client));
  const compacted = await timed(timings, 'compact', () => compactAll(client));
  const posted = await timed(timings, 'post', () => postCredits(client));
  await timed(timings, 'refresh', () => refreshKpis(client));
  return { compacted, posted, timings };
}
