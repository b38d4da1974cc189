/**
 * A tiny GraphQL client: POST /graphql with the JWT, typed by the document.
 * Errors carry the API's code (INVALID_TOKEN, RATE_LIMITED, ...); an expired or
 * invalid token signs the user out.
 */
import type { TypedDocument } from './scalars.ts';
import { readToken, writeToken } from './token.ts';

export class ApiError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

const SIGN_OUT_CODES = new Set(['INVALID_TOKEN', 'TOKEN_EXPIRED']);

interface WireError {
  message?: unknown;
  extensions?: { code?: unknown };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function firstError(errors: unknown): ApiError | undefined {
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const error: unknown = errors[0];
  if (!isRecord(error)) return new ApiError('The server returned an error.', 'UNKNOWN');
  const { message, extensions } = error as WireError;
  const code = isRecord(extensions) && typeof extensions.code === 'string' ? extensions.code : 'UNKNOWN';
  return new ApiError(typeof message === 'string' ? message : 'The server returned an error.', code);
}

export async function request<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocument<TData, TVariables>,
  variables: TVariables,
  { signal }: { signal?: AbortSignal } = {},
): Promise<TData> {
  const token = readToken();
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document.query, variables, operationName: document.name }),
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('Cannot reach the server. Check your connection.', 'NETWORK');
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The server answered ${response.status} without JSON.`, 'BAD_RESPONSE');
  }
  const error = isRecord(body) ? firstError(body.errors) : undefined;
  if (error) {
    if (SIGN_OUT_CODES.has(error.code)) writeToken(null);
    throw error;
  }
  if (!isRecord(body) || !isRecord(body.data)) throw new ApiError('The server returned no data.', 'BAD_RESPONSE');
  // The document's type describes `data`; the schema test keeps the two in step.
  return body.data as TData;
}
