/** Refreshes the KPI summary materialized view. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

export const kpi__refresh: Task<'kpi__refresh'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  await helpers.query('select app_hidden.refresh_kpi_summary()');
};
