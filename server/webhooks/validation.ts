/**
 * Turning a parsed body into a typed payload, or a 400 that names the field:
 * MISSING_FIELD when a required field is absent or null, INVALID_FIELD when it
 * has the wrong type or range, INVALID_PAYLOAD when the body is not an object
 * or holds text PostgreSQL cannot store (NUL characters, lone surrogates).
 * Also: JSON parsed without losing big integers, and numbers (amounts, phone
 * numbers) stripped of the Unicode spaces PostgreSQL does not read as space.
 */
import { z } from 'zod';
import { RequestError } from '../errors.ts';

/** Text with something other than white space, at most `max` characters (kept as sent: no trimming). */
export function nonBlank(max: number) {
  return z.string().regex(/\S/, { error: 'expected non-blank text' }).max(max);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function fieldName(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** `schema.parse(input)`, with the first problem reported as a RequestError naming its field. */
export function parsePayload<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue || issue.path.length === 0) {
    throw new RequestError('INVALID_PAYLOAD', `The payload is invalid${issue ? `: ${issue.message}` : ''}.`);
  }
  const field = fieldName(issue.path);
  const value = valueAt(input, issue.path);
  if (value === undefined || value === null) {
    throw new RequestError('MISSING_FIELD', `'${field}' is required.`, { field });
  }
  throw new RequestError('INVALID_FIELD', `'${field}' is invalid: ${issue.message}.`, { field });
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** PostgreSQL's jsonb and text refuse U+0000, and JSON text with a lone surrogate does not convert. */
function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** Deeper JSON is refused (PostgreSQL's parser has a stack limit too; real payloads nest a few levels). */
export const MAX_JSON_DEPTH = 64;

/** Throws INVALID_PAYLOAD when a key or string anywhere in `value` cannot be stored, or it nests too deeply. */
export function assertStorable(value: unknown): void {
  const walk = (node: unknown, depth: number): boolean => {
    if (depth > MAX_JSON_DEPTH) {
      throw new RequestError('INVALID_PAYLOAD', `The payload nests deeper than ${MAX_JSON_DEPTH} levels.`);
    }
    if (typeof node === 'string') return storable(node);
    if (Array.isArray(node)) return node.every((child) => walk(child, depth + 1));
    if (isPlainObject(node)) return Object.entries(node).every(([key, child]) => storable(key) && walk(child, depth + 1));
    return true;
  };
  if (!walk(value, 0)) {
    throw new RequestError('INVALID_PAYLOAD', 'The payload contains NUL characters or unpaired surrogates, which cannot be stored.');
  }
}

/**
 * JSON.parse's reviver with the source text of primitives (TC39 "JSON.parse
 * source text access", in V8 since 11.4 / Node 21; not yet in TypeScript's lib).
 */
type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: Reviver) => unknown;

const NON_NEGATIVE_INTEGER = /^\d+$/;

/**
 * `JSON.parse`, except that a non-negative integer beyond 2^53 (which a double
 * cannot hold: 9007199254740993 would read as ...992) is kept as the exact
 * digits of its source, as a string. Provider ids are text to us, so such an
 * id keeps its identity; every other number is parsed as usual.
 */
export function parseJsonLossless(text: string): unknown {
  return parseWithSource(text, (_key, value, context) => {
    if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && NON_NEGATIVE_INTEGER.test(context.source)) {
      return context.source;
    }
    return value;
  });
}

/**
 * Space around a value that PostgreSQL does not treat as space: its numeric
 * input and our E.164 check accept only ASCII, so `'87\u00a0'` or
 * `'\ufeff+14155550123'` would fail every time the delivery is applied (or drop
 * the number). JavaScript's `\s` covers U+00A0, U+1680, U+2000-U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000 and U+FEFF; U+200B (zero width) is added.
 */
const PADDING = /^[\s\u200b]+|[\s\u200b]+$/g;

/** The value without leading and trailing (Unicode) space; other values unchanged. */
export function trimPadding(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(PADDING, '') : value;
}

/** Trims the named string fields of `record` in place (those that are present). */
export function trimFields(record: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (typeof record[name] === 'string') record[name] = trimPadding(record[name]);
  }
}
