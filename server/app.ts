/** The Express app: a flat list of install steps, in order. */
import express, { type Express } from 'express';
import { installGraphql, type GraphqlDeps } from './graphql/install.ts';
import type { ReadRouter } from './graphql/read-replica.ts';
import { installDashboard, type DashboardDeps } from './http/dashboard.ts';
import { installErrorHandler, installNotFound } from './http/errors.ts';
import { installCalendar } from './http/calendar.ts';
import { installCallLogExport } from './http/call-log-export.ts';
import { installExports } from './http/exports.ts';
import { installEvents, type Events } from './events/route.ts';
import { installHealth, type HealthDeps } from './http/health.ts';
import type { TrustProxy } from '../kernel/config.ts';
import type { Logger } from '../kernel/log.ts';
import { installMetrics } from '../kernel/metrics/endpoint.ts';
import type { Metrics } from '../kernel/metrics/metrics.ts';
import { installRequestLog } from './observability/request-log.ts';
import { installWebhooks, type WebhookDeps } from './webhooks/install.ts';
import { attachSecretsKey } from './webhooks/secrets.ts';

export interface AppDeps extends HealthDeps {
  logger: Logger;
  /** PostGraphile on /graphql; omitted, the app serves only the health checks. */
  graphql?: GraphqlDeps;
  /**
   * SECRETS_KEY: the GraphQL mutations encrypt provider secrets with it and the
   * webhooks decrypt them. Omitted: those mutations fail and webhooks are not mounted.
   */
  secretsKey?: Buffer;
  /** Provider webhooks on /webhooks (mounted when this and `secretsKey` are given). */
  webhooks?: Omit<WebhookDeps, 'secretsKey'>;
  /** The dashboard at `/` (default: dashboard/dist when built); false: not served. */
  dashboard?: DashboardDeps | false;
  /** Request counts and latencies go here; with `metricsToken` also GET /metrics on this app. */
  metrics?: Metrics;
  /** METRICS_TOKEN: serve GET /metrics here to this bearer token (unset: not on this app). */
  metricsToken?: string;
  /** TRUST_PROXY: whose X-Forwarded-For gives the client's address (default: nobody's). */
  trustProxy?: TrustProxy;
  /**
   * Live updates (GET /api/events, with `graphql`): the owner's connection string for the one LISTEN
   * connection. Omitted: no event stream (the dashboard then refetches only when it reconnects).
   */
  events?: { listenConnectionString: string; streamsPerPrincipal?: number; minIntervalMs?: number; heartbeatMs?: number; recheckMs?: number };
}

export interface App {
  express: Express;
  /** Releases what the app holds (PostGraphile, the event listener); call after the HTTP server has closed. */
  release(): Promise<void>;
  /** Where GraphQL queries went, with a read replica (`graphql.readPool`). */
  readRouter?: ReadRouter;
  /** Ends the open event streams; call before closing the HTTP server (it would wait for them). */
  closeStreams(): void;
}

export async function createApp(deps: AppDeps): Promise<App> {
  const app = express();
  app.disable('x-powered-by');
  // The client's address (req.ip) for the audit trail, lock-out and rate limits: the socket's unless a proxy is trusted.
  app.set('trust proxy', deps.trustProxy ?? false);
  installRequestLog(app, { logger: deps.logger, metrics: deps.metrics });
  installHealth(app, deps);
  if (deps.metrics) installMetrics(app, { metrics: deps.metrics, token: deps.metricsToken, logger: deps.logger });
  if (deps.secretsKey) attachSecretsKey(app, deps.secretsKey);
  const webhooks = deps.webhooks && deps.secretsKey ? installWebhooks(app, { ...deps.webhooks, secretsKey: deps.secretsKey }) : undefined;
  const graphql = deps.graphql ? await installGraphql(app, null, deps.graphql) : undefined;
  if (deps.graphql) {
    // before /exports/:id, which would take "calls.csv" for an export id
    installCallLogExport(app, {
      authPool: deps.graphql.authPool,
      jwtSecret: deps.graphql.jwt.secret,
      statementTimeoutMs: Math.max(deps.graphql.config.graphqlStatementTimeoutMs, 600_000),
    });
    installCalendar(app, {
      authPool: deps.graphql.authPool,
      jwtSecret: deps.graphql.jwt.secret,
      statementTimeoutMs: deps.graphql.config.graphqlStatementTimeoutMs,
    });
    installExports(app, {
      authPool: deps.graphql.authPool,
      jwtSecret: deps.graphql.jwt.secret,
      statementTimeoutMs: deps.graphql.config.graphqlStatementTimeoutMs,
    });
  }
  const events: Events | undefined = deps.graphql && deps.events
    ? installEvents(app, {
        ...deps.events,
        authPool: deps.graphql.authPool,
        jwtSecret: deps.graphql.jwt.secret,
        logger: deps.logger.child('events'),
        streamsPerPrincipal: deps.events.streamsPerPrincipal ?? 8,
      })
    : undefined;
  if (deps.dashboard !== false) installDashboard(app, deps.logger, deps.dashboard);
  installNotFound(app);
  installErrorHandler(app, deps.logger);
  return {
    express: app,
    readRouter: graphql?.readRouter,
    release: async () => {
      webhooks?.release();
      await events?.release();
      await graphql?.release();
    },
    closeStreams: () => events?.closeStreams(),
  };
}
