/**
 * One log line and one metrics observation per HTTP request, when its
 * response has finished (or the client went away):
 *
 *   POST /webhooks/bolna/:token 200 12.3 ms  {method, route, status, durationMs,
 *     business, provider, outcome}            (webhooks)
 *   POST /graphql 200 8.1 ms  {..., business, operation, documentId}  (GraphQL)
 *
 * The route is the matched route pattern, never the raw URL: the Bolna URL
 * holds the tenant's secret token, and query strings may hold anything.
 * Health checks, /metrics and the dashboard's hashed assets log at debug, so
 * a load balancer's probes and Prometheus' scrapes leave an idle server quiet;
 * 5xx answers log at error except 503 (the database is unavailable: that is
 * logged once per 10 s where it is detected, not once per refused request),
 * the rest at info.
 */
import type { Express, Request, Response } from 'express';
import { getRequestAuth } from '../auth/request-auth.ts';
import type { Logger, LogMeta } from '../../kernel/log.ts';
import { graphqlOperation } from './graphql-operation.ts';
import type { Metrics } from '../../kernel/metrics/metrics.ts';
import { requestNotes } from './request-notes.ts';

/** Routes whose lines are debug. */
const QUIET_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics', '/assets/*']);

/** Paths served by middleware rather than Express routes (the path or below it). */
const PREFIX_ROUTES: ReadonlyArray<[prefix: string, route: string]> = [
  ['/graphql', '/graphql'],
  ['/graphiql', '/graphiql'],
  ['/ruru-static', '/ruru-static/*'],
  ['/assets', '/assets/*'],
  ['/metrics', '/metrics'],
];

function pathOf(req: Request): string {
  const url = req.originalUrl;
  const end = url.indexOf('?');
  return end === -1 ? url : url.slice(0, end);
}

/**
 * A bounded route label: the Express route pattern that answered (mount path
 * included), a known prefix, `unmatched` for 404s, `/*` for the dashboard's
 * page fallback, else `other`.
 */
export function routeLabel(req: Request, status: number): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  const path = pathOf(req);
  for (const [prefix, label] of PREFIX_ROUTES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return label;
  }
  if (status === 404) return 'unmatched';
  if (req.method === 'GET' || req.method === 'HEAD') return '/*';
  return 'other';
}

function webhookProvider(route: string): string | undefined {
  if (!route.startsWith('/webhooks/')) return undefined;
  return route.split('/')[2];
}

export interface RequestLogDeps {
  logger: Logger;
  metrics?: Metrics;
}

export function installRequestLog(app: Express, { logger, metrics }: RequestLogDeps): void {
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      record(req, res, seconds, !res.writableFinished, logger, metrics);
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  });
}

function record(req: Request, res: Response, seconds: number, aborted: boolean, logger: Logger, metrics: Metrics | undefined): void {
  const status = res.statusCode;
  const route = routeLabel(req, status);
  const notes = requestNotes(req);
  const auth = getRequestAuth(req);
  const business = notes.business ?? (auth.kind === 'anonymous' ? undefined : auth.userId);
  const provider = webhookProvider(route);
  const operation = route === '/graphql' ? graphqlOperation(req) : undefined;
  const outcome = provider ? (notes.outcome ?? (status < 400 ? 'stored' : `HTTP_${status}`)) : undefined;

  metrics?.observeRequest({
    method: req.method,
    route,
    status,
    seconds,
    operation: operation?.label,
    webhook: provider && outcome ? { provider, outcome } : undefined,
  });

  const durationMs = Math.round(seconds * 10_000) / 10;
  const meta: LogMeta = { method: req.method, route, status, durationMs };
  if (route === 'unmatched' && !pathOf(req).startsWith('/webhooks')) meta.path = pathOf(req).slice(0, 200);
  if (business) meta.business = business;
  if (operation?.name) meta.operation = operation.name;
  if (operation?.documentId) meta.documentId = operation.documentId;
  if (provider) {
    meta.provider = provider;
    meta.outcome = outcome;
  }
  if (aborted) meta.aborted = true;
  const message = `${req.method} ${route} ${status} ${durationMs} ms${operation?.name ? ` ${operation.name}` : ''}${outcome ? ` ${outcome}` : ''}`;
  if (QUIET_ROUTES.has(route)) logger.debug(message, meta);
  else if (status >= 500 && status !== 503) logger.error(message, meta);
  else logger.info(message, meta);
}
