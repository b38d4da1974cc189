/**
 * `npm run db:dump [-- --check] [--folder migrations] [--out sql/schema.sql]`:
 * writes the schema the committed migrations produce to sql/schema.sql
 * (migrated in a throwaway embedded cluster, or a scratch database next to
 * DATABASE_URL). `--check` writes nothing and fails when the file differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, PROJECT_ROOT } from '../../kernel/config.ts';
import { MIGRATIONS_FOLDER } from '../../kernel/db/migrate.ts';
import { dumpCommittedSchema, SCHEMA_FILE } from '../../kernel/db/schema-dump/file.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';

const { values } = parseArgs({
  options: { check: { type: 'boolean', default: false }, folder: { type: 'string' }, out: { type: 'string' } },
});
const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:dump');
const file = values.out ? path.resolve(values.out) : SCHEMA_FILE;
const shown = path.relative(PROJECT_ROOT, file);

try {
  const started = Date.now();
  const text = await dumpCommittedSchema({
    databaseUrl: config.databaseUrl,
    migrationsFolder: values.folder ? path.resolve(values.folder) : MIGRATIONS_FOLDER,
    logger: log,
  });
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (values.check) {
    if (before !== text) {
      log.error(`${shown} differs from what the committed migrations produce: run \`npm run db:dump\` and commit it`);
      process.exitCode = 1;
    } else {
      log.info(`${shown} matches the migrations`);
    }
  } else if (before === text) {
    log.info(`${shown} is up to date (${Date.now() - started} ms)`);
  } else {
    await writeFile(file, text);
    log.info(`wrote ${shown} (${text.split('\n').length - 1} lines, ${Date.now() - started} ms)`);
  }
} catch (error) {
  log.error('schema dump failed', { error });
  process.exitCode = 1;
}
