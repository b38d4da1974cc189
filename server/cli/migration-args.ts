/** `--folder` and `--schema-file` of the migration CLIs. */
import path from 'node:path';
import { MIGRATIONS_FOLDER } from '../../kernel/db/migrate.ts';
import { SCHEMA_FILE } from '../../kernel/db/schema-dump/file.ts';

export interface MigrationTargets {
  migrationsFolder: string;
  /** Where to write the schema dump; undefined: write none (a scratch `--folder` without `--schema-file`). */
  schemaFile: string | undefined;
}

export function migrationTargets(values: { folder?: string; 'schema-file'?: string }): MigrationTargets {
  const migrationsFolder = values.folder ? path.resolve(values.folder) : MIGRATIONS_FOLDER;
  const schemaFile = values['schema-file'] ? path.resolve(values['schema-file']) : values.folder ? undefined : SCHEMA_FILE;
  return { migrationsFolder, schemaFile };
}
