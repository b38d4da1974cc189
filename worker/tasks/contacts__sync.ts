/** Links calls the contact trigger skipped and applies pending not-connected counter changes. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

export const contacts__sync: Task<'contacts__sync'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  await helpers.query('select app_hidden.sync_contacts()');
};
