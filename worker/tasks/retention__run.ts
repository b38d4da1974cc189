/**
 * retention__run (nightly): every data type of `app_private.retention_policies`
 * in batches of 1000 (`app_hidden.retention_batch`, which writes
 * app_private.retention_log; calls per tenant with their overrides, their KPIs
 * kept in the rollups through purged_rollups) until a batch removes nothing.
 * Each batch is its own statement (and transaction), so locks stay short.
 *
 * This is also the clean-up job: old login attempts, trigger errors, audit
 * rows and applied webhook deliveries are retention data types, and sign-in
 * sessions are stateless JWTs (no table), so there is no separate cleanup__run.
 */
import type { Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { assertMaintenancePayload } from '../payloads.ts';

export const RETENTION_BATCH = 1000;

export function createRetentionRun(deps: { logger: Logger }): Task<'retention__run'> {
  return async (payload, helpers) => {
    assertMaintenancePayload(payload);
    const { rows: policies } = await helpers.query<{ data_type: string }>(
      'select data_type from app_private.retention_policies order by data_type',
    );
    const totals: Record<string, number> = {};
    for (const { data_type: dataType } of policies) {
      let total = 0;
      for (;;) {
        if (helpers.abortSignal?.aborted) throw new Error('retention run aborted (worker stopping); the next run continues');
        const { rows } = await helpers.query<{ n: number }>('select app_hidden.retention_batch($1, $2) as n', [dataType, RETENTION_BATCH]);
        const removed = rows[0]?.n ?? 0;
        if (removed <= 0) break;
        total += removed;
      }
      totals[dataType] = total;
    }
    const removed = Object.values(totals).reduce((sum, n) => sum + n, 0);
    const detail = Object.entries(totals).map(([type, n]) => `${type} ${n}`).join(', ');
    (removed ? deps.logger.info : deps.logger.debug)(`retention: ${removed} rows removed (${detail})`);
  };
}
