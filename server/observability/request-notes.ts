/**
 * What a handler knows about a request that the request log and the metrics
 * want on its one line: the tenant (business) it acted for and, for webhooks,
 * the outcome (`stored`, `duplicate` or the error code). Kept per request in a
 * WeakMap (nothing leaks, no Express typing tricks); read once when the
 * response has finished (server/observability/request-log.ts).
 */
import type { IncomingMessage } from 'node:http';

export interface RequestNotes {
  /** The tenant's user id, once known. */
  business?: string;
  /** Webhooks: `stored`, `duplicate`, or the error code the delivery was answered with. */
  outcome?: string;
}

const notesByRequest = new WeakMap<IncomingMessage, RequestNotes>();

/** Adds to the request's notes (later notes win). */
export function noteRequest(req: IncomingMessage, notes: RequestNotes): void {
  const existing = notesByRequest.get(req);
  notesByRequest.set(req, existing ? { ...existing, ...notes } : notes);
}

export function requestNotes(req: IncomingMessage): RequestNotes {
  return notesByRequest.get(req) ?? {};
}
