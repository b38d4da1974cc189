/** Part 3: REFRESH MATERIALIZED VIEW CONCURRENTLY of the KPI summary, through app_hidden.refresh_kpi_summary(). */
import type pg from 'pg';
import { median, sideBySide } from './stats.ts';

export interface RefreshResult {
  calls: number;
  /** Median of the durations refresh_kpi_summary() reports, ms. */
  medianMs: number;
  samplesMs: number[];
  summaryRows: number;
}

type Db = Pick<pg.Pool, 'query'>;

/** One refresh; its duration as refresh_kpi_summary() reports it, ms. */
async function refreshOnce(db: Db): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { rows } = await db.query<{ ms: string | null }>('select app_hidden.refresh_kpi_summary() as ms');
    const value = rows[0]?.ms;
    if (value !== null && value !== undefined) return Number(value);
    await new Promise((resolve) => setTimeout(resolve, 100)); // another refresh holds the lock
  }
  throw new Error('refresh_kpi_summary() stayed locked by another refresh');
}

async function result(db: Db, calls: number, samplesMs: number[]): Promise<RefreshResult> {
  const { rows } = await db.query<{ n: string }>('select count(*) as n from app_hidden.user_kpi_summary');
  return { calls, medianMs: median(samplesMs), samplesMs, summaryRows: Number(rows[0]?.n ?? 0) };
}

/**
 * Refreshes of each database's view, alternating (A B, B A, ...) so that a slow spell of the
 * machine falls on all alike; one warm-up each first (a view's first concurrent refresh also
 * diffs every row).
 */
export async function measureRefreshSideBySide(targets: ReadonlyArray<{ db: Db; calls: number }>, repetitions: number): Promise<RefreshResult[]> {
  for (const target of targets) await refreshOnce(target.db);
  const samples: number[][] = targets.map(() => []);
  for (let i = 0; i < repetitions; i += 1) {
    for (const [index, target] of sideBySide(targets, i)) samples[index]?.push(await refreshOnce(target.db));
  }
  return Promise.all(targets.map((target, index) => result(target.db, target.calls, samples[index] ?? [])));
}
