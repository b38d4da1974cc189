/**
 * How the hourly rollups' storage holds up under compaction (issue 18, item 6).
 *
 * Loads calls through the real triggers the way they arrive in production: time moves forward in
 * steps (default 20 simulated minutes), every step each tenant's calls of that window are inserted
 * and app_hidden.compact_rollups() runs, so an hourly rollup row is updated several times while its
 * hour is current (as the one-second compactor does), with a skewed tenant mix (tenant 1 the largest).
 * Then, after a VACUUM (what autovacuum leaves), it reports per rollup table: heap and index pages,
 * rows per page, the share of HOT updates, the index pages and heap pages that hold the largest
 * tenant's rows, and EXPLAIN (ANALYZE, BUFFERS) of the dashboard's hour x weekday matrix
 * (app_hidden.hour_cells) of that tenant and of one of its agents over the last 30 days.
 *
 *   npm run bench:rollup-index                  (defaults: 20 tenants, 30 days, 20-minute steps)
 *   npm run bench:rollup-index -- --days 60 --tenants 40 --step-minutes 10 --calls-per-hour 40
 *
 * Runs on a throwaway embedded cluster (or BENCH_DATABASE_URL), like the bench; prints JSON.
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { startBenchServer } from './cluster.ts';
import { createIngestFixture } from './ingest/fixture.ts';
import { log } from './log.ts';
import { compactAll } from './maintenance.ts';

const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '20' },
    days: { type: 'string', default: '30' },
    'step-minutes': { type: 'string', default: '20' },
    /** Calls per hour of the largest tenant; tenant i gets about 1/i of it (at least 1 per step sometimes). */
    'calls-per-hour': { type: 'string', default: '60' },
  },
});
const tenantCount = Number(values.tenants);
const days = Number(values.days);
const stepMinutes = Number(values['step-minutes']);
const callsPerHour = Number(values['calls-per-hour']);

type Queryable = Pick<pg.Pool, 'query'>;

/** Inserts every tenant's calls of one window [from, from + step) (set-based, through the triggers). */
async function insertWindow(db: Queryable, tenantIds: readonly string[], from: Date, step: number): Promise<void> {
  const perStep = callsPerHour * (stepMinutes / 60);
  // tenant i (1-based) gets perStep / i calls on average; the fraction is drawn per step
  const counts = tenantIds.map((_, i) => {
    const mean = perStep / (i + 1);
    return Math.floor(mean) + (Math.random() < mean - Math.floor(mean) ? 1 : 0);
  });
  await db.query(
    `insert into app_public.calls (user_id, agent_id, provider, provider_call_id, phone_number, direction, call_source,
                                   status, answered_by_voicemail, started_at, answered_at, ended_at, duration_seconds, cost_cents)
     select t.id, (select a.id from app_public.agents a where a.user_id = t.id order by a.provider_agent_id
                    offset (g.n % 3) limit 1),
            'bolna', format('rix-%s-%s-%s', $4::int, t.ord, g.n),
            format('+1555%s', lpad(floor(random() * 500)::int::text, 7, '0')),
            case when random() < 0.8 then 'outbound' else 'inbound' end, 'phone',
            x.status, false, x.started, case when x.status = 'completed' then x.started end,
            x.started + make_interval(secs => x.dur), x.dur, x.dur * 0.15
       from unnest($1::uuid[], $2::int[]) with ordinality as t(id, n, ord)
      cross join lateral generate_series(1, t.n) as g(n)
      cross join lateral (
        select case when r < 0.6 then 'completed' when r < 0.8 then 'no_answer' when r < 0.92 then 'busy' else 'failed' end as status,
               case when r < 0.6 then 10 + floor(random() * 600)::int else 0 end as dur,
               $3::timestamptz + random() * make_interval(mins => $5::int) as started
          from (select random() + g.n * 0 as r) r) x`,
    [tenantIds, counts, from.toISOString(), step, stepMinutes],
  );
}

interface TableFigures {
  table: string;
  rows: number;
  heapPages: number;
  indexes: { name: string; pages: number; leafDensityPercent: number | null }[];
  hotUpdatePercent: number;
  largestTenant: { rows: number; heapPages: number; indexPages: Record<string, number> };
}

async function tableFigures(db: Queryable, table: string, tenantId: string, hasPgstattuple: boolean): Promise<TableFigures> {
  const relation = `app_public.${table}`;
  const size = await db.query<{ rows: string; heap_pages: string; hot: string | null }>(
    `select (select count(*) from ${relation}) as rows,
            pg_relation_size($1::regclass) / current_setting('block_size')::int as heap_pages,
            (select round(100.0 * n_tup_hot_upd / nullif(n_tup_upd, 0), 1) from pg_stat_user_tables where relid = $1::regclass) as hot`,
    [relation],
  );
  const indexRows = await db.query<{ name: string; pages: string }>(
    `select i.indexrelid::regclass::text as name, pg_relation_size(i.indexrelid) / current_setting('block_size')::int as pages
       from pg_index i where i.indrelid = $1::regclass order by 1`,
    [relation],
  );
  const indexes: TableFigures['indexes'] = [];
  const indexPages: Record<string, number> = {};
  for (const row of indexRows.rows) {
    let density: number | null = null;
    if (hasPgstattuple) {
      const stat = await db.query<{ d: number }>('select avg_leaf_density as d from pgstatindex($1::regclass)', [row.name]);
      density = Number(stat.rows[0]?.d);
    }
    indexes.push({ name: row.name, pages: Number(row.pages), leafDensityPercent: density });
    indexPages[row.name] = await tenantIndexPages(db, row.name, tenantId);
  }
  const tenant = await db.query<{ rows: string; pages: string }>(
    `select count(*) as rows, count(distinct (ctid::text::point)[0]) as pages from ${relation} where user_id = $1`,
    [tenantId],
  );
  return {
    table,
    rows: Number(size.rows[0]?.rows),
    heapPages: Number(size.rows[0]?.heap_pages),
    indexes,
    hotUpdatePercent: Number(size.rows[0]?.hot ?? 0),
    largestTenant: { rows: Number(tenant.rows[0]?.rows), heapPages: Number(tenant.rows[0]?.pages), indexPages },
  };
}

/**
 * Leaf pages of `index` holding entries of the tenant (its user_id, or one of its agents for an
 * index led by agent_id), read with pageinspect: what one tenant's rows cost in that index.
 */
async function tenantIndexPages(db: Queryable, index: string, tenantId: string): Promise<number> {
  const { rows } = await db.query<{ pages: string }>(
    `with lead as (
       select a.attname from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
        where i.indexrelid = $1::regclass
     ), ids as (
       select $2::uuid as id from lead where attname = 'user_id'
       union all
       select g.id from app_public.agents g, lead where lead.attname = 'agent_id' and g.user_id = $2::uuid
     ), prefixes as (
       -- bt_page_items shows a tuple's bytes as space-separated hex; a uuid key starts it
       select regexp_replace(replace(id::text, '-', ''), '(..)(?!$)', '\\1 ', 'g') || '%' as prefix from ids
     )
     select count(distinct s.blkno) as pages
       from bt_multi_page_stats($1::text, 1, -1) s
      cross join lateral bt_page_items($1::text, s.blkno) i
      where s.type = 'l' and i.data like any (array(select prefix from prefixes))`,
    [index, tenantId],
  );
  return Number(rows[0]?.pages ?? 0);
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Heap Fetches'?: number;
  Plans?: PlanNode[];
}

function walk(node: PlanNode, visit: (node: PlanNode) => void): void {
  visit(node);
  for (const child of node.Plans ?? []) walk(child, visit);
}

async function explain(db: Queryable, sql: string, disable: readonly string[] = []): Promise<PlanNode> {
  const client = await (db as pg.Pool).connect();
  try {
    await client.query('begin');
    for (const setting of disable) await client.query(`set local ${setting} = off`);
    const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`explain (analyze, buffers, format json) ${sql}`);
    await client.query('rollback');
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (!plan) throw new Error('no plan');
    return plan;
  } finally {
    client.release();
  }
}

/** The matrix read's scans of the rollup tables: node type, index, buffers, heap fetches. */
function describeScans(plan: PlanNode, table: string): { scan: string; buffers: number; heapFetches: number }[] {
  const scans: { scan: string; buffers: number; heapFetches: number }[] = [];
  walk(plan, (node) => {
    if (node['Relation Name'] === table) {
      scans.push({
        scan: `${node['Node Type']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`,
        buffers: (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0),
        heapFetches: node['Heap Fetches'] ?? 0,
      });
    }
  });
  return scans;
}

async function main(): Promise<void> {
  const server = await startBenchServer();
  const db = await server.createDatabase('rollup_index');
  try {
    const fixture = await createIngestFixture(db.pool, { tenants: tenantCount, agentsPerTenant: 3, contactsPerTenant: 10 });
    // largest tenant first: in UTC so its local days are the simulated ones
    const tenantIds = fixture.tenants.map((tenant) => tenant.id);
    const start = new Date(Date.now() - days * 86_400_000);
    start.setUTCMinutes(0, 0, 0);
    const steps = Math.floor((days * 24 * 60) / stepMinutes);
    const began = Date.now();
    for (let step = 0; step < steps; step += 1) {
      await insertWindow(db.pool, tenantIds, new Date(start.getTime() + step * stepMinutes * 60_000), step);
      await compactAll(db.pool);
      if (step % 500 === 499) log.info(`step ${step + 1} / ${steps} (${Math.round((Date.now() - began) / 1000)} s)`);
    }
    await db.pool.query('vacuum analyze');
    const hasPgstattuple = await db.pool
      .query('create extension if not exists pgstattuple')
      .then(() => true, () => false);
    await db.pool.query('create extension if not exists pageinspect');
    const whale = tenantIds[0];
    if (!whale) throw new Error('no tenant');
    const agent = (await db.pool.query<{ id: string }>(
      `select agent_id as id from app_public.calls where user_id = $1 group by 1 order by count(*) desc limit 1`, [whale],
    )).rows[0]?.id;
    const calls = (await db.pool.query<{ n: string }>('select count(*) as n from app_public.calls')).rows[0]?.n;
    const tables = [];
    for (const table of ['user_hourly_analytics', 'agent_hourly_analytics', 'user_analytics', 'agent_analytics']) {
      tables.push(await tableFigures(db.pool, table, whale, hasPgstattuple));
    }
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - 29 * 86_400_000).toISOString().slice(0, 10);
    const tenantPlan = await explain(db.pool, `select * from app_hidden.hour_cells('${whale}', '${from}', '${to}')`);
    const agentPlan = await explain(db.pool, `select * from app_hidden.hour_cells('${whale}', '${from}', '${to}', '${agent}')`);
    const verify = (await db.pool.query<{ n: string }>(
      `select count(*) as n from app_public.users u, app_hidden.verify_rollups(u.id)`,
    )).rows[0]?.n;
    const result = {
      options: { tenants: tenantCount, days, stepMinutes, callsPerHour, compactionRounds: steps },
      calls: Number(calls),
      loadSeconds: Math.round((Date.now() - began) / 1000),
      tables,
      matrixRead: {
        tenant: { executionMs: (tenantPlan as unknown as { 'Actual Total Time': number })['Actual Total Time'], scans: describeScans(tenantPlan, 'user_hourly_analytics') },
        agent: { executionMs: (agentPlan as unknown as { 'Actual Total Time': number })['Actual Total Time'], scans: describeScans(agentPlan, 'agent_hourly_analytics') },
      },
      verifyRollupsDifferences: Number(verify),
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.drop();
    await server.stop();
  }
}

await main();
