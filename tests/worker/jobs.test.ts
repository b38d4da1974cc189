/**
 * The real worker (startWorker: our task list, the compaction/posting tick, no
 * cron) against a test database: each job's effect is awaited by polling with a
 * deadline, never by sleeping a fixed time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCrontab, type ParsedCronItem } from 'graphile-worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crontab } from '../../worker/crontab.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { addCalls, seedTenant, type Tenant } from '../helpers/tenants.ts';

const DEADLINE_MS = 30_000;

let db: TestDatabase;
let worker: WorkerHandle | undefined;
let tenant: Tenant;

/** Polls `probe` until it returns something truthy, or fails after the deadline. */
async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${DEADLINE_MS} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** The single value of a one-row, one-column query. */
async function scalar(sql: string, params: unknown[] = []): Promise<unknown> {
  const { rows } = await db.pool.query<unknown[]>({ text: sql, values: params, rowMode: 'array' });
  const row = rows[0];
  if (!row) throw new Error(`no row from: ${sql}`);
  return row[0];
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number(await scalar(sql, params));
}

beforeAll(async () => {
  db = await createTestDatabase();
  // A tenant without calls yet: the tests add them while the worker runs.
  tenant = await withClient(db.pool, (client) =>
    inTransaction(client, () => seedTenant(client, { tag: 1, name: 'Worker tenant', calls: 0 }), { commit: true }),
  );
  worker = await startWorker({
    connectionString: db.connectionString,
    concurrency: 2,
    cron: false,
    pollInterval: 100,
    compactIntervalMs: 100,
    openai: null,
    sms: null,
  });
});

afterAll(async () => {
  await worker?.stop();
  await db?.drop();
});

describe('worker jobs', () => {
  it('compacts pending deltas on its tick, logs the run and queues a debounced kpi__refresh', async () => {
    const pending = await withClient(db.pool, (client) =>
      inTransaction(
        client,
        async () => {
          await addCalls(client, tenant, 6);
          // Their transcripts queued calls__analyze (tests/worker/analysis.test.ts covers it); its
          // analyses would add deltas of their own after the count below.
          await client.query(`select graphile_worker.remove_job(key) from graphile_worker.jobs where task_identifier = 'calls__analyze'`);
          const { rows } = await client.query<{ n: string }>('select count(*) as n from app_hidden.rollup_deltas');
          return Number(rows[0]?.n);
        },
        { commit: true },
      ),
    );
    expect(pending).toBeGreaterThan(0);

    await waitFor('the deltas to be compacted', async () => (await count('select count(*) from app_hidden.rollup_deltas')) === 0);
    expect(await count('select coalesce(sum(delta_rows), 0) from app_private.rollup_compaction_log')).toBe(pending);
    expect(await count('select sum(calls) from app_public.user_analytics where user_id = $1', [tenant.userId])).toBe(6);
    expect(await count('select sum(calls) from app_public.agent_analytics where user_id = $1', [tenant.userId])).toBe(6);
    expect(await count('select sum(calls) from app_public.user_hourly_analytics where user_id = $1', [tenant.userId])).toBe(6);

    // The refresh waits 5 s after the first compaction that moved rows (debounce), so it is still queued.
    const { rows: jobs } = await db.pool.query<{ task_identifier: string; delay: string }>(
      `select j.task_identifier, extract(epoch from j.run_at - l.first)::text as delay
         from graphile_worker.jobs j, (select min(compacted_at) as first from app_private.rollup_compaction_log) l
        where j.key = 'kpi__refresh'`,
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.task_identifier).toBe('kpi__refresh');
    expect(Number(jobs[0]?.delay)).toBe(5);
  });

  it('kpi__refresh, when it runs, logs the refresh and the materialized view shows the new calls', async () => {
    const calls = await waitFor('the KPI summary to be refreshed', async () => {
      const { rows } = await db.pool.query<{ calls: string; refreshes: string }>(
        `select s.calls_lifetime as calls,
                (select count(*) from app_private.mv_refresh_log where view_name = 'user_kpi_summary') as refreshes
           from app_hidden.user_kpi_summary s where s.user_id = $1`,
        [tenant.userId],
      );
      return rows[0] && Number(rows[0].refreshes) > 0 ? Number(rows[0].calls) : undefined;
    });
    expect(calls).toBe(6);
    // (No assertion on the queue: any later compaction legitimately queues the next debounced refresh.)
    expect(await scalar('select kpi_summary_refreshed_at from app_public.data_freshness()')).toBeInstanceOf(Date);
  });

  it('credits__post moves every call charge into the ledger, posts every ledger row in order and moves the balance', async () => {
    // The calls were charged (pending charges, or usage rows if the job already moved them).
    expect(await count(
      `select (select count(*) from app_hidden.credit_charges where user_id = $1)
            + (select count(*) from app_public.credit_transactions where user_id = $1 and type = 'usage')`,
      [tenant.userId],
    )).toBeGreaterThan(0);
    await waitFor('the charges to be moved and the ledger posted', async () =>
      (await count(
        `select (select count(*) from app_hidden.credit_charges where user_id = $1)
              + (select count(*) from app_public.credit_transactions where user_id = $1 and posted_at is null)`,
        [tenant.userId],
      )) === 0,
    );
    expect(await count(`select count(*) from app_public.credit_transactions where user_id = $1 and type = 'usage'`, [tenant.userId])).toBeGreaterThan(0);
    expect(await count(
      `select -coalesce(sum(amount), 0) from app_public.credit_transactions where user_id = $1 and type in ('usage', 'refund')`,
      [tenant.userId],
    )).toBe(await count('select coalesce(sum(credits_used), 0) from app_public.calls where user_id = $1', [tenant.userId]));
    const { rows } = await db.pool.query<{ credits: number; total: number; last_balance: number }>(
      `select u.credits,
              (select sum(t.amount)::int from app_public.credit_transactions t where t.user_id = u.id) as total,
              (select t.balance_after from app_public.credit_transactions t where t.user_id = u.id
                order by t.posted_at desc, t.created_at desc, t.id desc limit 1) as last_balance
         from app_public.users u where u.id = $1`,
      [tenant.userId],
    );
    expect(rows[0]?.credits).toBe(rows[0]?.total);
    expect(rows[0]?.last_balance).toBe(rows[0]?.credits);
    // Each row's balance_after is the running total of the ledger in order.
    const { rows: ledger } = await db.pool.query<{ balance_after: number; running: number }>(
      `select balance_after, (sum(amount) over (order by created_at, id))::int as running
         from app_public.credit_transactions where user_id = $1 order by created_at, id`,
      [tenant.userId],
    );
    expect(ledger.length).toBeGreaterThan(2);
    expect(ledger.map((row) => row.balance_after)).toEqual(ledger.map((row) => row.running));
  });

  it('rollups__verify logs no difference, then the difference after a rollup row is corrupted', async () => {
    const runVerify = async (): Promise<{ differences: number; tenants: number; details: unknown }> => {
      const before = await count('select count(*) from app_private.rollup_verification_log');
      await db.pool.query(`select graphile_worker.add_job('rollups__verify', '{}'::json)`);
      return waitFor('a verification log row', async () => {
        const { rows } = await db.pool.query<{ differences: number; tenants: number; details: unknown }>(
          'select differences, tenants, details from app_private.rollup_verification_log order by id offset $1',
          [before],
        );
        return rows[0];
      });
    };

    expect(await runVerify()).toEqual({ differences: 0, tenants: 1, details: [] });

    await db.pool.query(
      `update app_public.user_analytics set calls = calls + 7
        where user_id = $1 and day = (select max(day) from app_public.user_analytics where user_id = $1)`,
      [tenant.userId],
    );
    const corrupted = await runVerify();
    expect(corrupted.differences).toBe(1);
    expect(corrupted.details).toEqual([
      expect.objectContaining({ user_id: tenant.userId, rollup: 'user_day', measure: 'calls' }),
    ]);
    const [detail] = corrupted.details as Array<{ expected: number; actual: number }>;
    expect((detail?.actual ?? 0) - (detail?.expected ?? 0)).toBe(7);
  });
});

describe('crontab', () => {
  const items: ParsedCronItem[] = parseCrontab(crontab);
  const item = (task: string): ParsedCronItem => {
    const found = items.find((candidate) => candidate.task === task);
    if (!found) throw new Error(`no crontab entry for ${task}`);
    return found;
  };
  const at = (hour: number, min: number): { min: number; hour: number; date: number; month: number; dow: number } => ({
    min,
    hour,
    date: 15,
    month: 6,
    dow: 3,
  });

  it('parses, with one keyed, serial entry per maintenance task', () => {
    expect(items.map((entry) => entry.task).sort()).toEqual([
      'contacts__sync',
      'credits__post',
      'kpi__refresh',
      'retention__run',
      'rollups__compact',
      'rollups__verify',
      'usage__alerts',
      'webhooks__replay',
    ]);
    for (const entry of items) {
      expect(entry.options).toMatchObject({ jobKey: entry.task, queueName: entry.task, maxAttempts: 3 });
    }
  });

  it('refreshes the KPI summary every 5 minutes', () => {
    const refresh = item('kpi__refresh');
    expect([0, 5, 10, 55].map((min) => refresh.match(at(13, min)))).toEqual([true, true, true, true]);
    expect([1, 3, 4, 59].map((min) => refresh.match(at(13, min)))).toEqual([false, false, false, false]);
  });

  it('verifies the rollups once a night', () => {
    const verify = item('rollups__verify');
    const matches = Array.from({ length: 24 * 60 }, (_, i) => verify.match(at(Math.floor(i / 60), i % 60)));
    expect(matches.filter(Boolean)).toHaveLength(1);
    expect(verify.match(at(3, 30))).toBe(true);
  });

  it('runs retention once a night, before the verification', () => {
    const retention = item('retention__run');
    const matches = Array.from({ length: 24 * 60 }, (_, i) => retention.match(at(Math.floor(i / 60), i % 60)));
    expect(matches.filter(Boolean)).toHaveLength(1);
    expect(retention.match(at(3, 0))).toBe(true);
  });

  it('compacts rollups, posts credits, syncs contacts, replays webhooks and checks usage alerts every minute', () => {
    for (const task of ['rollups__compact', 'credits__post', 'contacts__sync', 'webhooks__replay', 'usage__alerts']) {
      const entry = item(task);
      expect([0, 1, 17, 59].every((min) => entry.match(at(7, min)))).toBe(true);
    }
  });
});
