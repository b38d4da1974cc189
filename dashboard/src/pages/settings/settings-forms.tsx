/**
 * Shared bits of the settings forms (agents, targets, account): the API's
 * message shown next to the field it is about, and which field each error code
 * belongs to (server/errors.ts, block "Settings pages").
 */
import type { ReactNode } from 'react';
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
  INVALID_TARGET_PERIOD: 'periodType',
  INVALID_TARGET_DAY: 'periodStart',
  INVALID_TARGET_METRIC: 'metric',
  INVALID_TARGET_VALUE: 'value',
  INVALID_BUSINESS_NAME: 'name',
  INVALID_TIMEZONE: 'timezone',
  INVALID_ALERT_THRESHOLD: 'thresholdPercent',
  ALERT_THRESHOLD_EXISTS: 'thresholdPercent',
};

/** The field an error belongs to; errors of no field are shown under the form. */
export function errorField(error: ApiError | undefined): string | undefined {
  if (!error) return undefined;
  // One code for both prompts (SB712 / SB715): the message names which.
  if (error.code === 'PROMPT_TOO_LONG') return /whole contact/.test(error.message) ? 'analysisPromptComplete' : 'analysisPromptIndividual';
  return FIELD_OF_CODE[error.code];
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

interface FieldProps {
  /** The input's id (the label points at it; the error is `${id}-error`). */
  id: string;
  label: string;
  help?: string;
  error: ApiError | undefined;
  /** The field this input is, for errors (see FIELD_OF_CODE). */
  field: string;
  children: ReactNode;
}

/** A labelled input with its help text and the API's message about it underneath. */
export function Field({ id, label, help, error, field, children }: FieldProps) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {help ? (
        <span className="field-help" id={`${id}-help`}>
          {help}
        </span>
      ) : null}
      <FieldError error={error} field={field} id={`${id}-error`} />
    </div>
  );
}
