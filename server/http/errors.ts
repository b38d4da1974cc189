/** Last handlers: JSON 404 for unknown routes, JSON 500 (logged) for thrown errors. */
import type { ErrorRequestHandler, Express } from 'express';
import type { Logger } from '../log.ts';

export function installNotFound(app: Express): void {
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', path: req.path });
  });
}

export function installErrorHandler(app: Express, log: Logger): void {
  const handler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    log.error(`${req.method} ${req.path} failed`, { error });
    res.status(500).json({ error: 'internal_error' });
  };
  app.use(handler);
}
