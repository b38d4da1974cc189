/**
 * Part 4, freshness: with the real worker compacting every second (as in
 * production) and other tenants writing in the background, insert and commit
 * one call, then poll the tenant's "today" figure in tenant_daily_stats until
 * it includes the call. Also measured on some samples: how long until the
 * call has been compacted into the user_analytics rollup itself.
 */
import pg from 'pg';
import { startWorker } from '../worker/runner.ts';
import { INSERT_BATCH, INSERT_ONE, createRandom, insertBatchValues, insertOneValues, makeCall, pick } from './ingest/calls.ts';
import type { FixtureTenant } from './ingest/fixture.ts';
import { log, quietLogger } from './log.ts';
import { compactAll } from './maintenance.ts';
import { tenantsById } from './tenants.ts';
import { summarize, type Summary } from './stats.ts';

export interface FreshnessResult {
  samples: number;
  /** Insert start to the first read of tenant_daily_stats that includes the call. */
  visibleMs: Summary;
  /** The INSERT (autocommit) alone. */
  insertMs: Summary;
  /** Insert start until the call is in the compacted rollup (user_analytics). */
  compactedMs: Summary | null;
  backgroundCallsPerSecond: number;
  backgroundCalls: number;
  worker: string;
  verifyDifferences: number;
  /** KPI view refreshes the worker ran during the measurement (compaction requests one, debounced 5 s). */
  kpiRefreshes: { count: number; totalMs: number; windowSeconds: number; shareOfOneCore: number };
}

const TODAY_LIVE = `select coalesce((select d.calls from app_public.tenant_daily_stats d
                                      where d.user_id = $1 and d.day = app_hidden.tenant_today($2)), 0)::bigint as calls`;
const TODAY_COMPACTED = `select coalesce((select r.calls from app_public.user_analytics r
                                           where r.user_id = $1 and r.day = app_hidden.tenant_today($2)), 0)::bigint as calls`;

async function connect(connectionString: string, name: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString, application_name: `switchboard-bench-${name}` });
  client.on('error', () => {});
  await client.connect();
  return client;
}

async function readCalls(client: pg.Client, sql: string, tenant: FixtureTenant): Promise<number> {
  const { rows } = await client.query<{ calls: string }>({ name: sql === TODAY_LIVE ? 'bench_live' : 'bench_compacted', text: sql, values: [tenant.id, tenant.timezone] });
  return Number(rows[0]?.calls ?? 0);
}

async function pollUntil(client: pg.Client, sql: string, tenant: FixtureTenant, target: number, timeoutMs: number, pauseMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await readCalls(client, sql, tenant)) >= target) return performance.now();
    if (performance.now() > deadline) throw new Error(`the call did not show up within ${timeoutMs} ms`);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** Inserts about `perSecond` calls per second for the given tenants until stopped. */
function backgroundWriter(connectionString: string, tenants: FixtureTenant[], perSecond: number, seed: number) {
  let stopped = false;
  let inserted = 0;
  const random = createRandom(seed);
  const done = (async () => {
    if (perSecond <= 0 || tenants.length === 0) return;
    const client = await connect(connectionString, 'background');
    try {
      const perTick = Math.max(1, Math.round(perSecond / 10));
      for (let tick = 0; !stopped; tick += 1) {
        const started = performance.now();
        const calls = Array.from({ length: perTick }, (_, i) => makeCall(random, pick(random, tenants), `bg-${seed}-${tick}-${i}`));
        await client.query({ name: 'bench_insert_batch', text: INSERT_BATCH, values: insertBatchValues(calls) });
        inserted += calls.length;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 100 - (performance.now() - started))));
      }
    } finally {
      await client.end().catch(() => {});
    }
  })();
  // Held here so a failure is reported by stop(), not as an unhandled rejection.
  const outcome = done.then(
    () => undefined,
    (error: unknown) => error,
  );
  return {
    async stop(): Promise<number> {
      stopped = true;
      const error = await outcome;
      if (error !== undefined) throw error;
      return inserted;
    },
  };
}

export async function measureFreshness(options: {
  connectionString: string;
  tenantId: string;
  backgroundTenantIds: readonly string[];
  samples: number;
  compactedSamples: number;
  backgroundCallsPerSecond: number;
  seed: number;
}): Promise<FreshnessResult> {
  const writer = await connect(options.connectionString, 'freshness-writer');
  const reader = await connect(options.connectionString, 'freshness-reader');
  const { rows: [windowStart] } = await writer.query<{ at: Date }>('select clock_timestamp() as at');
  const worker = await startWorker({
    connectionString: options.connectionString,
    concurrency: 2,
    compactIntervalMs: 1000,
    cron: false,
    logger: quietLogger('bench:worker'),
  });
  const [tenant] = await tenantsById(writer, [options.tenantId]);
  if (!tenant) throw new Error(`freshness tenant ${options.tenantId} has no agents`);
  const background = backgroundWriter(
    options.connectionString,
    await tenantsById(writer, options.backgroundTenantIds),
    options.backgroundCallsPerSecond,
    options.seed,
  );
  const backgroundStarted = performance.now();
  const random = createRandom(options.seed + 1);
  const visible: number[] = [];
  const inserts: number[] = [];
  const compacted: number[] = [];
  let backgroundCalls = 0;
  try {
    const warmup = 3;
    for (let i = -warmup; i < options.samples; i += 1) {
      const before = await readCalls(reader, TODAY_LIVE, tenant);
      const call = makeCall(random, tenant, `fresh-${options.seed}-${i}`);
      const started = performance.now();
      await writer.query({ name: 'bench_insert_one', text: INSERT_ONE, values: insertOneValues(call) });
      const inserted = performance.now();
      const seen = await pollUntil(reader, TODAY_LIVE, tenant, before + 1, 30_000, 0);
      if (i < 0) continue;
      inserts.push(inserted - started);
      visible.push(seen - started);
      if (i < options.compactedSamples) {
        compacted.push((await pollUntil(reader, TODAY_COMPACTED, tenant, before + 1, 60_000, 5)) - started);
      }
      // Not phase-locked to the worker's 1 s tick.
      await new Promise((resolve) => setTimeout(resolve, random() * 200));
    }
  } finally {
    backgroundCalls = await background.stop();
    await worker.stop();
    await reader.end().catch(() => {});
    await writer.end().catch(() => {});
  }
  const backgroundSeconds = (performance.now() - backgroundStarted) / 1000;
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 1 });
  try {
    await compactAll(pool);
    const { rows } = await pool.query<{ n: string }>('select count(*) as n from app_hidden.verify_rollups($1)', [tenant.id]);
    const verifyDifferences = Number(rows[0]?.n ?? 0);
    const refreshes = await pool.query<{ count: string; total_ms: string; window_s: string }>(
      `select count(*) as count, coalesce(sum(duration_ms), 0) as total_ms,
              extract(epoch from clock_timestamp() - $1::timestamptz) as window_s
         from app_private.mv_refresh_log where view_name = 'user_kpi_summary' and started_at >= $1`,
      [windowStart?.at],
    );
    const refreshRow = refreshes.rows[0];
    const windowSeconds = Number(refreshRow?.window_s ?? 0);
    const totalMs = Number(refreshRow?.total_ms ?? 0);
    const result: FreshnessResult = {
      samples: visible.length,
      visibleMs: summarize(visible),
      insertMs: summarize(inserts),
      compactedMs: compacted.length ? summarize(compacted) : null,
      backgroundCallsPerSecond: backgroundCalls / backgroundSeconds,
      backgroundCalls,
      worker: 'graphile-worker via worker/runner.ts startWorker (compaction tick every 1000 ms, concurrency 2)',
      verifyDifferences,
      kpiRefreshes: {
        count: Number(refreshRow?.count ?? 0),
        totalMs,
        windowSeconds,
        shareOfOneCore: windowSeconds > 0 ? totalMs / 1000 / windowSeconds : 0,
      },
    };
    log.info(`freshness: visible p50 ${result.visibleMs.p50.toFixed(1)} ms, p95 ${result.visibleMs.p95.toFixed(1)} ms; ` +
      `compacted p50 ${result.compactedMs?.p50.toFixed(0) ?? '-'} ms, p95 ${result.compactedMs?.p95.toFixed(0) ?? '-'} ms; ` +
      `background ${result.backgroundCallsPerSecond.toFixed(0)} calls/s; the worker refreshed the KPI view ` +
      `${result.kpiRefreshes.count} times in ${windowSeconds.toFixed(0)} s (${totalMs.toFixed(0)} ms)`);
    return result;
  } finally {
    await pool.end();
  }
}
