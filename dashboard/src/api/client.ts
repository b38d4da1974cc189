/**
 * A tiny GraphQL client: POST /graphql with the JWT, typed by the document.
 * The dashboard's own documents go as persisted documents (`documentId`, see
 * server/graphql/trusted-documents.ts), others as text. Errors carry the API's
 * code (INVALID_TOKEN, RATE_LIMITED, ...); an expired or invalid token signs
 * the user out.
 */
import { DOCUMENT_IDS } from './document-ids.ts';
import type { TypedDocument } from './scalars.ts';
import { readTenantView, TENANT_VIEW_HEADER, writeTenantView } from './tenant-view.ts';
import { readToken, writeToken } from './token.ts';

export class ApiError extends Error {
  readonly code: string;
  /** The input field the error is about (`extensions.field`), when the API names one. */
  readonly field: string | undefined;
  constructor(message: string, code: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }
}

/** Codes that end the session (the token is dropped and the sign-in page shows). */
export const SIGN_OUT_CODES: ReadonlySet<string> = new Set(['INVALID_TOKEN', 'TOKEN_EXPIRED', 'MEMBERSHIP_REVOKED']);

interface WireError {
  message?: unknown;
  extensions?: { code?: unknown; field?: unknown };
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
  const field = isRecord(extensions) && typeof extensions.field === 'string' ? extensions.field : undefined;
  return new ApiError(typeof message === 'string' ? message : 'The server returned an error.', code, field);
}

/** `{ documentId }` for a document the server knows by id, else `{ query }`. */
export function requestDocument(document: { name: string; query: string }): { documentId: string } | { query: string } {
  const documentId = Object.hasOwn(DOCUMENT_IDS, document.name) ? DOCUMENT_IDS[document.name] : undefined;
  return documentId ? { documentId } : { query: document.query };
}

export async function request<TData, TVariables extends Record<string, unknown>>(
  document: TypedDocument<TData, TVariables>,
  variables: TVariables,
  { signal }: { signal?: AbortSignal } = {},
): Promise<TData> {
  try {
    return await send<TData>(requestDocument(document), document.name, variables, signal);
  } catch (error) {
    // A server that does not know this id (another version): send the text once instead.
    if (error instanceof ApiError && error.code === DOCUMENT_NOT_FOUND) return send<TData>({ query: document.query }, document.name, variables, signal);
    throw error;
  }
}

const DOCUMENT_NOT_FOUND = 'PERSISTED_DOCUMENT_NOT_FOUND';

async function send<TData>(
  document: { documentId: string } | { query: string },
  operationName: string,
  variables: Record<string, unknown>,
  signal: AbortSignal | undefined,
): Promise<TData> {
  const token = readToken();
  const view = token ? readTenantView() : null;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(view ? { [TENANT_VIEW_HEADER]: view.id } : {}),
      },
      body: JSON.stringify({ ...document, variables, operationName }),
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
    // An operator's view that the server no longer accepts (expired after an hour): back to their own account.
    if (error.code === 'TENANT_VIEW_NOT_STARTED' && view) writeTenantView(null);
    throw error;
  }
  if (!isRecord(body) || !isRecord(body.data)) throw new ApiError('The server returned no data.', 'BAD_RESPONSE');
  // The document's type describes `data`; the schema test keeps the two in step.
  return body.data as TData;
}
