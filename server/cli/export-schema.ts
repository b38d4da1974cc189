/**
 * `npm run schema:export [-- --check]`: builds the GraphQL schema from
 * DATABASE_URL or the embedded dev cluster (migrated first, as `npm start`
 * does) and writes server/graphql/schema.graphql. With --check it writes
 * nothing and exits 1 if the file is out of date.
 */
import '../graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveAuthDatabaseUrl } from '../auth/authenticator.ts';
import { loadConfig, PROJECT_ROOT } from '../../kernel/config.ts';
import { runMigrations } from '../../kernel/db/migrate.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { buildSchemaSdl, SCHEMA_FILE } from '../graphql/schema-sdl.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';

const { values } = parseArgs({ options: { check: { type: 'boolean', default: false } } });
const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('schema:export');
const shown = path.relative(PROJECT_ROOT, SCHEMA_FILE);

let database: Database | undefined;
try {
  database = await resolveDatabase(config, log);
  await runMigrations(database.connectionString, { logger: log });
  const ownerPool = createPool({ connectionString: database.connectionString, max: 2, logger: log });
  let sdl: string;
  try {
    const authUrl = await resolveAuthDatabaseUrl({ config, ownerConnectionString: database.connectionString, ownerPool, logger: log });
    sdl = await buildSchemaSdl(authUrl);
  } finally {
    await endPool(ownerPool);
  }
  const current = await readFile(SCHEMA_FILE, 'utf8').catch(() => undefined);
  if (values.check) {
    if (current !== sdl) {
      log.error(`${shown} is out of date: run npm run schema:export`);
      process.exitCode = 1;
    } else {
      log.info(`${shown} is up to date`);
    }
  } else if (current === sdl) {
    log.info(`${shown} unchanged`);
  } else {
    await writeFile(SCHEMA_FILE, sdl);
    log.info(`wrote ${shown} (${sdl.split('\n').length} lines)`);
  }
} catch (error) {
  log.error('schema export failed', { error });
  process.exitCode = 1;
} finally {
  await database?.stop();
}
