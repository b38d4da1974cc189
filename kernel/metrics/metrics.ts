/**
 * Prometheus metrics (prom-client), one registry per process: the HTTP
 * request log, the webhooks and the worker's job events feed counters and
 * histograms; pool usage is read from the pools and the database figures are
 * read at scrape time (database-stats.ts: one cheap statement). Every label has
 * a bounded set of values: routes are route patterns, GraphQL operations are
 * the dashboard's known operation names (anything else is `other`), tasks are
 * the task list's names, outcomes are error codes.
 *
 * Metric names: see METRIC_NAMES below (and the README's Operations section).
 */
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import { PENDING_DELTAS_CAP, readDatabaseStats, type DatabaseStats, type ReadStatsOptions } from './database-stats.ts';

const PREFIX = 'switchboard_';

export const METRIC_NAMES = {
  httpRequests: `${PREFIX}http_requests_total`,
  httpDuration: `${PREFIX}http_request_duration_seconds`,
  graphqlOperations: `${PREFIX}graphql_operations_total`,
  graphqlDuration: `${PREFIX}graphql_operation_duration_seconds`,
  webhookDeliveries: `${PREFIX}webhook_deliveries_total`,
  jobs: `${PREFIX}jobs_total`,
  jobDuration: `${PREFIX}job_duration_seconds`,
  queueJobs: `${PREFIX}job_queue_jobs`,
  queueOldestReadyAge: `${PREFIX}job_queue_oldest_ready_age_seconds`,
  pendingDeltas: `${PREFIX}rollup_pending_deltas`,
  compactionLag: `${PREFIX}rollup_compaction_lag_seconds`,
  lastCompaction: `${PREFIX}rollup_last_compaction_timestamp_seconds`,
  kpiSummaryAge: `${PREFIX}kpi_summary_age_seconds`,
  verifyLastRun: `${PREFIX}rollup_verify_last_run_timestamp_seconds`,
  verifyDifferences: `${PREFIX}rollup_verify_differences`,
  verifyTenants: `${PREFIX}rollup_verify_tenants`,
  verifyDuration: `${PREFIX}rollup_verify_duration_seconds`,
  verifyRepaired: `${PREFIX}rollup_verify_repaired`,
  poolClients: `${PREFIX}pg_pool_clients`,
  poolWaiting: `${PREFIX}pg_pool_waiting_requests`,
  poolMax: `${PREFIX}pg_pool_max_clients`,
  databaseUp: `${PREFIX}database_up`,
  databaseScrapeDuration: `${PREFIX}database_scrape_duration_seconds`,
} as const;

const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export type JobOutcome = 'success' | 'retry' | 'failed';

export interface RequestObservation {
  method: string;
  /** A route pattern (`/webhooks/bolna/:token`), never a raw path. */
  route: string;
  status: number;
  seconds: number;
  /** /graphql only: a bounded operation label (see graphql-operation.ts). */
  operation?: string;
  /** Webhooks only. */
  webhook?: { provider: string; outcome: string };
}

export interface Metrics {
  readonly registry: Registry;
  observeRequest(observation: RequestObservation): void;
  observeJob(task: string, outcome: JobOutcome, seconds: number): void;
  /** Reports a pool's clients under `name` until the returned function is called. */
  watchPool(name: string, pool: pg.Pool): () => void;
  /** Reads the database figures at scrape time through this (owner) pool. */
  useDatabase(pool: pg.Pool, options?: ReadStatsOptions): void;
  /** The exposition text (scrape-time figures refreshed first; one read at a time). */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop lag, GC; default true). */
  defaultMetrics?: boolean;
  logger?: Logger;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const httpRequests = new Counter({
    name: METRIC_NAMES.httpRequests,
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: METRIC_NAMES.httpDuration,
    help: 'Time from request to the end of the response, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const graphqlOperations = new Counter({
    name: METRIC_NAMES.graphqlOperations,
    help: 'GraphQL requests by operation name (unknown names: other; none: anonymous) and status code.',
    labelNames: ['operation', 'status'] as const,
    registers,
  });
  const graphqlDuration = new Histogram({
    name: METRIC_NAMES.graphqlDuration,
    help: 'GraphQL request duration by operation name.',
    labelNames: ['operation'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const webhookDeliveries = new Counter({
    name: METRIC_NAMES.webhookDeliveries,
    help: 'Provider webhook deliveries by provider and outcome (stored, duplicate, or the error code answered).',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });
  const jobs = new Counter({
    name: METRIC_NAMES.jobs,
    help: 'Jobs run by task and outcome (success; retry: failed, will be retried; failed: out of attempts).',
    labelNames: ['task', 'outcome'] as const,
    registers,
  });
  const jobDuration = new Histogram({
    name: METRIC_NAMES.jobDuration,
    help: 'Job run time by task and outcome.',
    labelNames: ['task', 'outcome'] as const,
    buckets: JOB_BUCKETS,
    registers,
  });

  // Pools: read when scraped (the gauges' collect), no handle needed.
  const pools = new Map<string, pg.Pool>();
  new Gauge({
    name: METRIC_NAMES.poolClients,
    help: 'Clients of a pg pool: total (open connections), idle, and in use (checked out).',
    labelNames: ['pool', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const [name, pool] of pools) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
      }
    },
  });
  new Gauge({
    name: METRIC_NAMES.poolWaiting,
    help: 'Requests waiting for a client of a pg pool.',
    labelNames: ['pool'] as const,
    registers,
    collect() {
      this.reset();
      for (const [name, pool] of pools) this.set({ pool: name }, pool.waitingCount);
    },
  });
  new Gauge({
    name: METRIC_NAMES.poolMax,
    help: 'The most clients a pg pool opens.',
    labelNames: ['pool'] as const,
    registers,
    collect() {
      this.reset();
      for (const [name, pool] of pools) this.set({ pool: name }, pool.options.max ?? 10);
    },
  });

  // The scrape-time database read (with useDatabase only): its figures are in a registry of their own.
  let database: { pool: pg.Pool; options: ReadStatsOptions } | undefined;
  /** The last read's figures (only `up` 0 after a failed read: stale figures would look healthy). */
  let figures = new Registry();
  let refreshing: Promise<void> | undefined;
  let failing = false;
  const refreshDatabase = async (): Promise<void> => {
    if (!database) return;
    const started = process.hrtime.bigint();
    const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const stats = await readDatabaseStats(database.pool, database.options);
      figures = databaseFigures(stats, elapsed());
      if (failing) options.logger?.info('metrics: database figures readable again');
      failing = false;
    } catch (error) {
      figures = databaseFigures(undefined, elapsed());
      if (!failing) options.logger?.warn('metrics: could not read the database figures (reported as switchboard_database_up 0)', { error });
      failing = true;
    }
  };

  return {
    registry,
    observeRequest({ method, route, status, seconds, operation, webhook }) {
      const m = METHODS.has(method) ? method : 'OTHER';
      httpRequests.inc({ method: m, route, status: String(status) });
      httpDuration.observe({ method: m, route }, seconds);
      if (operation !== undefined) {
        graphqlOperations.inc({ operation, status: String(status) });
        graphqlDuration.observe({ operation }, seconds);
      }
      if (webhook) webhookDeliveries.inc(webhook);
    },
    observeJob(task, outcome, seconds) {
      jobs.inc({ task, outcome });
      jobDuration.observe({ task, outcome }, seconds);
    },
    watchPool(name, pool) {
      pools.set(name, pool);
      return () => {
        if (pools.get(name) === pool) pools.delete(name);
      };
    },
    useDatabase(pool, readOptions = {}) {
      database = { pool, options: readOptions };
    },
    async render() {
      refreshing ??= refreshDatabase().finally(() => {
        refreshing = undefined;
      });
      await refreshing;
      const [own, read] = await Promise.all([registry.metrics(), figures.metrics()]);
      return { contentType: registry.contentType, body: read ? `${own}\n${read}` : own };
    },
  };
}

/**
 * The scrape-time database figures as a registry of their own, built from one
 * read (`stats` undefined: the read failed, only `up` 0 is reported). A figure
 * the database does not have (no compaction, refresh or verification yet) is
 * absent rather than 0.
 */
function databaseFigures(stats: DatabaseStats | undefined, readSeconds: number): Registry {
  const figures = new Registry();
  const registers = [figures];
  const gauge = (name: string, help: string, value: number | undefined): void => {
    if (value === undefined) return;
    new Gauge({ name, help, registers }).set(value);
  };
  gauge(METRIC_NAMES.databaseUp, '1 if the scrape-time database read succeeded, else 0.', stats ? 1 : 0);
  gauge(METRIC_NAMES.databaseScrapeDuration, 'How long the scrape-time database read took.', readSeconds);
  if (!stats) return figures;
  const queueJobs = new Gauge({
    name: METRIC_NAMES.queueJobs,
    help: 'graphile-worker jobs by task and state (ready: due now; scheduled: due later; running: locked; failed: out of attempts).',
    labelNames: ['task', 'state'] as const,
    registers,
  });
  const queueOldestReadyAge = new Gauge({
    name: METRIC_NAMES.queueOldestReadyAge,
    help: 'Seconds the oldest due, unlocked job of a task has waited (0: none waiting).',
    labelNames: ['task'] as const,
    registers,
  });
  for (const q of stats.queue) {
    queueJobs.set({ task: q.task, state: 'ready' }, q.ready);
    queueJobs.set({ task: q.task, state: 'scheduled' }, q.scheduled);
    queueJobs.set({ task: q.task, state: 'running' }, q.running);
    queueJobs.set({ task: q.task, state: 'failed' }, q.failed);
    queueOldestReadyAge.set({ task: q.task }, q.oldestReadyAgeSeconds);
  }
  const now = stats.now.getTime();
  const since = (date: Date | null): number | undefined => (date ? Math.max(0, (now - date.getTime()) / 1000) : undefined);
  gauge(METRIC_NAMES.pendingDeltas, `Rollup deltas not yet compacted (counted up to ${PENDING_DELTAS_CAP}).`, stats.pendingDeltas);
  gauge(METRIC_NAMES.lastCompaction, 'Unix time of the last compaction that moved deltas.', stats.lastCompactionAt ? epochSeconds(stats.lastCompactionAt) : undefined);
  gauge(
    METRIC_NAMES.compactionLag,
    'With deltas pending: seconds since the last compaction that moved deltas; 0 when none are pending.',
    stats.pendingDeltas > 0 ? since(stats.lastCompactionAt) : 0,
  );
  gauge(METRIC_NAMES.kpiSummaryAge, 'Seconds since the user_kpi_summary view was last refreshed (started).', since(stats.kpiSummaryRefreshedAt));
  const verification = stats.lastVerification;
  if (verification) {
    gauge(METRIC_NAMES.verifyLastRun, 'Unix time of the last rollup verification (the nightly rollups__verify job).', epochSeconds(verification.ranAt));
    gauge(METRIC_NAMES.verifyDifferences, 'Differences the last rollup verification found (0: the rollups were exact).', verification.differences);
    gauge(METRIC_NAMES.verifyTenants, 'Tenants the last rollup verification covered.', verification.tenants);
    gauge(METRIC_NAMES.verifyDuration, 'How long the last rollup verification ran.', verification.durationSeconds);
    gauge(METRIC_NAMES.verifyRepaired, '1 if the last rollup verification repaired what it found, else 0.', verification.repaired ? 1 : 0);
  }
  return figures;
}
