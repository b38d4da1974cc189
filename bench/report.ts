/**
 * results.json and the printed table. Every figure is what was measured:
 * nothing is clamped or filled in, a skipped part is null, a miss is a miss.
 */
import { formatValue } from './format.ts';
import type { IngestResult } from './ingest/index.ts';
import type { CaseResult } from './ingest/interleave.ts';
import type { MachineInfo } from './machine.ts';
import type { BenchOptions } from './options.ts';
import { ratio } from './stats.ts';
import type { VolumeResult } from './volume.ts';
import type { WebhookResult } from './webhooks.ts';
import { replicaInfoRows, type ReplicaResult } from './replica.ts';
import type { OpenLoopPart } from './open-loop.ts';

type Comparison = '>=' | '<=' | '=';

interface Target {
  key: HeadlineKey;
  label: string;
  comparison: Comparison;
  target: number | boolean;
}

type HeadlineKey =
  | 'ingest_ratio_spread' | 'ingest_ratio_hot' | 'batch_ratio' | 'copy_ratio' | 'deadlocks' | 'failed_transactions'
  | 'ingest_verified' | 'read_speedup_1m' | 'read_speedup_4m' | 'mv_refresh_ratio_4m_1m' | 'freshness_p95_ms'
  | 'graphql_p95_ms_1m' | 'graphql_p95_ms_4m' | 'graphql_p95_ratio_4m_1m'
  | 'calllog_p95_ms_4m' | 'calllog_p95_ratio_4m_1m' | 'csv_export_rows_per_s'
  | 'webhook_lost' | 'webhook_errors' | 'webhook_verified' | 'webhook_ratio'
  | 'dashboard_transfer_kb'
  | 'idle_dashboard_queries_per_min' | 'push_freshness_p95_ms'
  | 'read_speedup_whale_4m' | 'read_flatness_4m' | 'graphql_p95_ratio_whale_small'
  | 'graphql_open_p95_ms_4m';

export type Headline = Record<HeadlineKey, number | boolean | null> & {
  freshness_p50_ms: number | null;
  graphql_rps_1m: number | null;
  graphql_p50_ms_1m: number | null;
  graphql_p50_ms_4m: number | null;
  calllog_p95_ms_1m: number | null;
  /** The call log's totals requests (beside each first page), largest tenant. */
  calllog_totals_p95_ms_4m: number | null;
  calllog_totals_p95_ms_1m: number | null;
  csv_export_peak_rss_mb: number | null;
  webhook_rps_spread: number | null;
  webhook_rps_hot: number | null;
  webhook_p99_ms: number | null;
  analysis_jobs_per_s: number | null;
  e2e_freshness_p95_ms: number | null;
  dashboard_first_paint_ms_1m: number | null;
  dashboard_bundle_kb: number | null;
  /** GraphQL reads answered by the read replica under the webhook load (median over rounds; bench/replica.ts). */
  replica_read_share: number | null;
  /** The replica's replay lag under the webhook load: p95 of pg_stat_replication samples (median over rounds). */
  replica_lag_p95_ms_webhooks: number | null;
  replica_lag_bytes_p95_webhooks: number | null;
  push_freshness_p50_ms: number | null;
  /** The same whale figures at the first size (information). */
  read_speedup_whale_1m: number | null;
  read_flatness_1m: number | null;
  graphql_p95_ratio_whale_small_1m: number | null;
  /** The whale's and the small tenant's overview p95 at the large size (ms). */
  graphql_p95_ms_whale_4m: number | null;
  graphql_p95_ms_small_4m: number | null;
  /** Open loop at the large size (bench/open-loop.ts): page requests from their scheduled time. */
  graphql_open_p50_ms_4m: number | null;
  graphql_open_p99_ms_4m: number | null;
  graphql_open_achieved_rps_4m: number | null;
  graphql_open_late_4m: number | null;
  graphql_open_dropped_4m: number | null;
  graphql_open_errors_4m: number | null;
  graphql_open_api_cpu_ms_per_request_4m: number | null;
  /** Closed-loop maximum requests/s (clients raised until throughput stops growing) / the machine's cores. */
  graphql_closed_max_rps_per_core: number | null;
};

export interface Check {
  figure: string;
  value: number | boolean | null;
  target: string;
  /** null: not measured in this run. */
  pass: boolean | null;
}

export interface BenchResults extends Headline {
  measured_at: string;
  mode: 'quick' | 'full';
  /** True when every target that was measured passed and nothing was skipped. */
  all_targets_met: boolean;
  checks: Check[];
  /** Figures without a target, as printed below the checks. */
  info: Array<{ figure: string; value: string }>;
  details: Record<string, unknown>;
  machine: MachineInfo;
}

function targets(options: BenchOptions): Target[] {
  const size = (calls: number): string => (calls >= 1_000_000 ? `${calls / 1_000_000}M` : `${calls / 1000}k`);
  return [
    { key: 'ingest_ratio_spread', label: 'ingest ratio, 50 tenants (pipeline/bare tps)', comparison: '>=', target: 0.85 },
    { key: 'ingest_ratio_hot', label: 'ingest ratio, 1 hot tenant', comparison: '>=', target: 0.8 },
    { key: 'batch_ratio', label: '100-row batch ratio (rows/s)', comparison: '>=', target: 0.6 },
    { key: 'copy_ratio', label: `COPY ratio (${size(options.copyRows)} rows)`, comparison: '>=', target: 0.6 },
    { key: 'deadlocks', label: 'deadlocks (pipeline runs)', comparison: '=', target: 0 },
    { key: 'failed_transactions', label: 'failed transactions (pipeline runs)', comparison: '=', target: 0 },
    { key: 'ingest_verified', label: 'verify_rollups after ingest', comparison: '=', target: true },
    { key: 'read_speedup_1m', label: `read speedup @${size(options.readCallsSmall)} calls`, comparison: '>=', target: 25 },
    { key: 'read_speedup_4m', label: `read speedup @${size(options.readCallsLarge)} calls`, comparison: '>=', target: 100 },
    {
      key: 'mv_refresh_ratio_4m_1m',
      label: `MV refresh ${size(options.readCallsLarge)} / ${size(options.readCallsSmall)}`,
      comparison: '<=',
      target: 1.3,
    },
    { key: 'freshness_p95_ms', label: 'freshness p95 (ms)', comparison: '<=', target: 2000 },
    { key: 'graphql_p95_ms_1m', label: `GraphQL dashboard p95 @${size(options.readCallsSmall)} (ms, 16 clients)`, comparison: '<=', target: 100 },
    { key: 'graphql_p95_ms_4m', label: `GraphQL dashboard p95 @${size(options.readCallsLarge)} (ms, 16 clients)`, comparison: '<=', target: 100 },
    {
      key: 'graphql_p95_ratio_4m_1m',
      label: `GraphQL p95 ${size(options.readCallsLarge)} / ${size(options.readCallsSmall)}`,
      comparison: '<=',
      target: 1.2,
    },
    { key: 'calllog_p95_ms_4m', label: `call log p95, largest tenant @${size(options.readCallsLarge)} (ms, 16 clients)`, comparison: '<=', target: 100 },
    {
      key: 'calllog_p95_ratio_4m_1m',
      label: `call log p95 ${size(options.readCallsLarge)} / ${size(options.readCallsSmall)}`,
      comparison: '<=',
      target: 1.2,
    },
    { key: 'csv_export_rows_per_s', label: `CSV export of the largest tenant @${size(options.readCallsLarge)} (rows/s)`, comparison: '>=', target: 50_000 },
    { key: 'webhook_lost', label: 'webhook deliveries accepted but not stored', comparison: '=', target: 0 },
    { key: 'webhook_errors', label: 'webhook deliveries refused or failed under load', comparison: '=', target: 0 },
    { key: 'webhook_verified', label: 'verify_rollups after webhook load', comparison: '=', target: true },
    {
      key: 'webhook_ratio',
      label: `webhook ratio, 50 tenants (pipeline/calls' triggers off, deliveries/s, ${options.rounds} rounds)`,
      comparison: '>=',
      target: 0.8,
    },
    { key: 'dashboard_transfer_kb', label: 'dashboard overview JS+CSS on the wire (kB, compressed)', comparison: '<=', target: 250 },
    { key: 'idle_dashboard_queries_per_min', label: 'GraphQL requests of an idle open overview (per minute, Chromium)', comparison: '=', target: 0 },
    { key: 'push_freshness_p95_ms', label: 'webhook accepted -> new figure on screen p95 (ms, Chromium, pushed)', comparison: '<=', target: 1500 },
    {
      key: 'read_speedup_whale_4m',
      label: `KPI reads of the largest tenant @${size(options.readCallsLarge)}: raw / rollup`,
      comparison: '>=',
      target: 100,
    },
    {
      key: 'read_flatness_4m',
      label: `rollup KPI reads @${size(options.readCallsLarge)}: largest / median tenant`,
      comparison: '<=',
      target: 1.5,
    },
    {
      key: 'graphql_p95_ratio_whale_small',
      label: `overview p95 @${size(options.readCallsLarge)}: largest / smallest tenant, same load (${options.graphqlClients} clients)`,
      comparison: '<=',
      target: 1.2,
    },
    {
      key: 'graphql_open_p95_ms_4m',
      label: `GraphQL open loop p95 @${size(options.readCallsLarge)} (ms, ${options.openLoopRate} req/s arriving; overview, agent page, call log)`,
      comparison: '<=',
      target: 50,
    },
  ];
}

function passes(value: number | boolean | null, comparison: Comparison, target: number | boolean): boolean | null {
  if (value === null) return null;
  if (comparison === '=') return value === target;
  if (typeof value !== 'number' || typeof target !== 'number') return false;
  return comparison === '>=' ? value >= target : value <= target;
}

function headline(ingest: IngestResult | null, volume: VolumeResult | null, webhooks: WebhookResult | null, replica: ReplicaResult | null): Headline {
  return {
    replica_read_share: replica?.replicaReadShare.median ?? null,
    replica_lag_p95_ms_webhooks: replica?.lagMsP95UnderWebhooks.median ?? null,
    replica_lag_bytes_p95_webhooks: replica?.lagBytesP95UnderWebhooks.median ?? null,
    ingest_ratio_spread: ingest?.spread.ratio ?? null,
    ingest_ratio_hot: ingest?.hot.ratio ?? null,
    batch_ratio: ingest?.batch.ratio ?? null,
    copy_ratio: ingest?.copy.ratio ?? null,
    deadlocks: ingest?.deadlocks ?? null,
    failed_transactions: ingest?.failedTransactions ?? null,
    ingest_verified: ingest?.verified ?? null,
    read_speedup_1m: volume?.small.reads.speedup ?? null,
    read_speedup_4m: volume?.large.reads.speedup ?? null,
    mv_refresh_ratio_4m_1m: volume ? ratio(volume.large.refresh.medianMs, volume.small.refresh.medianMs) : null,
    freshness_p95_ms: volume?.freshness.visibleMs.p95 ?? null,
    freshness_p50_ms: volume?.freshness.visibleMs.p50 ?? null,
    graphql_p95_ms_1m: volume?.small.graphql?.all.p95Ms ?? null,
    graphql_p95_ms_4m: volume?.large.graphql?.all.p95Ms ?? null,
    graphql_p95_ratio_4m_1m:
      volume?.small.graphql && volume.large.graphql ? ratio(volume.large.graphql.all.p95Ms, volume.small.graphql.all.p95Ms) : null,
    graphql_rps_1m: volume?.small.graphql?.requestsPerSecond ?? null,
    graphql_p50_ms_1m: volume?.small.graphql?.all.p50Ms ?? null,
    graphql_p50_ms_4m: volume?.large.graphql?.all.p50Ms ?? null,
    calllog_p95_ms_4m: volume?.large.callLog?.all.p95Ms ?? null,
    calllog_p95_ms_1m: volume?.small.callLog?.all.p95Ms ?? null,
    calllog_p95_ratio_4m_1m:
      volume?.small.callLog && volume.large.callLog ? ratio(volume.large.callLog.all.p95Ms, volume.small.callLog.all.p95Ms) : null,
    calllog_totals_p95_ms_4m: volume?.large.callLog?.callLogTotals.p95Ms ?? null,
    calllog_totals_p95_ms_1m: volume?.small.callLog?.callLogTotals.p95Ms ?? null,
    csv_export_rows_per_s: volume?.large.csvExport?.rowsPerSecond ?? null,
    csv_export_peak_rss_mb: volume?.large.csvExport?.peakRssMb ?? null,
    webhook_rps_spread: webhooks?.spread.requestsPerSecond ?? null,
    webhook_rps_hot: webhooks?.hot.requestsPerSecond ?? null,
    webhook_p99_ms: webhooks ? Math.max(webhooks.spread.p99Ms, webhooks.hot.p99Ms) : null,
    webhook_errors: webhooks ? webhooks.spread.errors + webhooks.hot.errors : null,
    webhook_lost: webhooks ? webhooks.spread.lost + webhooks.hot.lost : null,
    webhook_verified: webhooks?.verified ?? null,
    webhook_ratio: webhooks?.ratio.ratio ?? null,
    analysis_jobs_per_s: webhooks?.analysis.jobsPerSecond ?? null,
    e2e_freshness_p95_ms: webhooks?.freshnessMs.p95 ?? null,
    dashboard_first_paint_ms_1m: volume?.small.dashboard?.warmFirstPaintMs.p50 ?? null,
    dashboard_bundle_kb: volume?.small.dashboard?.bundle.totalKb ?? null,
    dashboard_transfer_kb: volume?.small.dashboard?.transfer.kb ?? null,
    idle_dashboard_queries_per_min: volume?.small.push?.idleQueriesPerMinute ?? null,
    push_freshness_p95_ms: volume?.small.push ? Math.round(volume.small.push.freshnessMs.p95) : null,
    push_freshness_p50_ms: volume?.small.push ? Math.round(volume.small.push.freshnessMs.p50) : null,
    read_speedup_whale_4m: volume?.large.reads.whale.speedup ?? null,
    read_flatness_4m: volume?.large.reads.whale.flatness ?? null,
    graphql_p95_ratio_whale_small: volume?.large.whaleSmall?.p95Ratio ?? null,
    read_speedup_whale_1m: volume?.small.reads.whale.speedup ?? null,
    read_flatness_1m: volume?.small.reads.whale.flatness ?? null,
    graphql_p95_ratio_whale_small_1m: volume?.small.whaleSmall?.p95Ratio ?? null,
    graphql_p95_ms_whale_4m: volume?.large.whaleSmall?.whale.p95Ms ?? null,
    graphql_p95_ms_small_4m: volume?.large.whaleSmall?.small.p95Ms ?? null,
    graphql_open_p95_ms_4m: volume?.openLoop?.openLoop.pages.p95Ms ?? null,
    graphql_open_p50_ms_4m: volume?.openLoop?.openLoop.pages.p50Ms ?? null,
    graphql_open_p99_ms_4m: volume?.openLoop?.openLoop.pages.p99Ms ?? null,
    graphql_open_achieved_rps_4m: volume?.openLoop?.openLoop.achievedRequestsPerSecond ?? null,
    graphql_open_late_4m: volume?.openLoop?.openLoop.late ?? null,
    graphql_open_dropped_4m: volume?.openLoop?.openLoop.dropped ?? null,
    graphql_open_errors_4m: volume?.openLoop ? volume.openLoop.openLoop.errors + volume.openLoop.openLoop.unfinished : null,
    graphql_open_api_cpu_ms_per_request_4m: volume?.openLoop?.openLoop.apiCpuMsPerRequest ?? null,
    graphql_closed_max_rps_per_core: volume?.openLoop?.closedLoopMax.maxRequestsPerSecondPerCore ?? null,
  };
}

/** camelCase keys to snake_case and numbers to 4 decimals, recursively (for the details block). */
function toJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 10_000) / 10_000 : null;
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase(), toJson(inner)]),
    );
  }
  return value;
}

function caseDetails(c: CaseResult): Record<string, unknown> {
  return {
    unit: c.unit,
    bare: c.bare,
    pipeline: c.pipeline,
    ratio: c.ratio,
    roundRatios: c.roundRatios,
    pipelineCompacting: c.pipelineCompacting,
    pipelineCompactingRatio: c.pipelineCompactingRatio,
    pipelineFailed: c.pipelineFailed,
    pipelineDeadlocks: c.pipelineDeadlocks,
    bareFailed: c.bareFailed,
    triggerErrorsLogged: c.triggerErrorsLogged,
    runs: c.runs.map((r) => ({ round: r.round, mode: r.mode, ...r.result, triggerErrors: r.triggerErrors })),
  };
}

function fmt(value: number | null | undefined, digits?: number): string {
  if (value === null || value === undefined) return '-';
  return digits === undefined ? formatValue(value) : value.toFixed(digits);
}

function openLoopInfoRows({ openLoop: o, closedLoopMax: c }: OpenLoopPart): Array<{ figure: string; value: string }> {
  return [
    {
      figure: `GraphQL open loop @${o.calls}: pages p50 / p95 / p99 ms; achieved req/s; late / dropped / errors (${o.targetRequestsPerSecond} req/s ${o.arrivals}, ${o.tenants} tenants)`,
      value: `${fmt(o.pages.p50Ms, 1)} / ${fmt(o.pages.p95Ms, 1)} / ${fmt(o.pages.p99Ms, 1)}; ${fmt(o.achievedRequestsPerSecond, 1)}; ` +
        `${o.late} / ${o.dropped} / ${o.errors + o.unfinished} of ${o.scheduled}`,
    },
    {
      figure: '  ... p95 per request: overview, agent page, call log page, call log totals (ms); API CPU per request',
      value: `${fmt(o.perKind.overview.p95Ms, 1)}, ${fmt(o.perKind.agentPage.p95Ms, 1)}, ${fmt(o.perKind.callLog.p95Ms, 1)}, ${fmt(o.perKind.callLogTotals.p95Ms, 1)}; ` +
        `${fmt(o.apiCpuMsPerRequest, 2)} ms`,
    },
    {
      figure: `GraphQL closed-loop max req/s per core (${c.cores} cores, clients 1, 2, 4... until flat)`,
      value: `${fmt(c.maxRequestsPerSecondPerCore, 0)} (${fmt(c.maxRequestsPerSecond, 0)} req/s at ${c.bestConcurrency} clients; ` +
        `steps ${c.steps.map((st) => `${st.concurrency}:${fmt(st.requestsPerSecond, 0)}`).join(' ')})`,
    },
  ];
}

function infoRows(ingest: IngestResult | null, volume: VolumeResult | null, webhooks: WebhookResult | null): Array<{ figure: string; value: string }> {
  const rows: Array<{ figure: string; value: string }> = [];
  if (ingest) {
    const pair = (c: CaseResult): string => `${fmt(c.bare, 0)} / ${fmt(c.pipeline, 0)}`;
    rows.push(
      { figure: 'single-row tps, 50 tenants: bare / pipeline', value: pair(ingest.spread) },
      {
        figure: '  ... pipeline with compaction every 1 s (ratio)',
        value: `${fmt(ingest.spread.pipelineCompacting, 0)} (${fmt(ingest.spread.pipelineCompactingRatio, 3)})`,
      },
      { figure: 'single-row tps, hot tenant: bare / pipeline', value: pair(ingest.hot) },
      { figure: 'batch rows/s: bare / pipeline', value: pair(ingest.batch) },
      { figure: 'COPY rows/s: bare / pipeline', value: pair(ingest.copy) },
      {
        figure: 'errors caught by triggers (logged, write kept)',
        value: String([ingest.spread, ingest.hot, ingest.batch, ingest.copy].reduce((n, c) => n + c.triggerErrorsLogged, 0)),
      },
      {
        figure: 'INSERT cost per row (EXPLAIN): bare / pipeline',
        value: `${fmt(ingest.explain.bareUsPerRow, 1)} / ${fmt(ingest.explain.pipelineUsPerRow, 1)} us`,
      },
      {
        figure: '  ... largest trigger costs per row',
        value: ingest.explain.triggers.slice(0, 3).map((t) => `${t.trigger} ${fmt(t.usPerRow, 1)} us`).join(', '),
      },
    );
    if (ingest.wal) {
      // Record bytes without full-page images (those depend on how far the last checkpoint is).
      const net = (s: { bytesPerCall: number; fpiBytesPerCall: number }): number => s.bytesPerCall - s.fpiBytesPerCall;
      const bare = new Map(ingest.wal.bare.top.map((s) => [s.target, net(s)]));
      const added = ingest.wal.pipeline.top
        .map((s) => ({ target: s.target, bytes: net(s) - (bare.get(s.target) ?? 0) }))
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 4);
      rows.push(
        {
          figure: 'WAL per single-row call without FPI: bare / pipeline',
          value: `${fmt(net(ingest.wal.bare), 0)} / ${fmt(net(ingest.wal.pipeline), 0)} bytes ` +
            `(${fmt(ingest.wal.bare.recordsPerCall, 1)} / ${fmt(ingest.wal.pipeline.recordsPerCall, 1)} records; ` +
            `full-page images ${fmt(ingest.wal.bare.fpiBytesPerCall, 0)} / ${fmt(ingest.wal.pipeline.fpiBytesPerCall, 0)} bytes)`,
        },
        { figure: '  ... largest additions (bytes per call, no FPI)', value: added.map((a) => `${a.target} +${fmt(a.bytes, 0)}`).join(', ') },
      );
    }
  }
  if (volume) {
    for (const [label, step] of [['small', volume.small], ['large', volume.large]] as const) {
      for (const q of step.reads.queries) {
        rows.push({
          figure: `reads @${step.load.totalCalls} ${q.query}: rollup / raw`,
          value: `${fmt(q.rollupMs, 3)} / ${fmt(q.rawMs, 3)} ms (x${fmt(q.speedup, 1)}); ` +
            `rollup with ${step.reads.pendingDeltas} pending calls ${fmt(q.rollupWithPendingMs, 3)} ms`,
        });
      }
      const w = step.reads.whale;
      const spread = (values: ReadonlyArray<number | null>, digits: number): string => values.map((v) => fmt(v, digits)).join(', ');
      rows.push({
        figure: `reads @${step.load.totalCalls} largest tenant (${w.whale.calls} calls, ${w.whale.agents} agents, ${w.whale.callsInWindow} in 30 days): raw / rollup`,
        value: `${fmt(w.whale.rawMs, 3)} / ${fmt(w.whale.rollupMs, 3)} ms = x${fmt(w.speedup, 1)} (blocks of rounds ${spread(w.speedupRounds, 1)}); ` +
          w.queries.map((q) => `${q.query} x${fmt(q.speedup, 1)}`).join(', '),
      });
      rows.push({
        figure: `reads @${step.load.totalCalls} rollup: largest / median tenant (${w.median.calls} calls, ${w.median.agents} agents)`,
        value: `${fmt(w.whale.rollupMs, 3)} / ${fmt(w.median.rollupMs, 3)} ms = ${fmt(w.flatness, 2)} (blocks of rounds ${spread(w.flatnessRounds, 2)}); ` +
          w.queries.map((q) => `${q.query} ${fmt(q.whaleRollupMs, 3)} / ${fmt(q.medianRollupMs, 3)}`).join(', '),
      });
      if (step.whaleSmall) {
        const g = step.whaleSmall;
        rows.push({
          figure: `overview @${step.load.totalCalls}, largest / smallest tenant, same load: p50 / p95 ms (${g.clients} clients, pool ${g.poolSize})`,
          value: `${fmt(g.whale.p50Ms, 1)} / ${fmt(g.whale.p95Ms, 1)} vs ${fmt(g.small.p50Ms, 1)} / ${fmt(g.small.p95Ms, 1)}: p95 x${fmt(g.p95Ratio, 2)} ` +
            `(rounds ${spread(g.roundRatios, 2)}), ${fmt(g.requestsPerSecond, 0)} req/s, ${g.errors} errors`,
        });
      }
      rows.push({
        figure: `reads @${step.load.totalCalls} server-side speedup (${label})`,
        value: `x${fmt(step.reads.serverSpeedup, 1)}`,
      });
      rows.push({
        figure: `reads @${step.load.totalCalls} speedup per tenant (30-day calls)`,
        value: step.reads.perTenant.map((t) => `x${fmt(t.speedup, 1)} (${t.callsInWindow})`).join(', '),
      });
      rows.push({ figure: `MV refresh @${step.load.totalCalls} (median ms)`, value: fmt(step.refresh.medianMs, 1) });
      if (step.dashboard) {
        const d = step.dashboard;
        rows.push({
          figure: `dashboard @${step.load.totalCalls}: overview first paint warm p50 / p95, cold (ms)`,
          value: `${fmt(d.warmFirstPaintMs.p50, 0)} / ${fmt(d.warmFirstPaintMs.p95, 0)}, ${fmt(d.coldFirstPaintMs, 0)}; bundle ${fmt(d.bundle.totalKb, 0)} kB ` +
            `(${fmt(d.bundle.totalGzipKb, 0)} kB gzip, ${fmt(d.bundle.initialKb, 0)} kB before the overview); ` +
            `overview JS+CSS on the wire ${fmt(d.transfer.kb, 0)} kB (${Object.entries(d.transfer.encodings).map(([e, n]) => `${n} ${e}`).join(', ')})`,
        });
      }
      if (step.push) {
        const p = step.push;
        rows.push({
          figure: `live updates @${step.load.totalCalls}: webhook accepted -> figure on screen p50 / p95 / max (ms), idle overview GraphQL requests`,
          value: `${fmt(p.freshnessMs.p50, 0)} / ${fmt(p.freshnessMs.p95, 0)} / ${fmt(p.freshnessMs.max, 0)} (${p.freshnessMs.n} calls, ` +
            `${fmt(p.requestsPerChange, 1)} requests per change); ${p.idleRequests} in ${p.idleSeconds} s`,
        });
      }
      if (step.callLog) {
        const g = step.callLog;
        rows.push({
          figure: `call log @${step.load.totalCalls}, largest tenant: page requests p50 / p95 / p99 ms, req/s (${g.clients} clients)`,
          value: `${fmt(g.all.p50Ms, 1)} / ${fmt(g.all.p95Ms, 1)} / ${fmt(g.all.p99Ms, 1)}, ${fmt(g.requestsPerSecond, 0)} req/s, ${g.errors} errors`,
        });
        rows.push({
          figure: `call log @${step.load.totalCalls}, largest tenant: totals requests (sent beside each first page) p50 / p95 / p99 ms`,
          value: `${fmt(g.callLogTotals.p50Ms, 1)} / ${fmt(g.callLogTotals.p95Ms, 1)} / ${fmt(g.callLogTotals.p99Ms, 1)}`,
        });
      }
      if (step.csvExport) {
        const e = step.csvExport;
        rows.push({
          figure: `CSV export @${step.load.totalCalls}, largest tenant's history: rows, MB, s, API RSS before / peak (MB)`,
          value: `${e.rows}, ${fmt(e.bytes / 1e6, 1)} MB, ${fmt(e.seconds, 2)} s; ${fmt(e.rssBeforeMb, 0)} / ${fmt(e.peakRssMb, 0)}`,
        });
      }
      if (step.graphql) {
        const g = step.graphql;
        rows.push({
          figure: `GraphQL @${step.load.totalCalls}: p50 / p95 / p99 ms, req/s (${g.clients} clients, ${g.tenants} tenants, pool ${g.poolSize})`,
          value: `${fmt(g.all.p50Ms, 1)} / ${fmt(g.all.p95Ms, 1)} / ${fmt(g.all.p99Ms, 1)}, ${fmt(g.requestsPerSecond, 0)} req/s, ` +
            `${g.errors} errors; overview p95 ${fmt(g.overview.p95Ms, 1)}, agent page p95 ${fmt(g.agentPage.p95Ms, 1)}`,
        });
      }
    }
    if (volume.openLoop) rows.push(...openLoopInfoRows(volume.openLoop));
    rows.push(
      { figure: 'freshness p50 (ms)', value: fmt(volume.freshness.visibleMs.p50, 1) },
      {
        figure: 'KPI view refreshes during freshness (count, total ms, share of a core)',
        value: `${volume.freshness.kpiRefreshes.count}, ${fmt(volume.freshness.kpiRefreshes.totalMs, 0)} ms in ` +
          `${fmt(volume.freshness.kpiRefreshes.windowSeconds, 0)} s (${fmt(volume.freshness.kpiRefreshes.shareOfOneCore * 100, 0)}%)`,
      },
      {
        figure: 'time until compacted into the rollup p50 / p95 (ms)',
        value: `${fmt(volume.freshness.compactedMs?.p50, 0)} / ${fmt(volume.freshness.compactedMs?.p95, 0)}`,
      },
    );
  }
  if (webhooks) {
    for (const [label, w] of [['50 tenants x 4 agents', webhooks.spread], ['one agent', webhooks.hot]] as const) {
      rows.push({
        figure: `webhooks, ${label} (${w.clients} clients): deliveries/s, p50 / p99 ms`,
        value: `${fmt(w.requestsPerSecond, 0)}, ${fmt(w.p50Ms, 1)} / ${fmt(w.p99Ms, 1)} (${w.deliveries} deliveries, ${w.errors} errors, ${w.lost} lost)`,
      });
    }
    rows.push(
      {
        figure: 'analysis jobs/s (fake OpenAI, 4 at once)',
        value: `${fmt(webhooks.analysis.jobsPerSecond, 1)} (${webhooks.analysis.jobs} jobs in ${fmt(webhooks.analysis.seconds, 1)} s)`,
      },
      { figure: 'delivery -> KPI visible p50 / p95 (ms)', value: `${fmt(webhooks.freshnessMs.p50, 1)} / ${fmt(webhooks.freshnessMs.p95, 1)}` },
      {
        figure: `webhook ratio: pipeline / triggers off deliveries/s (${webhooks.ratio.clients} clients, ${fmt(webhooks.ratio.secondsPerRun, 0)} s runs)`,
        value: `${fmt(webhooks.ratio.pipeline, 0)} / ${fmt(webhooks.ratio.bare, 0)}, rounds ${webhooks.ratio.roundRatios.map((r) => fmt(r, 3)).join(', ')}`,
      },
    );
  }
  return rows;
}

export function buildResults(options: {
  bench: BenchOptions;
  machine: MachineInfo;
  measuredAt: Date;
  durationSeconds: number;
  /** 1-minute load average when the run ended (other work on the machine skews the figures). */
  loadAverageAtEnd: number;
  ingest: IngestResult | null;
  volume: VolumeResult | null;
  webhooks: WebhookResult | null;
  /** The read-replica part (absent: not run). */
  replica?: ReplicaResult | null;
}): BenchResults {
  const { bench, ingest, volume, webhooks } = options;
  const replica = options.replica ?? null;
  const figures = headline(ingest, volume, webhooks, replica);
  const checks: Check[] = targets(bench).map((t) => {
    const value = figures[t.key];
    return {
      figure: t.label,
      value,
      target: `${t.comparison === '=' ? '=' : t.comparison} ${String(t.target)}`,
      pass: passes(value, t.comparison, t.target),
    };
  });
  const details = {
    sizes: {
      tenants: bench.tenants,
      agentsPerTenant: bench.agentsPerTenant,
      contactsPerTenant: bench.contactsPerTenant,
      singleClients: bench.singleClients,
      singleSeconds: bench.singleSeconds,
      rounds: bench.rounds,
      batchClients: bench.batchClients,
      batchRows: bench.batchRows,
      batchSeconds: bench.batchSeconds,
      copyRows: bench.copyRows,
      readCallsSmall: bench.readCallsSmall,
      readCallsLarge: bench.readCallsLarge,
      readTenants: bench.readTenants,
      readRepetitions: bench.readRepetitions,
      seed: bench.seed,
    },
    durationSeconds: options.durationSeconds,
    loadAverage: { atStart: options.machine.load_average_1m_at_start, atEnd: options.loadAverageAtEnd },
    ingest: ingest && {
      spreadBareTps: ingest.spread.bare,
      spreadPipelineTps: ingest.spread.pipeline,
      hotBareTps: ingest.hot.bare,
      hotPipelineTps: ingest.hot.pipeline,
      batchBareRowsPerSecond: ingest.batch.bare,
      batchPipelineRowsPerSecond: ingest.batch.pipeline,
      copyBareRowsPerSecond: ingest.copy.bare,
      copyPipelineRowsPerSecond: ingest.copy.pipeline,
      serverDeadlocksAllRuns: ingest.serverDeadlocks,
      verifications: ingest.verifications,
      rollupDeltasBytesAfterCompaction: ingest.rollupDeltasBytesAfterCompaction,
      cases: {
        spread: caseDetails(ingest.spread),
        hot: caseDetails(ingest.hot),
        batch: caseDetails(ingest.batch),
        copy: caseDetails(ingest.copy),
      },
      triggerCostExplain: ingest.explain,
      triggerThroughput: ingest.triggerThroughput,
    },
    reads: volume && {
      timing: 'client-observed latency of a prepared statement on one connection, warm, median; server_* from EXPLAIN ANALYZE (timing off)',
      small: volume.small.reads,
      large: volume.large.reads,
    },
    load: volume && { small: volume.small.load, large: volume.large.load },
    refresh: volume && { small: volume.small.refresh, large: volume.large.refresh },
    graphql: volume && {
      timing: 'client-observed latency of whole HTTP requests (overview 3 in 4, agent page 1 in 4), server and clients in one process',
      small: volume.small.graphql,
      large: volume.large.graphql,
    },
    whaleSmall: volume && {
      timing: 'client-observed latency of whole HTTP overview requests, the same clients alternating between the largest and the smallest tenant on one API process',
      small: volume.small.whaleSmall,
      large: volume.large.whaleSmall,
    },
    callLog: volume && {
      timing: 'client-observed latency of whole HTTP requests: call log first pages with totals, mixed filters and sorts (bench/graphql-clients.ts CALL_LOG_MIX), all on the largest tenant',
      small: volume.small.callLog,
      large: volume.large.callLog,
      csvExport: volume.large.csvExport,
    },
    freshness: volume?.freshness ?? null,
    openLoop: volume?.openLoop ?? null,
    webhooks,
    replica,
  };
  const measured = checks.filter((c) => c.pass !== null);
  return {
    measured_at: options.measuredAt.toISOString(),
    mode: bench.quick ? 'quick' : 'full',
    // Rounded for reading only: the checks above compared the unrounded figures.
    ...(toJson(figures) as Headline),
    all_targets_met: measured.length === checks.length && measured.every((c) => c.pass === true),
    checks: checks.map((c) => ({ ...c, value: typeof c.value === 'number' ? (toJson(c.value) as number) : c.value })),
    info: [...infoRows(ingest, volume, webhooks), ...replicaInfoRows(replica)],
    details: toJson(details) as Record<string, unknown>,
    machine: options.machine,
  };
}
