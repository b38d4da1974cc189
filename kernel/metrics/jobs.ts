/**
 * Job metrics from graphile-worker's events: each job's run time (from
 * `job:start` to `job:complete`) and outcome by task: `success`, `retry`
 * (failed with attempts left) or `failed` (its last attempt failed). Task
 * names outside the task list are counted as `other`.
 */
import type { Job, WorkerEvents } from 'graphile-worker';
import type { JobOutcome, Metrics } from './metrics.ts';

export function jobOutcome(job: Pick<Job, 'attempts' | 'max_attempts'>, error: unknown): JobOutcome {
  if (!error) return 'success';
  return job.attempts >= job.max_attempts ? 'failed' : 'retry';
}

export function observeJobs(events: WorkerEvents, metrics: Metrics, taskNames: Iterable<string>): void {
  const known = new Set(taskNames);
  const startedAt = new WeakMap<Job, bigint>();
  events.on('job:start', ({ job }) => {
    startedAt.set(job, process.hrtime.bigint());
  });
  events.on('job:complete', ({ job, error }) => {
    const started = startedAt.get(job);
    if (started === undefined) return;
    startedAt.delete(job);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    metrics.observeJob(known.has(job.task_identifier) ? job.task_identifier : 'other', jobOutcome(job, error), seconds);
  });
}
