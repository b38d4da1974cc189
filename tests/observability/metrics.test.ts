/**
 * GET /metrics over real HTTP after real webhook deliveries, GraphQL requests
 * and jobs run by the real worker: the counters and histograms moved with the
 * right labels, the scrape-time database figures are there (queue, rollups,
 * KPI view, last verification, pools), the endpoint is closed without the
 * token and on the separate listener, a database that cannot be reached gives
 * `switchboard_database_up 0` rather than an error, and no secret appears.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { listen } from '../../kernel/http/listen.ts';
import { createLogger, type Logger } from '../../kernel/log.ts';
import { startMetricsServer } from '../../kernel/metrics/endpoint.ts';
import { createMetrics, type Metrics } from '../../kernel/metrics/metrics.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bolnaSequence, seedIngestTenant, startWebhookApp, type IngestTenant, type WebhookApp } from '../helpers/webhooks.ts';
import { waitFor } from '../worker/support.ts';

const TOKEN = 'metrics-test-token-0123456789abcdef';

/** The worker's job failure is expected here: keep it out of the test output. */
const quiet: Logger = { scope: 'quiet', debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

let db: TestDatabase;
let metrics: Metrics;
let app: WebhookApp;
let tenant: IngestTenant;
let worker: WorkerHandle | undefined;

async function scrape(url: string, token: string | null = TOKEN): Promise<{ status: number; body: string; contentType: string | null }> {
  const response = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
}

/** The value of the sample `name{labels}` (labels matched exactly, in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got = (match[2] ?? '')
      .split(/,(?=[a-zA-Z_]+=")/)
      .filter(Boolean)
      .sort()
      .join(',');
    if (got === wanted) return Number(match[3]);
  }
  return undefined;
}

beforeAll(async () => {
  db = await createTestDatabase();
  metrics = createMetrics();
  metrics.useDatabase(db.pool);
  metrics.watchPool('owner', db.pool);
  app = await startWebhookApp({ db, graphql: true, metrics, metricsToken: TOKEN });
  tenant = await seedIngestTenant(app.pool);
  worker = await startWorker({ connectionString: db.connectionString, concurrency: 1, cron: false, pollInterval: 100, openai: null, sms: null, metrics, logger: quiet });
});

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await db?.drop();
});

describe('GET /metrics', () => {
  it('counts webhook deliveries by provider and outcome, and requests by route pattern and GraphQL operation', async () => {
    const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
    expect((await app.postBolna(tenant.bolnaToken, queued)).status).toBe(200);
    expect((await app.postBolna(tenant.bolnaToken, queued)).body).toMatchObject({ duplicate: true });
    const stranger = `${tenant.bolnaToken.slice(0, -6)}zzzzzz`;
    expect((await app.postBolna(stranger, queued)).body.error?.code).toBe('UNKNOWN_TOKEN');
    const jwt = app.tokenFor(tenant.userId);
    expect((await app.graphql('query Session { currentUserIsAdmin }', {}, jwt)).errors).toBeUndefined();
    expect((await app.graphql('query SomebodysOwnName { currentUserIsAdmin }', {}, jwt)).errors).toBeUndefined();

    const { status, body, contentType } = await scrape(app.url);
    expect(status).toBe(200);
    expect(contentType).toContain('text/plain');
    const deliveries = 'switchboard_webhook_deliveries_total';
    expect(sample(body, deliveries, { provider: 'bolna', outcome: 'stored' })).toBe(1);
    expect(sample(body, deliveries, { provider: 'bolna', outcome: 'duplicate' })).toBe(1);
    expect(sample(body, deliveries, { provider: 'bolna', outcome: 'UNKNOWN_TOKEN' })).toBe(1);
    const bolnaRoute = { method: 'POST', route: '/webhooks/bolna/:token' };
    expect(sample(body, 'switchboard_http_requests_total', { ...bolnaRoute, status: '200' })).toBe(2);
    expect(sample(body, 'switchboard_http_requests_total', { ...bolnaRoute, status: '401' })).toBe(1);
    expect(sample(body, 'switchboard_http_request_duration_seconds_count', bolnaRoute)).toBe(3);
    expect(sample(body, 'switchboard_http_request_duration_seconds_bucket', { ...bolnaRoute, le: '+Inf' })).toBe(3);
    expect(sample(body, 'switchboard_graphql_operations_total', { operation: 'Session', status: '200' })).toBe(1);
    expect(sample(body, 'switchboard_graphql_operations_total', { operation: 'other', status: '200' })).toBe(1);
    expect(sample(body, 'switchboard_graphql_operation_duration_seconds_count', { operation: 'Session' })).toBe(1);
    // Process metrics and pools.
    expect(sample(body, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(body, 'switchboard_pg_pool_clients', { pool: 'owner', state: 'total' })).toBeGreaterThan(0);
    expect(sample(body, 'switchboard_pg_pool_max_clients', { pool: 'worker' })).toBe(3);
    expect(sample(body, 'switchboard_pg_pool_waiting_requests', { pool: 'owner' })).toBe(0);
    // The delivery's call left rollup deltas (no compaction tick runs here).
    expect(sample(body, 'switchboard_database_up')).toBe(1);
    expect(sample(body, 'switchboard_rollup_pending_deltas')).toBeGreaterThan(0);
    // No secret, no raw webhook path.
    for (const secret of [tenant.bolnaToken, stranger, TOKEN, jwt, tenant.twilioAuthToken]) expect(body).not.toContain(secret);
  });

  it('counts jobs by task and outcome, and reads the queue, the rollups, the KPI view and the last verification when scraped', async () => {
    await db.pool.query(`select graphile_worker.add_job('rollups__verify', '{}'::json)`);
    await db.pool.query(`select graphile_worker.add_job('rollups__compact', '{}'::json)`);
    await db.pool.query(`select graphile_worker.add_job('kpi__refresh', '{}'::json)`);
    // A payload the task refuses, with one attempt: it fails for good and stays in the queue.
    await db.pool.query(`select graphile_worker.add_job('credits__post', '"not an object"'::json, max_attempts => 1)`);

    const jobs = 'switchboard_jobs_total';
    // The counters move when a job ends, the database figures once its outcome is committed: wait for both.
    const body = await waitFor('the four jobs in the metrics', async () => {
      const { body: text } = await scrape(app.url);
      const done = [
        sample(text, jobs, { task: 'rollups__verify', outcome: 'success' }),
        sample(text, jobs, { task: 'rollups__compact', outcome: 'success' }),
        sample(text, jobs, { task: 'kpi__refresh', outcome: 'success' }),
        sample(text, jobs, { task: 'credits__post', outcome: 'failed' }),
        sample(text, 'switchboard_job_queue_jobs', { task: 'credits__post', state: 'failed' }),
        sample(text, 'switchboard_rollup_verify_tenants'),
      ];
      return done.every((n) => n === 1) ? text : undefined;
    });
    expect(sample(body, 'switchboard_job_duration_seconds_count', { task: 'rollups__verify', outcome: 'success' })).toBe(1);
    expect(sample(body, 'switchboard_job_duration_seconds_count', { task: 'credits__post', outcome: 'failed' })).toBe(1);
    expect(sample(body, 'switchboard_job_queue_jobs', { task: 'credits__post', state: 'failed' })).toBe(1);
    expect(sample(body, 'switchboard_job_queue_jobs', { task: 'rollups__verify', state: 'ready' })).toBe(0);
    expect(sample(body, 'switchboard_job_queue_oldest_ready_age_seconds', { task: 'rollups__verify' })).toBe(0);
    // What rollups__verify recorded: one tenant, no difference.
    expect(sample(body, 'switchboard_rollup_verify_tenants')).toBe(1);
    expect(sample(body, 'switchboard_rollup_verify_differences')).toBe(0);
    expect(sample(body, 'switchboard_rollup_verify_last_run_timestamp_seconds')).toBeGreaterThan(0);
    expect(sample(body, 'switchboard_kpi_summary_age_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(body, 'switchboard_rollup_last_compaction_timestamp_seconds')).toBeGreaterThan(0);
    expect(sample(body, 'switchboard_rollup_pending_deltas')).toBe(0);
    expect(sample(body, 'switchboard_rollup_compaction_lag_seconds')).toBe(0);
  });

  it('answers 401 without the bearer token or with another one', async () => {
    for (const token of [null, 'not-the-metrics-token-at-all']) {
      const { status, body } = await scrape(app.url, token);
      expect(status).toBe(401);
      expect(body).not.toContain('switchboard_');
    }
  });

  it('is not on the main port without METRICS_TOKEN', async () => {
    const plain = await createApp({ pool: db.pool, worker: () => worker, logger: createLogger('test:http'), metrics, dashboard: false });
    const server = await listen(plain.express, { host: '127.0.0.1', port: 0 });
    try {
      expect((await scrape(server.url, null)).status).toBe(404);
      expect((await scrape(server.url)).status).toBe(404);
    } finally {
      await server.close();
      await plain.release();
    }
  });

  it('is served on the separate listener, which asks for the token when one is set', async () => {
    const open = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0 });
    const guarded = await startMetricsServer({ metrics, host: '127.0.0.1', port: 0, token: TOKEN });
    try {
      const { status, body } = await scrape(open.url, null);
      expect(status).toBe(200);
      expect(sample(body, 'switchboard_database_up')).toBe(1);
      expect((await fetch(`${open.url}/healthz`)).status).toBe(404);
      expect((await scrape(guarded.url, null)).status).toBe(401);
      expect((await scrape(guarded.url)).status).toBe(200);
    } finally {
      await open.close();
      await guarded.close();
    }
  });

  it('reports switchboard_database_up 0, without the database figures, when the database cannot be reached', async () => {
    const pool = createPool({ connectionString: withDatabase(db.connectionString, 'no_such_database') });
    const isolated = createMetrics({ defaultMetrics: false });
    isolated.useDatabase(pool);
    try {
      const { body } = await isolated.render();
      expect(sample(body, 'switchboard_database_up')).toBe(0);
      expect(body).not.toMatch(/^switchboard_rollup_pending_deltas /m);
      expect(body).not.toMatch(/^switchboard_job_queue_jobs\{/m);
      // Without a database to read (the standalone worker), no `up` at all rather than a false 0.
      expect((await createMetrics({ defaultMetrics: false }).render()).body).not.toContain('switchboard_database_up');
    } finally {
      await endPool(pool);
    }
  });
});
