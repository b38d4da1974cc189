/**
 * Re-scoring runs through the real worker and the real `openai` client against
 * the local fake: the run analyses every call with the tenant's new prompt,
 * shows its progress, keeps the KPIs on the old version until the last call is
 * done and then switches them in one transaction. A reader (and a compactor)
 * running concurrently the whole time sees only the old figures, then only
 * the new, never a mix. A run that keeps failing ends failed, a cancelled run
 * ends cancelled, and in both the KPIs never move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, withClient, type TestDatabase } from '../helpers/db.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { tenantToday } from '../helpers/fixtures.ts';
import { analysisWithScore, readFigures, seedRescorable, startRun, type Figures, type RescorableTenant } from '../helpers/rescoring.ts';
import { compactRollups, verifyRollups } from '../helpers/rollups.ts';
import { waitFor } from './support.ts';

let db: TestDatabase;
let openai: FakeOpenAI;
let worker: WorkerHandle | undefined;

async function rescorable(calls: number): Promise<RescorableTenant & { from: string; to: string }> {
  const t = await seedRescorable(db.pool, { calls, days: 3 });
  await db.pool.query(`update app_public.users set analysis_prompt_individual = 'Re-score strictly: only a booked demo is hot.' where id = $1`, [t.userId]);
  const to = await tenantToday(db.pool, t.timezone);
  const { rows } = await db.pool.query<{ from: string }>(`select ($1::date - 2)::text as from`, [to]);
  return { ...t, from: rows[0]!.from, to };
}

async function runRow(id: string): Promise<{ status: string; calls_done: number; calls_total: number; calls_applied: number | null; error: string | null; model: string | null; prompt_version: string | null }> {
  const { rows } = await db.pool.query('select status, calls_done, calls_total, calls_applied, error, model, prompt_version from app_public.rescoring_runs where id = $1', [id]);
  return rows[0];
}

async function jobGone(id: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from graphile_worker.jobs where key = $1', [`rescoring_runs__process:${id}`]);
  return rows[0]?.n === 0;
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

beforeAll(async () => {
  db = await createTestDatabase();
  openai = await startFakeOpenAI();
  worker = await startWorker({
    connectionString: db.connectionString,
    concurrency: 2,
    cron: false,
    pollInterval: 50,
    openai: { apiKey: 'test-key', baseURL: openai.baseURL, model: 'fake-model', timeoutMs: 5000 },
    sms: null,
  });
});

afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await db?.drop();
});

describe('a re-scoring run', () => {
  it('switches the KPIs atomically: concurrent readers see the old figures, then the new, never a mix', async () => {
    // 10 calls scored 30..75 (5 qualified? no: 60, 65, 70, 75 are); the new version scores every call 90.
    const t = await rescorable(10);
    const before = await readFigures(db.pool, t.userId, t.from, t.to);
    expect(before).toMatchObject({ leads: 10, qualified_leads: 4 });
    const first = gate();
    const second = gate();
    const before10 = openai.requests.length;
    openai.script(
      ...Array.from({ length: 8 }, () => ({ kind: 'held' as const, until: first.promise, analysis: analysisWithScore(90) })),
      ...Array.from({ length: 2 }, () => ({ kind: 'held' as const, until: second.promise, analysis: analysisWithScore(90) })),
    );

    // A reader and a compactor, each on its own connection, for the whole run.
    const seen: Figures[] = [];
    let stop = false;
    const reader = withClient(db.pool, async (client) => {
      while (!stop) seen.push(await readFigures(client, t.userId, t.from, t.to));
    });
    const compactor = withClient(db.pool, async (client) => {
      while (!stop) await compactRollups(client, 3);
    });
    try {
      const run = await startRun(db.pool, t.userId, t.from, t.to);
      expect(run.calls_total).toBe(10);
      await openai.waitForRequests(before10 + 8);
      first.open();
      await waitFor('the first batch stored', async () => (await runRow(run.id)).calls_done === 8);
      // Progress is visible, the new versions exist, and the KPIs still hold the old version.
      expect(await runRow(run.id)).toMatchObject({ status: 'running', calls_done: 8, calls_total: 10, model: 'fake-model', prompt_version: 'tenant-v2' });
      expect(await readFigures(db.pool, t.userId, t.from, t.to)).toEqual(before);
      const seenBeforeSwitch = seen.length;
      await openai.waitForRequests(before10 + 10);
      second.open();
      await waitFor('the run to complete', async () => (await runRow(run.id)).status === 'completed' && (await jobGone(run.id)));
      const reads = seen.length;
      await waitFor('a few reads after the switch', async () => seen.length > reads + 5);
      stop = true;
      await Promise.all([reader, compactor]);

      const after = await readFigures(db.pool, t.userId, t.from, t.to);
      expect(after).toMatchObject({ leads: 10, qualified_leads: 10, hot_leads: 10, average_lead_score: '90.00' });
      expect(seenBeforeSwitch).toBeGreaterThan(0);
      // Every read is exactly the old or the new figures, and once new, never old again.
      const kinds = seen.map((f) => (JSON.stringify(f) === JSON.stringify(before) ? 'old' : JSON.stringify(f) === JSON.stringify(after) ? 'new' : `mixed ${JSON.stringify(f)}`));
      expect(kinds.filter((k) => k.startsWith('mixed'))).toEqual([]);
      expect(kinds.indexOf('new')).toBeGreaterThan(0);
      expect(kinds.slice(kinds.indexOf('new')).every((k) => k === 'new')).toBe(true);

      // The requests went through the real client with the tenant's new prompt.
      const mine = openai.requests.slice(before10);
      expect(mine).toHaveLength(10);
      expect(mine.every((r) => r.kind === 'individual' && r.body.messages?.some((m) => m.content.includes('only a booked demo is hot')))).toBe(true);
      expect(await runRow(run.id)).toMatchObject({ status: 'completed', calls_done: 10, calls_applied: 10 });
      expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
      await compactRollups(db.pool);
      expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
    } finally {
      stop = true;
      first.open();
      second.open();
      await Promise.allSettled([reader, compactor]);
    }
  });

  it('ends failed after its last attempt when the model keeps answering off-schema, and nothing switches', async () => {
    const t = await rescorable(2);
    const before = await readFigures(db.pool, t.userId, t.from, t.to);
    openai.script(...Array.from({ length: 4 }, () => ({ kind: 'content' as const, content: '{"intent_score": "very high"}' })));
    const runId = await withClient(db.pool, async (client) => {
      await client.query('begin');
      await client.query(`select set_config('role', 'app_owner', true), set_config('jwt.claims.user_id', $1, true)`, [t.userId]);
      const { rows } = await client.query<{ id: string }>('select id from app_public.start_rescoring($1, $2)', [t.from, t.to]);
      await client.query('reset role');
      // Two attempts instead of five, set before any worker can see the job.
      await client.query('update graphile_worker._private_jobs set max_attempts = 2 where key = $1', [`rescoring_runs__process:${rows[0]!.id}`]);
      await client.query('commit');
      return rows[0]!.id;
    });
    await waitFor('the run to fail', async () => {
      await db.pool.query(`update graphile_worker._private_jobs set run_at = now() where key = $1 and run_at > now()`, [`rescoring_runs__process:${runId}`]);
      return (await runRow(runId)).status === 'failed';
    });
    const run = await runRow(runId);
    expect(run.error).toMatch(/does not match the schema/);
    expect(run.calls_applied).toBeNull();
    expect(await readFigures(db.pool, t.userId, t.from, t.to)).toEqual(before);
    expect(await verifyRollups(db.pool, t.userId)).toEqual([]);
    // A failed run frees the tenant for a new one.
    const { rows } = await db.pool.query(`select count(*)::int as n from app_public.rescoring_runs where user_id = $1 and status in ('queued', 'running')`, [t.userId]);
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('stops when cancelled while calls are being analysed, and nothing switches', async () => {
    const t = await rescorable(3);
    const before = await readFigures(db.pool, t.userId, t.from, t.to);
    const held = gate();
    const start = openai.requests.length;
    openai.script(...Array.from({ length: 3 }, () => ({ kind: 'held' as const, until: held.promise, analysis: analysisWithScore(95) })));
    const run = await startRun(db.pool, t.userId, t.from, t.to);
    await openai.waitForRequests(start + 3);
    await withClient(db.pool, async (client) => {
      await client.query('begin');
      await client.query(`select set_config('role', 'app_owner', true), set_config('jwt.claims.user_id', $1, true)`, [t.userId]);
      await client.query('select app_public.cancel_rescoring($1)', [run.id]);
      await client.query('commit');
    });
    held.open();
    await waitFor('the job to end', () => jobGone(run.id));
    expect(await runRow(run.id)).toMatchObject({ status: 'cancelled', calls_done: 0, calls_applied: null });
    expect(await readFigures(db.pool, t.userId, t.from, t.to)).toEqual(before);
    const { rows } = await db.pool.query('select count(*)::int as n from app_public.analysis_versions where run_id = $1', [run.id]);
    expect(rows[0]).toEqual({ n: 0 });
  });
});
