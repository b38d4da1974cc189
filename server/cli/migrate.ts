/**
 * `npm run db:migrate`: migrate DATABASE_URL or the embedded dev cluster, rewrite
 * sql/schema.sql from it, then stop.
 */
import { loadConfig } from '../../kernel/config.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { writeSchemaFileAfter } from '../../kernel/db/schema-dump/file.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:migrate');

let database: Database | undefined;
try {
  database = await resolveDatabase(config, log);
  await runMigrations(database.connectionString, { logger: log });
  await writeSchemaFileAfter('migrated', database.connectionString, undefined, log);
} catch (error) {
  log.error('migration failed', { error });
  process.exitCode = 1;
} finally {
  await database?.stop();
}
