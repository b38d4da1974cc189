/** `npm run worker`: only the job runner (no HTTP), against DATABASE_URL or the embedded cluster. */
import { loadConfig } from '../kernel/config.ts';
import { runMigrations } from '../kernel/db/migrate.ts';
import { resolveDatabase } from '../kernel/db/resolve.ts';
import { configureLogging, createLogger } from '../kernel/log.ts';
import { serveMetrics } from '../kernel/metrics/endpoint.ts';
import { createMetrics } from '../kernel/metrics/metrics.ts';
import { installShutdown } from '../kernel/shutdown.ts';
import { startWorker } from './runner.ts';
import { serviceSettings } from './settings.ts';

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('worker');
const shutdown = installShutdown(log);
const metrics = createMetrics({ logger: log.child('metrics') });

try {
  const database = await resolveDatabase(config, log.child('db'));
  shutdown.add('database', database.stop);
  await runMigrations(database.connectionString, { logger: log.child('migrate') });
  const worker = await startWorker({
    connectionString: database.connectionString,
    concurrency: config.workerConcurrency,
    compactIntervalMs: config.compactIntervalMs,
    logger: log,
    metrics,
    slowJobMs: config.slowJobMs,
    ...serviceSettings(config),
  });
  shutdown.add('worker', worker.stop);
  const metricsServer = await serveMetrics(config, metrics, log.child('metrics'));
  if (metricsServer) shutdown.add('metrics', () => metricsServer.close());
} catch (error) {
  log.error('start-up failed', { error });
  await shutdown.exit('start-up failed', 1);
}
