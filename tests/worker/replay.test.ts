/**
 * webhooks__replay through the real worker: a stored delivery that could not
 * be applied (unknown agent) is applied once the agent exists; replaying an
 * applied delivery changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { createAgent, createTenant } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { count, waitFor } from './support.ts';

let db: TestDatabase;
let worker: WorkerHandle | undefined;

async function runReplay(): Promise<void> {
  await db.pool.query(`select graphile_worker.add_job('webhooks__replay', '{}'::json, queue_name := 'webhooks__replay', job_key := 'webhooks__replay')`);
  const result = await waitFor('webhooks__replay to finish', async () => {
    const { rows } = await db.pool.query<{ last_error: string | null }>(`select last_error from graphile_worker.jobs where key = 'webhooks__replay'`);
    return rows.length === 0 ? 'done' : rows[0]?.last_error ? `failed: ${rows[0].last_error}` : null;
  });
  expect(result).toBe('done');
}

beforeAll(async () => {
  db = await createTestDatabase();
  worker = await startWorker({ connectionString: db.connectionString, concurrency: 1, cron: false, pollInterval: 50, openai: null, sms: null });
});

afterAll(async () => {
  await worker?.stop();
  await db?.drop();
});

describe('webhooks__replay', () => {
  it('applies a failed delivery once its agent exists, and nothing more on the next run', async () => {
    const tenant = await createTenant(db.pool);
    const payload = {
      id: 'exec-replay-1',
      agent_id: 'bolna-agent-replay',
      status: 'completed',
      created_at: new Date(Date.now() - 120_000).toISOString(),
      updated_at: new Date(Date.now() - 60_000).toISOString(),
      conversation_duration: 42,
      telephony_data: { to_number: '+15554440001', call_type: 'outbound' },
    };
    const { rows } = await db.pool.query<{ status: string; error_code: string }>(
      `select status, error_code from app_hidden.ingest_webhook('bolna', $1, $2, $3::jsonb)`,
      [tenant.id, `${payload.id}:${payload.status}:${payload.updated_at}`, JSON.stringify(payload)],
    );
    expect(rows).toEqual([{ status: 'failed', error_code: 'SB108' }]);

    await createAgent(db.pool, tenant.id, { providerAgentId: 'bolna-agent-replay' });
    await runReplay();
    const { rows: events } = await db.pool.query<{ status: string; attempts: number; error: string | null }>(
      'select status, attempts, error from app_private.webhook_events',
    );
    expect(events).toEqual([{ status: 'processed', attempts: 2, error: null }]);
    expect(await count(db.pool, `select count(*) from app_public.calls where user_id = $1 and status = 'completed' and duration_seconds = 42`, [tenant.id])).toBe(1);

    await runReplay();
    expect(await count(db.pool, 'select attempts from app_private.webhook_events')).toBe(2);
    expect(await count(db.pool, 'select count(*) from app_public.calls where user_id = $1', [tenant.id])).toBe(1);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});
