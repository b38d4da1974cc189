/**
 * `npm run db:uncommit [-- --folder migrations] [--schema-file sql/schema.sql]`:
 * moves the latest committed migration back into `migrations/current.sql`
 * (graphile-migrate's `uncommit`: its `--! Message` header stays, so a plain
 * `npm run db:commit` commits it again with the same hash), forgets it in the
 * main database's migration log, resets the shadow database to the remaining
 * migrations and rewrites sql/schema.sql from it. Refuses when current.sql is
 * not blank. Only for a migration that has not landed anywhere else.
 */
import { parseArgs } from 'node:util';
import { uncommit } from 'graphile-migrate';
import { loadConfig } from '../../kernel/config.ts';
import { releaseMigratePools, runMigrations } from '../../kernel/db/migrate.ts';
import { INSTALL_WORKER_SCHEMA_HOOK, openMigrateServers } from '../../kernel/db/migrate-servers.ts';
import { writeSchemaFileAfter } from '../../kernel/db/schema-dump/file.ts';
import { migrateLogger } from '../../kernel/log-graphile.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { migrationTargets } from './migration-args.ts';

const { values } = parseArgs({ options: { folder: { type: 'string' }, 'schema-file': { type: 'string' } } });
const { migrationsFolder, schemaFile } = migrationTargets(values);

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:uncommit');

const servers = await openMigrateServers(config.databaseUrl, 'uncommit', log);
try {
  // uncommit deletes the migration's row from the main database's log: that log must exist
  // (a throwaway cluster is empty; DATABASE_URL may be behind).
  await runMigrations(servers.connectionString, { logger: log, migrationsFolder });
  await uncommit({
    connectionString: servers.connectionString,
    shadowConnectionString: servers.shadowConnectionString,
    rootConnectionString: servers.rootConnectionString,
    migrationsFolder,
    afterReset: INSTALL_WORKER_SCHEMA_HOOK,
    logger: migrateLogger(log),
  });
  if (schemaFile) await writeSchemaFileAfter('uncommitted', servers.shadowConnectionString, schemaFile, log);
} catch (error) {
  log.error('uncommit failed', { error });
  process.exitCode = 1;
} finally {
  await releaseMigratePools();
  await servers.stop();
}
