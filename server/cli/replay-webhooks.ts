/**
 * `npm run webhooks:replay [-- --batch 1000 --max-attempts 10]`: re-applies
 * stored webhook deliveries that are pending or failed
 * (`app_hidden.replay_webhook_events`, oldest first; re-applying an applied
 * event is a no-op, so this is always safe), batch after batch until nothing
 * is left or a batch makes no progress, then prints the counts. Uses
 * DATABASE_URL or the embedded dev cluster (stop `npm start` first, or point
 * DATABASE_URL at its cluster).
 *
 * Each batch is one statement (its own transaction), so an interrupted run
 * keeps what it applied. A delivery that keeps failing is retried once per
 * batch until `--max-attempts`; afterwards it stays failed for inspection.
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { replayAll } from '../webhooks/replay.ts';

async function remaining(pool: pg.Pool, maxAttempts: number): Promise<{ failed: number; exhausted: number }> {
  const { rows } = await pool.query<{ failed: number; exhausted: number }>(
    `select count(*)::int as failed, count(*) filter (where attempts >= $1)::int as exhausted
       from app_private.webhook_events where status in ('pending', 'failed')`,
    [maxAttempts],
  );
  return rows[0] ?? { failed: 0, exhausted: 0 };
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { batch: { type: 'string' }, 'max-attempts': { type: 'string' } } });
  const batch = positive(values.batch, 'batch', 1000);
  const maxAttempts = positive(values['max-attempts'], 'max-attempts', 10);
  const config = loadConfig();
  configureLogging({ level: config.logLevel, format: config.logFormat });
  const log = createLogger('webhooks:replay');
  let database: Database | undefined;
  let pool: pg.Pool | undefined;
  try {
    database = await resolveDatabase(config, log);
    pool = createPool({ connectionString: database.connectionString, max: 1, applicationName: 'switchboard-replay', logger: log });
    const totals = await replayAll(pool, batch, maxAttempts);
    const left = await remaining(pool, maxAttempts);
    console.log(
      `replayed ${totals.replayed} deliveries in ${totals.batches} batch(es): ${totals.processed} processed, ${totals.failed} failed; ` +
        `${left.failed} still pending or failed (${left.exhausted} out of attempts)`,
    );
  } catch (error) {
    log.error('replay failed', { error });
    process.exitCode = 1;
  } finally {
    if (pool) await endPool(pool);
    await database?.stop();
  }
}

await main();
