/**
 * The dashboard (dashboard/dist, built by `npm run dashboard:build`) at `/`:
 * hashed assets with long caching (`immutable`, a year), and index.html for
 * every other GET that asks for HTML and is not an API route (SPA fallback:
 * /agents/<id>, /admin), `no-cache` so a new build is picked up at once.
 * Installed only when the build exists; otherwise the API runs alone.
 *
 * Compression: the build writes `.br` and `.gz` copies beside every text asset
 * (dashboard/vite.config.ts); express-static-gzip picks one from the request's
 * Accept-Encoding (brotli first, then gzip, the original when neither is
 * accepted) with `Content-Encoding`, the original's
 * `Content-Type`, and `Vary: Accept-Encoding` for caches. Nothing is compressed
 * per request.
 *
 * Every dashboard response carries the usual security headers (helmet): a
 * Content-Security-Policy that allows only the dashboard's own scripts,
 * styles, images and API (`'self'`; `data:` images for the inline favicon),
 * no framing (`frame-ancestors 'none'` and X-Frame-Options: DENY), nosniff,
 * `Referrer-Policy: no-referrer`, and helmet's cross-origin isolation headers.
 * The built dashboard needs nothing inline: Vite emits module scripts from
 * /assets, and React (Recharts included) sets styles through the CSSOM, which
 * CSP does not govern (tests/dashboard/browser.test.ts checks that the
 * overview renders without a CSP violation). HSTS is left to the TLS proxy.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Express, type RequestHandler } from 'express';
import expressStaticGzip from 'express-static-gzip';
import helmet from 'helmet';
import type { Logger } from '../../kernel/log.ts';

/** The dashboard's Content-Security-Policy directives (helmet's names). */
export const DASHBOARD_CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** The security headers of every dashboard response. */
export function dashboardHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: DASHBOARD_CSP_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}

export const DASHBOARD_DIST = path.resolve(import.meta.dirname, '../../dashboard/dist');

export interface DashboardDeps {
  /** The built dashboard; default dashboard/dist. */
  distDir?: string;
}

/** Paths the fallback never answers (the API's own routes, assets that do not exist). */
const API_PREFIXES = ['/graphql', '/graphiql', '/ruru-static', '/webhooks', '/exports', '/healthz', '/readyz', '/assets/'];

export function installDashboard(app: Express, logger: Logger, deps: DashboardDeps = {}): boolean {
  const distDir = deps.distDir ?? DASHBOARD_DIST;
  const indexHtml = path.join(distDir, 'index.html');
  if (!existsSync(indexHtml)) {
    logger.info(`dashboard not built (${path.relative(process.cwd(), indexHtml)} missing): run npm run dashboard:build`);
    return false;
  }
  const headers = dashboardHeaders();
  const assets = expressStaticGzip(path.join(distDir, 'assets'), {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
    serveStatic: { index: false, immutable: true, maxAge: '365d', fallthrough: true },
  });
  // index.html through the same negotiation (its copies sit beside it); revalidated on every load.
  const page = expressStaticGzip(distDir, {
    enableBrotli: true,
    orderPreference: ['br', 'gzip'],
    index: false,
    serveStatic: { index: false, cacheControl: false, fallthrough: false },
  });
  app.use('/assets', headers, assets);
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (API_PREFIXES.some((prefix) => req.path === prefix || req.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) return next();
    if (!req.accepts('html')) return next();
    headers(req, res, (error?: unknown) => {
      if (error) return next(error);
      res.setHeader('cache-control', 'no-cache');
      const url = req.url;
      req.url = '/index.html';
      page(req, res, (sendError?: unknown) => {
        req.url = url;
        next(sendError);
      });
    });
  });
  return true;
}
