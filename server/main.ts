/**
 * `npm start` (through server/start.ts): database (embedded unless DATABASE_URL is set), migrations, demo
 * seed (config.demoData), worker, GraphQL, provider webhooks and HTTP server in one process. SIGINT/SIGTERM stop
 * them in reverse order: HTTP, GraphQL, worker, pools, database.
 */
import './graphql/graphile-env.ts'; // first: sets GRAPHILE_ENV before grafast loads
import { createApp } from './app.ts';
import { resolveAuthDatabaseUrl } from './auth/authenticator.ts';
import { resolveJwtSecret } from './auth/secrets.ts';
import { loadConfig } from '../kernel/config.ts';
import { runMigrations } from '../kernel/db/migrate.ts';
import { createPool, endPool } from '../kernel/db/pool.ts';
import { resolveDatabase } from '../kernel/db/resolve.ts';
import { httpTimeouts, listen } from '../kernel/http/listen.ts';
import { configureLogging, createLogger } from '../kernel/log.ts';
import { serveMetrics } from '../kernel/metrics/endpoint.ts';
import { createMetrics } from '../kernel/metrics/metrics.ts';
import { registerReadRouterMetrics, replicaConnectionString } from './graphql/read-replica.ts';
import { announceDemo } from './seed/demo.ts';
import { installShutdown } from '../kernel/shutdown.ts';
import { resolveSecretsKey } from './webhooks/secrets.ts';
import { startWorker } from '../worker/runner.ts';

const config = loadConfig();
configureLogging({ level: config.logLevel, format: config.logFormat });
const log = createLogger('server');
const shutdown = installShutdown(log);
const metrics = createMetrics({ logger: log.child('metrics') });

try {
  // First, so a production start without JWT_SECRET fails before anything starts.
  const jwtSecret = await resolveJwtSecret(config);
  const secretsKey = await resolveSecretsKey(config);

  const database = await resolveDatabase(config, log.child('db'));
  shutdown.add('database', database.stop);

  await runMigrations(database.connectionString, { logger: log.child('migrate') });

  const pool = createPool({ connectionString: database.connectionString, logger: log.child('pool') });
  shutdown.add('pool', () => endPool(pool));
  metrics.watchPool('owner', pool);
  metrics.useDatabase(pool);

  // Demo data only where config.demoData allows it; its logins are printed on every start while they work.
  await announceDemo(pool, log.child('seed'), { seed: config.demoData, production: config.production });

  // The GraphQL pools log in as app_authenticator, never as the owner: the interactive one, and
  // the background lane's for sums over whole filtered sets (server/graphql/lanes.ts).
  const authConnectionString = await resolveAuthDatabaseUrl({
    config,
    ownerConnectionString: database.connectionString,
    ownerPool: pool,
    logger: log.child('auth'),
  });
  const authPool = createPool({
    connectionString: authConnectionString,
    max: config.graphqlPoolSize,
    applicationName: 'switchboard-graphql',
    logger: log.child('graphql-pool'),
  });
  shutdown.add('graphql pool', () => endPool(authPool));
  metrics.watchPool('graphql', authPool);
  const backgroundPool = createPool({
    connectionString: authConnectionString,
    max: config.graphqlBackgroundPoolSize,
    applicationName: 'switchboard-graphql-background',
    logger: log.child('graphql-background-pool'),
  });
  shutdown.add('graphql background pool', () => endPool(backgroundPool));
  metrics.watchPool('graphql-background', backgroundPool);

  // GRAPHQL_READ_DATABASE_URL: queries on a streaming replica, same login (server/graphql/read-replica.ts).
  const readPool = config.graphqlReadDatabaseUrl
    ? createPool({
        connectionString: replicaConnectionString(config.graphqlReadDatabaseUrl, authPool.options.connectionString ?? ''),
        max: config.graphqlPoolSize,
        applicationName: 'switchboard-graphql-read',
        logger: log.child('graphql-read-pool'),
      })
    : undefined;
  if (readPool) {
    shutdown.add('graphql read pool', () => endPool(readPool));
    metrics.watchPool('graphql-read', readPool);
  }

  const worker = await startWorker({
    connectionString: database.connectionString,
    concurrency: config.workerConcurrency,
    compactIntervalMs: config.compactIntervalMs,
    logger: log.child('worker'),
    metrics,
    slowJobMs: config.slowJobMs,
  });
  shutdown.add('worker', worker.stop);

  const app = await createApp({
    pool,
    worker: () => worker,
    logger: log.child('http'),
    metrics,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    secretsKey,
    webhooks: { pool, config, logger: log.child('webhooks') },
    events: { listenConnectionString: database.connectionString, streamsPerPrincipal: config.eventStreamsPerUser },
    graphql: {
      authPool,
      backgroundPool,
      readPool,
      jwt: { secret: jwtSecret, ttlSeconds: config.jwtTtlSeconds },
      config,
      logger: log.child('graphql'),
    },
  });
  shutdown.add('graphql', app.release);
  if (app.readRouter) registerReadRouterMetrics(metrics.registry, app.readRouter);
  const http = await listen(app.express, { host: config.host, port: config.port, timeouts: httpTimeouts(config) });
  shutdown.add('http', () => http.close());
  // runs before the HTTP server closes (reverse order): open event streams would hold it for its grace period
  shutdown.add('event streams', async () => app.closeStreams());
  const metricsServer = await serveMetrics(config, metrics, log.child('metrics'), { mainPort: true });
  if (metricsServer) shutdown.add('metrics', () => metricsServer.close());

  log.info(`listening on ${http.url} (GraphQL at ${http.url}/graphql${config.graphiql ? `, GraphiQL at ${http.url}/graphiql` : ''}, webhooks at ${http.url}/webhooks)`);
} catch (error) {
  log.error('start-up failed', { error });
  await shutdown.exit('start-up failed', 1);
}
