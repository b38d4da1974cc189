/**
 * A Bolna execution payload (Bolna's execution webhook, the same shape as its
 * Get-execution API; see docs/webhooks.md): checked before it is stored, but
 * only as far as our SQL relies on it (app_hidden.apply_bolna_execution).
 * Unknown keys are kept as they are; an unknown `status` is NOT refused here:
 * it is stored and fails to apply (UNKNOWN_STATUS), so it can be replayed once
 * the SQL knows it.
 */
import { z } from 'zod';
import { RequestError } from '../errors.ts';
import { assertStorable, isPlainObject, nonBlank, parseJsonLossless, parsePayload, trimFields } from './validation.ts';

/** `2024-06-28T08:49:36.135657`, with `Z` or an offset optionally (Bolna sends UTC). */
const ISO_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
/** Numeric text PostgreSQL casts exactly (padding is trimmed first, see `normaliseExecution`). */
const NUMBER_TEXT = /^\d+(\.\d+)?$/;

const dateTime = z.string().regex(ISO_DATE_TIME, { error: 'expected an ISO-8601 date-time' });

/** A non-negative number (or numeric text, which PostgreSQL casts alike), at most `max`. */
function amount(max: number, what: string) {
  return z
    .union([z.number().min(0).max(max), z.string().regex(NUMBER_TEXT).refine((text) => Number(text) <= max)], {
      error: `expected ${what} between 0 and ${max}`,
    })
    .nullish();
}

const text = z.string().nullish();

const telephony = z.looseObject({
  duration: amount(86_400, 'a number of seconds'),
  to_number: text,
  from_number: text,
  recording_url: text,
  call_type: text,
  hangup_by: text,
  hangup_reason: text,
});

/** Milliseconds of an ISO-8601 time as the SQL reads it (`app_hidden.ts`: without an offset it is UTC). */
function isoMillis(text: string): number {
  const iso = text.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(iso) ? iso : `${iso}Z`);
}

export const bolnaExecution = z.looseObject({
  // A big integer id arrives here as its exact digits (parseJsonLossless).
  id: z.union([nonBlank(200), z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)], {
    error: 'expected a non-empty string (at most 200 characters) or a non-negative integer',
  }),
  agent_id: nonBlank(200),
  status: nonBlank(100),
  updated_at: dateTime,
  created_at: dateTime.nullish(),
  conversation_duration: amount(86_400, 'a number of seconds'),
  conversation_time: amount(86_400, 'a number of seconds'),
  total_cost: amount(99_999_999, 'an amount in cents'),
  answered_by_voice_mail: z.boolean().nullish(),
  transcript: text,
  telephony_data: telephony.nullish(),
}).superRefine((execution, ctx) => {
  // Created after its own update: the call would start after it rang or ended,
  // which the database refuses (calls_lifecycle_order) on every replay.
  if (execution.created_at && isoMillis(execution.created_at) > isoMillis(execution.updated_at)) {
    ctx.addIssue({ code: 'custom', path: ['created_at'], message: 'created_at is later than updated_at' });
  }
});

export type BolnaExecution = z.infer<typeof bolnaExecution>;

/** Fields holding numbers as text, or phone numbers: stripped of Unicode padding before validation. */
const PADDED_NUMBERS = ['conversation_duration', 'conversation_time', 'total_cost'] as const;
const PADDED_TELEPHONY = ['duration', 'to_number', 'from_number', 'hangup_provider_code'] as const;

/** Trims Unicode spaces around numbers (in place), so that PostgreSQL reads them. */
function normaliseExecution(payload: Record<string, unknown>): void {
  trimFields(payload, PADDED_NUMBERS);
  const telephony = payload.telephony_data;
  if (isPlainObject(telephony)) trimFields(telephony, PADDED_TELEPHONY);
}

/** One delivery of one state of one execution: `${id}:${status}:${updated_at}` (as the SQL contract defines). */
export function bolnaEventKey(execution: BolnaExecution): string {
  return `${execution.id}:${execution.status}:${execution.updated_at}`;
}

/**
 * The payload to store (as JSON text) and the validated execution; throws
 * INVALID_JSON / INVALID_PAYLOAD / MISSING_FIELD / INVALID_FIELD. The stored
 * JSON is the body re-serialised after a lossless parse (integers beyond 2^53
 * as their exact digits) with padded numbers trimmed.
 */
export function parseBolnaBody(body: Buffer): { json: string; execution: BolnaExecution } {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body));
  } catch {
    throw new RequestError('INVALID_JSON', body.length === 0 ? 'The body is empty; expected a JSON object.' : 'The body is not valid UTF-8 JSON.');
  }
  if (!isPlainObject(parsed)) throw new RequestError('INVALID_PAYLOAD', 'The body must be a JSON object (one Bolna execution).');
  assertStorable(parsed);
  normaliseExecution(parsed);
  return { json: JSON.stringify(parsed), execution: parsePayload(bolnaExecution, parsed) };
}
