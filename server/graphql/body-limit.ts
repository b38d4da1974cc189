/**
 * Reads the /graphql request body with a size cap, before grafserv sees it
 * (grafserv then uses `req.body` as given). An oversized body, whether it
 * declares its length (refused at once, before reading) or streams chunks,
 * gets 413 with a GraphQL-shaped body and code REQUEST_TOO_LARGE; grafserv's
 * own `maxRequestLength` answers with a plain "Too much data" and no code, so
 * we get there first. A body that does not arrive within HTTP_BODY_TIMEOUT_MS
 * gets 408 REQUEST_TIMEOUT (server/http/body-guard.ts).
 */
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { graphqlErrorBody } from '../errors.ts';
import { guardBody } from '../http/body-guard.ts';

export const REQUEST_TOO_LARGE = 'REQUEST_TOO_LARGE';
export const REQUEST_TIMEOUT = 'REQUEST_TIMEOUT';

function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
}

export function bodyLimit(maxBytes: number, timeoutMs: number): [RequestHandler, ErrorRequestHandler] {
  const refuseTooLarge = (res: Response): void => {
    res
      .status(413)
      .set('Connection', 'close')
      .json(graphqlErrorBody(REQUEST_TOO_LARGE, `The request body is larger than the limit of ${maxBytes} bytes.`));
  };
  const read = guardBody(express.raw({ type: () => true, limit: maxBytes }), {
    maxBytes,
    timeoutMs,
    tooLarge: refuseTooLarge,
    timedOut: (res) => {
      res.status(408).json(graphqlErrorBody(REQUEST_TIMEOUT, `The request body did not arrive within ${timeoutMs} ms; send it at once.`));
    },
  });
  const tooLarge: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!isTooLarge(error)) {
      next(error);
      return;
    }
    refuseTooLarge(res);
  };
  return [read, tooLarge];
}
