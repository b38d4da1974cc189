/**
 * Job payload types and their runtime checks. Jobs can be created from SQL
 * (`graphile_worker.add_job`), so a task never trusts its payload's static type.
 */

/** Set by graphile-worker on jobs created from the crontab. */
export interface CronStamp {
  ts: string;
  backfilled?: boolean;
}

/** Periodic maintenance jobs take no arguments; cron adds `_cron`. */
export interface MaintenancePayload {
  _cron?: CronStamp;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCronStamp(value: unknown): value is CronStamp {
  return (
    isRecord(value) &&
    typeof value.ts === 'string' &&
    (value.backfilled === undefined || typeof value.backfilled === 'boolean')
  );
}

export function assertMaintenancePayload(payload: unknown): asserts payload is MaintenancePayload {
  if (!isRecord(payload)) throw new TypeError(`expected an object payload, got ${JSON.stringify(payload)}`);
  if (payload._cron !== undefined && !isCronStamp(payload._cron)) {
    throw new TypeError(`invalid _cron in payload: ${JSON.stringify(payload._cron)}`);
  }
}

/** `calls__analyze`: queued by the transcripts trigger as `{"callId": "<uuid>"}`. */
export interface AnalyzePayload {
  callId: string;
  /** Analyse again even if the call already has an analysis from the current prompts. */
  force?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function assertAnalyzePayload(payload: unknown): asserts payload is AnalyzePayload {
  if (!isRecord(payload) || typeof payload.callId !== 'string' || !UUID.test(payload.callId)) {
    throw new TypeError(`expected {"callId": "<uuid>"}, got ${JSON.stringify(payload)}`);
  }
  if (payload.force !== undefined && typeof payload.force !== 'boolean') {
    throw new TypeError(`invalid force in payload: ${JSON.stringify(payload.force)}`);
  }
}

/** `privacy_requests__export`: queued by `app_public.request_data_export()` as `{"requestId": "<uuid>"}`. */
export interface PrivacyExportPayload {
  requestId: string;
}

export function assertPrivacyExportPayload(payload: unknown): asserts payload is PrivacyExportPayload {
  if (!isRecord(payload) || typeof payload.requestId !== 'string' || !UUID.test(payload.requestId)) {
    throw new TypeError(`expected {"requestId": "<uuid>"}, got ${JSON.stringify(payload)}`);
  }
}

/** `rescoring_runs__process`: queued by `app_public.start_rescoring()` as `{"runId": "<uuid>"}`. */
export interface RescoringPayload {
  runId: string;
}

export function assertRescoringPayload(payload: unknown): asserts payload is RescoringPayload {
  if (!isRecord(payload) || typeof payload.runId !== 'string' || !UUID.test(payload.runId)) {
    throw new TypeError(`expected {"runId": "<uuid>"}, got ${JSON.stringify(payload)}`);
  }
}
