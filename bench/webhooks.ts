/**
 * Webhook ingest and jobs (issue 4), on their own database in the bench cluster:
 * 1. the real app (Express + the webhook routes, rate limits raised out of the
 *    way) takes whole Bolna calls from `clients` concurrent clients in a worker
 *    thread, spread over 50 tenants x 4 agents, then all on one agent; the
 *    rollups are compacted every second meanwhile, as the worker does;
 * 2. every delivery answered 2xx must be in webhook_events (webhook_lost) and
 *    verify_rollups must find no difference;
 * 3. analysis throughput: the worker (4 at once) works through the
 *    calls__analyze jobs the deliveries queued, against a local fake OpenAI
 *    server through the real `openai` client;
 * 4. end-to-end freshness: a final delivery posted -> its call counted in the
 *    tenant's live KPI view;
 * 5. webhook_ratio: deliveries/s of the full pipeline / of the same deliveries
 *    stored with the calls' user triggers disabled (the ingest bench's "bare":
 *    no rollup deltas, contact links, credits or counters), same clients and
 *    tenants, `rounds` interleaved rounds (pipeline, bare; bare, pipeline; ...).
 *    Last, because the bare rounds leave calls the rollups do not count.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { createApp } from '../server/app.ts';
import { readConfig } from '../kernel/config.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { startWorker } from '../worker/runner.ts';
import { startFakeOpenAI } from '../tests/helpers/fake-openai.ts';
import { bolnaSequence } from '../tests/helpers/provider-payloads.ts';
import type { BenchServer } from './cluster.ts';
import { log, quietLogger } from './log.ts';
import { setCallTriggers } from './maintenance.ts';
import { median, percentile, ratio, sideBySide, summarize, type Summary } from './stats.ts';
import type { WebhookClientsInput, WebhookClientsOutput, WebhookTarget } from './webhook-clients.ts';

export interface WebhookLoad {
  clients: number;
  seconds: number;
  deliveries: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  accepted: number;
  /** Accepted (2xx) but not in webhook_events afterwards. */
  lost: number;
}

export interface WebhookResult {
  spread: WebhookLoad;
  hot: WebhookLoad;
  /** verify_rollups found no difference for any tenant after both loads. */
  verified: boolean;
  analysis: { jobs: number; seconds: number; jobsPerSecond: number; concurrency: number };
  /** Final delivery posted -> call counted in tenant_daily_stats (ms). */
  freshnessMs: Summary;
  ratio: WebhookRatio;
}

/** Full pipeline vs the same deliveries with the calls' user triggers disabled, interleaved rounds. */
export interface WebhookRatio {
  clients: number;
  secondsPerRun: number;
  /** Median deliveries/s over the rounds of each side. */
  pipeline: number;
  bare: number;
  /** pipeline / bare of the medians. */
  ratio: number | null;
  /** pipeline / bare of each round (its spread). */
  roundRatios: Array<number | null>;
  runs: Array<{ round: number; mode: 'pipeline' | 'bare'; requestsPerSecond: number; p50Ms: number; p99Ms: number; errors: number; lost: number }>;
}

export interface WebhookBenchOptions {
  clients: number;
  seconds: number;
  /** Interleaved pipeline/bare rounds of webhook_ratio (>= 1), each side `seconds / 2` per round. */
  rounds: number;
  analysisSeconds: number;
  freshnessSamples: number;
  seed: number;
}

const TENANTS = 50;
const AGENTS_PER_TENANT = 4;

export function runClients(input: WebhookClientsInput): Promise<WebhookClientsOutput> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./webhook-clients.ts', import.meta.url), { workerData: input, execArgv: ['--import', 'tsx'] });
    worker.once('message', (message: { ok: true; output: WebhookClientsOutput } | { ok: false; message: string }) => {
      if (message.ok) resolve(message.output);
      else reject(new Error(`webhook clients failed: ${message.message}`));
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

export async function seedTenants(pool: pg.Pool): Promise<Array<WebhookTarget & { userId: string }>> {
  const { rows: users } = await pool.query<{ id: string }>(
    `insert into app_public.users (email, name, timezone, credits)
     select 'webhooks-' || i || '@bench.switchboard.dev', 'Webhook bench ' || i,
            (array['UTC', 'America/New_York', 'Europe/London', 'Asia/Kolkata'])[1 + i % 4], 1000000
       from generate_series(1, $1::int) i
     returning id`,
    [TENANTS],
  );
  const targets: Array<WebhookTarget & { userId: string }> = [];
  for (const user of users) {
    const { rows: agents } = await pool.query<{ provider_agent_id: string }>(
      `insert into app_public.agents (user_id, provider, provider_agent_id, name)
       select $1, 'bolna', gen_random_uuid()::text, 'Agent ' || i from generate_series(1, $2::int) i
       returning provider_agent_id`,
      [user.id, AGENTS_PER_TENANT],
    );
    const token = `sbw_${randomBytes(32).toString('base64url')}`;
    await pool.query(
      `insert into app_private.provider_credentials (user_id, bolna_token_hash, bolna_token_prefix)
       values ($1, sha256(convert_to($2, 'UTF8')), left($2, 10))`,
      [user.id, token],
    );
    targets.push({ userId: user.id, token, agentIds: agents.map((a) => a.provider_agent_id) });
  }
  return targets;
}

async function lostDeliveries(pool: pg.Pool, keys: readonly string[]): Promise<number> {
  let lost = 0;
  for (let i = 0; i < keys.length; i += 20_000) {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from unnest($1::text[]) k
        where not exists (select 1 from app_private.webhook_events e where e.provider = 'bolna' and e.event_key = k)`,
      [keys.slice(i, i + 20_000)],
    );
    lost += rows[0]?.n ?? 0;
  }
  return lost;
}

async function load(pool: pg.Pool, url: string, targets: WebhookTarget[], label: string, options: WebhookBenchOptions, seed: number): Promise<WebhookLoad> {
  const output = await runClients({ url, targets, clients: options.clients, seconds: options.seconds, seed });
  for (const message of output.firstErrors) log.warn(`webhook ${label}: ${message}`);
  const lost = await lostDeliveries(pool, output.acceptedKeys);
  const result: WebhookLoad = {
    clients: options.clients,
    seconds: output.elapsedSeconds,
    deliveries: output.latenciesMs.length,
    requestsPerSecond: output.latenciesMs.length / output.elapsedSeconds,
    p50Ms: output.latenciesMs.length ? percentile(output.latenciesMs, 50) : Number.NaN,
    p99Ms: output.latenciesMs.length ? percentile(output.latenciesMs, 99) : Number.NaN,
    errors: output.errors,
    accepted: output.acceptedKeys.length,
    lost,
  };
  log.info(
    `webhooks ${label}: ${result.requestsPerSecond.toFixed(0)} deliveries/s, p50 ${result.p50Ms.toFixed(1)} ms, ` +
      `p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors, ${result.accepted} accepted, ${result.lost} lost`,
  );
  return result;
}

async function measureFreshness(pool: pg.Pool, url: string, target: WebhookTarget & { userId: string }, samples: number): Promise<Summary> {
  const agentId = target.agentIds[0];
  if (!agentId) throw new Error('no agent for the freshness measurement');
  const visibleMs: number[] = [];
  const count = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: string }>(
      `select coalesce(sum(d.calls), 0)::text as n from app_public.tenant_daily_stats d join app_public.users u on u.id = d.user_id
        where d.user_id = $1 and d.day = (now() at time zone u.timezone)::date`,
      [target.userId],
    );
    return Number(rows[0]?.n ?? 0);
  };
  for (let i = 0; i < samples; i += 1) {
    const before = await count();
    const final = bolnaSequence({ agentId, createdAt: new Date(Date.now() - 300_000) }).at(-1);
    const sent = performance.now();
    const response = await fetch(`${url}/webhooks/bolna/${target.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(final),
    });
    await response.text();
    if (!response.ok) throw new Error(`freshness delivery answered ${response.status}`);
    while ((await count()) <= before) {
      if (performance.now() - sent > 10_000) throw new Error('a delivered call was not visible after 10 s');
    }
    visibleMs.push(performance.now() - sent);
  }
  return summarize(visibleMs);
}

async function measureAnalysis(pool: pg.Pool, connectionString: string, seconds: number): Promise<WebhookResult['analysis']> {
  const pending = async (): Promise<number> => {
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from graphile_worker.jobs where task_identifier = 'calls__analyze'`,
    );
    return rows[0]?.n ?? 0;
  };
  const jobs = await pending();
  const openai = await startFakeOpenAI();
  const concurrency = 4;
  const started = performance.now();
  const worker = await startWorker({
    connectionString,
    concurrency,
    cron: false,
    compactIntervalMs: 0,
    pollInterval: 100,
    openai: { apiKey: 'bench', baseURL: openai.baseURL, model: 'fake-model', timeoutMs: 10_000 },
    sms: null,
    deadWorkers: false,
    logger: quietLogger('worker'),
  });
  let left = jobs;
  try {
    while (left > 0 && performance.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      left = await pending();
    }
  } finally {
    await worker.stop();
    await openai.close();
  }
  const elapsed = (performance.now() - started) / 1000;
  const done = jobs - (await pending());
  const result = { jobs: done, seconds: elapsed, jobsPerSecond: done / elapsed, concurrency };
  log.info(`analysis: ${done} of ${jobs} calls__analyze jobs in ${elapsed.toFixed(1)} s (${result.jobsPerSecond.toFixed(1)} jobs/s, ${concurrency} at once, fake OpenAI)`);
  return result;
}

async function measureRatio(pool: pg.Pool, url: string, targets: WebhookTarget[], options: WebhookBenchOptions): Promise<WebhookRatio> {
  const secondsPerRun = Math.max(2, options.seconds / 2);
  const runs: WebhookRatio['runs'] = [];
  const modes = ['pipeline', 'bare'] as const;
  try {
    for (let round = 0; round < options.rounds; round += 1) {
      for (const [, mode] of sideBySide(modes, round)) {
        await setCallTriggers(pool, mode === 'pipeline');
        // same clients and seed on both sides of a round (the deliveries' keys are unique per run)
        const result = await load(pool, url, targets, `ratio round ${round + 1} ${mode}`, { ...options, seconds: secondsPerRun }, options.seed + 100 + round);
        runs.push({ round: round + 1, mode, requestsPerSecond: result.requestsPerSecond, p50Ms: result.p50Ms, p99Ms: result.p99Ms, errors: result.errors, lost: result.lost });
      }
    }
  } finally {
    await setCallTriggers(pool, true);
  }
  const side = (mode: 'pipeline' | 'bare'): number[] => runs.filter((r) => r.mode === mode).map((r) => r.requestsPerSecond);
  const pipeline = median(side('pipeline'));
  const bare = median(side('bare'));
  const roundRatios = Array.from({ length: options.rounds }, (_, i) => {
    const p = runs.find((r) => r.round === i + 1 && r.mode === 'pipeline');
    const b = runs.find((r) => r.round === i + 1 && r.mode === 'bare');
    return p && b ? ratio(p.requestsPerSecond, b.requestsPerSecond) : null;
  });
  const result: WebhookRatio = { clients: options.clients, secondsPerRun, pipeline, bare, ratio: ratio(pipeline, bare), roundRatios, runs };
  log.info(
    `webhook_ratio: pipeline ${pipeline.toFixed(0)} / bare ${bare.toFixed(0)} deliveries/s = ${result.ratio?.toFixed(3) ?? '-'} ` +
      `(rounds: ${roundRatios.map((r) => r?.toFixed(3) ?? '-').join(', ')})`,
  );
  return result;
}

export async function runWebhooks(server: BenchServer, options: WebhookBenchOptions): Promise<WebhookResult> {
  const database = await server.createDatabase('webhooks');
  const pool = database.pool;
  const config = readConfig({
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '10000000',
    WEBHOOK_RATE_LIMIT_BURST: '1000000',
    LOG_LEVEL: 'warn',
  });
  const logger = quietLogger('webhooks');
  const appPool = createPool({ connectionString: database.connectionString, max: options.clients, applicationName: 'switchboard-bench-webhooks', logger });
  const app = await createApp({
    pool: appPool,
    worker: () => undefined,
    logger,
    secretsKey: createHash('sha256').update('switchboard-bench-secrets').digest(),
    webhooks: { pool: appPool, config, logger },
  });
  const http = app.express.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => http.once('listening', resolve).once('error', reject));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  // The worker's compaction tick, without the worker (its analysis jobs are measured on their own below).
  let compacting = true;
  const compactor = (async () => {
    while (compacting) {
      await pool.query('select app_hidden.compact_rollups()').catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  try {
    const targets = await seedTenants(pool);
    const spread = await load(pool, url, targets, 'spread', options, options.seed);
    const [hotTarget] = targets;
    if (!hotTarget?.agentIds[0]) throw new Error('no hot target');
    const hot = await load(pool, url, [{ token: hotTarget.token, agentIds: [hotTarget.agentIds[0]] }], 'hot', options, options.seed + 1);
    compacting = false;
    await compactor;
    await pool.query('select app_hidden.compact_rollups(100000000)');
    const { rows } = await pool.query<{ n: number }>(
      `select count(*)::int as n from app_public.users u, lateral app_hidden.verify_rollups(u.id) v`,
    );
    const verified = (rows[0]?.n ?? -1) === 0;
    log.info(`webhooks: verify_rollups ${verified ? 'exact' : `found ${rows[0]?.n} differences`}`);
    const freshnessMs = await measureFreshness(pool, url, hotTarget, options.freshnessSamples);
    log.info(`webhooks: delivery -> KPI visible p50 ${freshnessMs.p50.toFixed(1)} ms, p95 ${freshnessMs.p95.toFixed(1)} ms`);
    const analysis = await measureAnalysis(pool, database.connectionString, options.analysisSeconds);
    const webhookRatio = await measureRatio(pool, url, targets, options);
    return { spread, hot, verified, analysis, freshnessMs, ratio: webhookRatio };
  } finally {
    compacting = false;
    await compactor;
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await app.release();
    await endPool(appPool);
    await database.drop();
  }
}
