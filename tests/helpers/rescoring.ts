/**
 * Shared by the re-scoring tests: a tenant with analysed calls (transcripts and
 * individual analyses recorded through app_hidden.record_call_analysis, as the
 * worker records them), a run driven through its SQL steps without the worker,
 * and the KPI figures a reader sees.
 */
import { FAKE_ANALYSIS } from './fake-openai.ts';
import { createAgent, createCall, createTenant, localNoon, phoneNumber, type Queryable } from './fixtures.ts';

export interface RescorableTenant {
  userId: string;
  agentId: string;
  timezone: string;
  callIds: string[];
  /** Tenant-local days the calls are on: the call i is `i % days` days ago. */
  days: number;
}

/** Sub-scores giving `score` as total (lead_grade: weights sum to 1). */
export function analysisWithScore(score: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...FAKE_ANALYSIS,
    intent_score: score,
    urgency_score: score,
    budget_score: score,
    fit_score: score,
    engagement_score: score,
    ...extra,
  };
}

export async function seedRescorable(
  db: Queryable,
  options: { timezone?: string; calls?: number; days?: number; score?: (i: number) => number; phones?: number } = {},
): Promise<RescorableTenant> {
  const timezone = options.timezone ?? 'America/New_York';
  const n = options.calls ?? 6;
  const days = options.days ?? 3;
  const tenant = await createTenant(db, { timezone });
  const agent = await createAgent(db, tenant.id);
  const callIds: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const call = await createCall(db, {
      userId: tenant.id,
      agentId: agent.id,
      status: 'completed',
      durationSeconds: 60 + i,
      startedAt: await localNoon(db, timezone, i % days),
      phoneNumber: phoneNumber(700 + (i % (options.phones ?? n))),
    });
    // Inserted as already analysed, so the transcripts trigger queues no calls__analyze job.
    await db.query(`insert into app_public.transcripts (user_id, call_id, content, analysis_status) values ($1, $2, $3, 'completed')`, [
      tenant.id,
      call.id,
      `assistant: Hello.\nuser: Call ${i}, tell me the price.`,
    ]);
    await db.query(`select app_hidden.record_call_analysis($1, $2::jsonb, 'openai', 'old-model', 'default-v1')`, [
      call.id,
      JSON.stringify(analysisWithScore(options.score?.(i) ?? 30 + 5 * i)),
    ]);
    callIds.push(call.id);
  }
  return { userId: tenant.id, agentId: agent.id, timezone, callIds, days };
}

export interface Figures {
  leads: number;
  qualified_leads: number;
  hot_leads: number;
  warm_leads: number;
  cold_leads: number;
  average_lead_score: string | null;
}

/** The KPI figures of a tenant's range as the KPI API reads them (rollups + pending deltas), in one statement. */
export async function readFigures(db: Queryable, userId: string, from: string, to: string): Promise<Figures> {
  const { rows } = await db.query<Figures>(
    `select f.leads::int, f.qualified_leads::int, f.hot_leads::int, f.warm_leads::int, f.cold_leads::int,
            f.average_lead_score::text
       from app_hidden.range_measures($1, $2::date, $3::date, null) m, app_hidden.kpi_figures(m) f`,
    [userId, from, to],
  );
  const row = rows[0];
  if (!row) throw new Error('no figures');
  return row;
}

/** Starts a run as the tenant's owner (committed when `db` is a pool client outside a transaction). */
export async function startRun(db: Queryable, userId: string, from: string, to: string): Promise<{ id: string; calls_total: number }> {
  await db.query('begin');
  try {
    await db.query(`select set_config('role', 'app_owner', true), set_config('jwt.claims.user_id', $1, true)`, [userId]);
    const { rows } = await db.query<{ id: string; calls_total: number }>('select id, calls_total from app_public.start_rescoring($1, $2)', [from, to]);
    await db.query('commit');
    const row = rows[0];
    if (!row) throw new Error('no run');
    return row;
  } catch (error) {
    await db.query('rollback');
    throw error;
  }
}

/** Analyses every pending call of a run through SQL (what the job stores), with `analysis(callId)`. */
export async function recordAllVersions(
  db: Queryable,
  runId: string,
  analysis: (callId: string) => Record<string, unknown>,
  promptVersion = 'tenant-v2',
): Promise<void> {
  await db.query(`select app_hidden.begin_rescoring_run($1, $2, null, 'openai', 'new-model')`, [runId, promptVersion]);
  const { rows } = await db.query<{ call_id: string; content: string }>('select call_id, content from app_hidden.rescoring_pending_calls($1, 1000)', [runId]);
  const versions = rows.map((row) => ({ callId: row.call_id, contentMd5: null as string | null, content: row.content, analysis: analysis(row.call_id) }));
  const { rows: md5s } = await db.query<{ m: string[] }>('select array_agg(md5(c) order by o) as m from unnest($1::text[]) with ordinality x(c, o)', [
    versions.map((v) => v.content),
  ]);
  versions.forEach((v, i) => (v.contentMd5 = md5s[0]?.m[i] ?? null));
  await db.query('select app_hidden.record_rescoring_versions($1, $2::jsonb)', [
    runId,
    JSON.stringify(versions.map(({ callId, contentMd5, analysis: a }) => ({ callId, contentMd5, analysis: a }))),
  ]);
}
