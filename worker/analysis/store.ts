/**
 * The SQL of calls__analyze: reading a call with its transcript and tenant,
 * and writing through `app_hidden.record_call_analysis`,
 * `record_contact_analysis` and `mark_analysis_failed`. Runs as the owner.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { CallTranscript } from './transcript-text.ts';
import { COMPLETE_MAX_CALLS } from './transcript-text.ts';
import type { AnalysisContext, LeadAnalysis } from './schema.ts';
import type { TenantPrompts } from './prompts.ts';
import type { AnalyzerName } from './types.ts';

export type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;
export type WithClient = <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

export interface CallForAnalysis extends TenantPrompts {
  id: string;
  user_id: string;
  phone_number: string | null;
  started_at: Date;
  direction: string;
  duration_seconds: number;
  content: string;
  analysis_status: 'pending' | 'processing' | 'completed' | 'failed' | 'skipped';
  timezone: string;
  /** The call's individual analysis, if any, and the prompt version it was made with. */
  analysis_id: string | null;
  analysis_prompt: string | null;
  /** The tenant's topic taxonomy and active success criteria. */
  context: AnalysisContext;
}

/** The tenant's topic taxonomy and active success criteria as one JSON value (the analysis context), for a user id expression. */
function contextSql(userId: string): string {
  return `json_build_object(
              'topics', coalesce((select json_agg(json_build_object('key', t.key, 'label', t.label, 'description', t.description,
                                                                    'keywords', t.keywords) order by t.key)
                                    from app_public.analysis_topics t where t.user_id = ${userId}), '[]'),
              'criteria', coalesce((select json_agg(json_build_object('id', k.id, 'name', k.name, 'question', k.question,
                                                                      'keywords', k.keywords) order by k.name, k.id)
                                      from app_public.success_criteria k where k.user_id = ${userId} and k.is_active), '[]')
            )`;
}

/** The analysis context of a tenant (re-scoring runs analyse many calls of one tenant with it). */
export async function loadAnalysisContext(query: Query, userId: string): Promise<AnalysisContext> {
  const { rows } = await query<{ context: AnalysisContext }>(`select ${contextSql('$1::uuid')} as context`, [userId]);
  return rows[0]?.context ?? { topics: [], criteria: [] };
}

export async function loadCallForAnalysis(query: Query, callId: string): Promise<CallForAnalysis | null> {
  const { rows } = await query<CallForAnalysis>(
    `select c.id, c.user_id, c.phone_number, c.started_at, c.direction, c.duration_seconds,
            t.content, t.analysis_status,
            u.timezone, u.analysis_prompt_individual, u.analysis_prompt_complete, u.analysis_prompt_version,
            a.id as analysis_id, a.prompt_version as analysis_prompt,
            ${contextSql('c.user_id')} as context
       from app_public.calls c
       join app_public.transcripts t on t.call_id = c.id
       join app_public.users u on u.id = c.user_id
       left join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
      where c.id = $1`,
    [callId],
  );
  return rows[0] ?? null;
}

export async function markProcessing(query: Query, callId: string): Promise<void> {
  await query(
    `update app_public.transcripts set analysis_status = 'processing', analysis_error = null
      where call_id = $1 and analysis_status <> 'processing'`,
    [callId],
  );
}

export async function markFailed(query: Query, callId: string, reason: string): Promise<void> {
  await query('select app_hidden.mark_analysis_failed($1, $2)', [callId, reason]);
}

export interface Recorded {
  analyzer: AnalyzerName;
  model: string;
  promptVersion: string;
}

/**
 * Records the call's analysis, made from `content`, through
 * `record_call_analysis` with the MD5 of that text: the database records
 * nothing (and false is returned) if the transcript has other text by now (the
 * provider sent a final event again and queued its own job). That guard lives
 * in SQL only; one statement, so one transaction.
 */
export async function recordCallAnalysis(
  withClient: WithClient,
  callId: string,
  content: string,
  analysis: LeadAnalysis,
  by: Recorded,
): Promise<boolean> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ id: string | null }>(
      'select app_hidden.record_call_analysis($1, $2::jsonb, $3, $4, $5, $6) as id',
      [callId, JSON.stringify(analysis), by.analyzer, by.model, by.promptVersion, contentMd5(content)],
    );
    return rows[0]?.id != null;
  });
}

/** MD5 (hex) of a text's UTF-8 bytes, as PostgreSQL's md5(text) computes it. */
export function contentMd5(content: string): string {
  return createHash('md5').update(content, 'utf8').digest('hex');
}

/** The analysed calls of a tenant's number: identity of the whole set, and the most recent ones' transcripts. */
export interface ContactCalls {
  /** Changes whenever a call is analysed, removed or its transcript changes. */
  fingerprint: string;
  /** Most recent first, at most COMPLETE_MAX_CALLS. */
  calls: CallTranscript[];
}

const ANALYSED_CALLS = `
  select c.id, c.started_at, c.direction, c.duration_seconds, t.content
    from app_public.calls c
    join app_public.transcripts t on t.call_id = c.id
    join app_public.lead_analytics a on a.call_id = c.id and a.analysis_type = 'individual'
   where c.user_id = $1 and c.phone_number = $2`;

interface ContactCallRow {
  started_at: string;
  direction: string;
  duration_seconds: number;
  content: string;
}

export async function loadContactCalls(query: Query, userId: string, phone: string): Promise<ContactCalls> {
  const { rows } = await query<{ fingerprint: string; calls: ContactCallRow[] }>(
    `select app_hidden.contact_analysis_fingerprint($1, $2) as fingerprint,
            coalesce((select json_agg(x order by x.started_at desc, x.id desc)
                        from (${ANALYSED_CALLS} order by c.started_at desc, c.id desc limit $3) x), '[]') as calls`,
    [userId, phone, COMPLETE_MAX_CALLS],
  );
  const row = rows[0];
  return {
    fingerprint: row?.fingerprint ?? '',
    calls: (row?.calls ?? []).map((call) => ({
      startedAt: new Date(call.started_at),
      direction: call.direction,
      durationSeconds: call.duration_seconds,
      content: call.content,
    })),
  };
}

/**
 * Writes the complete analysis if the set of analysed calls is still the one
 * it was made from (app_hidden.record_contact_analysis_if: checked under a
 * per-number lock, one statement), so two jobs for calls with the same lead
 * never leave an older picture last. Returns false when the set changed
 * (analyse again).
 */
export async function writeContactAnalysis(
  withClient: WithClient,
  userId: string,
  phone: string,
  fingerprint: string,
  analysis: LeadAnalysis,
  by: Recorded,
): Promise<boolean> {
  return withClient(async (client) => {
    const { rows } = await client.query<{ written: boolean }>(
      'select app_hidden.record_contact_analysis_if($1, $2, $3, $4::jsonb, $5, $6, $7) as written',
      [userId, phone, fingerprint, JSON.stringify(analysis), by.analyzer, by.model, by.promptVersion],
    );
    return rows[0]?.written === true;
  });
}
