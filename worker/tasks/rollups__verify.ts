/** Recomputes rollups from the raw rows and reports drift. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

export const rollups__verify: Task<'rollups__verify'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  await helpers.query('select app_hidden.verify_rollups_nightly()');
};
