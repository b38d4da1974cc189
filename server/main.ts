/**
 * `npm start`: database (embedded unless DATABASE_URL is set), migrations, demo
 * seed, worker and HTTP server in one process. SIGINT/SIGTERM stop them in
 * reverse order: HTTP, worker, pool, database.
 */
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { runMigrations } from './db/migrate.ts';
import { createPool, endPool } from './db/pool.ts';
import { resolveDatabase } from './db/resolve.ts';
import { listen } from './http/listen.ts';
import { createLogger, setLogLevel } from './log.ts';
import { seedDemoIfEmpty } from './seed/demo.ts';
import { installShutdown } from './shutdown.ts';
import { startWorker } from '../worker/runner.ts';

const config = loadConfig();
setLogLevel(config.logLevel);
const log = createLogger('server');
const shutdown = installShutdown(log);

try {
  const database = await resolveDatabase(config, log.child('db'));
  shutdown.add('database', database.stop);

  await runMigrations(database.connectionString, { logger: log.child('migrate') });

  const pool = createPool({ connectionString: database.connectionString, logger: log.child('pool') });
  shutdown.add('pool', () => endPool(pool));

  const demo = await seedDemoIfEmpty(pool, log.child('seed'));
  if (demo.login) log.info(`demo login: ${demo.login.email} / ${demo.login.password} (admin: ${demo.login.adminEmail})`);

  const worker = await startWorker({
    connectionString: database.connectionString,
    concurrency: config.workerConcurrency,
    compactIntervalMs: config.compactIntervalMs,
    logger: log.child('worker'),
  });
  shutdown.add('worker', worker.stop);

  const app = createApp({ pool, worker: () => worker, logger: log.child('http') });
  const http = await listen(app, { host: config.host, port: config.port });
  shutdown.add('http', () => http.close());

  log.info(`listening on ${http.url}`);
} catch (error) {
  log.error('start-up failed', { error });
  await shutdown.exit('start-up failed', 1);
}
