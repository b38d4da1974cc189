/** Posts pending credit transactions to balances. */
import type { Task } from 'graphile-worker';
import { assertMaintenancePayload } from '../payloads.ts';

export const credits__post: Task<'credits__post'> = async (payload, helpers) => {
  assertMaintenancePayload(payload);
  await helpers.query('select app_hidden.post_credit_transactions()');
};
