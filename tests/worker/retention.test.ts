/**
 * retention__run through the real worker: old calls purged in batches of 1000
 * (their transcripts and analyses with them) while the rollups keep their
 * history (verify_rollups stays empty thanks to purged_rollups), every batch
 * logged, recent data kept, a tenant's shorter override respected, and the
 * other data types cleaned up by their policies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, inTransaction, withClient, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createCalls, createTenant, phoneNumber, type CallInput } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { count, waitFor } from './support.ts';

const DAY = 86_400_000;
const daysAgo = (days: number): Date => new Date(Date.now() - days * DAY);

let db: TestDatabase;
let worker: WorkerHandle | undefined;
let big: string;
let short: string;

async function addCalls(userId: string, agentId: string, n: number, ageDays: number): Promise<string[]> {
  const inputs: CallInput[] = Array.from({ length: n }, (_, i) => ({
    userId,
    agentId,
    status: i % 3 === 2 ? 'no_answer' : 'completed',
    durationSeconds: i % 3 === 2 ? 0 : 30 + (i % 200),
    phoneNumber: phoneNumber(i % 50),
    startedAt: new Date(daysAgo(ageDays).getTime() - (i % 48) * 3_600_000),
  }));
  const calls = await createCalls(db.pool, inputs);
  return calls.map((call) => call.id);
}

/** Transcripts (their analysis jobs removed: this test is about retention) and qualified analyses for some calls. */
async function addTranscriptsAndAnalyses(userId: string, callIds: readonly string[]): Promise<void> {
  await withClient(db.pool, (client) =>
    inTransaction(
      client,
      async () => {
        await client.query(
          `insert into app_public.transcripts (user_id, call_id, content) select $1, id, 'user: hello' from unnest($2::uuid[]) id`,
          [userId, callIds],
        );
        await client.query(`select graphile_worker.remove_job('calls__analyze:' || id) from unnest($1::uuid[]) id`, [callIds]);
        await client.query(
          `insert into app_public.lead_analytics (user_id, analysis_type, call_id, total_score, lead_status_tag)
           select $1, 'individual', id, 80, 'hot' from unnest($2::uuid[]) id`,
          [userId, callIds],
        );
      },
      { commit: true },
    ),
  );
}

async function dailyStats(userId: string): Promise<unknown[]> {
  const { rows } = await db.pool.query('select * from app_public.tenant_daily_stats where user_id = $1 order by day', [userId]);
  return rows;
}

async function agentStats(userId: string): Promise<unknown[]> {
  const { rows } = await db.pool.query('select * from app_public.agent_daily_stats where user_id = $1 order by day, agent_id', [userId]);
  return rows;
}

async function runRetention(): Promise<void> {
  await db.pool.query(`select graphile_worker.add_job('retention__run', '{}'::json, queue_name := 'retention__run', job_key := 'retention__run')`);
  const result = await waitFor('retention__run to finish', async () => {
    const { rows } = await db.pool.query<{ last_error: string | null }>(`select last_error from graphile_worker.jobs where key = 'retention__run'`);
    return rows.length === 0 ? 'done' : rows[0]?.last_error ? `failed: ${rows[0].last_error}` : null;
  });
  expect(result).toBe('done');
}

beforeAll(async () => {
  db = await createTestDatabase();
  big = (await createTenant(db.pool, { name: 'Big tenant' })).id;
  short = (await createTenant(db.pool, { name: 'Short retention', timezone: 'Asia/Kolkata' })).id;
  const bigAgent = (await createAgent(db.pool, big)).id;
  const shortAgent = (await createAgent(db.pool, short)).id;

  const oldBig = await addCalls(big, bigAgent, 2500, 800);
  await addCalls(big, bigAgent, 40, 100); // within the default 730 days
  await addCalls(big, bigAgent, 30, 1);
  await addTranscriptsAndAnalyses(big, oldBig.slice(0, 300));

  await addCalls(short, shortAgent, 20, 800);
  const shortOld = await addCalls(short, shortAgent, 60, 45); // older than the tenant's 30 days
  await addCalls(short, shortAgent, 25, 10);
  await addTranscriptsAndAnalyses(short, shortOld.slice(0, 10));
  await db.pool.query(`insert into app_private.tenant_retention (user_id, data_type, retain_days) values ($1, 'calls', 30)`, [short]);

  // Other data types: one old and one recent row each (webhook_events: only applied ones are removed).
  await db.pool.query(
    `insert into app_private.webhook_events (provider, event_key, user_id, payload, status, received_at) values
       ('bolna', 'old-processed', $1, '{}', 'processed', now() - interval '40 days'),
       ('bolna', 'old-failed', $1, '{}', 'failed', now() - interval '40 days'),
       ('bolna', 'recent-processed', $1, '{}', 'processed', now() - interval '2 days')`,
    [big],
  );
  await db.pool.query(
    `insert into app_private.login_attempts (email, user_id, outcome, attempted_at) values
       ('a@example.com', $1, 'ok', now() - interval '100 days'), ('a@example.com', $1, 'ok', now() - interval '10 days')`,
    [big],
  );
  await db.pool.query(
    `insert into app_private.trigger_error_log (table_name, trigger_name, operation, error_message, occurred_at) values
       ('calls', 't', 'INSERT', 'old', now() - interval '40 days'), ('calls', 't', 'INSERT', 'recent', now() - interval '1 day')`,
  );
  await db.pool.query(
    `insert into app_private.audit_log (user_id, action, created_at) values
       ($1, 'old', now() - interval '400 days'), ($1, 'recent', now() - interval '10 days')`,
    [big],
  );
  worker = await startWorker({ connectionString: db.connectionString, concurrency: 1, cron: false, pollInterval: 50, openai: null, sms: null });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await db?.drop();
});

describe('retention__run', () => {
  it('purges old calls in batches, keeps recent ones and the KPI history, and logs each batch', async () => {
    const before = { big: await dailyStats(big), short: await dailyStats(short), bigAgents: await agentStats(big) };
    expect(await verifyRollups(db.pool, big)).toEqual([]);

    await runRetention();

    expect(await count(db.pool, 'select count(*) from app_public.calls where user_id = $1', [big])).toBe(70);
    expect(await count(db.pool, `select count(*) from app_public.calls where user_id = $1 and started_at < now() - interval '730 days'`, [big])).toBe(0);
    expect(await count(db.pool, `select count(*) from app_public.transcripts where user_id = $1`, [big])).toBe(0);
    expect(await count(db.pool, `select count(*) from app_public.lead_analytics where user_id = $1 and analysis_type = 'individual'`, [big])).toBe(0);
    // History stays: the live figures are unchanged, and they still verify against raw calls + purged history.
    expect(await dailyStats(big)).toEqual(before.big);
    expect(await agentStats(big)).toEqual(before.bigAgents);
    expect(await dailyStats(short)).toEqual(before.short);
    expect(await verifyRollups(db.pool, big)).toEqual([]);
    expect(await verifyRollups(db.pool, short)).toEqual([]);

    const { rows: batches } = await db.pool.query<{ rows_purged: number }>(
      `select rows_purged from app_private.retention_log where user_id = $1 and data_type = 'calls' order by id`,
      [big],
    );
    expect(batches.map((b) => b.rows_purged)).toEqual([1000, 1000, 500]);
  });

  it('respects a tenant’s shorter retention for calls', async () => {
    expect(await count(db.pool, 'select count(*) from app_public.calls where user_id = $1', [short])).toBe(25);
    expect(await count(db.pool, `select coalesce(sum(rows_purged), 0) from app_private.retention_log where user_id = $1 and data_type = 'calls'`, [short])).toBe(80);
    expect(await count(db.pool, `select count(*) from app_private.retention_log where user_id = $1 and data_type = 'calls' and cutoff > now() - interval '31 days'`, [short])).toBeGreaterThan(0);
  });

  it('removes old applied webhook deliveries, login attempts, trigger errors and audit rows, keeping the rest', async () => {
    const { rows } = await db.pool.query<{ event_key: string }>('select event_key from app_private.webhook_events order by event_key');
    expect(rows.map((row) => row.event_key)).toEqual(['old-failed', 'recent-processed']);
    expect(await count(db.pool, 'select count(*) from app_private.login_attempts')).toBe(1);
    expect(await count(db.pool, `select count(*) from app_private.trigger_error_log where error_message = 'old'`)).toBe(0);
    expect(await count(db.pool, `select count(*) from app_private.trigger_error_log where error_message = 'recent'`)).toBe(1);
    expect(await count(db.pool, `select count(*) from app_private.audit_log where action = 'old'`)).toBe(0);
    expect(await count(db.pool, `select count(*) from app_private.audit_log where action = 'recent'`)).toBe(1);
    const { rows: logged } = await db.pool.query<{ data_type: string; rows_purged: number }>(
      `select data_type, sum(rows_purged)::int as rows_purged from app_private.retention_log
        where data_type <> 'calls' group by data_type order by data_type`,
    );
    expect(logged).toEqual([
      { data_type: 'audit_log', rows_purged: 1 },
      { data_type: 'login_attempts', rows_purged: 1 },
      { data_type: 'trigger_errors', rows_purged: 1 },
      { data_type: 'webhook_events', rows_purged: 1 },
    ]);
  });

  it('a second run removes nothing more', async () => {
    const logRows = await count(db.pool, 'select count(*) from app_private.retention_log');
    await runRetention();
    expect(await count(db.pool, 'select count(*) from app_private.retention_log')).toBe(logRows);
  });
});
