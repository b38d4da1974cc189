/**
 * Vitest global setup (runs once, in the main process): a PostgreSQL server
 * (TEST_DATABASE_URL, or one ephemeral embedded cluster), and a template
 * database with all migrations applied. Test files clone it (tests/helpers/db.ts).
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { PROJECT_ROOT } from '../../kernel/config.ts';
import { findFreePort, startEmbeddedPostgres } from '../../kernel/db/embedded.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { withDatabase } from '../../kernel/db/urls.ts';
import { configureLogging, createLogger, isLogLevel } from '../../kernel/log.ts';

export const TEMPLATE_DATABASE = 'switchboard_template';

export interface TestDatabaseInfo {
  /** A superuser connection to a maintenance database of the test server. */
  adminConnectionString: string;
  /** Database every test database is cloned from. */
  templateDatabase: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: TestDatabaseInfo;
  }
}

// vitest.config.ts gives the test processes LOG_LEVEL=warn (unless set); this process follows suit.
const level = process.env.LOG_LEVEL ?? 'warn';
configureLogging({ level: isLogLevel(level) ? level : 'warn' });
const log = createLogger('tests');

async function admin<T>(connectionString: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function dropTemplate(adminConnectionString: string): Promise<void> {
  await admin(adminConnectionString, async (client) => {
    const name = client.escapeIdentifier(TEMPLATE_DATABASE);
    const found = await client.query('select 1 from pg_database where datname = $1', [TEMPLATE_DATABASE]);
    if (found.rowCount) {
      await client.query(`alter database ${name} with is_template false allow_connections true`);
      await client.query(`drop database ${name} with (force)`);
    }
  });
}

/** Fresh template: migrated, then marked as a template that nobody can connect to (so cloning never waits). */
async function buildTemplate(adminConnectionString: string): Promise<void> {
  await dropTemplate(adminConnectionString);
  await admin(adminConnectionString, (client) => client.query(`create database ${client.escapeIdentifier(TEMPLATE_DATABASE)}`));
  await runMigrations(withDatabase(adminConnectionString, TEMPLATE_DATABASE), { logger: log.child('migrate') });
  await admin(adminConnectionString, (client) =>
    client.query(`alter database ${client.escapeIdentifier(TEMPLATE_DATABASE)} with is_template true allow_connections false`),
  );
}

/** Data dirs of earlier runs that were killed before their teardown. */
async function removeStaleClusters(dataRoot: string): Promise<void> {
  const entries = await readdir(dataRoot).catch(() => []);
  for (const entry of entries) {
    const pid = Number(/^test-(\d+)$/.exec(entry)?.[1]);
    if (!pid) continue;
    try {
      process.kill(pid, 0);
    } catch {
      await rm(path.join(dataRoot, entry), { recursive: true, force: true });
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const external = process.env.TEST_DATABASE_URL;
  let stopCluster = async (): Promise<void> => {};
  let adminConnectionString: string;

  if (external) {
    adminConnectionString = external;
  } else {
    const dataRoot = path.join(PROJECT_ROOT, '.data');
    await removeStaleClusters(dataRoot);
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(dataRoot, `test-${process.pid}`),
      port: await findFreePort(),
      persistent: false,
      database: 'postgres',
      logger: log.child('postgres'),
    });
    adminConnectionString = cluster.adminConnectionString;
    stopCluster = cluster.stop;
  }

  try {
    await buildTemplate(adminConnectionString);
  } catch (error) {
    await stopCluster();
    throw error;
  }
  project.provide('testDatabase', { adminConnectionString, templateDatabase: TEMPLATE_DATABASE });
  log.info(`test database ready in ${Date.now() - started} ms`);

  return async () => {
    if (external) await dropTemplate(adminConnectionString);
    await stopCluster();
  };
}
