/**
 * Crash safety: a worker process (`worker/main.ts`, as `npm run worker` runs
 * it) is SIGKILLed in the middle of calls__analyze, while its OpenAI request
 * hangs. Its job stays locked (graphile-worker would wait 4 hours); a new
 * worker finds the dead pool through its released advisory lock, unlocks the
 * job, and the job completes exactly once. While the first worker is alive,
 * its job is never taken from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { unlockDeadWorkers } from '../../worker/liveness.ts';
import { startWorker, type WorkerHandle } from '../../worker/runner.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai.ts';
import { createAgent, createTenant } from '../helpers/fixtures.ts';
import { verifyRollups } from '../helpers/rollups.ts';
import { analyzeJobKey, callWithTranscript, count, scalar, waitFor } from './support.ts';

let db: TestDatabase;
let openai: FakeOpenAI;
let child: ChildProcess | undefined;
let worker: WorkerHandle | undefined;
let output = '';

function startChildWorker(): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker/main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.connectionString,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MODEL: 'fake-model',
      OPENAI_TIMEOUT_MS: '600000',
      WORKER_CONCURRENCY: '1',
      COMPACT_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      TWILIO_ACCOUNT_SID: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return proc;
}

async function exited(proc: ChildProcess): Promise<NodeJS.Signals | number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.signalCode ?? proc.exitCode;
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve(signal ?? code)));
}

interface JobRow {
  locked_by: string | null;
  attempts: number;
}

async function job(callId: string): Promise<JobRow | undefined> {
  const { rows } = await db.pool.query<JobRow>('select locked_by, attempts from graphile_worker.jobs where key = $1', [analyzeJobKey(callId)]);
  return rows[0];
}

beforeAll(async () => {
  db = await createTestDatabase();
  openai = await startFakeOpenAI();
});

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited(child);
  }
  await worker?.stop();
  await openai?.close();
  await db?.drop();
});

describe('a worker killed in the middle of calls__analyze', () => {
  it('leaves the job to the next worker, which completes it exactly once', async () => {
    const tenant = await createTenant(db.pool);
    const agent = await createAgent(db.pool, tenant.id);
    openai.script({ kind: 'hang' });
    const callId = await callWithTranscript(db.pool, {
      userId: tenant.id,
      agentId: agent.id,
      phoneNumber: '+15553330001',
      transcript: 'assistant: Hello.\nuser: Interested, how much is it?',
    });

    child = startChildWorker();
    await waitFor('the child worker’s OpenAI request', async () => {
      if (child?.exitCode !== null) throw new Error(`the child worker exited early:\n${output}`);
      return openai.requests.length >= 1;
    }, 45_000);
    const locked = await job(callId);
    expect(locked?.locked_by).toMatch(/^pool-/);
    expect(await scalar(db.pool, 'select analysis_status from app_public.transcripts where call_id = $1', [callId])).toBe('processing');

    // Alive: its liveness lock is held, so even with no grace period its job is not taken away.
    expect(await unlockDeadWorkers(db.pool, { graceMs: 0 })).toEqual({ pools: [], jobs: 0 });
    expect((await job(callId))?.locked_by).toBe(locked?.locked_by);

    child.kill('SIGKILL');
    expect(await exited(child)).toBe('SIGKILL');
    expect((await job(callId))?.locked_by).toBe(locked?.locked_by); // graphile-worker alone would keep it 4 hours

    worker = await startWorker({
      connectionString: db.connectionString,
      concurrency: 1,
      cron: false,
      pollInterval: 50,
      openai: { apiKey: 'test-key', baseURL: openai.baseURL, model: 'fake-model', timeoutMs: 5000 },
      sms: null,
      deadWorkers: { graceMs: 300, intervalMs: 100 },
    });
    await waitFor('the job to complete', async () => (await job(callId)) === undefined);

    expect(await count(db.pool, `select count(*) from app_public.lead_analytics where call_id = $1 and analysis_type = 'individual'`, [callId])).toBe(1);
    expect(await count(db.pool, `select count(*) from app_public.lead_analytics where user_id = $1 and analysis_type = 'complete'`, [tenant.id])).toBe(1);
    expect(await scalar(db.pool, 'select analysis_status from app_public.transcripts where call_id = $1', [callId])).toBe('completed');
    expect(openai.requests.map((r) => `${r.kind}:${r.reply}`)).toEqual(['individual:hang', 'individual:analysis', 'complete:analysis']);
    expect(await count(db.pool, 'select count(*) from graphile_worker.jobs where locked_by is not null and locked_by <> $1', [worker.poolId])).toBe(0);
    expect(await verifyRollups(db.pool, tenant.id)).toEqual([]);
  });
});
