/**
 * `npm run db:watch [-- --once] [--folder migrations] [--schema-file sql/schema.sql]`:
 * applies `migrations/current.sql` to the development database (DATABASE_URL
 * or the embedded cluster in PG_DATA_DIR, also while `npm start` runs it) now and on every save, then rewrites
 * sql/schema.sql from it, so the file shows your work in progress. Write
 * current.sql idempotently (`create or replace`, `drop ... if exists`): a
 * changed file runs again as a whole. Ctrl-C stops. `--once`: one pass, then exit.
 */
import { unwatchFile, watchFile } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../kernel/config.ts';
import { resolveDevDatabase } from '../../kernel/db/dev-database.ts';
import { applyCurrentMigration } from '../../kernel/db/watch-current.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { migrationTargets } from './migration-args.ts';

const { values } = parseArgs({
  options: { once: { type: 'boolean', default: false }, folder: { type: 'string' }, 'schema-file': { type: 'string' } },
});
const { migrationsFolder, schemaFile } = migrationTargets(values);
const currentFile = path.join(migrationsFolder, 'current.sql');

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('db:watch');
const database = await resolveDevDatabase(config, log);

/** Runs one pass; reports failures (the SQL error and its position) and keeps watching. */
async function pass(): Promise<boolean> {
  try {
    await applyCurrentMigration({ connectionString: database.connectionString, migrationsFolder, schemaFile, logger: log });
    return true;
  } catch (error) {
    log.error('current.sql failed (nothing of it was applied); fix it and save again', { error });
    return false;
  }
}

if (values.once) {
  if (!(await pass())) process.exitCode = 1;
  await database.stop();
} else {
  // One pass at a time; saves during a pass coalesce into one more pass.
  let running: Promise<void> | undefined;
  let again = false;
  const queue = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again);
      running = undefined;
      log.info(`watching ${path.relative(process.cwd(), currentFile)} (Ctrl-C stops)`);
    })();
  };
  // Polling survives editors that save by renaming and `git stash` (as graphile-migrate's own watch does).
  watchFile(currentFile, { interval: 300 }, (now, before) => {
    if (now.mtimeMs !== before.mtimeMs || now.size !== before.size) queue();
  });
  queue();
  const shutdown = async (): Promise<void> => {
    unwatchFile(currentFile);
    await running;
    await database.stop();
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}
