/** `pg` pool factory and clean close: one place for pool defaults and error logging. */
import pg from 'pg';
import { createLogger, type Logger } from '../log.ts';

export interface PoolOptions {
  connectionString: string;
  /** Maximum clients (default 10). */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  logger?: Logger;
}

export function createPool({ connectionString, max = 10, applicationName = 'switchboard', logger }: PoolOptions): pg.Pool {
  const log = logger ?? createLogger('pool');
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // A connection lost while idle ('error' on the pool) or while checked out
  // ('error' on the client) would crash the process without these listeners.
  // (graphile-worker checks that both exist when it is given a pool.)
  pool.on('error', (error) => log.warn(`idle connection lost: ${error.message}`));
  pool.on('connect', (client) => {
    client.on('error', (error) => log.warn(`connection lost: ${error.message}`));
  });
  return pool;
}

/**
 * `pool.end()` resolves once the clients are detached, before their sockets
 * have closed; stopping the server right then makes every one of them report
 * "terminating connection due to administrator command". This also waits for
 * the sockets (at most `timeoutMs`).
 */
export async function endPool(pool: pg.Pool, timeoutMs = 5_000): Promise<void> {
  if (pool.ending) return;
  let open = pool.totalCount;
  let timer: NodeJS.Timeout | undefined;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open <= 0) resolve();
    });
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await pool.end();
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
