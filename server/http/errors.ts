/**
 * Last handlers: JSON 404 for unknown routes; thrown errors mapped by
 * server/errors.ts (known database errors and client errors keep their status;
 * anything else is a logged 500 with a reference). Under /graphql the body is
 * GraphQL-shaped (`{ errors: [...] }`), elsewhere `{ error, message }`.
 */
import type { ErrorRequestHandler, Express, Request } from 'express';
import { errorReference, graphqlErrorBody, knownApiError, type ApiError } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { routeLabel } from '../observability/request-log.ts';

export function installNotFound(app: Express): void {
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', path: req.path });
  });
}

/** Client errors from Express and body-parser (`http-errors`: 4xx with `expose`), e.g. malformed JSON. */
function clientError(error: unknown): ApiError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, expose, message } = error as Record<string, unknown>;
  if (typeof status !== 'number' || status < 400 || status > 499 || expose !== true || typeof message !== 'string') return undefined;
  return { code: 'BAD_REQUEST', httpStatus: status, message };
}

function isGraphqlRequest(req: Request): boolean {
  return req.originalUrl === '/graphql' || req.originalUrl.startsWith('/graphql?') || req.originalUrl.startsWith('/graphql/');
}

export function installErrorHandler(app: Express, log: Logger): void {
  const handler: ErrorRequestHandler = (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    let api = knownApiError(error) ?? clientError(error);
    if (!api) {
      const reference = errorReference();
      // The route pattern, not the path: the Bolna webhook path holds the tenant's token.
      log.error(`${req.method} ${routeLabel(req, 500)} failed (reference ${reference})`, { error, reference });
      api = { code: 'INTERNAL_ERROR', httpStatus: 500, message: `An unexpected error occurred (reference ${reference}).`, details: { reference } };
    }
    if (isGraphqlRequest(req)) {
      res.status(api.httpStatus).json(graphqlErrorBody(api.code, api.message));
    } else {
      res.status(api.httpStatus).json({ error: api.code.toLowerCase(), message: api.message, ...api.details });
    }
  };
  app.use(handler);
}
