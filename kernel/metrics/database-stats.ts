/**
 * What /metrics reads from the database at scrape time, in one statement on
 * the owner pool, inside a transaction with a short `statement_timeout`:
 *
 * - the graphile-worker queue per task: jobs ready to run, scheduled for later,
 *   running (locked) and failed for good (out of attempts), and how long the
 *   oldest ready job has been waiting (its `run_at` passed);
 * - pending rollup deltas (counted up to PENDING_DELTAS_CAP, so a backlog after
 *   a bulk load cannot make the scrape slow) and the last compaction that moved
 *   deltas (app_private.rollup_compaction_log, indexed on compacted_at);
 * - the last refresh of the user_kpi_summary view (app_private.mv_refresh_log,
 *   indexed on view_name, started_at);
 * - the last nightly verification (app_private.rollup_verification_log: what
 *   `rollups__verify` records: tenants, differences, repaired, duration).
 *
 * A client-side deadline covers what the statement timeout cannot (no
 * connection to be had, a database that does not answer at all).
 */
import type pg from 'pg';

export const PENDING_DELTAS_CAP = 1_000_000;

export interface QueueStats {
  task: string;
  ready: number;
  scheduled: number;
  running: number;
  failed: number;
  /** Seconds the oldest ready job has waited past its run_at (0 if none). */
  oldestReadyAgeSeconds: number;
}

export interface VerificationStats {
  ranAt: Date;
  tenants: number;
  differences: number;
  repaired: boolean;
  durationSeconds: number;
}

export interface DatabaseStats {
  now: Date;
  queue: QueueStats[];
  pendingDeltas: number;
  lastCompactionAt: Date | null;
  kpiSummaryRefreshedAt: Date | null;
  lastVerification: VerificationStats | null;
}

interface Row {
  now: Date;
  queue: Array<{ task: string; ready: number; scheduled: number; running: number; failed: number; oldest_ready_age: number }> | null;
  pending_deltas: number;
  last_compaction_at: Date | null;
  kpi_summary_refreshed_at: Date | null;
  verification: { ran_at: string; tenants: number; differences: number; repaired: boolean; duration_ms: number } | null;
}

const STATS_SQL = `
select now() as now,
       (select json_agg(q order by q.task)
          from (select t.identifier as task,
                       count(j.id) filter (where j.is_available and j.run_at <= now())::int as ready,
                       count(j.id) filter (where j.is_available and j.run_at > now())::int as scheduled,
                       count(j.id) filter (where j.locked_at is not null)::int as running,
                       count(j.id) filter (where j.locked_at is null and j.attempts >= j.max_attempts)::int as failed,
                       coalesce(extract(epoch from now() - min(j.run_at) filter (where j.is_available and j.run_at <= now())), 0)::float8
                         as oldest_ready_age
                  from graphile_worker._private_tasks t
                  left join graphile_worker._private_jobs j on j.task_id = t.id
                 group by t.identifier) q) as queue,
       (select count(*)::int from (select from app_hidden.rollup_deltas limit ${PENDING_DELTAS_CAP}) d) as pending_deltas,
       (select max(l.compacted_at) from app_private.rollup_compaction_log l) as last_compaction_at,
       (select max(l.started_at) from app_private.mv_refresh_log l where l.view_name = 'user_kpi_summary') as kpi_summary_refreshed_at,
       (select json_build_object('ran_at', v.ran_at, 'tenants', v.tenants, 'differences', v.differences,
                                 'repaired', v.repaired, 'duration_ms', v.duration_ms)
          from app_private.rollup_verification_log v order by v.id desc limit 1) as verification`;

export interface ReadStatsOptions {
  /** statement_timeout of the statement (default 1000 ms). */
  statementTimeoutMs?: number;
  /** Give up on the whole read after this long (default 2000 ms). */
  deadlineMs?: number;
}

async function query(pool: pg.Pool, statementTimeoutMs: number, abandoned: () => boolean): Promise<Row> {
  const client = await pool.connect();
  if (abandoned()) {
    client.release();
    throw new Error('abandoned');
  }
  try {
    await client.query(`begin read only; set local statement_timeout = ${Math.max(1, Math.round(statementTimeoutMs))}`);
    const { rows } = await client.query<Row>(STATS_SQL);
    await client.query('commit');
    client.release();
    const row = rows[0];
    if (!row) throw new Error('no row');
    return row;
  } catch (error) {
    // The transaction may be open and aborted: drop the connection rather than return it.
    client.release(true);
    throw error;
  }
}

export async function readDatabaseStats(pool: pg.Pool, options: ReadStatsOptions = {}): Promise<DatabaseStats> {
  const statementTimeoutMs = options.statementTimeoutMs ?? 1_000;
  const deadlineMs = options.deadlineMs ?? 2_000;
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no answer within ${deadlineMs} ms`));
    }, deadlineMs);
  });
  const reading = query(pool, statementTimeoutMs, () => timedOut);
  reading.catch(() => {}); // after a timeout nobody awaits it
  try {
    const row = await Promise.race([reading, deadline]);
    return {
      now: row.now,
      queue: (row.queue ?? []).map((q) => ({
        task: q.task,
        ready: q.ready,
        scheduled: q.scheduled,
        running: q.running,
        failed: q.failed,
        oldestReadyAgeSeconds: q.oldest_ready_age,
      })),
      pendingDeltas: row.pending_deltas,
      lastCompactionAt: row.last_compaction_at,
      kpiSummaryRefreshedAt: row.kpi_summary_refreshed_at,
      lastVerification: row.verification
        ? {
            ranAt: new Date(row.verification.ran_at),
            tenants: row.verification.tenants,
            differences: row.verification.differences,
            repaired: row.verification.repaired,
            durationSeconds: Number(row.verification.duration_ms) / 1000,
          }
        : null,
    };
  } finally {
    clearTimeout(timer);
  }
}
