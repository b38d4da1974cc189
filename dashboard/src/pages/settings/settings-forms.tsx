/**
 * Shared bits of the settings forms (agents, targets, account): the API's
 * message shown next to the field it is about, and which field each error code
 * belongs to (server/errors.ts, block "Settings pages").
 */
import type { ApiError } from '../../api/client.ts';
import './settings.css';

/** Error code -> the form field it is about. */
const FIELD_OF_CODE: Record<string, string> = {
  PROVIDER_AGENT_ID_TAKEN: 'providerAgentId',
  INVALID_PROVIDER_AGENT_ID: 'providerAgentId',
  IMMUTABLE_FIELD: 'providerAgentId',
  PHONE_NUMBER_IN_USE: 'phoneNumber',
  INVALID_PHONE_NUMBER: 'phoneNumber',
  INVALID_AGENT_NAME: 'name',
  INVALID_PROVIDER: 'provider',
  INVALID_TARGET_PERIOD: 'period',
  INVALID_TARGET_METRIC: 'metric',
  INVALID_TARGET_VALUE: 'value',
  INVALID_BUSINESS_NAME: 'name',
  INVALID_TIMEZONE: 'timezone',
  INVALID_ALERT_THRESHOLD: 'thresholdPercent',
  ALERT_THRESHOLD_EXISTS: 'thresholdPercent',
};

/** The field an error belongs to; errors of no field are shown under the form. */
export function errorField(error: ApiError | undefined): string | undefined {
  return error ? FIELD_OF_CODE[error.code] : undefined;
}

/** The error's message if it is about `field` (or, with field undefined, about no known field). */
export function FieldError({ error, field, id }: { error: ApiError | undefined; field: string | undefined; id?: string }) {
  if (!error || errorField(error) !== field) return null;
  return (
    <p className="form-error" role="alert" id={id}>
      {error.message}
    </p>
  );
}
