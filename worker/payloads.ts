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
