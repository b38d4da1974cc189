/** Demo data for a fresh database (`npm start` calls this on every start). */
import type pg from 'pg';
import { createLogger, type Logger } from '../log.ts';

/** Inserts the demo tenant and its data if the database has none. Not written yet. */
export async function seedDemoIfEmpty(pool: pg.Pool, logger: Logger = createLogger('seed')): Promise<void> {
  void pool;
  logger.info('demo seed not implemented yet; skipping');
}
