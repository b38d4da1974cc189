/** Folds pending rollup deltas into the analytics rollups. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

/**
 * After a bulk load the delta table is empty but full of dead pages, which
 * every live KPI read scans until it is vacuumed: vacuum it right away
 * (outside a transaction, so not in the SQL function) instead of waiting for
 * autovacuum.
 */
const VACUUM_AFTER_ROWS = 50_000;

export const rollups__compact: Task<'rollups__compact'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  const { rows } = await helpers.query<{ moved: number }>('select app_hidden.compact_rollups() as moved');
  if ((rows[0]?.moved ?? 0) >= VACUUM_AFTER_ROWS) {
    await helpers.query('vacuum (analyze) app_hidden.rollup_deltas');
  }
};
