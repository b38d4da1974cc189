/**
 * A Twilio voice status callback: `application/x-www-form-urlencoded`
 * parameters (Twilio's documented status callback), parsed strictly (bad
 * percent-encoding or a repeated parameter is INVALID_FORM) and checked before
 * anything is stored. Values stay strings; the SQL
 * (app_hidden.apply_twilio_status) reads them leniently. An unknown
 * CallStatus is stored and fails to apply (UNKNOWN_STATUS), like Bolna's.
 */
import { z } from 'zod';
import { RequestError } from '../errors.ts';
import { TWILIO_ACCOUNT_SID_FORMAT } from './credentials.ts';
import { assertStorable, nonBlank, parsePayload, trimFields } from './validation.ts';

export type FormParams = Record<string, string>;

function decodeComponent(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new RequestError('INVALID_FORM', 'The body is not valid form encoding (bad percent-escape).');
  }
}

/** `a=1&b=2` → `{ a: '1', b: '2' }`; throws INVALID_FORM. */
export function parseForm(body: Buffer): FormParams {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new RequestError('INVALID_FORM', 'The body is not valid UTF-8.');
  }
  const params = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = decodeComponent(at === -1 ? pair : pair.slice(0, at));
    const value = decodeComponent(at === -1 ? '' : pair.slice(at + 1));
    if (params.has(name)) throw new RequestError('INVALID_FORM', `The parameter '${name}' is repeated.`);
    params.set(name, value);
  }
  const form = Object.fromEntries(params);
  assertStorable(form);
  return form;
}

const required = nonBlank(200);
const digits = (max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, { error: 'expected a whole number' })
    .refine((value) => Number(value) <= max, { error: `expected at most ${max}` })
    .optional();

export const twilioStatusCallback = z.looseObject({
  AccountSid: z.string().regex(TWILIO_ACCOUNT_SID_FORMAT, { error: 'expected AC followed by 32 hex digits' }),
  CallSid: required,
  CallStatus: nonBlank(100),
  From: required,
  To: required,
  SequenceNumber: digits(999_999_999),
  CallDuration: digits(86_400),
});

export type TwilioStatusCallback = z.infer<typeof twilioStatusCallback>;

/** Parameters holding numbers, phone numbers or times: stripped of Unicode padding (see `trimPadding`). */
const PADDED = ['From', 'To', 'Called', 'Caller', 'CallDuration', 'SequenceNumber', 'Timestamp', 'RecordingDuration'] as const;

/**
 * The parameters to store (padded numbers trimmed) and the validated callback.
 * Call it after the signature check: Twilio signs the parameters as sent.
 */
export function parseTwilioCallback(form: FormParams): { params: FormParams; callback: TwilioStatusCallback } {
  const params: FormParams = { ...form };
  trimFields(params, PADDED);
  return { params, callback: parsePayload(twilioStatusCallback, params) };
}

/** One delivery of one callback: `${CallSid}:${SequenceNumber}:${CallStatus}` (as the SQL contract defines). */
export function twilioEventKey(callback: TwilioStatusCallback): string {
  return `${callback.CallSid}:${callback.SequenceNumber ?? ''}:${callback.CallStatus}`;
}
