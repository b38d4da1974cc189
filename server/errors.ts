/**
 * The one place where errors become what API clients see: a stable `code`, a
 * message that names the problem (a field, a rule) without SQL, values or stack
 * traces, and an HTTP status for non-GraphQL routes. PostgreSQL errors are
 * mapped by SQLSTATE (custom `SBnnn` codes are raised by our SQL with messages
 * written for users; see sql/README.md). Anything unrecognised becomes
 * INTERNAL_ERROR with a short reference that is logged with the full error, so
 * a user's report can be matched to the log line.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from '../kernel/log.ts';
import { currentCallerKind } from './auth/current-caller.ts';

export interface ApiError {
  /** Stable, SCREAMING_SNAKE_CASE: clients switch on it. */
  code: string;
  message: string;
  httpStatus: number;
  /** Extra machine-readable details (`field`, `rule`, `reference`). */
  details?: Record<string, string>;
}

/** The fields of `pg`'s DatabaseError that we read (duck-typed: several copies of `pg` may be loaded). */
interface PgErrorFields {
  code: string;
  message: string;
  detail?: string;
  constraint?: string;
  column?: string;
  table?: string;
  /** The C function that raised it: `exec_stmt_raise` means a PL/pgSQL RAISE in our SQL. */
  routine?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

function pgError(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as Record<string, unknown>;
  if (typeof code !== 'string' || !SQLSTATE.test(code) || typeof message !== 'string') return undefined;
  // pg's DatabaseError always has a severity; Node system errors (ECONNREFUSED) have no 5-char code.
  if (!('severity' in error)) return undefined;
  const fields = error as Record<string, unknown>;
  const optional = (key: string): string | undefined => (typeof fields[key] === 'string' ? fields[key] : undefined);
  return {
    code,
    message,
    detail: optional('detail'),
    constraint: optional('constraint'),
    column: optional('column'),
    table: optional('table'),
    routine: optional('routine'),
  };
}

/** `phone_number` → `phoneNumber`: the GraphQL spelling of a column. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Columns of each constraint and unique index, keyed by `constraintKey(table, name)`
 * (loaded by server/graphql/constraints.ts). PostgreSQL omits the `Key (...)` detail
 * under row-level security, so this is how a unique or foreign-key error names its field.
 */
export type ConstraintColumns = ReadonlyMap<string, readonly string[]>;

export function constraintKey(table: string, name: string): string {
  return `${table}.${name}`;
}

/** The tenant column is implied by who is asking: leave it out of messages (unless it is all there is). */
function meaningful(columns: readonly string[]): string[] {
  const rest = columns.filter((column) => column !== 'user_id');
  return (rest.length ? rest : [...columns]).map(camelCase);
}

/** The fields a constraint error is about: from the detail when present, else from the constraint's columns. */
function errorFields(error: PgErrorFields, constraints: ConstraintColumns | undefined): string[] {
  const match = error.detail ? /^Key \(([^)]*)\)=/.exec(error.detail) : null;
  if (match?.[1]) return meaningful(match[1].split(',').map((column) => column.trim().replace(/^"|"$/g, '')));
  const columns = error.table && error.constraint ? constraints?.get(constraintKey(error.table, error.constraint)) : undefined;
  return columns ? meaningful(columns) : [];
}

/** `'a'`, `'a' and 'b'`, `'a', 'b' and 'c'` */
function fieldList(fields: string[]): string {
  const quoted = fields.map((field) => `'${field}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}` : (quoted[0] ?? '');
}

/** Messages our own SQL raises under these codes are written for users: pass them through. */
const CUSTOM: Record<string, { code: string; httpStatus: number; details?: Record<string, string> }> = {
  SB001: { code: 'IMMUTABLE_FIELD', httpStatus: 409 },
  SB002: { code: 'AGENT_HAS_HISTORY', httpStatus: 409 },
  SB101: { code: 'WEAK_PASSWORD', httpStatus: 400 },
  SB102: { code: 'EMAIL_TAKEN', httpStatus: 409 },
  SB103: { code: 'INVALID_DATE_RANGE', httpStatus: 400 },
  SB104: { code: 'NOT_FOUND', httpStatus: 404 },
  // SB105 (TWILIO_ACCOUNT_TAKEN) and SB106 (CALL_OF_ANOTHER_ACCOUNT) are retired: provider ids are per tenant.
  // Raised while applying a provider webhook (stored as failed, replayable): see `applyFailure`.
  SB107: { code: 'UNKNOWN_STATUS', httpStatus: 422 },
  SB108: { code: 'UNKNOWN_AGENT', httpStatus: 422 },
  // The audit trail is append-only (app_hidden.audit_log's _010_append_only guard).
  SB130: { code: 'AUDIT_LOG_APPEND_ONLY', httpStatus: 409 },
  // Leads (issue 15 item 4: leadsPage, markLeadsRead): a filter that cannot be meant.
  SB150: { code: 'INVALID_LEAD_FILTER', httpStatus: 400 },
  // Privacy requests and retention (migration: privacy requests).
  SB401: { code: 'RETENTION_OUT_OF_LIMITS', httpStatus: 400 },
  SB402: { code: 'EXPORT_IN_PROGRESS', httpStatus: 409 },
  SB403: { code: 'CONFIRMATION_MISMATCH', httpStatus: 400 },
  SB404: { code: 'INVALID_PHONE_NUMBER', httpStatus: 400 },
  // --- Providers and API keys settings (issue 14, branch "providers"): messages raised by our SQL. ---
  SB601: { code: 'API_KEY_NAME_INVALID', httpStatus: 400 },
  SB602: { code: 'API_KEY_SCOPE_UNKNOWN', httpStatus: 400 },
  SB603: { code: 'API_KEY_SCOPE_MISSING', httpStatus: 400 },
  SB604: { code: 'API_KEY_EXPIRY_PAST', httpStatus: 400 },
  SB605: { code: 'UNKNOWN_PROVIDER', httpStatus: 400 },
  // --- end providers ---
  // --- Settings pages (issue 14 item 3: agents and numbers, targets, account; migration "Settings pages") ---
  // Raised by save_agent, set_agent_target, set_business_profile, set_analysis_prompts and
  // save_usage_alert_threshold with messages written for people; `field` names the form field.
  SB701: { code: 'PROVIDER_AGENT_ID_TAKEN', httpStatus: 409, details: { field: 'providerAgentId' } },
  SB703: { code: 'PHONE_NUMBER_IN_USE', httpStatus: 409, details: { field: 'phoneNumber' } },
  SB704: { code: 'INVALID_AGENT_NAME', httpStatus: 400, details: { field: 'name' } },
  SB705: { code: 'INVALID_PROVIDER', httpStatus: 400, details: { field: 'provider' } },
  SB706: { code: 'INVALID_PROVIDER_AGENT_ID', httpStatus: 400, details: { field: 'providerAgentId' } },
  SB707: { code: 'INVALID_TARGET_PERIOD', httpStatus: 400, details: { field: 'periodType' } },
  SB708: { code: 'INVALID_TARGET_METRIC', httpStatus: 400, details: { field: 'metric' } },
  SB709: { code: 'INVALID_TARGET_VALUE', httpStatus: 400, details: { field: 'value' } },
  SB710: { code: 'INVALID_BUSINESS_NAME', httpStatus: 400, details: { field: 'name' } },
  SB711: { code: 'INVALID_TIMEZONE', httpStatus: 400, details: { field: 'timezone' } },
  SB712: { code: 'PROMPT_TOO_LONG', httpStatus: 400, details: { field: 'analysisPromptIndividual' } },
  SB715: { code: 'PROMPT_TOO_LONG', httpStatus: 400, details: { field: 'analysisPromptComplete' } },
  SB713: { code: 'INVALID_ALERT_THRESHOLD', httpStatus: 400, details: { field: 'thresholdPercent' } },
  SB714: { code: 'ALERT_THRESHOLD_EXISTS', httpStatus: 409, details: { field: 'thresholdPercent' } },
  // --- end of Settings pages ---
  // Team access (migration: team access; members, invitations, one-time links).
  SB201: { code: 'INVALID_MEMBER_ROLE', httpStatus: 400 },
  SB202: { code: 'INVALID_LINK', httpStatus: 400 },
  SB203: { code: 'LAST_OWNER', httpStatus: 409 },
  SB204: { code: 'WRONG_PASSWORD', httpStatus: 400 },
  // Call log filters (migration: call log; app_hidden.call_log_params).
  SB160: { code: 'INVALID_FILTER_VALUE', httpStatus: 400 },
  SB161: { code: 'INVALID_FILTER_RANGE', httpStatus: 400 },
  SB162: { code: 'SEARCH_TOO_LONG', httpStatus: 400 },
  SB163: { code: 'INVALID_CURSOR', httpStatus: 400 },
};

/** A viewer's refused write (team access): its transactions are read-only, as a read-only key's. */
const VIEWER_READ_ONLY: ApiError = {
  code: 'READ_ONLY_MEMBER',
  httpStatus: 403,
  message: 'You have view-only access to this business: ask an owner to change your role to make changes.',
};

/** Class 22 (data exception) codes whose messages describe the value, not the query. */
const BAD_VALUE = new Set(['22P02', '22007', '22008', '22023', '22003', '22001', '22004', '2201B', '22012']);

const DATABASE_UNAVAILABLE: ApiError = {
  code: 'DATABASE_UNAVAILABLE',
  httpStatus: 503,
  message: 'The database is unavailable; nothing was done. Please retry shortly.',
};

/** Class 08 (connection exception) and 57P01-57P03 (shut down, restarting, not yet accepting connections). */
function isUnavailableState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** Node socket errors and `pg`'s own connection errors (plain Errors without a SQLSTATE). */
const UNAVAILABLE_SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED']);
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Cannot use a pool after calling end/,
];

function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  if (typeof code === 'string' && UNAVAILABLE_SYSTEM_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

function mapPg(error: PgErrorFields, constraints: ConstraintColumns | undefined): ApiError | undefined {
  if (isUnavailableState(error.code)) return DATABASE_UNAVAILABLE;
  const custom = CUSTOM[error.code];
  if (custom) return { ...custom, message: error.message };
  if (BAD_VALUE.has(error.code)) return { code: 'INVALID_VALUE', httpStatus: 400, message: error.message };
  switch (error.code) {
    case '23505': {
      const fields = errorFields(error, constraints);
      const rule = error.constraint;
      return {
        code: 'ALREADY_EXISTS',
        httpStatus: 409,
        message: fields.length
          ? `A record with the same ${fieldList(fields)} already exists.`
          : `A record with the same values already exists${rule ? ` (rule '${rule}')` : ''}.`,
        details: { ...(fields.length ? { field: fields.join(',') } : {}), ...(rule ? { rule } : {}) },
      };
    }
    case '23503': {
      if (error.detail?.includes('is still referenced') || /update or delete on table/.test(error.message)) {
        return { code: 'STILL_REFERENCED', httpStatus: 409, message: 'This record is still referenced by other records; remove those first.' };
      }
      const fields = errorFields(error, constraints);
      return {
        code: 'INVALID_REFERENCE',
        httpStatus: 400,
        message: fields.length
          ? `${fieldList(fields)} does not refer to an existing record you can use.`
          : 'A reference does not point to an existing record you can use.',
        details: fields.length ? { field: fields.join(',') } : undefined,
      };
    }
    case '23514': {
      const rule = error.constraint ?? 'a check';
      const fields = errorFields(error, constraints);
      return {
        code: 'CHECK_VIOLATION',
        httpStatus: 400,
        message: fields.length ? `The value of ${fieldList(fields)} breaks the rule '${rule}'.` : `The value breaks the rule '${rule}'.`,
        details: { rule, ...(fields.length ? { field: fields.join(',') } : {}) },
      };
    }
    case '23502': {
      const field = error.column ? camelCase(error.column) : undefined;
      return {
        code: 'REQUIRED_FIELD',
        httpStatus: 400,
        message: field ? `'${field}' is required.` : 'A required value is missing.',
        details: field ? { field } : undefined,
      };
    }
    case '42501':
      // PostgreSQL's own wording names tables and policies, so it is replaced.
      return { code: 'FORBIDDEN', httpStatus: 403, message: 'You do not have permission to do this.' };
    case '57014':
      return {
        code: 'STATEMENT_TIMEOUT',
        httpStatus: 503,
        message: 'The query took too long and was cancelled; ask for less (a shorter date range or a smaller page).',
      };
    case '25006':
      if (currentCallerKind() === 'member') return VIEWER_READ_ONLY;
      return { code: 'READ_ONLY_API_KEY', httpStatus: 403, message: 'This API key is read-only.' };
    case '40001':
    case '40P01':
      return { code: 'CONFLICT_RETRY', httpStatus: 409, message: 'The request conflicted with a concurrent change; please retry.' };
    case '54000':
      // Our SQL raises program_limit_exceeded for quotas (e.g. active API keys) with a user-facing message.
      if (error.routine === 'exec_stmt_raise') return { code: 'LIMIT_EXCEEDED', httpStatus: 409, message: error.message };
      // PostgreSQL's own (an index row too large for a long value): its wording names the index.
      return { code: 'VALUE_TOO_LONG', httpStatus: 400, message: 'A value is too long to store; send a shorter one.' };
    case '54001':
      // stack depth limit exceeded: a deeply nested value (JSON) reached PostgreSQL.
      return { code: 'INPUT_TOO_DEEP', httpStatus: 400, message: 'A value is nested too deeply.' };
    case '22021':
    case '22P05':
      // invalid byte sequence (a NUL in text) / untranslatable character (\u0000 in JSON): the message quotes bytes.
      return {
        code: 'INVALID_CHARACTER',
        httpStatus: 400,
        message: 'Text values cannot contain the NUL character (\\u0000) or invalid characters.',
      };
    default:
      return undefined;
  }
}

/**
 * A PL/pgSQL RAISE in our own SQL (`routine` exec_stmt_raise) is worded for users
 * ('sign in to create API keys'): keep its message under the mapped code.
 */
function fromPg(error: PgErrorFields, constraints: ConstraintColumns | undefined): ApiError | undefined {
  const mapped = mapPg(error, constraints);
  return mapped && error.routine === 'exec_stmt_raise' ? { ...mapped, message: error.message } : mapped;
}

/**
 * Input errors that libraries throw as plain Errors (connection-filter marks them
 * "TODO: mark this error as safe"): exact messages, so nothing else slips through.
 */
const INPUT_ERROR_MESSAGES = new Set([
  'Null literals are forbidden in filter argument input.',
  'Empty objects are forbidden in filter argument input.',
]);

/**
 * PostGraphile's delete mutations throw "No values were deleted in collection
 * '<name>' …" when no row matched: the row does not exist or RLS hides it
 * (another tenant's). Same answer either way, so nothing leaks.
 */
const NOTHING_DELETED = /^No values were (deleted|updated) in collection '/;

/** grafast's planning timeout (`grafast.timeouts.planning`, GRAPHQL_PLANNING_TIMEOUT_MS): a SafeError without a code. */
const PLANNING_TIMEOUT = /^Operation took too long to plan and was aborted/;

const QUERY_TOO_COMPLEX: ApiError = {
  code: 'QUERY_TOO_COMPLEX',
  httpStatus: 400,
  message: 'The query took too long to plan and was refused; ask for less (fewer fields, filters or nesting).',
};

export interface ErrorContext {
  constraints?: ConstraintColumns;
}

/**
 * Request errors our HTTP routes (the provider webhooks) raise themselves, with
 * their status: clients switch on the code.
 */
export const REQUEST_ERROR_STATUS = {
  INVALID_JSON: 400,
  INVALID_FORM: 400,
  INVALID_PAYLOAD: 400,
  MISSING_FIELD: 400,
  INVALID_FIELD: 400,
  UNKNOWN_TOKEN: 401,
  MISSING_SIGNATURE: 401,
  INVALID_SIGNATURE: 403,
  UNKNOWN_ACCOUNT: 403,
  TENANT_INACTIVE: 403,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  // GET /exports/<id> (server/http/exports.ts)
  UNAUTHENTICATED: 401,
  PASSWORD_SESSION_REQUIRED: 403,
  EXPORT_NOT_FOUND: 404,
  EXPORT_NOT_READY: 409,
  EXPORT_EXPIRED: 410,
  // GET /exports/calls.csv (server/http/call-log-export.ts): a filter that is not the call log's
  INVALID_FILTER: 400,
} as const;

export type RequestErrorCode = keyof typeof REQUEST_ERROR_STATUS;

// --- call page: ids in URLs (a malformed id is refused before anything runs) ---
/** A UUID argument or variable that is not a UUID (e.g. a mistyped /calls/:id): the dashboard shows "not found". */
export const INVALID_ID: ApiError = {
  code: 'INVALID_ID',
  httpStatus: 400,
  message: 'This is not a valid id (ids are UUIDs: 32 hexadecimal digits, optionally with hyphens).',
};

/** Thrown by route handlers for a request they refuse; mapped as it is by `knownApiError`. */
export class RequestError extends Error {
  readonly code: RequestErrorCode;
  readonly httpStatus: number;
  readonly details: Record<string, string> | undefined;

  constructor(code: RequestErrorCode, message: string, details?: Record<string, string>) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
    this.httpStatus = REQUEST_ERROR_STATUS[code];
    this.details = details;
  }
}

export function requestApiError(error: RequestError): ApiError {
  return { code: error.code, httpStatus: error.httpStatus, message: error.message, details: error.details };
}

/**
 * A provider delivery that was stored but could not be applied (the SQLSTATE and
 * message come from `app_hidden.ingest_webhook`): SB107-SB108 keep their
 * user-worded messages; anything else is APPLY_FAILED with the SQLSTATE only
 * (PostgreSQL's own wording may name internals). Always 422: the delivery is
 * kept and can be replayed.
 */
export function applyFailure(sqlstate: string | null, message: string | null): ApiError {
  const custom = sqlstate ? CUSTOM[sqlstate] : undefined;
  if (custom && custom.httpStatus === 422) return { ...custom, message: message ?? custom.code };
  return {
    code: 'APPLY_FAILED',
    httpStatus: 422,
    message: `The delivery was stored but could not be applied${sqlstate ? ` (SQLSTATE ${sqlstate})` : ''}; it is kept for replay.`,
    details: sqlstate ? { sqlstate } : undefined,
  };
}

// --- Providers and API keys settings (issue 14, branch "providers") ---
/**
 * Input errors of the provider-secret mutations (server/graphql/provider-secrets-plugin.ts),
 * checked before anything is encrypted or stored: a code, the field it is about, a plain sentence.
 */
export const PROVIDER_INPUT_ERRORS = {
  INVALID_ACCOUNT_SID: { field: 'accountSid', message: 'The account SID is AC followed by 32 hexadecimal digits (Twilio console > Account info).' },
  INVALID_AUTH_TOKEN: { field: 'authToken', message: 'The auth token must be 16 to 500 characters (Twilio console > Account info).' },
  INVALID_SIGNING_SECRET: { field: 'secret', message: 'The signing secret must be 16 to 500 characters.' },
  SIGNATURE_NEEDS_SECRET: { field: 'requireSignature', message: 'A signature can only be required together with a signing secret.' },
} as const satisfies Record<string, { field: string; message: string }>;

export type ProviderInputErrorCode = keyof typeof PROVIDER_INPUT_ERRORS;

/** The plain sentence for a failed delivery, as the webhook answered it (code and message). */
export function failedDeliveryError(sqlstate: string | null, message: string | null): { code: string; message: string } {
  const api = applyFailure(sqlstate, message);
  return { code: api.code, message: api.message };
}
// --- end providers ---

/** A grafast SafeError (message and extensions meant for users), once GraphQL code registered the check. */
interface SafeErrorLike extends Error {
  extensions?: Record<string, unknown>;
}
let isSafeError: (error: Error) => error is SafeErrorLike = (_error): _error is SafeErrorLike => false;

/**
 * Called by server/graphql/safe-error.ts, which every module that throws a
 * SafeError imports: this file stays free of grafast (see there why).
 */
export function recognizeSafeErrors(check: (error: Error) => boolean): void {
  isSafeError = (error): error is SafeErrorLike => check(error);
}

/** The API error for a known error, or undefined (unknown errors must go through `toApiError`). */
export function knownApiError(error: unknown, context: ErrorContext = {}): ApiError | undefined {
  if (error instanceof RequestError) return requestApiError(error);
  if (isConnectionFailure(error)) return DATABASE_UNAVAILABLE;
  if (error instanceof Error && INPUT_ERROR_MESSAGES.has(error.message)) {
    return { code: 'INVALID_FILTER', httpStatus: 400, message: error.message };
  }
  if (error instanceof Error && NOTHING_DELETED.test(error.message)) {
    return { code: 'NOT_FOUND', httpStatus: 404, message: 'No such record (it does not exist or is not yours).' };
  }
  if (error instanceof Error && PLANNING_TIMEOUT.test(error.message)) return QUERY_TOO_COMPLEX;
  if (error instanceof Error && isSafeError(error)) {
    const extensions: Record<string, unknown> = error.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'BAD_REQUEST';
    const status = typeof extensions.statusCode === 'number' ? extensions.statusCode : 400;
    return { code, message: error.message, httpStatus: status };
  }
  const pg = pgError(error);
  return pg ? fromPg(pg, context.constraints) : undefined;
}

const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no 0/O, 1/I: easy to read out

/** A short reference for log correlation: 8 characters, 40 bits. */
export function errorReference(): string {
  return Array.from({ length: 8 }, () => REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)]).join('');
}

/** Known errors mapped; anything else logged in full under a new reference and returned as INTERNAL_ERROR. */
export function toApiError(error: unknown, log: Logger, context: ErrorContext = {}): ApiError {
  const known = knownApiError(error, context);
  if (known) return known;
  const reference = errorReference();
  log.error(`unexpected error (reference ${reference})`, { error: error instanceof Error ? error : String(error) });
  return {
    code: 'INTERNAL_ERROR',
    httpStatus: 500,
    message: `An unexpected error occurred (reference ${reference}).`,
    details: { reference },
  };
}

/** The body of an error response on /graphql outside GraphQL execution (401, 413, 429). */
export function graphqlErrorBody(code: string, message: string): { errors: Array<{ message: string; extensions: { code: string } }> } {
  return { errors: [{ message, extensions: { code } }] };
}
