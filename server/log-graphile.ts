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

/**
 * graphile-worker already puts the error (with its stack) into the message and
 * attaches the whole job row as metadata, so its metadata is dropped. It logs
 * every completed job at `info`; with jobs ticking every second that drowns
 * everything else, so per-job `info` lines become `debug`.
 */
export function workerLogger(logger: Logger): WorkerLogger {
  return new WorkerLogger((scope) => {
    const label = scope.label;
    const scoped = label && !logger.scope.split(':').includes(label) ? logger.child(label) : logger;
    return (level, message) => {
      const name = String(level);
      emitterFor(scoped, name === 'info' && scope.jobId !== undefined ? 'debug' : name)(message);
    };
  });
}
