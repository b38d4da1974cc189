/**
 * Parts 2-4 on one database: load calls with the real loader (through the
 * real triggers, then compacted), measure reads and the MV refresh; load
 * more calls into the same tenants and measure again; then freshness.
 */
import type pg from 'pg';
import { loadScaleData } from '../server/seed/scale.ts';
import type { BenchServer } from './cluster.ts';
import { measureFreshness, type FreshnessResult } from './freshness.ts';
import { log } from './log.ts';
import { measureDashboard, type DashboardBenchResult } from './dashboard.ts';
import { measureGraphql, type GraphqlResult } from './graphql.ts';
import { compactAll, relationBytes, settle } from './maintenance.ts';
import type { BenchOptions } from './options.ts';
import { measureReads, pickTenants, type ReadResult } from './reads.ts';
import { measureRefresh, type RefreshResult } from './refresh.ts';

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
  /** The overview in headless Chromium (first size only; null with --skip-dashboard). */
  dashboard: DashboardBenchResult | null;
}

export interface VolumeResult {
  small: VolumeStep;
  large: VolumeStep;
  freshness: FreshnessResult;
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

async function step(db: pg.Pool, connectionString: string, options: BenchOptions, tenantIds: string[], loaded: { agents: number; seconds: number; added: number }, withDashboard: boolean): Promise<VolumeStep> {
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
    tenants: options.readTenants,
    warmup: options.readWarmup,
    repetitions: options.readRepetitions,
    pendingDeltas: options.pendingDeltas,
  });
  const refresh = await measureRefresh(db, totalCalls, options.refreshRepetitions);
  log.info(`refresh @${totalCalls}: median ${refresh.medianMs.toFixed(1)} ms (${refresh.samplesMs.map((ms) => ms.toFixed(1)).join(', ')})`);
  const graphql = options.skipGraphql
    ? null
    : await measureGraphql({
        ownerPool: db,
        ownerConnectionString: connectionString,
        tenantIds,
        clients: options.graphqlClients,
        seconds: options.graphqlSeconds,
        warmupSeconds: options.graphqlWarmupSeconds,
        calls: totalCalls,
      });
  const [dashboardTenant] = pickTenants(tenantIds, 1);
  const dashboard = withDashboard && !options.skipDashboard && dashboardTenant
    ? await measureDashboard({ ownerPool: db, ownerConnectionString: connectionString, tenantId: dashboardTenant, calls: totalCalls })
    : null;
  if (dashboard) {
    log.info(`dashboard @${totalCalls}: first paint warm p50 ${dashboard.warmFirstPaintMs.p50.toFixed(0)} ms (cold ${dashboard.coldFirstPaintMs.toFixed(0)} ms), bundle ${dashboard.bundle.totalKb} kB`);
  }
  return { load: loadInfo, reads, refresh, graphql, dashboard };
}

export async function runVolume(server: BenchServer, options: BenchOptions): Promise<VolumeResult> {
  const database = await server.createDatabase('reads');
  try {
    const db = database.pool;
    const first = await load(db, options.readCallsSmall, options.seed, 'load 1');
    const small = await step(db, database.connectionString, options, first.tenantIds, { ...first, added: options.readCallsSmall }, true);
    const more = options.readCallsLarge - options.readCallsSmall;
    const second = await load(db, more, options.seed + 1, 'load 2');
    const sameTenants = [...second.tenantIds].sort().join() === [...first.tenantIds].sort().join();
    if (!sameTenants) throw new Error('the second load did not go into the same tenants as the first');
    const large = await step(db, database.connectionString, options, first.tenantIds, { ...second, added: more }, false);
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
    return { small, large, freshness };
  } finally {
    await database.drop();
  }
}
