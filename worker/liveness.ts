/**
 * Crash safety: unlocking the jobs of worker pools that are gone.
 *
 * graphile-worker 0.18 locks a job with its worker pool's id (`locked_by =
 * 'pool-…'`) and only frees locks older than 4 hours by itself, so a job whose
 * worker was killed (SIGKILL, OOM, power loss) would wait 4 hours. Liveness is
 * PostgreSQL's own: every pool we start holds a session advisory lock keyed by
 * its pool id on a dedicated connection for as long as it runs. PostgreSQL
 * releases that lock the moment the connection goes, which a killed process's
 * connections do. So a lock holder is gone exactly when its advisory lock can
 * be taken — checked with `pg_try_advisory_xact_lock`, which cannot succeed
 * while the holder is alive, on any machine — and its jobs are then unlocked
 * with graphile-worker's `force_unlock_workers` (they run again right away; the
 * attempt the dead pool used counts).
 *
 * The grace period closes the one gap: a pool takes its advisory lock a few
 * milliseconds after graphile-worker created it, so only locks older than the
 * grace (default 60 s) are considered. Every worker on the database must be
 * started through `startWorker` (a bare graphile-worker process holds no
 * advisory lock and would look dead after the grace).
 */
import pg from 'pg';
import type { Logger } from '../kernel/log.ts';

/** SQL: the advisory lock key (bigint) of a worker pool id. */
export function poolLockKey(expression: string): string {
  return `('x' || left(md5('switchboard:worker-pool:' || ${expression}), 16))::bit(64)::bigint`;
}

export interface Liveness {
  /** Releases the lock (closes its connection). */
  stop(): Promise<void>;
}

/**
 * Holds the advisory lock of `poolId` on a connection of its own until
 * `stop()`; if that connection is lost (database restart), reconnects and
 * takes the lock again, quickly.
 */
export async function holdLiveness(connectionString: string, poolId: string, log: Logger): Promise<Liveness> {
  let client: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: `switchboard-worker-liveness:${poolId}` });
    next.on('error', (error) => log.warn(`liveness connection lost: ${error.message}`));
    next.on('end', () => {
      if (stopped || client !== next) return;
      client = undefined;
      schedule();
    });
    await next.connect();
    client = next;
    // Blocking: a dead-worker check may hold this key for the length of its transaction.
    await next.query(`select pg_advisory_lock(${poolLockKey('$1::text')})`, [poolId]);
    if (failures) log.info('liveness lock held again');
    failures = 0;
  };
  const schedule = (): void => {
    if (stopped) return;
    const delay = Math.min(1000 * failures, 5000);
    failures += 1;
    timer = setTimeout(() => {
      connect().catch((error: unknown) => {
        log.warn('could not take the liveness lock again (retrying)', { error });
        const broken = client;
        client = undefined;
        void broken?.end().catch(() => {});
        schedule();
      });
    }, delay);
  };

  await connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}

export interface DeadWorkerOptions {
  /** Only locks taken longer ago than this count (ms). */
  graceMs: number;
}

/**
 * Unlocks the jobs and queues locked by worker pools that no longer hold their
 * advisory lock (and locked more than `graceMs` ago). Returns the pool ids
 * found dead and how many jobs were unlocked.
 */
export async function unlockDeadWorkers(pool: pg.Pool, { graceMs }: DeadWorkerOptions): Promise<{ pools: string[]; jobs: number }> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{ locked_by: string }>(
      `with holders as materialized (
         select locked_by from graphile_worker._private_jobs
          where locked_by is not null and locked_at < now() - make_interval(secs => $1)
         union
         select locked_by from graphile_worker._private_job_queues
          where locked_by is not null and locked_at < now() - make_interval(secs => $1)
       )
       select h.locked_by from holders h where pg_try_advisory_xact_lock(${poolLockKey('h.locked_by')})
        order by h.locked_by`,
      [graceMs / 1000],
    );
    const pools = rows.map((row) => row.locked_by);
    let jobs = 0;
    if (pools.length) {
      const counted = await client.query<{ n: number }>(
        'select count(*)::int as n from graphile_worker._private_jobs where locked_by = any($1::text[])',
        [pools],
      );
      jobs = counted.rows[0]?.n ?? 0;
      await client.query('select graphile_worker.force_unlock_workers($1::text[])', [pools]);
    }
    await client.query('commit');
    return { pools, jobs };
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
