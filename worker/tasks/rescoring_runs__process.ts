/**
 * rescoring_runs__process: one re-scoring run (`app_public.start_rescoring()`
 * queues it with a job key per run).
 *
 * - Analyses the run's calls in batches with the worker's analyser, through the
 *   same inputs as calls__analyze (worker/analysis/individual.ts), and stores
 *   each batch as NOT-latest analysis versions (`record_rescoring_versions`,
 *   which also advances calls_done): the KPIs keep the current analyses.
 * - When every call is done, `apply_rescoring_run` makes the new versions the
 *   current analyses in ONE transaction (one statement): the rollup trigger
 *   moves the KPIs, so a reader sees the old figures or the new, never a mix.
 * - Safe to run again: a retry resumes with the calls not yet done. A cancelled
 *   run (status no longer running) stops at the next batch and nothing applies.
 * - Failures throw, so graphile-worker retries; on the last attempt the run is
 *   marked failed with the reason and nothing applies.
 * - If the tenant's prompts change while the run is in progress, the run fails
 *   (its versions would no longer be of one prompt version).
 */
import type { JobHelpers, Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { AnalysisAbortedError } from '../analysis/errors.ts';
import { analyzeIndividual } from '../analysis/individual.ts';
import { resolvePrompts, type TenantPrompts } from '../analysis/prompts.ts';
import { contentMd5, loadAnalysisContext } from '../analysis/store.ts';
import type { Analyzer } from '../analysis/types.ts';
import { assertRescoringPayload } from '../payloads.ts';

export interface RescoringDeps {
  analyzer: Analyzer;
  logger: Logger;
}

/** Calls analysed at once (in parallel) and stored per statement. */
export const RESCORING_BATCH = 8;

interface RunTenant extends TenantPrompts {
  user_id: string;
  timezone: string;
}

interface PendingCall {
  call_id: string;
  started_at: Date;
  direction: string;
  duration_seconds: number;
  content: string;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isLastAttempt(helpers: JobHelpers): boolean {
  return helpers.job.attempts >= helpers.job.max_attempts;
}

export function createRescoringProcess(deps: RescoringDeps): Task<'rescoring_runs__process'> {
  return async (payload, helpers) => {
    assertRescoringPayload(payload);
    const { runId } = payload;
    const { rows: tenants } = await helpers.query<RunTenant>(
      `select r.user_id, u.timezone, u.analysis_prompt_individual, u.analysis_prompt_complete, u.analysis_prompt_version
         from app_public.rescoring_runs r join app_public.users u on u.id = r.user_id
        where r.id = $1 and r.status in ('queued', 'running')`,
      [runId],
    );
    const tenant = tenants[0];
    if (!tenant) return; // gone, cancelled or already finished
    const prompts = resolvePrompts(tenant);
    // the tenant's taxonomy and success criteria, as calls__analyze gives them
    const context = await loadAnalysisContext(helpers.query, tenant.user_id);
    const promptHash = prompts.version.startsWith('tenant-') && tenant.analysis_prompt_individual !== null ? contentMd5(tenant.analysis_prompt_individual) : null;
    try {
      const { rows: begun } = await helpers.query<{ status: string | null; prompt_version: string | null }>(
        'select r.status, r.prompt_version from app_hidden.begin_rescoring_run($1, $2, $3, $4, $5) r',
        [runId, prompts.version, promptHash, deps.analyzer.name, deps.analyzer.model],
      );
      if (begun[0]?.status !== 'running') return;
      if (begun[0].prompt_version !== prompts.version) {
        throw new Error(`the analysis prompts changed while the run was in progress (${begun[0].prompt_version} -> ${prompts.version}); start a new run`);
      }
      for (;;) {
        const { rows: pending } = await helpers.query<PendingCall>(
          'select * from app_hidden.rescoring_pending_calls($1, $2)',
          [runId, RESCORING_BATCH],
        );
        if (pending.length === 0) break;
        const versions = await Promise.all(
          pending.map(async (call) => ({
            callId: call.call_id,
            contentMd5: contentMd5(call.content),
            analysis: await analyzeIndividual(deps.analyzer, call, prompts.individual, tenant.timezone, context, helpers.abortSignal),
          })),
        );
        const { rows: recorded } = await helpers.query<{ status: string | null; calls_done: number | null }>(
          'select r.status, r.calls_done from app_hidden.record_rescoring_versions($1, $2::jsonb) r',
          [runId, JSON.stringify(versions)],
        );
        if (recorded[0]?.status !== 'running') {
          deps.logger.info(`re-scoring run ${runId}: no longer running (cancelled); stopping`);
          return;
        }
      }
      // One statement, so one transaction: the KPIs switch at once.
      const { rows: applied } = await helpers.query<{ status: string | null; calls_applied: number | null }>(
        'select r.status, r.calls_applied from app_hidden.apply_rescoring_run($1) r',
        [runId],
      );
      deps.logger.info(`re-scoring run ${runId}: ${applied[0]?.status ?? 'gone'}, ${applied[0]?.calls_applied ?? 0} analyses switched`);
    } catch (error) {
      if (error instanceof AnalysisAbortedError || !isLastAttempt(helpers)) throw error;
      await helpers.query('select app_hidden.fail_rescoring_run($1, $2)', [runId, reason(error)]);
      deps.logger.warn(`re-scoring run ${runId}: failed on the last attempt (${helpers.job.attempts}); nothing applied`, { reason: reason(error) });
    }
  };
}
