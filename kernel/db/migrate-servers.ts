/**
 * The databases graphile-migrate's development commands (commit, uncommit)
 * need: the main database, a shadow database it resets at will, and a root
 * connection to create and drop it. Without DATABASE_URL they all live in a
 * throwaway embedded cluster (nothing to set up); with DATABASE_URL they are
 * that database and `<name>_shadow` on the same server (the role needs CREATEDB).
 */
import path from 'node:path';
import type { Settings } from 'graphile-migrate';
import { PROJECT_ROOT } from '../config.ts';
import type { Logger } from '../log.ts';
import { findFreePort, startEmbeddedPostgres } from './embedded.ts';
import { databaseName, withDatabase } from './urls.ts';

export interface MigrateServers {
  connectionString: string;
  shadowConnectionString: string;
  rootConnectionString: string;
  /** True for a throwaway embedded cluster. */
  throwaway: boolean;
  stop(): Promise<void>;
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The shadow database is reset (dropped and re-created) first: give it the graphile_worker schema again. */
export const INSTALL_WORKER_SCHEMA_HOOK: Settings['afterReset'] = [
  {
    _: 'command',
    command: [process.execPath, '--import', import.meta.resolve('tsx'), path.join(PROJECT_ROOT, 'server/cli/install-worker-schema.ts')]
      .map(shellQuote)
      .join(' '),
  },
];

export async function openMigrateServers(databaseUrl: string | undefined, name: string, log: Logger): Promise<MigrateServers> {
  const withShadow = (connectionString: string, rootConnectionString: string, throwaway: boolean, stop: () => Promise<void>): MigrateServers => ({
    connectionString,
    shadowConnectionString: withDatabase(connectionString, `${databaseName(connectionString)}_shadow`),
    rootConnectionString,
    throwaway,
    stop,
  });
  if (databaseUrl) return withShadow(databaseUrl, withDatabase(databaseUrl, 'postgres'), false, async () => {});
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(PROJECT_ROOT, '.data', `${name}-${process.pid}`),
    port: await findFreePort(),
    persistent: false,
    logger: log.child('postgres'),
  });
  return withShadow(cluster.connectionString, cluster.adminConnectionString, true, cluster.stop);
}
