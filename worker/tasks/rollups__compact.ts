/** Folds pending rollup deltas into the analytics rollups. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

export const rollups__compact: Task<'rollups__compact'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  await helpers.query('select app_hidden.compact_rollups()');
};
