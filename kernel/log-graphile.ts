/**
 * Adapters that route graphile-migrate's and graphile-worker's logging through
 * our logger. Each library checks `instanceof` against its own copy of
 * `@graphile/logger` (they depend on different versions), so each adapter uses
 * the `Logger` class that library exports.
 */
import { Logger as MigrateLogger } from 'graphile-migrate';
import { Logger as WorkerLogger } from 'graphile-worker';
import type { Logger, LogMeta } from './log.ts';

type Emit = (message: string, meta?: LogMeta) => void;

function emitterFor(logger: Logger, level: string): Emit {
  switch (level) {
    case 'error':
      return logger.error;
    case 'warning':
      return logger.warn;
    case 'debug':
      return logger.debug;
    default:
      return logger.info;
  }
}

export function migrateLogger(logger: Logger): MigrateLogger {
  return new MigrateLogger(() => (level, message, meta) => emitterFor(logger, String(level))(message, meta));
}

export interface WorkerLoggerOptions {
  /** A job that ran longer than this (ms) is logged at warn (default 5000). */
  slowJobMs?: number;
}

/** The job row fields graphile-worker passes as metadata with its per-job lines. */
interface JobMeta {
  id: string;
  task_identifier: string;
  attempts: number;
  max_attempts: number;
}

function jobOf(meta: LogMeta | undefined): JobMeta | undefined {
  const job = meta?.job;
  if (typeof job !== 'object' || job === null) return undefined;
  const { id, task_identifier: task, attempts, max_attempts: maxAttempts } = job as Record<string, unknown>;
  if (typeof task !== 'string' || typeof attempts !== 'number' || typeof maxAttempts !== 'number') return undefined;
  return { id: String(id), task_identifier: task, attempts, max_attempts: maxAttempts };
}

/**
 * graphile-worker logs every completed job at `info` ("Completed task 5
 * (rollups__compact, 3.2ms) with success"); with the compaction tick every
 * second that was ~185 lines a minute on an idle server. Its per-job lines
 * (recognised by the job row in their metadata) become our own:
 *
 * - success: debug, or warn when it took longer than `slowJobMs`;
 * - failure with attempts left: warn (it will be retried);
 * - failure of the last attempt: error.
 *
 * Each carries `task`, `jobId`, `attempt`, `maxAttempts`, `durationMs` and the
 * error (with its stack) as fields. graphile-worker's other lines keep their
 * level; its full job row (payloads may hold personal data) is never logged.
 */
export function workerLogger(logger: Logger, { slowJobMs = 5_000 }: WorkerLoggerOptions = {}): WorkerLogger {
  return new WorkerLogger((scope) => {
    const label = scope.label;
    const scoped = label && !logger.scope.split(':').includes(label) ? logger.child(label) : logger;
    return (level, message, meta) => {
      const job = jobOf(meta);
      if (!job) {
        emitterFor(scoped, String(level))(message);
        return;
      }
      const duration = typeof meta?.duration === 'number' ? meta.duration : undefined;
      const fields: LogMeta = {
        task: job.task_identifier,
        jobId: job.id,
        attempt: job.attempts,
        maxAttempts: job.max_attempts,
        ...(duration === undefined ? {} : { durationMs: Math.round(duration * 10) / 10 }),
      };
      const what = `job ${job.id} (${job.task_identifier})`;
      if (meta?.failure === true) {
        const final = job.attempts >= job.max_attempts;
        const attempt = `attempt ${job.attempts} of ${job.max_attempts}`;
        const error = meta.error instanceof Error ? meta.error : undefined;
        if (final) scoped.error(`${what} failed for good (${attempt})`, { ...fields, error });
        else scoped.warn(`${what} failed (${attempt}); will retry`, { ...fields, error });
        return;
      }
      if (meta?.success === true) {
        if (duration !== undefined && duration > slowJobMs) scoped.warn(`${what} was slow: ${Math.round(duration)} ms`, fields);
        else scoped.debug(`${what} completed`, fields);
        return;
      }
      emitterFor(scoped, String(level))(message, fields);
    };
  });
}
