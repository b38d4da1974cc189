/**
 * The dashboard (dashboard/dist, built by `npm run dashboard:build`) at `/`:
 * hashed assets with long caching, and index.html for every other GET that
 * asks for HTML and is not an API route (SPA fallback: /agents/<id>, /admin).
 * Installed only when the build exists; otherwise the API runs alone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import type { Logger } from '../log.ts';

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
  app.use('/assets', express.static(path.join(distDir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true }));
  app.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (API_PREFIXES.some((prefix) => req.path === prefix || req.path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`))) return next();
    if (!req.accepts('html')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(indexHtml, (error?: Error) => {
      if (error) next(error);
    });
  });
  return true;
}
