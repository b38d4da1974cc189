/**
 * calls__analyze: the individual analysis of one call, then the complete
 * analysis of the tenant's lead on that number (the seed's dual analysis).
 *
 * - Safe to run again at any point: record_call_analysis replaces the call's
 *   analysis (the rollup trigger moves only the difference), and a retry after
 *   the individual analysis was recorded (same transcript, same prompts) skips
 *   straight to the complete analysis instead of analysing the call again.
 * - The analysis is recorded only if the transcript still has the text that
 *   was analysed (checked under a row lock in the recording transaction).
 * - Failures throw, so graphile-worker retries with its exponential backoff;
 *   on the job's last attempt the individual analysis's failure is recorded on
 *   the transcript (analysis_status 'failed' + reason) and the job ends.
 * - A failure of the complete analysis on the last attempt is only logged: the
 *   call's own analysis stands, and the lead's next analysed call refreshes it.
 */
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { AnalysisAbortedError, AnalysisError } from '../analysis/errors.ts';
import { resolvePrompts, type ResolvedPrompts } from '../analysis/prompts.ts';
import {
  loadCallForAnalysis,
  loadContactCalls,
  markFailed,
  markProcessing,
  recordCallAnalysis,
  writeContactAnalysis,
  type CallForAnalysis,
  type Query,
  type Recorded,
} from '../analysis/store.ts';
import { capText, completeText, INDIVIDUAL_MAX_CHARS } from '../analysis/transcript-text.ts';
import type { Analyzer } from '../analysis/types.ts';
import { assertAnalyzePayload } from '../payloads.ts';

export interface AnalyzeDeps {
  analyzer: Analyzer;
  logger: Logger;
}

/** Tries of the complete analysis when other calls of the same lead get analysed meanwhile. */
const CONTACT_TRIES = 3;

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isLastAttempt(helpers: JobHelpers): boolean {
  return helpers.job.attempts >= helpers.job.max_attempts;
}

/**
 * The call's individual analysis. True when it was recorded; false when its
 * failure was recorded instead (last attempt), or when the transcript changed
 * while the analyser ran (the newer transcript's own job takes over).
 */
async function analyzeCall(deps: AnalyzeDeps, helpers: JobHelpers, call: CallForAnalysis, by: Recorded, prompts: ResolvedPrompts): Promise<boolean> {
  const query: Query = (text, values) => helpers.query(text, values);
  await markProcessing(query, call.id);
  try {
    const analysis = await deps.analyzer.analyze({
      kind: 'individual',
      instructions: prompts.individual,
      transcript: capText(call.content, INDIVIDUAL_MAX_CHARS),
      referenceTime: call.started_at,
      timezone: call.timezone,
      calls: [{ startedAt: call.started_at, direction: call.direction, durationSeconds: call.duration_seconds }],
      context: call.context,
      signal: helpers.abortSignal,
    });
    const recorded = await recordCallAnalysis((fn) => helpers.withPgClient(fn), call.id, call.content, analysis, by);
    if (!recorded) deps.logger.info(`call ${call.id}: the transcript changed while it was analysed; its own job analyses the new text`);
    return recorded;
  } catch (error) {
    if (error instanceof AnalysisAbortedError || !isLastAttempt(helpers)) throw error;
    await markFailed(query, call.id, reason(error));
    deps.logger.warn(`call ${call.id}: analysis failed on the last attempt (${helpers.job.attempts}), transcript marked failed`, {
      kind: error instanceof AnalysisError ? error.kind : 'other',
      reason: reason(error),
    });
    return false;
  }
}

async function analyzeContact(deps: AnalyzeDeps, helpers: JobHelpers, call: CallForAnalysis & { phone_number: string }, by: Recorded, prompts: ResolvedPrompts): Promise<void> {
  const query: Query = (text, values) => helpers.query(text, values);
  for (let tries = 1; ; tries += 1) {
    const { fingerprint, calls } = await loadContactCalls(query, call.user_id, call.phone_number);
    if (calls.length === 0) return;
    const { text, included } = completeText(calls, call.timezone);
    const analysis = await deps.analyzer.analyze({
      kind: 'complete',
      instructions: prompts.complete,
      transcript: text,
      referenceTime: calls[0]?.startedAt ?? call.started_at,
      timezone: call.timezone,
      calls: included,
      context: call.context,
      signal: helpers.abortSignal,
    });
    const written = await writeContactAnalysis((fn) => helpers.withPgClient(fn), call.user_id, call.phone_number, fingerprint, analysis, by);
    if (written) return;
    if (tries >= CONTACT_TRIES) {
      // Another job analysed a call of this lead meanwhile: its own complete analysis comes after ours.
      deps.logger.debug(`call ${call.id}: the lead's calls kept changing; leaving the complete analysis to the later job`);
      return;
    }
  }
}

export function createCallsAnalyze(deps: AnalyzeDeps): Task<'calls__analyze'> {
  return async (payload, helpers) => {
    assertAnalyzePayload(payload);
    const query: Query = (text, values) => helpers.query(text, values);
    const call = await loadCallForAnalysis(query, payload.callId);
    if (!call || !call.content.trim() || call.analysis_status === 'skipped') {
      deps.logger.debug(`call ${payload.callId}: nothing to analyse (call or transcript gone, empty or skipped)`);
      return;
    }
    const prompts = resolvePrompts(call);
    const by: Recorded = { analyzer: deps.analyzer.name, model: deps.analyzer.model, promptVersion: prompts.version };
    const upToDate = call.analysis_status === 'completed' && call.analysis_id !== null && call.analysis_prompt === prompts.version;
    if (payload.force || !upToDate) {
      const recorded = await analyzeCall(deps, helpers, call, by, prompts);
      if (!recorded) return;
    }
    const phone = call.phone_number;
    if (!phone) return;
    try {
      await analyzeContact(deps, helpers, { ...call, phone_number: phone }, by, prompts);
    } catch (error) {
      if (error instanceof AnalysisAbortedError || !isLastAttempt(helpers)) throw error;
      deps.logger.warn(`call ${call.id}: the lead's complete analysis failed on the last attempt; the call's own analysis stands`, {
        reason: reason(error),
      });
    }
  };
}
