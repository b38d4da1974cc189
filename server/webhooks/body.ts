/**
 * Reading a webhook body: the media type is checked first (415), then the raw
 * bytes are read with a size cap (413: at once for a declared length over the
 * limit, else when the stream passes it) and a time limit (408: the body must
 * arrive within HTTP_BODY_TIMEOUT_MS; see server/http/body-guard.ts) and kept
 * as a Buffer in `req.body`, because signatures are computed over the exact
 * bytes received.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { RequestError, requestApiError } from '../errors.ts';
import { guardBody } from '../http/body-guard.ts';
import { refuse, sendError } from './respond.ts';

/** Refuses a body whose Content-Type is not one of `types` (type-is patterns, e.g. `application/json`, `+json`). */
export function requireMediaType(types: string[], expected: string): RequestHandler {
  return (req, res, next) => {
    // null: the request has no body at all; the handler reports what is missing.
    if (req.is(types) === false) {
      refuse(res, 'UNSUPPORTED_MEDIA_TYPE', `Expected Content-Type ${expected}, got '${req.get('content-type') ?? 'none'}'.`);
      return;
    }
    next();
  };
}

function errorType(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'type' in error && typeof error.type === 'string' ? error.type : undefined;
}

/** body-parser's errors, as our codes. */
function bodyError(error: unknown, maxBytes: number): RequestError | undefined {
  switch (errorType(error)) {
    case 'entity.too.large':
      return tooLargeError(maxBytes);
    case 'encoding.unsupported':
      return new RequestError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Content-Encoding.');
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'request.aborted':
      return new RequestError('INVALID_PAYLOAD', 'The body could not be read completely.');
    default:
      return undefined;
  }
}

function tooLargeError(maxBytes: number): RequestError {
  return new RequestError('PAYLOAD_TOO_LARGE', `The body is larger than the limit of ${maxBytes} bytes.`);
}

export function readRawBody(maxBytes: number, timeoutMs: number): [RequestHandler, ErrorRequestHandler] {
  const read = guardBody(express.raw({ type: () => true, limit: maxBytes }), {
    maxBytes,
    timeoutMs,
    tooLarge: (res) => sendError(res, requestApiError(tooLargeError(maxBytes))),
    timedOut: (res) =>
      sendError(res, requestApiError(new RequestError('REQUEST_TIMEOUT', `The body did not arrive within ${timeoutMs} ms; send it at once.`))),
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    const refused = bodyError(error, maxBytes);
    if (!refused) {
      next(error);
      return;
    }
    sendError(res, requestApiError(refused));
  };
  return [read, onError];
}

/** The bytes read by `readRawBody` (empty when the request had no body). */
export function rawBody(req: Request): Buffer {
  const body: unknown = req.body;
  return Buffer.isBuffer(body) ? body : Buffer.alloc(0);
}
