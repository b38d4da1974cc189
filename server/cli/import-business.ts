/**
 * `npm run import:business -- <archive.tar.gz>`: loads a business export
 * (downloaded from /exports/<id>) into the database (DATABASE_URL or the
 * embedded dev cluster; stop `npm start` first, or point DATABASE_URL at its
 * cluster). Checks every file's SHA-256 against the manifest, then inserts
 * through the normal tables in one transaction, so the triggers rebuild the
 * rollups (worker/privacy/import.ts). The business must not exist there yet.
 * The imported login has no password: set one (or register again elsewhere).
 */
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { resolveDatabase, type Database } from '../../kernel/db/resolve.ts';
import { configureLogging, createLogger } from '../../kernel/log.ts';
import { importBusiness, readArchive } from '../../worker/privacy/import.ts';

async function main(): Promise<void> {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const archive = positionals[0];
  if (!archive) {
    console.error('usage: npm run import:business -- <archive.tar.gz>');
    process.exitCode = 2;
    return;
  }
  const config = loadConfig();
  configureLogging({ level: config.logLevel, format: config.logFormat });
  const log = createLogger('import:business');
  let database: Database | undefined;
  let pool: pg.Pool | undefined;
  try {
    const files = await readArchive(createReadStream(archive));
    database = await resolveDatabase(config, log);
    pool = createPool({ connectionString: database.connectionString, max: 1, applicationName: 'switchboard-import', logger: log });
    const client = await pool.connect();
    try {
      const { manifest, rows } = await importBusiness(client, files);
      const total = Object.values(rows).reduce((sum, n) => sum + n, 0);
      console.log(`imported business ${manifest.userId} (exported ${manifest.exportedAt}, schema ${manifest.schemaVersion ?? 'unknown'}): ${total} rows`);
      for (const [name, n] of Object.entries(rows)) console.log(`  ${name.padEnd(28)} ${n}`);
    } finally {
      client.release();
    }
  } catch (error) {
    log.error('import failed', { error });
    process.exitCode = 1;
  } finally {
    if (pool) await endPool(pool);
    await database?.stop();
  }
}

await main();
