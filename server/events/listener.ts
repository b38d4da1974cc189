/**
 * The one LISTEN connection of this process: a dedicated client (not a pool
 * connection: LISTEN belongs to a session) on `business_changed`, whose payload
 * is the business id (the compactor notifies once per business it folded
 * changes of: migrations, app_private.tg_user_analytics__notify_change).
 *
 * On a lost connection it reconnects with backoff (0.5 s doubling to 30 s) and,
 * once listening again, calls `onReconnect` (changes may have been missed
 * meanwhile: the hub tells every watched business to refetch).
 */
import pg from 'pg';
import type { Logger } from '../../kernel/log.ts';

export const CHANGES_CHANNEL = 'business_changed';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ChangeListenerOptions {
  connectionString: string;
  logger: Logger;
  onChange(businessId: string): void;
  onReconnect(): void;
}

export interface ChangeListener {
  /** Resolves once the first LISTEN is in place (or rejects when the first connection fails). */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

export function listenForChanges({ connectionString, logger, onChange, onReconnect }: ChangeListenerOptions): ChangeListener {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let delayMs = 500;
  let connectedOnce = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, application_name: 'switchboard-events' });
    next.on('notification', (message) => {
      if (message.channel === CHANGES_CHANNEL && message.payload && UUID.test(message.payload)) onChange(message.payload);
    });
    next.on('error', (error) => {
      if (stopped || client !== next) return;
      logger.warn('event listener connection lost (reconnecting)', { error });
      client = undefined;
      next.end().catch(() => {});
      schedule();
    });
    await next.connect();
    try {
      await next.query(`listen ${CHANGES_CHANNEL}`);
    } catch (error) {
      await next.end().catch(() => {});
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    delayMs = 500;
    if (connectedOnce) {
      logger.info('event listener reconnected');
      onReconnect();
    }
    connectedOnce = true;
  };

  const schedule = (): void => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch((error: unknown) => {
        logger.warn(`event listener could not connect (retrying in ${Math.round(delayMs / 1000)} s)`, { error });
        schedule();
      });
    }, delayMs);
    delayMs = Math.min(delayMs * 2, 30_000);
  };

  const ready = connect();
  ready.catch(() => schedule());

  return {
    ready,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}
