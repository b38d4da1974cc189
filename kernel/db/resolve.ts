/** DATABASE_URL if set, else the persistent embedded cluster from the config. */
import type { Config } from '../config.ts';
import { createLogger, type Logger } from '../log.ts';
import { startEmbeddedPostgres } from './embedded.ts';

export interface Database {
  connectionString: string;
  /** True when we started the embedded cluster (and so must stop it). */
  embedded: boolean;
  /** Stops the embedded cluster; does nothing for DATABASE_URL. */
  stop(): Promise<void>;
}

export async function resolveDatabase(config: Config, logger?: Logger): Promise<Database> {
  const log = logger ?? createLogger('db');
  if (config.databaseUrl) {
    log.info('using DATABASE_URL');
    return { connectionString: config.databaseUrl, embedded: false, stop: async () => {} };
  }
  const cluster = await startEmbeddedPostgres({
    dataDir: config.pgDataDir,
    port: config.pgPort,
    persistent: true,
    logger: log.child('postgres'),
  });
  return { connectionString: cluster.connectionString, embedded: true, stop: cluster.stop };
}
