/**
 * A Bolna execution payload (see /work/shared/reference/providers.md): checked
 * before it is stored, but only as far as our SQL relies on it
 * (app_hidden.apply_bolna_execution). Unknown keys are kept as they are; an
 * unknown `status` is NOT refused here: it is stored and fails to apply
 * (UNKNOWN_STATUS), so it can be replayed once the SQL knows it.
 */
import { z } from 'zod';
import { RequestError } from '../errors.ts';
import { assertStorable, isPlainObject, nonBlank, parsePayload } from './validation.ts';

/** `2024-06-28T08:49:36.135657`, with `Z` or an offset optionally (Bolna sends UTC). */
const ISO_DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const NUMBER_TEXT = /^\s*\d+(\.\d+)?\s*$/;

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

export const bolnaExecution = z.looseObject({
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
});

export type BolnaExecution = z.infer<typeof bolnaExecution>;

/** One delivery of one state of one execution: `${id}:${status}:${updated_at}` (as the SQL contract defines). */
export function bolnaEventKey(execution: BolnaExecution): string {
  return `${execution.id}:${execution.status}:${execution.updated_at}`;
}

/** The raw body as text and the validated execution; throws INVALID_JSON / INVALID_PAYLOAD / MISSING_FIELD / INVALID_FIELD. */
export function parseBolnaBody(body: Buffer): { json: string; execution: BolnaExecution } {
  let json: string;
  let parsed: unknown;
  try {
    json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
    parsed = JSON.parse(json);
  } catch {
    throw new RequestError('INVALID_JSON', body.length === 0 ? 'The body is empty; expected a JSON object.' : 'The body is not valid UTF-8 JSON.');
  }
  if (!isPlainObject(parsed)) throw new RequestError('INVALID_PAYLOAD', 'The body must be a JSON object (one Bolna execution).');
  assertStorable(parsed);
  return { json, execution: parsePayload(bolnaExecution, parsed) };
}
