/**
 * The graphile-worker runner: our task list and crontab, plus a tick that
 * enqueues rollup compaction and credit posting every `compactIntervalMs`,
 * and the crash-safety check that frees jobs of dead workers (liveness.ts).
 * Signals are left to the caller (`noHandleSignals`).
 */
import { EventEmitter } from 'node:events';
import { parseCrontab, run, type Runner, type TaskSpec, type WorkerEvents } from 'graphile-worker';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { workerLogger } from '../kernel/log-graphile.ts';
import { createLogger, type Logger } from '../kernel/log.ts';
import { observeJobs } from '../kernel/metrics/jobs.ts';
import type { Metrics } from '../kernel/metrics/metrics.ts';
import { sqlGrader } from './analysis/grade.ts';
import { createAnalyzer } from './analysis/index.ts';
import type { OpenAISettings } from './analysis/openai.ts';
import { crontab } from './crontab.ts';
import { holdLiveness, unlockDeadWorkers, type Liveness } from './liveness.ts';
import { serviceSettings } from './settings.ts';
import { createSmsSender, type SmsSettings } from './sms/twilio.ts';
import { createTaskList, type TaskIdentifier } from './tasks/index.ts';

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
  /** Call analysis through OpenAI; null: the built-in analyser. Default: from the configuration (OPENAI_*). */
  openai?: OpenAISettings | null;
  /** Usage-alert SMS through Twilio; null: none. Default: from the configuration (TWILIO_*). */
  sms?: SmsSettings | null;
  /**
   * Freeing the jobs of dead workers (see liveness.ts): at start-up and every
   * `intervalMs` (default 60 s), for locks older than `graceMs` (default 60 s).
   * false turns it off (the pool still holds its liveness lock).
   */
  deadWorkers?: { graceMs?: number; intervalMs?: number } | false;
  /** Job durations and outcomes by task, and this worker's pool (as `worker`), go here. */
  metrics?: Metrics;
  /** A job running longer than this (ms) is logged at warn (default 5000). */
  slowJobMs?: number;
}

export interface WorkerHandle {
  /** Stops the tick, then the runner (waits for running jobs). Idempotent. */
  stop(): Promise<void>;
  /** False once stopped or after the runner died. */
  isRunning(): boolean;
  /** When a worker last polled for, started or finished a job. */
  readonly lastActivity: Date | null;
  /** The graphile-worker pool id (`jobs.locked_by` of the jobs it runs). */
  readonly poolId: string;
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

/** Checks for dead workers now and every `intervalMs`; returns the stop function. */
function startDeadWorkerCheck(pool: Parameters<typeof unlockDeadWorkers>[0], graceMs: number, intervalMs: number, log: Logger): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const check = async (): Promise<void> => {
    try {
      const { pools, jobs } = await unlockDeadWorkers(pool, { graceMs });
      if (pools.length) log.warn(`unlocked ${jobs} job(s) of ${pools.length} dead worker pool(s): ${pools.join(', ')}`);
    } catch (error) {
      log.warn('dead-worker check failed (will try again)', { error });
    }
    if (!stopped) timer = setTimeout(() => void check(), intervalMs);
  };
  void check();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export async function startWorker(options: StartWorkerOptions): Promise<WorkerHandle> {
  const log = options.logger ?? createLogger('worker');
  const needsConfig = options.openai === undefined || options.sms === undefined;
  const configured = needsConfig ? serviceSettings() : { openai: null, sms: null };
  const openai = options.openai === undefined ? configured.openai : options.openai;
  const sms = options.sms === undefined ? configured.sms : options.sms;
  // Our own pool: graphile-worker would not wait for its pool to close on stop,
  // so stopping the database right after could crash on an idle client's error.
  const pgPool = createPool({
    connectionString: options.connectionString,
    max: options.concurrency + 2,
    applicationName: 'switchboard-worker',
    logger: log,
  });
  const unwatchPool = options.metrics?.watchPool('worker', pgPool) ?? (() => {});
  // The built-in analyser takes the lead rules from SQL (app_hidden.lead_grade) through this pool.
  const analyzer = createAnalyzer(openai, sqlGrader(pgPool));
  const taskList = createTaskList({ analyzer, sms: sms ? createSmsSender(sms) : null, logger: log });
  // Our own emitter, so the pool id is known from the first event on.
  const events: WorkerEvents = new EventEmitter();
  let poolId: string | undefined;
  events.on('pool:create', ({ workerPool }) => {
    poolId = workerPool.id;
  });
  if (options.metrics) observeJobs(events, options.metrics, Object.keys(taskList));
  let runner: Runner;
  try {
    runner = await run({
      pgPool,
      concurrency: options.concurrency,
      noHandleSignals: true,
      pollInterval: options.pollInterval,
      logger: workerLogger(log, { slowJobMs: options.slowJobMs }),
      events,
      taskList,
      // Always explicit: without it graphile-worker would look for a ./crontab file.
      parsedCronItems: options.cron === false ? [] : parseCrontab(crontab),
    });
  } catch (error) {
    unwatchPool();
    await endPool(pgPool);
    throw error;
  }
  const id: string = poolId ?? '';
  let liveness: Liveness;
  try {
    if (!id) throw new Error('graphile-worker did not report its pool id');
    liveness = await holdLiveness(options.connectionString, id, log.child('liveness'));
  } catch (error) {
    await runner.stop().catch(() => {});
    unwatchPool();
    await endPool(pgPool);
    throw error;
  }
  const deadWorkers = options.deadWorkers === false ? null : { graceMs: 60_000, intervalMs: 60_000, ...options.deadWorkers };
  const stopDeadWorkerCheck = deadWorkers
    ? startDeadWorkerCheck(pgPool, deadWorkers.graceMs, deadWorkers.intervalMs, log.child('dead-workers'))
    : () => {};

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
  log.info(
    `started ${id} (concurrency ${options.concurrency}${options.compactIntervalMs ? `, tick every ${options.compactIntervalMs} ms` : ''}, ` +
      `analysis: ${analyzer.name} ${analyzer.model}, SMS: ${sms ? 'twilio' : 'off'})`,
  );

  return {
    stop() {
      stopping ??= (async () => {
        stopTick();
        stopDeadWorkerCheck();
        try {
          if (running) await runner.stop();
        } finally {
          running = false;
          // After the runner: while a job may still run, the lock says this pool is alive.
          await liveness.stop();
          unwatchPool();
          await endPool(pgPool);
        }
        log.info('stopped');
      })();
      return stopping;
    },
    isRunning: () => running,
    get lastActivity() {
      return lastActivity;
    },
    poolId: id,
  };
}
