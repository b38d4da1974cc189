/**
 * Puts a body reader (express.raw and friends) on a leash, so a client cannot
 * hold a connection with a body it never finishes:
 *
 * - a declared Content-Length over the limit is refused at once (413), before
 *   a byte of the body is read. (body-parser would also refuse it, but only
 *   after reading the whole declared body off the socket: a 10 GB declaration
 *   held the connection until the server's request timeout.)
 * - the body must be read completely within `timeoutMs` of the reader
 *   starting; otherwise 408, whatever the client is still sending (a stalled
 *   body, a Content-Length longer than what comes, a trickle).
 *
 * Both answers carry `Connection: close`: the rest of the body is never read,
 * and Node closes the socket once the answer is written. A reader that
 * finishes after the answer was sent is ignored.
 */
import type { Request, RequestHandler, Response } from 'express';

export interface BodyGuardOptions {
  maxBytes: number;
  /** How long reading the body may take, in ms. */
  timeoutMs: number;
  /** Sends the 413 answer (its body and code). */
  tooLarge(res: Response): void;
  /** Sends the 408 answer (its body and code). */
  timedOut(res: Response): void;
}

/** The declared body length, or undefined when not declared (chunked) or malformed (Node refuses those itself). */
export function declaredLength(req: Request): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

export function guardBody(read: RequestHandler, options: BodyGuardOptions): RequestHandler {
  return (req, res, next) => {
    const declared = declaredLength(req);
    if (declared !== undefined && declared > options.maxBytes) {
      res.set('Connection', 'close');
      options.tooLarge(res);
      return;
    }
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      if (res.headersSent) return;
      res.set('Connection', 'close');
      options.timedOut(res);
    }, options.timeoutMs);
    timer.unref();
    read(req, res, (error?: unknown) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      next(error);
    });
  };
}
