/** Writing `sql/schema.sql` from a database, and making a database to write it from. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../../config.ts';
import { createLogger, type Logger } from '../../log.ts';
import { findFreePort, startEmbeddedPostgres } from '../embedded.ts';
import { runMigrations, MIGRATIONS_FOLDER } from '../migrate.ts';
import { databaseName, withDatabase } from '../urls.ts';
import { dumpSchema } from './index.ts';

/** THE place to read the current schema. */
export const SCHEMA_FILE = path.join(PROJECT_ROOT, 'sql', 'schema.sql');

/** The schema dump of the database at `connectionString`. */
export async function dumpDatabase(connectionString: string): Promise<string> {
  const client = new pg.Client({ connectionString, application_name: 'switchboard-schema-dump' });
  await client.connect();
  try {
    return await dumpSchema(client);
  } finally {
    await client.end();
  }
}

/** Writes the dump of `connectionString` to `file` (when it differs); true when the file changed. */
export async function writeSchemaFile(connectionString: string, file = SCHEMA_FILE, logger?: Logger): Promise<boolean> {
  const log = logger ?? createLogger('db:dump');
  const text = await dumpDatabase(connectionString);
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === text) {
    log.info(`${path.relative(PROJECT_ROOT, file)} is up to date`);
    return false;
  }
  await writeFile(file, text);
  log.info(`wrote ${path.relative(PROJECT_ROOT, file)} (${text.split('\n').length - 1} lines)`);
  return true;
}

/**
 * `writeSchemaFile` after a step that already succeeded (`done`): a failure is
 * reported as the dump's own (with the command that redoes it) and sets a
 * failing exit code, but does not undo or hide the step.
 */
export async function writeSchemaFileAfter(done: string, connectionString: string, file = SCHEMA_FILE, logger?: Logger): Promise<void> {
  const log = logger ?? createLogger('db:dump');
  try {
    await writeSchemaFile(connectionString, file, log);
  } catch (error) {
    log.error(`${done}, but writing ${path.relative(PROJECT_ROOT, file)} failed: run \`npm run db:dump\``, { error });
    process.exitCode = 1;
  }
}

async function adminQuery(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface CommittedSchemaOptions {
  /** A server to create a scratch database on (DATABASE_URL); else a throwaway embedded cluster. */
  databaseUrl?: string;
  migrationsFolder?: string;
  logger?: Logger;
}

/**
 * The dump of what the committed migrations produce: they run in a scratch
 * database (`<name>_dump_<pid>` next to DATABASE_URL, dropped afterwards, or a
 * throwaway embedded cluster), so the dev database's state never leaks in.
 */
export async function dumpCommittedSchema(options: CommittedSchemaOptions = {}): Promise<string> {
  const log = options.logger ?? createLogger('db:dump');
  const migrationsFolder = options.migrationsFolder ?? MIGRATIONS_FOLDER;
  if (options.databaseUrl) {
    const admin = withDatabase(options.databaseUrl, 'postgres');
    const scratch = `${databaseName(options.databaseUrl)}_dump_${process.pid}`;
    const quoted = pg.escapeIdentifier(scratch);
    await adminQuery(admin, `create database ${quoted}`);
    try {
      const connectionString = withDatabase(options.databaseUrl, scratch);
      await runMigrations(connectionString, { logger: log, migrationsFolder });
      return await dumpDatabase(connectionString);
    } finally {
      await adminQuery(admin, `drop database if exists ${quoted} with (force)`);
    }
  }
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(PROJECT_ROOT, '.data', `dump-${process.pid}`),
    port: await findFreePort(),
    persistent: false,
    logger: log.child('postgres'),
  });
  try {
    await runMigrations(cluster.connectionString, { logger: log, migrationsFolder });
    return await dumpDatabase(cluster.connectionString);
  } finally {
    await cluster.stop();
  }
}
