/**
 * The graphile-worker runner: our task list and crontab, plus a tick that
 * enqueues rollup compaction and credit posting every `compactIntervalMs`.
 * Signals are left to the caller (`noHandleSignals`).
 */
import { parseCrontab, run, type Runner, type TaskSpec } from 'graphile-worker';
import { createPool, endPool } from '../server/db/pool.ts';
import { workerLogger } from '../server/log-graphile.ts';
import { createLogger, type Logger } from '../server/log.ts';
import { crontab } from './crontab.ts';
import { taskList, type TaskIdentifier } from './tasks/index.ts';

export interface StartWorkerOptions {
  connectionString: string;
  /** Jobs run at once. */
  concurrency: number;
  logger?: Logger;
  /** Enqueue `rollups__compact`, `credits__post` and `contacts__sync` this often; 0 (default) turns the tick off. */
  compactIntervalMs?: number;
  /** Install the crontab (default true). */
  cron?: boolean;
  /** How often idle workers poll for jobs, in ms (graphile-worker default 2000). */
  pollInterval?: number;
}

export interface WorkerHandle {
  /** Stops the tick, then the runner (waits for running jobs). Idempotent. */
  stop(): Promise<void>;
  /** False once stopped or after the runner died. */
  isRunning(): boolean;
  /** When a worker last polled for, started or finished a job. */
  readonly lastActivity: Date | null;
}

/** The jobs the tick enqueues: one pending job per key, its run_at kept (never piles up). */
const TICK_JOBS: ReadonlyArray<{ task: TaskIdentifier; spec: TaskSpec }> = [
  { task: 'rollups__compact', spec: { jobKey: 'rollups__compact', jobKeyMode: 'preserve_run_at', queueName: 'rollups__compact', maxAttempts: 3 } },
  { task: 'credits__post', spec: { jobKey: 'credits__post', jobKeyMode: 'preserve_run_at', queueName: 'credits__post', maxAttempts: 3 } },
  { task: 'contacts__sync', spec: { jobKey: 'contacts__sync', jobKeyMode: 'preserve_run_at', queueName: 'contacts__sync', maxAttempts: 3 } },
];

function startTick(runner: Runner, intervalMs: number, log: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let failing = false;
  const tick = async (): Promise<void> => {
    try {
      await Promise.all(TICK_JOBS.map(({ task, spec }) => runner.addJob(task, {}, spec)));
      if (failing) log.info('tick recovered');
      failing = false;
    } catch (error) {
      if (!failing) log.warn('tick could not enqueue jobs (will keep trying)', { error });
      failing = true;
    }
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const log = options.logger ?? createLogger('worker');
  // Our own pool: graphile-worker would not wait for its pool to close on stop,
  // so stopping the database right after could crash on an idle client's error.
  const pgPool = createPool({
    connectionString: options.connectionString,
    max: options.concurrency + 2,
    applicationName: 'switchboard-worker',
    logger: log,
  });
  let runner: Runner;
  try {
    runner = await run({
      pgPool,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollInterval,
      logger: workerLogger(log),
      taskList,
      // Always explicit: without it graphile-worker would look for a ./crontab file.
      parsedCronItems: options.cron === false ? [] : parseCrontab(crontab),
    });
  } catch (error) {
    await endPool(pgPool);
    throw error;
  }

  let running = true;
  let lastActivity: Date | null = new Date();
  const beat = (): void => {
    lastActivity = new Date();
  };
  runner.events.on('worker:getJob:empty', beat);
  runner.events.on('job:start', beat);
  runner.events.on('job:complete', beat);
  runner.promise.then(
    () => {
      running = false;
    },
    (error: unknown) => {
      running = false;
      log.error('worker stopped unexpectedly', { error });
    },
  );

  const stopTick = options.compactIntervalMs ? startTick(runner, options.compactIntervalMs, log.child('tick')) : () => {};
  let stopping: Promise<void> | undefined;
  log.info(`started (concurrency ${options.concurrency}${options.compactIntervalMs ? `, tick every ${options.compactIntervalMs} ms` : ''})`);

  return {
    stop() {
      stopping ??= (async () => {
        stopTick();
        if (running) await runner.stop();
        running = false;
        await endPool(pgPool);
        log.info('stopped');
      })();
      return stopping;
    },
    isRunning: () => running,
    get lastActivity() {
      return lastActivity;
    },
  };
}
