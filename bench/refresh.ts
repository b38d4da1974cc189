/** Part 3: REFRESH MATERIALIZED VIEW CONCURRENTLY of the KPI summary, through app_hidden.refresh_kpi_summary(). */
import type pg from 'pg';
import { median } from './stats.ts';

export interface RefreshResult {
  calls: number;
  /** Median of the durations refresh_kpi_summary() reports, ms. */
  medianMs: number;
  samplesMs: number[];
  summaryRows: number;
}

export async function measureRefresh(db: Pick<pg.Pool, 'query'>, calls: number, repetitions: number): Promise<RefreshResult> {
  const samplesMs: number[] = [];
  // One warm-up refresh first (the view's first concurrent refresh also diffs every row).
  for (let i = -1; i < repetitions; i += 1) {
    let ms: number | null = null;
    for (let attempt = 0; ms === null && attempt < 100; attempt += 1) {
      const { rows } = await db.query<{ ms: string | null }>('select app_hidden.refresh_kpi_summary() as ms');
      const value = rows[0]?.ms;
      ms = value === null || value === undefined ? null : Number(value);
      if (ms === null) await new Promise((resolve) => setTimeout(resolve, 100)); // another refresh holds the lock
    }
    if (ms === null) throw new Error('refresh_kpi_summary() stayed locked by another refresh');
    if (i >= 0) samplesMs.push(ms);
  }
  const { rows } = await db.query<{ n: string }>('select count(*) as n from app_hidden.user_kpi_summary');
  return { calls, medianMs: median(samplesMs), samplesMs, summaryRows: Number(rows[0]?.n ?? 0) };
}
