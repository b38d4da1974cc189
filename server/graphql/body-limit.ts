/**
 * Reads the /graphql request body with a size cap, before grafserv sees it
 * (grafserv then uses `req.body` as given). An oversized body, whether it
 * declares its length or streams chunks, gets 413 with a GraphQL-shaped body
 * and code REQUEST_TOO_LARGE; grafserv's own `maxRequestLength` answers with a
 * plain "Too much data" and no code, so we get there first.
 */
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { graphqlErrorBody } from '../errors.ts';

export const REQUEST_TOO_LARGE = 'REQUEST_TOO_LARGE';

function isTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
}

export function bodyLimit(maxBytes: number): [RequestHandler, ErrorRequestHandler] {
  const read = express.raw({ type: () => true, limit: maxBytes });
  const tooLarge: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!isTooLarge(error)) {
      next(error);
      return;
    }
    res
      .status(413)
      .set('Connection', 'close')
      .json(graphqlErrorBody(REQUEST_TOO_LARGE, `The request body is larger than the limit of ${maxBytes} bytes.`));
  };
  return [read, tooLarge];
}
