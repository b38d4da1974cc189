/**
 * GET /healthz: the process is up (always 200).
 * GET /readyz: 200 only if the database answers `select 1`, the worker is
 * running and it polled for or ran a job recently; otherwise 503 with a body
 * naming each failing check.
 */
import type { Express } from 'express';
import type pg from 'pg';
import type { WorkerHandle } from '../../worker/runner.ts';

export type WorkerStatus = Pick<WorkerHandle, 'isRunning' | 'lastActivity'>;

export interface HealthDeps {
  pool: pg.Pool;
  /** The in-process worker, or undefined if none was started. */
  worker: () => WorkerStatus | undefined;
  /** A worker silent for longer than this is not ready (default 30 s; idle workers poll every 2 s). */
  workerStaleAfterMs?: number;
  /** Give up on `select 1` after this long (default 2 s). */
  databaseTimeoutMs?: number;
}

type Check = { ok: true } | { ok: false; problem: string };

async function checkDatabase(pool: pg.Pool, timeoutMs: number): Promise<Check> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([pool.query('select 1'), timeout]);
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: `database: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

function checkWorker(worker: WorkerStatus | undefined, staleAfterMs: number): Check {
  if (!worker) return { ok: false, problem: 'worker: not started' };
  if (!worker.isRunning()) return { ok: false, problem: 'worker: not running' };
  const last = worker.lastActivity;
  const age = last ? Date.now() - last.getTime() : Infinity;
  if (age > staleAfterMs) {
    return { ok: false, problem: `worker: no heartbeat for ${last ? `${Math.round(age / 1000)} s` : 'ever'}` };
  }
  return { ok: true };
}

export function installHealth(app: Express, deps: HealthDeps): void {
  const staleAfterMs = deps.workerStaleAfterMs ?? 30_000;
  const databaseTimeoutMs = deps.databaseTimeoutMs ?? 2_000;

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const database = await checkDatabase(deps.pool, databaseTimeoutMs);
    const worker = checkWorker(deps.worker(), staleAfterMs);
    const problems = [database, worker].flatMap((check) => (check.ok ? [] : [check.problem]));
    res.status(problems.length ? 503 : 200).json({
      status: problems.length ? 'unavailable' : 'ready',
      checks: { database: database.ok ? 'ok' : 'failing', worker: worker.ok ? 'ok' : 'failing' },
      problems,
    });
  });
}
