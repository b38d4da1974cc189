/**
 * Shared by the worker tests: waiting on database state with a deadline
 * (never a fixed sleep), calls with transcripts (the trigger queues their
 * analysis job), and driving a job through its retries without waiting for
 * graphile-worker's backoff.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { createCall, type CallInput, type Queryable } from '../helpers/fixtures.ts';
import { inTransaction, withClient } from '../helpers/db.ts';

export const DEADLINE_MS = 30_000;

/** Polls `probe` until it returns something truthy, or fails after the deadline. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, deadlineMs = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** The single value of a one-row, one-column query. */
export async function scalar(db: Queryable, sql: string, params: unknown[] = []): Promise<unknown> {
  const { rows } = await db.query<Record<string, unknown>>(sql, params);
  const row = rows[0];
  if (!row) throw new Error(`no row from: ${sql}`);
  return Object.values(row)[0];
}

export async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  return Number(await scalar(db, sql, params));
}

export const analyzeJobKey = (callId: string): string => `calls__analyze:${callId}`;

/**
 * A completed call with a transcript, committed: the transcripts trigger
 * queues `calls__analyze` for it. `maxAttempts` lowers the job's attempts
 * in the same transaction (before any worker can see it).
 */
export async function callWithTranscript(
  pool: pg.Pool,
  input: Omit<CallInput, 'status'> & { transcript: string; maxAttempts?: number },
): Promise<string> {
  return withClient(pool, (client) =>
    inTransaction(
      client,
      async () => {
        const call = await createCall(client, { durationSeconds: 95, ...input, status: 'completed' });
        await client.query('insert into app_public.transcripts (user_id, call_id, content) values ($1, $2, $3)', [
          input.userId,
          call.id,
          input.transcript,
        ]);
        if (input.maxAttempts !== undefined) {
          await client.query('update graphile_worker._private_jobs set max_attempts = $2 where key = $1', [
            analyzeJobKey(call.id),
            input.maxAttempts,
          ]);
        }
        return call.id;
      },
      { commit: true },
    ),
  );
}

interface JobState {
  id: string;
  attempts: number;
  max_attempts: number;
  locked: boolean;
  waiting: boolean;
  last_error: string | null;
}

/**
 * Waits until the job with `key` is gone (completed) or permanently failed,
 * moving each retry's run_at to now (graphile-worker would wait e^attempts
 * seconds). `onRetry` sees the state between attempts. Returns the last state
 * seen (null when the job completed).
 */
export async function driveJob(
  db: Queryable,
  key: string,
  onRetry?: (state: JobState) => Promise<void>,
): Promise<JobState | null> {
  let seenAttempts = 0;
  return waitFor(`job ${key} to finish`, async () => {
    const { rows } = await db.query<JobState>(
      `select id, attempts, max_attempts, locked_at is not null as locked, run_at > now() as waiting, last_error
         from graphile_worker.jobs where key = $1`,
      [key],
    );
    const job = rows[0];
    if (!job) return { done: null };
    if (job.locked) return false;
    if (job.attempts >= job.max_attempts) return { done: job };
    if (job.attempts > seenAttempts && job.last_error !== null) {
      seenAttempts = job.attempts;
      await onRetry?.(job);
    }
    if (job.waiting) await db.query('select graphile_worker.reschedule_jobs(array[$1::bigint], run_at := now())', [job.id]);
    return false;
  }).then((result) => result.done);
}
