/**
 * GET /metrics (Prometheus text format), never open to the public by default:
 *
 * - METRICS_TOKEN set: served on the main port to `Authorization: Bearer <token>`
 *   (401 otherwise); unset: /metrics is not on the main port at all;
 * - METRICS_PORT set: also served by a separate listener on METRICS_HOST
 *   (default 127.0.0.1), for a Prometheus on the same host or network; it asks
 *   for the token too when one is set. The standalone worker (`npm run worker`)
 *   serves its job metrics this way.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import { listen, type HttpServer } from '../http/listen.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from './metrics.ts';

export const METRICS_PATH = '/metrics';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const BEARER = /^Bearer +([^\s]+) *$/i;

function metricsHandler(metrics: Metrics, token: string | undefined, logger: Logger | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res) => {
    if (expected) {
      const given = BEARER.exec(req.get('authorization') ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        res
          .status(401)
          .set('WWW-Authenticate', 'Bearer realm="metrics"')
          .json({ error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>.' });
        return;
      }
    }
    metrics.render().then(
      ({ contentType, body }) => {
        res.status(200).set('Content-Type', contentType).set('Cache-Control', 'no-store').send(body);
      },
      (error: unknown) => {
        logger?.error('metrics: rendering failed', { error });
        res.status(500).json({ error: 'internal_error', message: 'Metrics could not be rendered.' });
      },
    );
  };
}

export interface MetricsEndpointDeps {
  metrics: Metrics;
  /** METRICS_TOKEN; without it nothing is mounted on this app. */
  token: string | undefined;
  logger?: Logger;
}

/** Mounts GET /metrics on the main app when a token protects it; returns whether it did. */
export function installMetrics(app: Express, { metrics, token, logger }: MetricsEndpointDeps): boolean {
  if (token === undefined) return false;
  app.get(METRICS_PATH, metricsHandler(metrics, token, logger));
  return true;
}

export interface MetricsServerOptions {
  metrics: Metrics;
  host: string;
  port: number;
  /** When set, the listener asks for it too. */
  token?: string;
  logger?: Logger;
}

/** A separate listener that serves only GET /metrics. */
export async function startMetricsServer({ metrics, host, port, token, logger }: MetricsServerOptions): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  app.get(METRICS_PATH, metricsHandler(metrics, token, logger));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found', message: `Only GET ${METRICS_PATH} is served here.` });
  });
  const server = await listen(app, { host, port });
  logger?.info(`metrics at ${server.url}${METRICS_PATH}${token ? ' (bearer token required)' : ''}`);
  return server;
}

export interface MetricsSettings {
  metricsPort: number | undefined;
  metricsHost: string;
  metricsToken: string | undefined;
}

/**
 * The separate metrics listener when METRICS_PORT is set (undefined otherwise;
 * the caller closes it on shutdown). Says once where metrics are, or that they are off.
 */
export async function serveMetrics(settings: MetricsSettings, metrics: Metrics, logger: Logger, { mainPort = false } = {}): Promise<HttpServer | undefined> {
  if (settings.metricsPort === undefined) {
    if (mainPort && settings.metricsToken) logger.info(`metrics at ${METRICS_PATH} on the main port (bearer token required)`);
    else logger.info(`metrics off (set METRICS_PORT${mainPort ? ' or METRICS_TOKEN' : ''} to serve ${METRICS_PATH})`);
    return undefined;
  }
  return startMetricsServer({ metrics, host: settings.metricsHost, port: settings.metricsPort, token: settings.metricsToken, logger });
}
