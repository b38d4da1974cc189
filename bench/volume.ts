/**
 * Parts 2-4 on one database: load calls with the real loader (through the
 * real triggers, then compacted), measure reads (and the dashboard); keep a
 * copy of that database, load more calls into the same tenants and measure
 * reads again; then the MV refresh and the GraphQL load on both sizes side
 * by side (alternating, so that the 4M / 1M ratios do not depend on the
 * machine's speed at two different times); then freshness.
 */
import type pg from 'pg';
import { loadScaleData } from '../server/seed/scale.ts';
import type { BenchDatabase, BenchServer } from './cluster.ts';
import { measureFreshness, type FreshnessResult } from './freshness.ts';
import { log } from './log.ts';
import { measureDashboard, type DashboardBenchResult } from './dashboard.ts';
import { measurePush, type PushBenchResult } from './push.ts';
import { largestTenant, measureCallLogSideBySide, measureCsvExport, measureGraphqlSideBySide, type CsvExportResult, type GraphqlResult } from './graphql.ts';
import { compactAll, relationBytes, settle } from './maintenance.ts';
import type { BenchOptions } from './options.ts';
import { measureWhaleSmallSideBySide, type WhaleSmallResult } from './graphql-whale.ts';
import { measureReads, pickTenants, tenantsBySize, type ReadResult } from './reads.ts';
import { measureRefreshSideBySide, type RefreshResult } from './refresh.ts';
import { runOpenLoopPart, type OpenLoopPart } from './open-loop.ts';

export interface LoadInfo {
  /** Calls in the database after this load. */
  totalCalls: number;
  addedCalls: number;
  loaderSeconds: number;
  tenants: number;
  agents: number;
  callsBytes: number;
  tenantDayRollupRows: number;
  agentDayRollupRows: number;
  leadAnalyticsRows: number;
}

export interface VolumeStep {
  load: LoadInfo;
  reads: ReadResult;
  refresh: RefreshResult;
  /** null with --skip-graphql. */
  graphql: GraphqlResult | null;
  /** The overview of the largest vs the smallest tenant under the same load (null with --skip-graphql). */
  whaleSmall: WhaleSmallResult | null;
  /** The call log mix on the largest tenant (null with --skip-graphql). */
  callLog: GraphqlResult | null;
  /** The largest tenant's whole history as CSV (large size only; null with --skip-graphql). */
  csvExport: CsvExportResult | null;
  /** The overview in headless Chromium (first size only; null with --skip-dashboard). */
  dashboard: DashboardBenchResult | null;
  /** Live updates in headless Chromium: idle queries and webhook -> figure on screen (first size only; null with --skip-dashboard). */
  push: PushBenchResult | null;
}

export interface VolumeResult {
  small: VolumeStep;
  large: VolumeStep;
  freshness: FreshnessResult;
  /** Open loop and closed-loop maximum at the large size (bench/open-loop.ts); null when skipped. */
  openLoop?: OpenLoopPart | null;
}

function progress(label: string): (done: number, total: number) => void {
  let lastShown = -1;
  return (done, total) => {
    const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
    if (tenth === lastShown) return;
    lastShown = tenth;
    log.info(`${label}: ${done} / ${total} calls`);
  };
}

async function count(db: pg.Pool, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`select count(*) as n from ${table}`);
  return Number(rows[0]?.n ?? 0);
}

async function load(db: pg.Pool, calls: number, seed: number, label: string): Promise<{ tenantIds: string[]; agents: number; seconds: number }> {
  log.info(`${label}: loading ${calls} calls with loadScaleData`);
  const loaded = await loadScaleData(db, { calls, seed, onProgress: progress(label) });
  if (loaded.calls !== calls) throw new Error(`loadScaleData loaded ${loaded.calls} calls, asked for ${calls}`);
  await compactAll(db);
  await settle(db);
  return { tenantIds: loaded.tenantIds, agents: loaded.agentIds.length, seconds: loaded.seconds };
}

interface Measured {
  load: LoadInfo;
  reads: ReadResult;
  dashboard: DashboardBenchResult | null;
  push: PushBenchResult | null;
}

async function measureSize(db: pg.Pool, connectionString: string, options: BenchOptions, tenantIds: string[], loaded: { agents: number; seconds: number; added: number }, withDashboard: boolean): Promise<Measured> {
  const totalCalls = await count(db, 'app_public.calls');
  const loadInfo: LoadInfo = {
    totalCalls,
    addedCalls: loaded.added,
    loaderSeconds: loaded.seconds,
    tenants: tenantIds.length,
    agents: loaded.agents,
    callsBytes: await relationBytes(db, 'app_public.calls'),
    tenantDayRollupRows: await count(db, 'app_public.user_analytics'),
    agentDayRollupRows: await count(db, 'app_public.agent_analytics'),
    leadAnalyticsRows: await count(db, 'app_public.lead_analytics'),
  };
  const reads = await measureReads({
    connectionString,
    tenantIds,
    calls: totalCalls,
    warmup: options.readWarmup,
    repetitions: options.readRepetitions,
    pendingDeltas: options.pendingDeltas,
  });
  const [dashboardTenant] = pickTenants(tenantIds, 1);
  const dashboard = withDashboard && !options.skipDashboard && dashboardTenant
    ? await measureDashboard({ ownerPool: db, ownerConnectionString: connectionString, tenantId: dashboardTenant, calls: totalCalls })
    : null;
  if (dashboard) {
    log.info(`dashboard @${totalCalls}: first paint warm p50 ${dashboard.warmFirstPaintMs.p50.toFixed(0)} ms (cold ${dashboard.coldFirstPaintMs.toFixed(0)} ms), bundle ${dashboard.bundle.totalKb} kB`);
  }
  const push = withDashboard && !options.skipDashboard && dashboardTenant
    ? await measurePush({ ownerPool: db, ownerConnectionString: connectionString, tenantId: dashboardTenant, calls: totalCalls })
    : null;
  return { load: loadInfo, reads, dashboard, push };
}

export async function runVolume(server: BenchServer, options: BenchOptions): Promise<VolumeResult> {
  const database = await server.createDatabase('reads');
  let snapshot: BenchDatabase | null = null;
  try {
    const first = await load(database.pool, options.readCallsSmall, options.seed, 'load 1');
    const small = await measureSize(database.pool, database.connectionString, options, first.tenantIds, { ...first, added: options.readCallsSmall }, true);
    log.info(`keeping a copy of the ${small.load.totalCalls}-call database for the side-by-side runs`);
    snapshot = await database.clone('reads_small');
    const more = options.readCallsLarge - options.readCallsSmall;
    const second = await load(database.pool, more, options.seed + 1, 'load 2');
    const sameTenants = [...second.tenantIds].sort().join() === [...first.tenantIds].sort().join();
    if (!sameTenants) throw new Error('the second load did not go into the same tenants as the first');
    const large = await measureSize(database.pool, database.connectionString, options, first.tenantIds, { ...second, added: more }, false);

    const sizes = [
      { db: snapshot, calls: small.load.totalCalls },
      { db: database, calls: large.load.totalCalls },
    ];
    const [smallRefresh, largeRefresh] = await measureRefreshSideBySide(
      sizes.map((size) => ({ db: size.db.pool, calls: size.calls })),
      options.refreshRepetitions,
    );
    if (!smallRefresh || !largeRefresh) throw new Error('missing refresh results');
    for (const refresh of [smallRefresh, largeRefresh]) {
      log.info(`refresh @${refresh.calls}: median ${refresh.medianMs.toFixed(1)} ms (${refresh.samplesMs.map((ms) => ms.toFixed(1)).join(', ')})`);
    }
    const [smallGraphql, largeGraphql] = options.skipGraphql
      ? [null, null]
      : await measureGraphqlSideBySide(
          sizes.map((size) => ({
            ownerPool: size.db.pool,
            ownerConnectionString: size.db.connectionString,
            tenantIds: first.tenantIds,
            calls: size.calls,
          })),
          { clients: options.graphqlClients, seconds: options.graphqlSeconds, warmupSeconds: options.graphqlWarmupSeconds, rounds: options.graphqlRounds },
        );
    // The overview of the largest tenant vs the smallest, same server and clients, side by side at both sizes.
    const bySize = await tenantsBySize(database.pool, first.tenantIds);
    const whaleId = bySize[0]?.tenant;
    const smallId = bySize.at(-1)?.tenant;
    if (!whaleId || !smallId) throw new Error('no tenants for the whale / small measurement');
    const [smallWhale, largeWhale] = options.skipGraphql
      ? [null, null]
      : await measureWhaleSmallSideBySide(
          sizes.map((size) => ({
            ownerPool: size.db.pool,
            ownerConnectionString: size.db.connectionString,
            whaleId,
            smallId,
            calls: size.calls,
          })),
          { clients: options.graphqlClients, seconds: options.graphqlSeconds, warmupSeconds: options.graphqlWarmupSeconds, rounds: options.graphqlRounds },
        );
    // The call log on the largest tenant, side by side at both sizes, then its whole history as CSV at the large size.
    const biggest = await largestTenant(snapshot.pool);
    const [smallCallLog, largeCallLog] = options.skipGraphql
      ? [null, null]
      : await measureCallLogSideBySide(
          sizes.map((size) => ({
            ownerPool: size.db.pool,
            ownerConnectionString: size.db.connectionString,
            tenantIds: [biggest.tenantId],
            calls: size.calls,
          })),
          { clients: options.graphqlClients, seconds: options.graphqlSeconds, warmupSeconds: options.graphqlWarmupSeconds, rounds: options.graphqlRounds },
        );
    const csvExport = options.skipGraphql
      ? null
      : await measureCsvExport({ ownerPool: database.pool, ownerConnectionString: database.connectionString, tenantIds: [biggest.tenantId], calls: large.load.totalCalls }, biggest.tenantId);
    const openLoop = options.skipGraphql || options.skipOpenLoop
      ? null
      : await runOpenLoopPart({ ownerPool: database.pool, ownerConnectionString: database.connectionString, tenantIds: first.tenantIds, calls: large.load.totalCalls }, options);
    await snapshot.drop();
    snapshot = null;

    const [freshTenant] = pickTenants(first.tenantIds, 1);
    if (!freshTenant) throw new Error('no tenant for the freshness measurement');
    const freshness = await measureFreshness({
      connectionString: database.connectionString,
      tenantId: freshTenant,
      backgroundTenantIds: first.tenantIds.filter((id) => id !== freshTenant),
      samples: options.freshnessSamples,
      compactedSamples: options.compactionLagSamples,
      backgroundCallsPerSecond: options.freshnessBackgroundRate,
      seed: options.seed,
    });
    return {
      small: { ...small, refresh: smallRefresh, graphql: smallGraphql ?? null, whaleSmall: smallWhale ?? null, callLog: smallCallLog ?? null, csvExport: null },
      large: { ...large, refresh: largeRefresh, graphql: largeGraphql ?? null, whaleSmall: largeWhale ?? null, callLog: largeCallLog ?? null, csvExport },
      freshness,
      openLoop,
    };
  } finally {
    await snapshot?.drop();
    await database.drop();
  }
}
