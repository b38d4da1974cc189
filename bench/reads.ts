/**
 * Part 2, reads: the dashboard KPI queries (summary, daily series, leaderboard,
 * hour matrix) from the rollup-backed live views against the same figures
 * computed from raw calls, for the largest tenant (the whale), the median
 * tenant and the smallest (by calls). The two must agree to the last digit for
 * every tenant measured (otherwise the bench stops); then each query is timed,
 * warm, interleaved, as a prepared statement on one connection
 * (client-observed latency), plus server-side execution time from EXPLAIN
 * ANALYZE for reference. The whale's speedup (raw / rollup) and the flatness
 * (the whale's rollup latency / the median tenant's) are ratios of the sums of
 * the four queries' medians, with their spread over blocks of rounds.
 */
import pg from 'pg';
import { INSERT_BATCH, createRandom, insertBatchValues, makeCall, pick } from './ingest/calls.ts';
import { log } from './log.ts';
import { compactAll } from './maintenance.ts';
import { KPI_QUERIES, type KpiQueryPair } from './queries/index.ts';
import { median, ratio } from './stats.ts';
import { tenantsById } from './tenants.ts';

export interface QueryTiming {
  query: string;
  /** Client-observed median latency, ms. */
  rollupMs: number;
  rawMs: number;
  speedup: number | null;
  /** Server-side median execution time (EXPLAIN ANALYZE, timing off), ms. */
  rollupServerMs: number;
  rawServerMs: number;
  serverSpeedup: number | null;
  /** Client-observed median of the rollup query while `pendingDeltas` calls wait for compaction. */
  rollupWithPendingMs: number | null;
  /** Rows each returns (per tenant, first tenant). */
  rows: number;
}

export interface ReadResult {
  calls: number;
  tenantsMeasured: number;
  /** Calls of the measured tenants in their last 30 days. */
  callsInWindow: number[];
  repetitions: number;
  queries: QueryTiming[];
  rollupTotalMs: number;
  rawTotalMs: number;
  /** Sum of raw medians / sum of rollup medians. */
  speedup: number | null;
  serverSpeedup: number | null;
  /** Calls inserted (all tenants, today) and left uncompacted for the rollupWithPendingMs timings. */
  pendingDeltas: number;
  /** The queries per tenant (sums of medians): the gap grows with the tenant's volume. */
  perTenant: Array<{ tenant: string; callsInWindow: number; rollupMs: number; rawMs: number; speedup: number | null }>;
  /** The largest tenant vs the median one (by all their calls). */
  whale: WhaleReads;
}

export interface SizedTenant {
  tenant: string;
  /** All its calls. */
  calls: number;
  callsInWindow: number;
  agents: number;
  /** Sums over the queries of the medians, ms. */
  rollupMs: number;
  rawMs: number;
}

export interface WhaleReads {
  whale: SizedTenant;
  median: SizedTenant;
  /** The whale's raw / rollup (sums of the queries' medians). */
  speedup: number | null;
  /** The same ratio in each block of rounds (its spread). */
  speedupRounds: Array<number | null>;
  /** The whale's rollup / the median tenant's rollup (sums of the queries' medians). */
  flatness: number | null;
  flatnessRounds: Array<number | null>;
  /** Per query: the whale's rollup and raw medians and the median tenant's rollup median, ms. */
  queries: Array<{ query: string; whaleRollupMs: number; whaleRawMs: number; medianRollupMs: number; speedup: number | null; flatness: number | null }>;
}

/** Blocks of rounds the whale's ratios are also computed in (their spread). */
const RATIO_BLOCKS = 5;

class ResultMismatchError extends Error {
  override name = 'ResultMismatchError';
}

/** Fails loudly when the rollup query and the raw query disagree for a tenant. */
async function assertSameResults(client: pg.Client, pair: KpiQueryPair, tenantId: string): Promise<number> {
  const rollup = await client.query(pair.rollup, [tenantId]);
  const raw = await client.query(pair.raw, [tenantId]);
  const a = JSON.stringify(rollup.rows);
  const b = JSON.stringify(raw.rows);
  if (a !== b) {
    const index = rollup.rows.findIndex((row: unknown, i: number) => JSON.stringify(row) !== JSON.stringify(raw.rows[i]));
    throw new ResultMismatchError(
      `${pair.name}: rollup and raw results differ for tenant ${tenantId} ` +
        `(${rollup.rows.length} vs ${raw.rows.length} rows; first difference at row ${index}):\n` +
        `  rollup: ${JSON.stringify(rollup.rows[index])}\n  raw:    ${JSON.stringify(raw.rows[index])}`,
    );
  }
  return rollup.rows.length;
}

async function timeOnce(client: pg.Client, name: string, text: string, tenantId: string): Promise<number> {
  const started = performance.now();
  await client.query({ name, text, values: [tenantId] });
  return performance.now() - started;
}

async function serverMs(client: pg.Client, text: string, tenantId: string): Promise<number> {
  const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
    `explain (analyze, timing off, summary on, format json) ${text}`,
    [tenantId],
  );
  const plan: unknown = rows[0]?.['QUERY PLAN'];
  const root: unknown = Array.isArray(plan) ? plan[0] : plan;
  if (typeof root === 'object' && root !== null && 'Execution Time' in root && typeof root['Execution Time'] === 'number') {
    return root['Execution Time'];
  }
  throw new Error('EXPLAIN returned no execution time');
}

async function checkAll(client: pg.Client, tenants: readonly string[]): Promise<Map<string, number>> {
  const rowCounts = new Map<string, number>();
  for (const pair of KPI_QUERIES) {
    for (const tenant of tenants) {
      const rows = await assertSameResults(client, pair, tenant);
      if (!rowCounts.has(pair.name)) rowCounts.set(pair.name, rows);
    }
  }
  return rowCounts;
}

type Samples = Map<string, number[]>;

function add(samples: Samples, key: string, ms: number): void {
  const list = samples.get(key) ?? [];
  list.push(ms);
  samples.set(key, list);
}

/** Warm-up, then `repetitions` rounds over tenants and queries; `kinds` alternate order each round. */
async function timeAll(
  client: pg.Client,
  tenants: readonly string[],
  kinds: ReadonlyArray<'rollup' | 'raw'>,
  warmup: number,
  repetitions: number,
  samples: Samples,
  suffix = '',
): Promise<void> {
  for (let rep = -warmup; rep < repetitions; rep += 1) {
    for (const tenant of tenants) {
      for (const pair of KPI_QUERIES) {
        // Alternate which goes first so neither always runs right after the other.
        const order = rep % 2 === 0 ? kinds : [...kinds].reverse();
        for (const kind of order) {
          const ms = await timeOnce(client, `bench_${pair.name}_${kind}`, pair[kind], tenant);
          if (rep >= 0) {
            add(samples, `${pair.name}:${kind}${suffix}`, ms);
            add(samples, `${tenant}|${pair.name}:${kind}${suffix}`, ms);
            add(samples, `${tenant}|${pair.name}:${kind}${suffix}|block${Math.floor((rep * RATIO_BLOCKS) / repetitions)}`, ms);
          }
        }
      }
    }
  }
}

/** Today's calls for every tenant, committed but not compacted (what readers see between compactions). */
async function insertPending(client: pg.Client, tenantIds: readonly string[], calls: number, seed: number): Promise<void> {
  const tenants = await tenantsById(client, tenantIds);
  const random = createRandom(seed);
  for (let done = 0; done < calls; done += 500) {
    const batch = Array.from({ length: Math.min(500, calls - done) }, (_, i) =>
      makeCall(random, pick(random, tenants), `pending-${seed}-${done + i}`),
    );
    await client.query(INSERT_BATCH, insertBatchValues(batch));
  }
}

/** The largest, the median and the smallest of the tenants by their calls (fewer if there are fewer tenants). */
export async function tenantsBySize(db: Pick<pg.ClientBase, 'query'>, tenantIds: readonly string[]): Promise<Array<{ tenant: string; calls: number; agents: number }>> {
  const { rows } = await db.query<{ id: string; calls: string; agents: number }>(
    `select u.id, coalesce(c.n, 0) as calls, (select count(*)::int from app_public.agents a where a.user_id = u.id) as agents
       from app_public.users u
       left join (select user_id, count(*) as n from app_public.calls where user_id = any ($1::uuid[]) group by user_id) c on c.user_id = u.id
      where u.id = any ($1::uuid[])
      order by coalesce(c.n, 0) desc, u.id`,
    [tenantIds],
  );
  const sized = rows.map((row) => ({ tenant: row.id, calls: Number(row.calls), agents: row.agents }));
  const picks = [sized[0], sized[Math.floor((sized.length - 1) / 2)], sized.at(-1)];
  return picks.filter((pick, i): pick is NonNullable<typeof pick> => pick !== undefined && picks.findIndex((p) => p?.tenant === pick.tenant) === i);
}

/** First, middle and last of the tenants (by id), or all of them if fewer. */
export function pickTenants(tenantIds: readonly string[], count: number): string[] {
  const ids = [...tenantIds].sort();
  if (ids.length <= count) return ids;
  if (count === 1) return ids.slice(0, 1);
  return Array.from({ length: count }, (_, i) => ids[Math.round((i * (ids.length - 1)) / (count - 1))] ?? '').filter(Boolean);
}

/** The median of a sample list, NaN when it has none (ratios of it are then null). */
function medianOf(samples: Samples, key: string): number {
  const list = samples.get(key);
  return list && list.length > 0 ? median(list) : Number.NaN;
}

/** Sum over the queries of one tenant's medians of `kind` (in one block of rounds, or all). */
function sumOfMedians(samples: Samples, tenant: string, kind: 'rollup' | 'raw', block?: number): number {
  return KPI_QUERIES.reduce((sum, pair) => sum + medianOf(samples, `${tenant}|${pair.name}:${kind}${block === undefined ? '' : `|block${block}`}`), 0);
}

function whaleReads(sized: ReadonlyArray<{ tenant: string; calls: number; agents: number }>, callsInWindow: readonly number[], samples: Samples): WhaleReads {
  const describe = (index: number): SizedTenant => {
    const t = sized[index] ?? sized[0];
    if (!t) throw new Error('no tenants measured');
    return {
      tenant: t.tenant,
      calls: t.calls,
      callsInWindow: callsInWindow[sized.indexOf(t)] ?? 0,
      agents: t.agents,
      rollupMs: sumOfMedians(samples, t.tenant, 'rollup'),
      rawMs: sumOfMedians(samples, t.tenant, 'raw'),
    };
  };
  const whale = describe(0);
  const mid = describe(sized.length > 2 ? 1 : sized.length - 1);
  const blocks = Array.from({ length: RATIO_BLOCKS }, (_, b) => b);
  const med = (key: string): number => medianOf(samples, key);
  return {
    whale,
    median: mid,
    speedup: ratio(whale.rawMs, whale.rollupMs),
    speedupRounds: blocks.map((b) => ratio(sumOfMedians(samples, whale.tenant, 'raw', b), sumOfMedians(samples, whale.tenant, 'rollup', b))),
    flatness: ratio(whale.rollupMs, mid.rollupMs),
    flatnessRounds: blocks.map((b) => ratio(sumOfMedians(samples, whale.tenant, 'rollup', b), sumOfMedians(samples, mid.tenant, 'rollup', b))),
    queries: KPI_QUERIES.map((pair) => {
      const whaleRollupMs = med(`${whale.tenant}|${pair.name}:rollup`);
      const whaleRawMs = med(`${whale.tenant}|${pair.name}:raw`);
      const medianRollupMs = med(`${mid.tenant}|${pair.name}:rollup`);
      return { query: pair.name, whaleRollupMs, whaleRawMs, medianRollupMs, speedup: ratio(whaleRawMs, whaleRollupMs), flatness: ratio(whaleRollupMs, medianRollupMs) };
    }),
  };
}

export async function measureReads(options: {
  connectionString: string;
  tenantIds: readonly string[];
  calls: number;
  warmup: number;
  repetitions: number;
  /** Calls to leave pending for a second timing of the rollup queries (0: skip). */
  pendingDeltas: number;
}): Promise<ReadResult> {
  const client = new pg.Client({ connectionString: options.connectionString, application_name: 'switchboard-bench-reads' });
  await client.connect();
  try {
    const sized = await tenantsBySize(client, options.tenantIds);
    const tenants = sized.map((t) => t.tenant);
    const rowCounts = await checkAll(client, tenants);
    const callsInWindow: number[] = [];
    const summary = KPI_QUERIES[0];
    for (const tenant of tenants) {
      if (!summary) break;
      const { rows } = await client.query<{ calls: string }>(summary.rollup, [tenant]);
      callsInWindow.push(Number(rows[0]?.calls ?? 0));
    }
    if (callsInWindow.every((n) => n === 0)) {
      throw new Error('the measured tenants have no calls in their last 30 days: the read comparison would be meaningless');
    }
    log.info(`reads @${options.calls}: rollup and raw results identical for ${tenants.length} tenants ` +
      `(largest, median, smallest: ${sized.map((t) => `${t.calls} calls, ${t.agents} agents`).join('; ')}); ` +
      `calls in their 30-day windows: ${callsInWindow.join(', ')}`);

    const samples: Samples = new Map();
    await timeAll(client, tenants, ['rollup', 'raw'], options.warmup, options.repetitions, samples);
    const serverRepetitions = Math.min(10, options.repetitions);
    for (let rep = 0; rep < serverRepetitions; rep += 1) {
      for (const tenant of tenants) {
        for (const pair of KPI_QUERIES) {
          add(samples, `${pair.name}:rollup:server`, await serverMs(client, pair.rollup, tenant));
          add(samples, `${pair.name}:raw:server`, await serverMs(client, pair.raw, tenant));
        }
      }
    }
    if (options.pendingDeltas > 0) {
      await insertPending(client, options.tenantIds, options.pendingDeltas, options.calls);
      await checkAll(client, tenants); // the live views must still agree with raw calls
      await timeAll(client, tenants, ['rollup'], options.warmup, options.repetitions, samples, ':pending');
      // Take them out again (through the triggers) so the next size starts from exactly the loaded calls.
      await client.query(`delete from app_public.calls where provider_call_id like 'pending-%'`);
      await compactAll(client);
    }
    const med = (key: string): number => median(samples.get(key) ?? []);
    const queries: QueryTiming[] = KPI_QUERIES.map((pair) => {
      const rollupMs = med(`${pair.name}:rollup`);
      const rawMs = med(`${pair.name}:raw`);
      const rollupServerMs = med(`${pair.name}:rollup:server`);
      const rawServerMs = med(`${pair.name}:raw:server`);
      return {
        query: pair.name,
        rollupMs,
        rawMs,
        speedup: ratio(rawMs, rollupMs),
        rollupServerMs,
        rawServerMs,
        serverSpeedup: ratio(rawServerMs, rollupServerMs),
        rollupWithPendingMs: samples.has(`${pair.name}:rollup:pending`) ? med(`${pair.name}:rollup:pending`) : null,
        rows: rowCounts.get(pair.name) ?? 0,
      };
    });
    const sum = (pick: (q: QueryTiming) => number): number => queries.reduce((total, q) => total + pick(q), 0);
    const whale = whaleReads(sized, callsInWindow, samples);
    const result: ReadResult = {
      whale,
      calls: options.calls,
      tenantsMeasured: tenants.length,
      callsInWindow,
      repetitions: options.repetitions,
      queries,
      rollupTotalMs: sum((q) => q.rollupMs),
      rawTotalMs: sum((q) => q.rawMs),
      speedup: ratio(sum((q) => q.rawMs), sum((q) => q.rollupMs)),
      serverSpeedup: ratio(sum((q) => q.rawServerMs), sum((q) => q.rollupServerMs)),
      pendingDeltas: options.pendingDeltas,
      perTenant: tenants.map((tenant, i) => {
        const total = (kind: 'rollup' | 'raw'): number =>
          KPI_QUERIES.reduce((sum, pair) => sum + med(`${tenant}|${pair.name}:${kind}`), 0);
        return {
          tenant,
          callsInWindow: callsInWindow[i] ?? 0,
          rollupMs: total('rollup'),
          rawMs: total('raw'),
          speedup: ratio(total('raw'), total('rollup')),
        };
      }),
    };
    log.info(`reads @${options.calls} whale (${whale.whale.calls} calls): raw / rollup x${whale.speedup?.toFixed(1) ?? '-'} ` +
      `(blocks ${whale.speedupRounds.map((r) => r?.toFixed(1) ?? '-').join(', ')}); rollup whale / median tenant ` +
      `${whale.flatness?.toFixed(2) ?? '-'} (blocks ${whale.flatnessRounds.map((r) => r?.toFixed(2) ?? '-').join(', ')})`);
    for (const q of whale.queries) {
      log.info(`reads @${options.calls} whale ${q.query.padEnd(16)} rollup ${q.whaleRollupMs.toFixed(3)} ms (median tenant ${q.medianRollupMs.toFixed(3)} ms, ` +
        `x${q.flatness?.toFixed(2) ?? '-'}), raw ${q.whaleRawMs.toFixed(3)} ms (x${q.speedup?.toFixed(1) ?? '-'})`);
    }
    for (const q of queries) {
      log.info(`reads @${options.calls} ${q.query.padEnd(16)} rollup ${q.rollupMs.toFixed(3)} ms, raw ${q.rawMs.toFixed(3)} ms, ` +
        `x${q.speedup?.toFixed(1) ?? '-'} (server ${q.rollupServerMs.toFixed(3)} vs ${q.rawServerMs.toFixed(3)} ms; ` +
        `rollup with ${options.pendingDeltas} pending calls ${q.rollupWithPendingMs?.toFixed(3) ?? '-'} ms)`);
    }
    return result;
  } finally {
    await client.end().catch(() => {});
  }
}
