/**
 * One pass of `db:watch`: graphile-migrate's `watch --once` (committed
 * migrations first, then `current.sql` in one transaction, skipped when its
 * minified text is what it last ran; a changed file runs again as a whole, so
 * it must be idempotent), then the schema dump of the database.
 */
import { watch } from 'graphile-migrate';
import { createLogger, type Logger } from '../log.ts';
import { migrateLogger } from '../log-graphile.ts';
import { installWorkerSchema, MIGRATIONS_FOLDER, releaseMigratePools } from './migrate.ts';
import { writeSchemaFile } from './schema-dump/file.ts';
import { withDatabase } from './urls.ts';

export interface CurrentMigrationOptions {
  connectionString: string;
  migrationsFolder?: string;
  /** Rewritten after every pass; undefined: no dump. */
  schemaFile?: string;
  logger?: Logger;
}

export async function applyCurrentMigration(options: CurrentMigrationOptions): Promise<void> {
  const log = options.logger ?? createLogger('db:watch');
  await installWorkerSchema(options.connectionString, log);
  try {
    await watch(
      {
        connectionString: options.connectionString,
        rootConnectionString: withDatabase(options.connectionString, 'postgres'),
        migrationsFolder: options.migrationsFolder ?? MIGRATIONS_FOLDER,
        logger: migrateLogger(log),
      },
      true,
    );
  } finally {
    await releaseMigratePools();
  }
  if (options.schemaFile) await writeSchemaFile(options.connectionString, options.schemaFile, log);
}
