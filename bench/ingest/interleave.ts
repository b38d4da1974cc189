/**
 * Bare and pipeline runs of one workload, interleaved (bare, pipeline, bare,
 * pipeline, ...) so drift on a shared machine hits both alike. Every run starts
 * from the same state: calls and everything derived emptied, deltas compacted,
 * VACUUM ANALYZE, CHECKPOINT.
 */
import type pg from 'pg';
import { log } from '../log.ts';
import { compactAll, resetCalls, setCallTriggers, settle } from '../maintenance.ts';
import { median, ratio } from '../stats.ts';
import type { LoadResult } from './load.ts';

/** pipeline_compacting: all triggers, and compact_rollups() every second during the run (as in production). */
export type Mode = 'bare' | 'pipeline' | 'pipeline_compacting';

export interface LoggedTriggerError {
  trigger: string;
  code: string;
  count: number;
}

export interface RunRecord {
  round: number;
  mode: Mode;
  result: LoadResult;
  /** Errors non-essential triggers caught and logged to app_private.trigger_error_log (the write went on). */
  triggerErrors: LoggedTriggerError[];
}

export interface CaseResult {
  name: string;
  unit: 'tps' | 'rows/s';
  /** Median over rounds. */
  bare: number;
  pipeline: number;
  /** pipeline / bare of the medians. */
  ratio: number | null;
  roundRatios: Array<number | null>;
  /** Median of the pipeline_compacting runs, when the case had them. */
  pipelineCompacting: number | null;
  pipelineCompactingRatio: number | null;
  /** Over all runs with triggers: statements that failed. */
  pipelineFailed: number;
  /** Over all runs with triggers: deadlocks the clients saw plus those a trigger caught and logged. */
  pipelineDeadlocks: number;
  bareFailed: number;
  /** Over all runs with triggers: errors triggers caught and logged instead of failing the write. */
  triggerErrorsLogged: number;
  runs: RunRecord[];
}

async function loggedTriggerErrors(db: pg.Pool): Promise<LoggedTriggerError[]> {
  const { rows } = await db.query<{ trigger: string; code: string; count: string }>(
    `select trigger_name as trigger, coalesce(error_code, '?') as code, count(*) as count
       from app_private.trigger_error_log group by 1, 2 order by 1, 2`,
  );
  return rows.map((row) => ({ trigger: row.trigger, code: row.code, count: Number(row.count) }));
}

export async function interleaved(options: {
  name: string;
  db: pg.Pool;
  rounds: number;
  unit: CaseResult['unit'];
  /** Order within a round (default bare, pipeline). */
  modes?: readonly Mode[];
  run: (mode: Mode, round: number) => Promise<LoadResult>;
  /** Called after the last pipeline run, before anything is reset (verification). */
  afterLastPipeline?: () => Promise<void>;
}): Promise<CaseResult> {
  const { name, db, rounds, unit, run, afterLastPipeline } = options;
  const modes = options.modes ?? (['bare', 'pipeline'] as const);
  const lastTriggered = [...modes].reverse().find((mode) => mode !== 'bare');
  const metric = (result: LoadResult): number => (unit === 'tps' ? result.tps : result.rowsPerSecond);
  const runs: RunRecord[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    for (const mode of modes) {
      await resetCalls(db);
      await compactAll(db);
      await setCallTriggers(db, mode !== 'bare');
      await settle(db);
      const result = await run(mode, round);
      const triggerErrors = await loggedTriggerErrors(db);
      runs.push({ round, mode, result, triggerErrors });
      const swallowed = triggerErrors.reduce((sum, e) => sum + e.count, 0);
      log.info(
        `${name} round ${round} ${mode.padEnd(19)} ${metric(result).toFixed(0).padStart(8)} ${unit}` +
          ` (${result.rows} rows in ${result.seconds.toFixed(1)} s, ${result.failed} failed, ` +
          `${swallowed ? `${swallowed} trigger errors logged, ` : ''}` +
          `${result.walBytesPerRow.toFixed(0)} WAL bytes/row (${result.walFpiPerRow.toFixed(2)} FPI), client cpu ${(result.clientCpuShare * 100).toFixed(0)}%; ` +
          `${result.waits.slice(0, 3).map((w) => `${w.wait} ${(w.share * 100).toFixed(0)}%`).join(', ')})`,
      );
      if (mode === lastTriggered && round === rounds && afterLastPipeline) await afterLastPipeline();
    }
  }
  await setCallTriggers(db, true);
  const values = (mode: Mode): number[] => runs.filter((r) => r.mode === mode).map((r) => metric(r.result));
  const bare = median(values('bare'));
  const pipeline = median(values('pipeline'));
  const compacting = modes.includes('pipeline_compacting') ? median(values('pipeline_compacting')) : null;
  const pipelineRuns = runs.filter((r) => r.mode !== 'bare');
  const logged = (r: RunRecord, code?: string): number =>
    r.triggerErrors.filter((e) => code === undefined || e.code === code).reduce((sum, e) => sum + e.count, 0);
  return {
    name,
    unit,
    bare,
    pipeline,
    ratio: ratio(pipeline, bare),
    pipelineCompacting: compacting,
    pipelineCompactingRatio: compacting === null ? null : ratio(compacting, bare),
    roundRatios: Array.from({ length: rounds }, (_, i) => {
      const pair = runs.filter((r) => r.round === i + 1);
      const b = pair.find((r) => r.mode === 'bare');
      const p = pair.find((r) => r.mode === 'pipeline');
      return b && p ? ratio(metric(p.result), metric(b.result)) : null;
    }),
    pipelineFailed: pipelineRuns.reduce((sum, r) => sum + r.result.failed, 0),
    pipelineDeadlocks: pipelineRuns.reduce((sum, r) => sum + r.result.deadlocks + logged(r, '40P01'), 0),
    bareFailed: runs.filter((r) => r.mode === 'bare').reduce((sum, r) => sum + r.result.failed, 0),
    triggerErrorsLogged: pipelineRuns.reduce((sum, r) => sum + logged(r), 0),
    runs,
  };
}
