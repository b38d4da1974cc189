/** The Express app: a flat list of install steps, in order. */
import express, { type Express } from 'express';
import { installErrorHandler, installNotFound } from './http/errors.ts';
import { installHealth, type HealthDeps } from './http/health.ts';
import type { Logger } from './log.ts';

export interface AppDeps extends HealthDeps {
  logger: Logger;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  installHealth(app, deps);
  installNotFound(app);
  installErrorHandler(app, deps.logger);
  return app;
}
