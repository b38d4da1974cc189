/**
 * `npm run db:commit -- "message" [--folder migrations]`: commits
 * `migrations/current.sql` as the next file in `migrations/committed/` (with
 * its graphile-migrate hash chain), then resets current.sql to blank.
 *
 * graphile-migrate applies the migration to a freshly reset shadow database
 * and then to the main database. Without DATABASE_URL both live in a throwaway
 * embedded cluster (nothing to set up); with DATABASE_URL they are that
 * database and `<name>_shadow` on the same server (the role needs CREATEDB).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { commit } from 'graphile-migrate';
import { loadConfig, PROJECT_ROOT } from '../config.ts';
import { findFreePort, startEmbeddedPostgres } from '../db/embedded.ts';
import { installWorkerSchema, MIGRATIONS_FOLDER, releaseMigratePools } from '../db/migrate.ts';
import { databaseName, withDatabase } from '../db/urls.ts';
import { migrateLogger } from '../log-graphile.ts';
import { configureLogging, createLogger } from '../log.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { folder: { type: 'string' } },
});
const message = positionals.join(' ').trim() || undefined;
const migrationsFolder = values.folder ? path.resolve(values.folder) : MIGRATIONS_FOLDER;

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:commit');

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The shadow database is reset (dropped and re-created) first: give it the graphile_worker schema again. */
const installWorkerSchemaHook = [
  process.execPath,
  '--import',
  import.meta.resolve('tsx'),
  path.join(PROJECT_ROOT, 'server/cli/install-worker-schema.ts'),
]
  .map(shellQuote)
  .join(' ');

async function servers(): Promise<{ connectionString: string; rootConnectionString: string; stop(): Promise<void> }> {
  if (config.databaseUrl) {
    return {
      connectionString: config.databaseUrl,
      rootConnectionString: withDatabase(config.databaseUrl, 'postgres'),
      stop: async () => {},
    };
  }
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(PROJECT_ROOT, '.data', `commit-${process.pid}`),
    port: await findFreePort(),
    persistent: false,
    logger: log.child('postgres'),
  });
  return { connectionString: cluster.connectionString, rootConnectionString: cluster.adminConnectionString, stop: cluster.stop };
}

const { connectionString, rootConnectionString, stop } = await servers();
try {
  await installWorkerSchema(connectionString, log);
  await commit(
    {
      connectionString,
      shadowConnectionString: withDatabase(connectionString, `${databaseName(connectionString)}_shadow`),
      rootConnectionString,
      migrationsFolder,
      afterReset: [{ _: 'command', command: installWorkerSchemaHook }],
      logger: migrateLogger(log),
    },
    message,
  );
} catch (error) {
  log.error('commit failed (current.sql is unchanged)', { error });
  process.exitCode = 1;
} finally {
  await releaseMigratePools();
  await stop();
}
