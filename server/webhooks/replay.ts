/**
 * Re-applying stored deliveries that are pending or failed, with
 * `app_hidden.replay_webhook_events(max, max_attempts)` (oldest first;
 * re-applying an applied event is a no-op). Used by `npm run webhooks:replay`.
 */
import type pg from 'pg';

export interface ReplayTotals {
  batches: number;
  replayed: number;
  processed: number;
  failed: number;
}

interface BatchRow {
  replayed: number;
  processed: number;
  failed: number;
}

/** Replays until a batch replays fewer than `batch` events or applies none of them. */
export async function replayAll(pool: pg.Pool, batch: number, maxAttempts: number): Promise<ReplayTotals> {
  const totals: ReplayTotals = { batches: 0, replayed: 0, processed: 0, failed: 0 };
  for (;;) {
    const { rows } = await pool.query<BatchRow>('select replayed, processed, failed from app_hidden.replay_webhook_events($1, $2)', [
      batch,
      maxAttempts,
    ]);
    const row = rows[0] ?? { replayed: 0, processed: 0, failed: 0 };
    totals.batches += 1;
    totals.replayed += row.replayed;
    totals.processed += row.processed;
    totals.failed += row.failed;
    // A full batch that applied something may have more behind it; otherwise we are done
    // (a full batch of failures would only burn attempts: the SQL picks the oldest again).
    if (row.replayed < batch || row.processed === 0) return totals;
  }
}
