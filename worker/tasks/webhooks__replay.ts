/**
 * webhooks__replay (every minute): re-applies stored deliveries that are
 * pending or failed (oldest first, at most 1000 a run, each at most 10 times).
 * Always safe: applying an event that is already applied changes nothing.
 */
import type { Task } from 'graphile-worker';
import type { Logger } from '../../kernel/log.ts';
import { assertMaintenancePayload } from '../payloads.ts';

export const REPLAY_MAX = 1000;
export const REPLAY_MAX_ATTEMPTS = 10;

export function createWebhooksReplay(deps: { logger: Logger }): Task<'webhooks__replay'> {
  return async (payload, helpers) => {
    assertMaintenancePayload(payload);
    const { rows } = await helpers.query<{ replayed: number; processed: number; failed: number }>(
      'select replayed, processed, failed from app_hidden.replay_webhook_events($1, $2)',
      [REPLAY_MAX, REPLAY_MAX_ATTEMPTS],
    );
    const result = rows[0];
    if (result && result.replayed > 0) {
      deps.logger.info(`webhooks: replayed ${result.replayed} (${result.processed} processed, ${result.failed} still failing)`);
    }
  };
}
