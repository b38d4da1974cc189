/**
 * Brings a database up to date: graphile-worker's schema, then our committed
 * migrations (`migrations/committed/*.sql`, via graphile-migrate). Never runs
 * `migrations/current.sql`.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { migrate } from 'graphile-migrate';
import { clearAllPools } from 'graphile-migrate/dist/pgReal.js';
import { runMigrations as runWorkerMigrations } from 'graphile-worker';
import { PROJECT_ROOT } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { createPool, endPool } from './pool.ts';
import { migrateLogger, workerLogger } from '../log-graphile.ts';

export const MIGRATIONS_FOLDER = path.join(PROJECT_ROOT, 'migrations');

export interface MigrateOptions {
  logger?: Logger;
  /** Defaults to `<root>/migrations`. */
  migrationsFolder?: string;
}

/**
 * graphile-migrate keeps its pg pools open for 200 ms after each command, and
 * calls `process.exit(1)` if one of their idle connections errors, which is
 * exactly what happens when the server is stopped right after migrating.
 * Close them now (the module is internal but the version is pinned).
 */
export async function releaseMigratePools(): Promise<void> {
  clearAllPools();
  await sleep(50);
}

/**
 * Installs or upgrades the `graphile_worker` schema (idempotent). We pass our
 * own pool because graphile-worker does not wait for its pool to close.
 */
export async function installWorkerSchema(connectionString: string, logger?: Logger): Promise<void> {
  const log = logger ?? createLogger('migrate');
  const pgPool = createPool({ connectionString, max: 2, applicationName: 'switchboard-migrate', logger: log });
  try {
    await runWorkerMigrations({ pgPool, logger: workerLogger(log) });
  } finally {
    await endPool(pgPool);
  }
}

/**
 * The worker schema goes first: our SQL enqueues jobs through
 * `graphile_worker.add_job`, and a `language sql` function body is checked at
 * creation, so that schema must already exist when our migrations run.
 */
export async function runMigrations(connectionString: string, options: MigrateOptions = {}): Promise<void> {
  const log = options.logger ?? createLogger('migrate');
  const started = Date.now();
  await installWorkerSchema(connectionString, log);
  await migrate({
    connectionString,
    migrationsFolder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
    logger: migrateLogger(log),
  });
  await releaseMigratePools();
  log.info(`database is up to date (${Date.now() - started} ms)`);
}
