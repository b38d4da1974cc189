/**
 * Bulk data for benchmarks: `scale-tenant-N` tenants (created if missing) and
 * `calls` more calls over `days` days ending now, with individual analyses for
 * a share of the successful ones (no transcripts: fast). Call volume per tenant
 * is skewed as real customer bases are (tenantWeights): scale-tenant-1 is "the
 * whale", with `whaleShare` of all calls and more agents, and the others follow
 * Zipf's law by their number. Tenants are split into
 * groups loaded in parallel on separate connections (disjoint tenants, so the
 * writers never touch the same contact or tenant row), in chunks that commit
 * one by one. Ends with complete analyses, compaction, ledger posting and the
 * KPI view. Runs again on the same tenants append (1M, then +3M) with the same
 * weights (they depend on the tenant's number, not the seed).
 */
import type pg from 'pg';
import { insertCompleteAnalyses, settleLoad, timed, type SettleStep } from './finish.ts';
import { generateCalls, newNonce, type GeneratorTenant } from './generate.ts';
import { createRandom } from './random.ts';
import { ensureScaleTenants, type ScaleTenant } from './scale-tenants.ts';

export interface ScaleOptions {
  calls: number;
  /** Default 200. */
  tenants?: number;
  /** Default 5 (the whale: whaleAgents). */
  agentsPerTenant?: number;
  /** Share of all calls that go to the whale, scale-tenant-1 (default 0.3; the rest follow Zipf's law). */
  whaleShare?: number;
  /** The whale's agents (default 20, at least agentsPerTenant). */
  whaleAgents?: number;
  /** Default 365. */
  days?: number;
  /** Default 1. */
  seed?: number;
  /** Share of successful calls with an individual analysis (default 0.5). */
  analysesRatio?: number;
  onProgress?: (done: number, total: number) => void;
  /** Connections loading at once (default 2; the pool must allow that many plus none). */
  parallel?: number;
  /** Calls per statement (default 50,000). */
  chunkSize?: number;
  /** The last moment calls may start (default now). */
  end?: Date;
}

export interface ScaleResult {
  tenantIds: string[];
  agentIds: string[];
  calls: number;
  /** Wall time of the whole load. */
  seconds: number;
  /** Of which inserting calls (with their triggers) ... */
  loadSeconds: number;
  /** ... and complete analyses, compaction, ledger posting and the KPI view. */
  settleSeconds: number;
  /** Seconds per step; the insert steps are summed over the parallel connections. */
  timings: Record<string, number>;
}

const PRODUCTS = ['solar panel installation', 'home insurance', 'a dental check-up', 'our premium plan',
  'a new broadband deal', 'car financing', 'the spring sale', 'an office cleaning contract'] as const;

/**
 * Relative call volume of tenants 1..count: tenant 1 (the whale) gets `whaleShare` of all calls,
 * tenant n >= 2 a share of the rest proportional to 1 / (n - 1) (Zipf's law, exponent 1): with
 * 200 tenants and a 0.3 whale, tenant 2 has 12%, the median tenant 0.12%, the last 0.06%.
 * Depends only on the count and the share, so appended loads keep every tenant's share.
 */
export function tenantWeights(count: number, whaleShare: number): number[] {
  if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
  if (!(whaleShare > 0 && whaleShare < 1)) throw new Error('whaleShare must be between 0 and 1');
  if (count === 1) return [1];
  const zipf = Array.from({ length: count - 1 }, (_, i) => 1 / (i + 1));
  const sum = zipf.reduce((total, w) => total + w, 0);
  return [whaleShare, ...zipf.map((w) => ((1 - whaleShare) * w) / sum)];
}

/** Tenant sizes from tenantWeights; agents differ in share, skill and direction (from the tenant's number, not the seed). */
function generatorTenants(tenants: readonly ScaleTenant[], calls: number, whaleShare: number): GeneratorTenant[] {
  const weights = tenantWeights(Math.max(...tenants.map((tenant) => tenant.n)), whaleShare);
  return tenants.map((tenant) => {
    const random = createRandom(104_729 + tenant.n);
    const weight = weights[tenant.n - 1] ?? 0;
    return {
      userId: tenant.id,
      timezone: tenant.timezone,
      weight,
      contacts: Math.max(20, Math.ceil(calls * weight * 0.35)),
      business: `scale-tenant-${tenant.n}`,
      product: PRODUCTS[tenant.n % PRODUCTS.length] ?? 'our services',
      agents: tenant.agents.map((agent) => ({
        id: agent.id,
        name: agent.persona,
        provider: agent.provider,
        weight: 0.5 + random(),
        skill: (random() - 0.5) * 0.1,
        outboundShare: 0.3 + 0.65 * random(),
      })),
    };
  });
}

interface Group {
  tenants: GeneratorTenant[];
  weight: number;
  calls: number;
  firstIndex: number;
}

/**
 * Greedy split into `count` groups of similar volume; calls and index ranges follow the weights.
 * Tenants stay whole (each group has its own tenants): with 2 groups and a whale of up to half the
 * calls, the whale's group gets the whale and the other group the rest, so the two stay even; with
 * more groups than 1 / whaleShare, the whale's group is the largest.
 */
function splitGroups(tenants: readonly GeneratorTenant[], count: number, calls: number, firstIndex: number): Group[] {
  const groups: Group[] = Array.from({ length: Math.max(1, Math.min(count, tenants.length)) }, () => ({
    tenants: [],
    weight: 0,
    calls: 0,
    firstIndex: 0,
  }));
  for (const tenant of [...tenants].sort((a, b) => b.weight - a.weight)) {
    const lightest = groups.reduce((min, group) => (group.weight < min.weight ? group : min));
    lightest.tenants.push(tenant);
    lightest.weight += tenant.weight;
  }
  const total = groups.reduce((sum, group) => sum + group.weight, 0);
  let assigned = 0;
  groups.forEach((group, i) => {
    group.calls = i === groups.length - 1 ? calls - assigned : Math.round((calls * group.weight) / total);
    group.firstIndex = firstIndex + assigned;
    assigned += group.calls;
  });
  return groups.filter((group) => group.calls > 0);
}

/** Like Promise.all, but reports the first failure only once every promise has settled (no connection is still busy). */
async function allOrFirstError<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

async function withSession<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    // A bulk load: a crash loses at most the last chunks, which a re-run replaces anyway.
    await client.query(`set synchronous_commit = off; set work_mem = '64MB'`);
    return await fn(client);
  } finally {
    await client.query('reset synchronous_commit; reset work_mem').catch(() => {});
    client.release();
  }
}

export async function loadScaleData(pool: pg.Pool, options: ScaleOptions): Promise<ScaleResult> {
  const started = performance.now();
  const { calls, tenants = 200, agentsPerTenant = 5, days = 365, seed = 1, analysesRatio = 0.5, whaleShare = 0.3 } = options;
  const whaleAgents = options.whaleAgents ?? Math.max(20, agentsPerTenant);
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error('tenants must be a positive integer');
  if (!Number.isInteger(agentsPerTenant) || agentsPerTenant < 1) throw new Error('agentsPerTenant must be a positive integer');
  // At most 99: phone lines are numbered tenant * 100 + agent.
  if (!Number.isInteger(whaleAgents) || whaleAgents < agentsPerTenant || whaleAgents > 99) throw new Error('whaleAgents must be an integer from agentsPerTenant to 99');

  const { scaleTenants, firstIndex } = await withSession(pool, async (client) => {
    const scaleTenants = await ensureScaleTenants(client, tenants, agentsPerTenant, whaleAgents);
    // Earlier runs used indexes 0..count-1: continue after them (fresh databases get identical data per seed).
    const { rows } = await client.query<{ n: string }>('select count(*) as n from app_public.calls where user_id = any ($1::uuid[])', [
      scaleTenants.map((tenant) => tenant.id),
    ]);
    return { scaleTenants, firstIndex: Number(rows[0]?.n ?? 0) };
  });
  const tenantIds = scaleTenants.map((tenant) => tenant.id);
  const agentIds = scaleTenants.flatMap((tenant) => tenant.agents.map((agent) => agent.id));

  const groups = splitGroups(generatorTenants(scaleTenants, calls, whaleShare), options.parallel ?? 2, calls, firstIndex);
  const nonce = newNonce();
  const end = options.end ?? new Date();
  const done = groups.map(() => 0);
  const timings: Record<string, number> = {};
  const results = await allOrFirstError(
    groups.map((group, i) =>
      withSession(pool, (client) =>
        generateCalls(client, group.tenants, {
          calls: group.calls,
          days,
          seed,
          end,
          firstIndex: group.firstIndex,
          analysesRatio,
          transcripts: false,
          growth: 0.6,
          chunkSize: options.chunkSize,
          nonce,
          commitEachChunk: true,
          onProgress: (n) => {
            done[i] = n;
            options.onProgress?.(done.reduce((sum, d) => sum + d, 0), calls);
          },
        }),
      ),
    ),
  );
  for (const result of results) {
    for (const [step, seconds] of Object.entries(result.timings)) timings[`insert.${step}`] = (timings[`insert.${step}`] ?? 0) + seconds;
  }

  const loaded = performance.now();
  // The settle sequence (app_hidden.settle), with compaction beside the rest (complete analyses,
  // contacts, ledger): they share no rows. Then the KPI view.
  const settle = async (client: pg.PoolClient, steps: readonly SettleStep[]): Promise<void> => {
    const settled = await settleLoad(client, steps);
    for (const [step, seconds] of Object.entries(settled.timings)) timings[step] = (timings[step] ?? 0) + seconds;
  };
  await allOrFirstError<unknown>([
    withSession(pool, (client) => settle(client, ['compact'])),
    withSession(pool, async (client) => {
      await timed(timings, 'completeAnalyses', () => insertCompleteAnalyses(client, tenantIds));
      await settle(client, ['contacts', 'post']);
    }),
  ]);
  await withSession(pool, (client) => settle(client, ['refresh']));
  const finished = performance.now();
  return {
    tenantIds,
    agentIds,
    calls: results.reduce((sum, result) => sum + result.calls, 0),
    seconds: (finished - started) / 1000,
    loadSeconds: (loaded - started) / 1000,
    settleSeconds: (finished - loaded) / 1000,
    timings,
  };
}
