/**
 * Webhook responses. Errors are `{ error: { code, message, ...details } }` with
 * the status from server/errors.ts; accepted deliveries are
 * `{ eventKey, duplicate, status, callId }`: the delivery is named by its own
 * key (Bolna `id:status:updated_at`, Twilio `CallSid:SequenceNumber:CallStatus`),
 * never by a platform-wide number that would show other tenants' activity.
 *
 * Status choices (Twilio wants a 2xx quickly and retries little; Bolna re-posts
 * on every status change anyway):
 * - 200: stored and applied, or a duplicate of a stored delivery (whatever its
 *   outcome was: it is kept, and `npm run webhooks:replay` re-applies failed ones);
 * - 422: stored, but it could not be applied (unknown agent or status, ...):
 *   kept as failed with its error, replayable; the code says why;
 * - 4xx otherwise: refused, nothing stored; 503: the database could not be
 *   reached, nothing claimed (the provider should retry).
 * The answer waits for the one statement that stores and applies the delivery
 * (milliseconds; no queue in between), so a 2xx always means "durably stored"
 * and Twilio still gets its answer well within its timeout.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { applyFailure, RequestError, requestApiError, toApiError, type ApiError, type RequestErrorCode } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { noteRequest } from '../observability/request-notes.ts';
import type { IngestResult } from './ingest.ts';

export function sendError(res: Response, api: ApiError, extra: Record<string, string> = {}): void {
  noteRequest(res.req, { outcome: api.code });
  if (api.httpStatus === 413 || api.httpStatus === 408) res.set('Connection', 'close');
  res.status(api.httpStatus).json({ error: { code: api.code, message: api.message, ...api.details, ...extra } });
}

export function refuse(res: Response, code: RequestErrorCode, message: string): void {
  sendError(res, requestApiError(new RequestError(code, message)));
}

export function sendIngestResult(res: Response, result: IngestResult, log: Logger): void {
  if (result.status === 'failed' && !result.duplicate) {
    const api = applyFailure(result.errorCode, result.error);
    log.warn(`delivery ${result.eventId} stored but not applied: ${api.code}`, { sqlstate: result.errorCode, error: result.error });
    sendError(res, api, { eventKey: result.eventKey });
    return;
  }
  noteRequest(res.req, { outcome: result.duplicate ? 'duplicate' : 'stored' });
  res.status(200).json({ eventKey: result.eventKey, duplicate: result.duplicate, status: result.status, callId: result.callId });
}

const WARN_EVERY_MS = 10_000;

/** During an outage every delivery fails alike: one warning per 10 s, with how many were not logged. */
function throttled(log: Logger, message: string): (error: string) => void {
  let lastAt = -Infinity;
  let suppressed = 0;
  return (error) => {
    const now = Date.now();
    if (now - lastAt < WARN_EVERY_MS) {
      suppressed += 1;
      return;
    }
    log.warn(message, { error, ...(suppressed ? { notLoggedSincePrevious: suppressed } : {}) });
    lastAt = now;
    suppressed = 0;
  };
}

/**
 * An async handler whose thrown errors become mapped error responses (never
 * Express's HTML). `label` names the route in logs (the Bolna path holds the
 * tenant's token, so paths are never logged).
 */
export function webhookHandler(log: Logger, label: string, handle: (req: Request, res: Response) => Promise<void>): RequestHandler {
  const warnUnavailable = throttled(log, `${label}: database unavailable, answered 503`);
  return (req: Request, res: Response, _next: NextFunction) => {
    handle(req, res).catch((error: unknown) => {
      const api = toApiError(error, log);
      if (api.httpStatus === 503) warnUnavailable(String(error));
      if (res.headersSent) return;
      sendError(res, api);
    });
  };
}
