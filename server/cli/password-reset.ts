/**
 * `npm run password-reset -- <email> [--url https://switchboard.example.com]`:
 * prints a one-time password-reset link for any login (the platform
 * operator's way to let someone back in; there is no mail server). The link
 * works once and expires after `team.password_reset_hours` (system_config,
 * default 24). `--url` is where the dashboard is served (default
 * http://localhost:<PORT>). Uses DATABASE_URL or the embedded dev cluster
 * (stop `npm start` first, or point DATABASE_URL at its cluster).
 */
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { operatorResetLink } from '../team/reset-link.ts';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' } } });
  const email = positionals[0];
  const config = loadConfig();
  configureLogging({ level: config.logLevel, format: config.logFormat });
  const log = createLogger('password-reset');
  if (!email) {
    console.error('usage: npm run password-reset -- <email> [--url <dashboard url>]');
    process.exitCode = 2;
    return;
  }
  let database: Database | undefined;
  let pool: pg.Pool | undefined;
  try {
    database = await resolveDatabase(config, log);
    pool = createPool({ connectionString: database.connectionString, max: 1, applicationName: 'switchboard-password-reset', logger: log });
    const link = await operatorResetLink(pool, email, values.url ?? `http://localhost:${config.port}`);
    if (!link) {
      console.error(`no login has the email ${email}`);
      process.exitCode = 1;
      return;
    }
    console.log(`Password-reset link for ${link.email} (${link.role} of ${link.businessName}); it works once:\n${link.url}`);
  } catch (error) {
    log.error('password reset failed', { error });
    process.exitCode = 1;
  } finally {
    if (pool) await endPool(pool);
    await database?.stop();
  }
}

await main();
