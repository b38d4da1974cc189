/**
 * The development database for `db:watch`: DATABASE_URL, else the embedded
 * cluster in PG_DATA_DIR: the one `npm start` is running right now if it is
 * (watching while the app runs is the usual way to work), else started here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { EMBEDDED_PASSWORD, EMBEDDED_USER } from './embedded.ts';
import { resolveDatabase, type Database } from './resolve.ts';
import { connectionStringFor } from './urls.ts';

/** Port of the postgres running on `dataDir` (postmaster.pid: pid on line 1, port on line 4), if any. */
async function runningPort(dataDir: string): Promise<number | undefined> {
  const lines = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

export async function resolveDevDatabase(config: Config, log: Logger): Promise<Database> {
  if (!config.databaseUrl) {
    const port = await runningPort(config.pgDataDir);
    if (port !== undefined) {
      log.info(`using the embedded cluster already running on port ${port} (${config.pgDataDir})`);
      const connectionString = connectionStringFor({ user: EMBEDDED_USER, password: EMBEDDED_PASSWORD, port, database: 'switchboard' });
      return { connectionString, embedded: false, stop: async () => {} };
    }
  }
  return resolveDatabase(config, log);
}
