/**
 * `npm run db:commit -- "message" [--folder migrations] [--schema-file sql/schema.sql]`:
 * commits `migrations/current.sql` as the next file in `migrations/committed/`
 * (with its graphile-migrate hash chain), resets current.sql to blank, then
 * rewrites sql/schema.sql from the shadow database (every committed migration,
 * freshly applied).
 *
 * graphile-migrate applies the migration to a freshly reset shadow database
 * and then to the main database (see kernel/db/migrate-servers.ts for where
 * those live). With `--folder` the schema file is written only when
 * `--schema-file` names one.
 */
import { parseArgs } from 'node:util';
import { commit } from 'graphile-migrate';
import { loadConfig } from '../../kernel/config.ts';
import { installWorkerSchema, releaseMigratePools } from '../../kernel/db/migrate.ts';
import { INSTALL_WORKER_SCHEMA_HOOK, openMigrateServers } from '../../kernel/db/migrate-servers.ts';
import { writeSchemaFileAfter } from '../../kernel/db/schema-dump/file.ts';
import { migrateLogger } from '../../kernel/log-graphile.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { migrationTargets } from './migration-args.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { folder: { type: 'string' }, 'schema-file': { type: 'string' } },
});
const message = positionals.join(' ').trim() || undefined;
const { migrationsFolder, schemaFile } = migrationTargets(values);

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:commit');

const servers = await openMigrateServers(config.databaseUrl, 'commit', log);
try {
  await installWorkerSchema(servers.connectionString, log);
  await commit(
    {
      connectionString: servers.connectionString,
      shadowConnectionString: servers.shadowConnectionString,
      rootConnectionString: servers.rootConnectionString,
      migrationsFolder,
      afterReset: INSTALL_WORKER_SCHEMA_HOOK,
      logger: migrateLogger(log),
    },
    message,
  );
  if (schemaFile) await writeSchemaFileAfter('committed', servers.shadowConnectionString, schemaFile, log);
} catch (error) {
  log.error('commit failed (current.sql is unchanged)', { error });
  process.exitCode = 1;
} finally {
  await releaseMigratePools();
  await servers.stop();
}
