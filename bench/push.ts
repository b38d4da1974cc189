/**
 * Live updates by push (issue 18, item 3), in headless Chromium against the
 * real app (GraphQL, webhooks, the dashboard, GET /api/events) and the real
 * worker compacting every second, as in production:
 *
 * - `idle_dashboard_queries_per_min`: the overview open and nothing changing;
 *   the page's POST /graphql requests over `idleSeconds`, per minute (target 0:
 *   the dashboard used to poll every 5 s, 12 per minute per query on screen).
 * - `push_freshness_p95_ms`: a Bolna delivery of a new call accepted (its 200
 *   arrived) -> the overview's calls card shows it, without a reload; p95 over
 *   `samples` calls, each sent at a random moment (0-1 s) after the previous
 *   one showed, so the samples fall at every phase of the compaction tick
 *   (target <= 1500). The path: delivery commits -> the compactor folds it
 *   (within a second) and notifies -> the server pushes "changed" -> the page
 *   refetches -> React renders.
 *
 * Standalone: `npm run bench:push -- --calls 20000`.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createApp } from '../server/app.ts';
import { authenticatorConnectionString, ensureAuthenticatorLogin } from '../server/auth/authenticator.ts';
import { signJwt, type JwtOptions } from '../server/auth/jwt.ts';
import { readConfig } from '../kernel/config.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { ensureDashboardBuild } from '../server/http/dashboard-build.ts';
import { listen } from '../kernel/http/listen.ts';
import { startWorker } from '../worker/runner.ts';
import { launchChromium } from '../tests/helpers/browser.ts';
import { bolnaSequence } from '../tests/helpers/provider-payloads.ts';
import { BENCH_GRAPHQL_CONFIG } from './graphql-config.ts';
import { log, quietLogger } from './log.ts';
import { summarize, type Summary } from './stats.ts';

export interface PushBenchResult {
  calls: number;
  idleSeconds: number;
  /** POST /graphql requests the idle page sent in the window. */
  idleRequests: number;
  idleQueriesPerMinute: number;
  /** Delivery accepted -> new figure on screen (ms). */
  freshnessMs: Summary;
  samplesMs: number[];
  /** GraphQL requests the page sent per pushed change (the queries on screen, refetched). */
  requestsPerChange: number;
}

interface CardWindow {
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
}
declare const window: CardWindow;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measurePush(options: {
  ownerPool: pg.Pool;
  ownerConnectionString: string;
  tenantId: string;
  calls: number;
  /** Idle window (default 60 s). */
  idleSeconds?: number;
  /** Freshness samples (default 20). */
  samples?: number;
}): Promise<PushBenchResult> {
  const idleSeconds = options.idleSeconds ?? 60;
  const sampleCount = options.samples ?? 20;
  const built = await ensureDashboardBuild();
  if (built.built) log.info(`dashboard built (${built.reason})`);
  const password = randomBytes(18).toString('base64url');
  if (!(await ensureAuthenticatorLogin(options.ownerPool, password))) throw new Error('cannot set the authenticator password');
  const authPool = createPool({
    connectionString: authenticatorConnectionString(options.ownerConnectionString, password),
    max: 4,
    applicationName: 'switchboard-bench-push',
    logger: quietLogger('pool'),
  });
  // A Bolna agent and ingest token of the tenant's own.
  const { rows: agents } = await options.ownerPool.query<{ provider_agent_id: string }>(
    `insert into app_public.agents (user_id, provider, provider_agent_id, name)
     values ($1, 'bolna', gen_random_uuid()::text, 'Push bench agent') returning provider_agent_id`,
    [options.tenantId],
  );
  const bolnaAgentId = agents[0]?.provider_agent_id;
  if (!bolnaAgentId) throw new Error('no agent created');
  const bolnaToken = `sbw_${randomBytes(32).toString('base64url')}`;
  await options.ownerPool.query(
    `insert into app_private.provider_credentials (user_id, bolna_token_hash, bolna_token_prefix)
     values ($1, sha256(convert_to($2, 'UTF8')), left($2, 10))
     on conflict (user_id) do update set bolna_token_hash = excluded.bolna_token_hash, bolna_token_prefix = excluded.bolna_token_prefix`,
    [options.tenantId, bolnaToken],
  );
  const config = readConfig({ WEBHOOK_RATE_LIMIT_PER_MINUTE: '10000000', WEBHOOK_RATE_LIMIT_BURST: '1000000', LOG_LEVEL: 'warn' });
  const jwt: JwtOptions = { secret: randomBytes(32).toString('hex'), ttlSeconds: 3600 };
  const worker = await startWorker({
    connectionString: options.ownerConnectionString,
    concurrency: 2,
    compactIntervalMs: 1000,
    cron: false,
    openai: null,
    sms: null,
    deadWorkers: false,
    logger: quietLogger('worker'),
  });
  const app = await createApp({
    pool: options.ownerPool,
    worker: () => undefined,
    logger: quietLogger('http'),
    secretsKey: createHash('sha256').update('switchboard-bench-push').digest(),
    webhooks: { pool: options.ownerPool, config, logger: quietLogger('webhooks') },
    graphql: { authPool, jwt, logger: quietLogger('graphql'), config: BENCH_GRAPHQL_CONFIG },
    events: { listenConnectionString: options.ownerConnectionString },
  });
  const http = await listen(app.express, { host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const token = signJwt({ userId: options.tenantId, role: 'app_user' }, jwt);
    await browser.context.addInitScript(`try { localStorage.setItem('switchboard.jwt', ${JSON.stringify(token)}); } catch {}`);
    const page = await browser.context.newPage();
    const graphql: number[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') graphql.push(performance.now());
    });
    await page.goto(`${http.url}/`);
    await page.waitForSelector('[data-testid="kpi-calls"][data-value]', { timeout: 60_000 });
    await page.waitForSelector('[data-testid="live-state"][data-state="live"]', { timeout: 60_000 });
    await sleep(2_000); // the first answers settle

    // 1. idle
    const idleFrom = performance.now();
    await sleep(idleSeconds * 1000);
    const idleRequests = graphql.filter((at) => at >= idleFrom).length;
    const idleQueriesPerMinute = (idleRequests * 60) / idleSeconds;
    log.info(`push: idle overview sent ${idleRequests} GraphQL request(s) in ${idleSeconds} s (${idleQueriesPerMinute.toFixed(2)} per minute)`);

    // 2. webhook accepted -> figure on screen
    const samples: number[] = [];
    const requestsBefore = graphql.length;
    for (let i = 0; i < sampleCount; i += 1) {
      const shown = await page.getByTestId('kpi-calls').getAttribute('data-value');
      const before = BigInt(shown ?? '0');
      const [first] = bolnaSequence({ agentId: bolnaAgentId, createdAt: new Date(Date.now() - 60_000) });
      const response = await fetch(`${http.url}/webhooks/bolna/${bolnaToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(first),
      });
      if (response.status !== 200) throw new Error(`the delivery was answered ${response.status}: ${await response.text()}`);
      const accepted = performance.now();
      await page.waitForFunction(
        (expected) => window.document.querySelector('[data-testid="kpi-calls"]')?.getAttribute('data-value') === expected,
        String(before + 1n),
        { timeout: 30_000, polling: 'raf' },
      );
      samples.push(performance.now() - accepted);
      await sleep(Math.random() * 1000);
    }
    const freshnessMs = summarize(samples);
    const requestsPerChange = (graphql.length - requestsBefore) / sampleCount;
    log.info(
      `push: webhook accepted -> figure on screen p50 ${freshnessMs.p50.toFixed(0)} ms, p95 ${freshnessMs.p95.toFixed(0)} ms, max ${freshnessMs.max.toFixed(0)} ms ` +
        `(${sampleCount} calls; ${requestsPerChange.toFixed(1)} GraphQL requests per change)`,
    );
    return { calls: options.calls, idleSeconds, idleRequests, idleQueriesPerMinute, freshnessMs, samplesMs: samples, requestsPerChange };
  } finally {
    await browser.close();
    app.closeStreams();
    await http.close();
    await app.release();
    await worker.stop();
    await endPool(authPool);
  }
}

/** The results.json figures. */
export function pushFigures(result: PushBenchResult): Record<string, number> {
  return {
    idle_dashboard_queries_per_min: result.idleQueriesPerMinute,
    push_freshness_p95_ms: Math.round(result.freshnessMs.p95),
  };
}
