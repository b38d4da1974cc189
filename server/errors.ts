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
  // Appointments (helper "appointments", issue 17 item 4; SB185-SB189): our SQL's message names the problem.
  SB185: { code: 'INVALID_APPOINTMENT_STATUS', httpStatus: 400, details: { field: 'status' } },
  SB186: { code: 'APPOINTMENT_NOT_FOUND', httpStatus: 404 },
  SB187: { code: 'APPOINTMENT_REFERENCE_NOT_FOUND', httpStatus: 422 },
  SB188: { code: 'INVALID_APPOINTMENT_TIME', httpStatus: 400, details: { field: 'scheduledAt' } },
  SB189: { code: 'APPOINTMENT_ALREADY_HELD', httpStatus: 409 },
  // Re-scoring runs (helper "rescoring", issue 17 item 5; SB190-SB199): app_public.start_rescoring, cancel_rescoring.
  SB190: { code: 'RESCORING_IN_PROGRESS', httpStatus: 409 },
  SB191: { code: 'NOTHING_TO_RESCORE', httpStatus: 400 },
  SB192: { code: 'RESCORING_ENDED', httpStatus: 409 },
  SB193: { code: 'RESCORING_INCOMPLETE', httpStatus: 409 },
};

/** A viewer's refused write (team access): its transactions are read-only, as a read-only key's. */
const VIEWER_READ_ONLY: ApiError = {
  code: 'READ_ONLY_MEMBER',
  httpStatus: 403,
  message: 'You have view-only access to this business: ask an owner to change your role to make changes.',
};

/** Class 22 (data exception) codes whose messages describe the value, not the query. */
const BAD_VALUE = new Set(['22P02', '22007', '22008', '22023', '22003', '22001', '22004', '2201B', '22012']);

// ---- Sign-up and self-serve forms (issue 14): plain sentences for every user-trippable rule ----

/** What a form shows next to a field when the database refuses its value. */
export interface RuleMessage {
  /** The GraphQL field the rule is about (camelCase), for forms to place the message. */
  field: string;
  message: string;
}

const E164 = 'must be in international format: + then the country code and number, digits only (e.g. +14155550123)';

/**
 * Every CHECK and UNIQUE constraint (and unique index) of the `app_public`
 * tables, by name, as a sentence about the field. tests/api/error-messages.test.ts
 * walks pg_constraint and fails for a rule missing here: a new constraint needs
 * its sentence.
 */
export const CONSTRAINT_MESSAGES: Readonly<Record<string, RuleMessage>> = {
  // users (the business)
  users_email_key: { field: 'email', message: 'An account with this email already exists: sign in instead.' },
  users_email_check: { field: 'email', message: 'Enter a valid email address, like name@example.com.' },
  users_email_length: { field: 'email', message: 'The email address is too long (at most 320 characters).' },
  users_name_check: { field: 'name', message: 'The business name must be between 1 and 200 characters.' },
  users_timezone_valid: { field: 'timezone', message: 'Choose a time zone from the list (an IANA name such as Europe/Berlin).' },
  users_alert_phone_e164: { field: 'alertPhone', message: `The alert phone ${E164}.` },
  users_analysis_prompt_individual_check: { field: 'analysisPromptIndividual', message: 'The call analysis prompt is too long (at most 20,000 characters).' },
  users_analysis_prompt_complete_check: { field: 'analysisPromptComplete', message: 'The contact analysis prompt is too long (at most 20,000 characters).' },
  users_analysis_prompt_version_check: { field: 'analysisPromptVersion', message: 'The prompt version must be 1 or more.' },
  users_role_check: { field: 'role', message: 'The role must be user, admin or super_admin.' },
  // versions helper (issue 17 items 6 and 7): agent versions are written by a trigger only.
  agent_versions_agent_version_key: { field: 'version', message: 'This agent already has a version with that number; versions are numbered by the database, reload and try again.' },
  agent_versions_id_agent_user_key: { field: 'agentVersionId', message: 'This agent version is already recorded.' },
  agent_versions_version_positive: { field: 'version', message: 'An agent version number starts at 1.' },
  // appointments (helper "appointments")
  appointments_status_valid: { field: 'status', message: 'The status must be scheduled, confirmed, completed, no_show, cancelled or rescheduled.' },
  appointments_source_valid: { field: 'source', message: 'The source must be analysis, api or calendar.' },
  appointments_status_source_valid: { field: 'statusSource', message: 'The status source must be analysis, api or calendar.' },
  appointments_e164: { field: 'phoneNumber', message: `The phone number ${E164}.` },
  appointments_contact_name_length: { field: 'contactName', message: 'The contact name is too long (at most 200 characters).' },
  appointments_notes_length: { field: 'notes', message: 'The notes are too long (at most 2,000 characters).' },
  appointments_external_id_length: { field: 'externalId', message: "The calendar's booking id must be between 1 and 200 characters." },
  appointments_calendar_has_external_id: { field: 'externalId', message: "A calendar appointment needs the calendar's booking id and its last-change time." },
  appointments_external_id_key: { field: 'externalId', message: 'There is already an appointment with this booking id.' },
  appointments_analysis_call_key: { field: 'callId', message: "This call's analysis already booked an appointment." },
  appointments_id_user_id_key: { field: 'rowId', message: 'This appointment already exists.' },
  // agents
  agents_name_check: { field: 'name', message: 'The agent name must be between 1 and 200 characters.' },
  agents_provider_agent_id_check: { field: 'providerAgentId', message: "The provider's agent id must be between 1 and 200 characters." },
  agents_provider_check: { field: 'provider', message: 'The provider must be bolna, twilio, vapi, retell or other.' },
  agents_agent_type_check: { field: 'agentType', message: 'The agent type must be call or chat.' },
  agents_config_check: { field: 'config', message: 'The agent configuration must be a JSON object.' },
  agents_user_id_provider_provider_agent_id_key: { field: 'providerAgentId', message: 'You already have an agent with this provider and agent id.' },
  agents_id_user_id_key: { field: 'rowId', message: 'This agent already exists.' },
  // agent targets
  agent_targets_agent_id_period_type_period_start_key: { field: 'periodStart', message: 'This agent already has a target for this period.' },
  agent_targets_period_aligned: { field: 'periodStart', message: 'The period must start on its first day (a Monday for a week, the 1st for a month).' },
  agent_targets_period_type_check: { field: 'periodType', message: 'The period must be day, week or month.' },
  agent_targets_target_calls_check: { field: 'targetCalls', message: 'The calls target cannot be negative.' },
  agent_targets_target_successful_calls_check: { field: 'targetSuccessfulCalls', message: 'The successful calls target cannot be negative.' },
  agent_targets_target_leads_check: { field: 'targetLeads', message: 'The leads target cannot be negative.' },
  agent_targets_target_qualified_leads_check: { field: 'targetQualifiedLeads', message: 'The qualified leads target cannot be negative.' },
  agent_targets_target_conversion_rate_check: { field: 'targetConversionRate', message: 'The conversion rate target must be between 0 and 1 (0 % to 100 %).' },
  agent_targets_target_success_rate_check: { field: 'targetSuccessRate', message: 'The success rate target must be between 0 and 1 (0 % to 100 %).' },
  // API keys
  api_keys_name_check: { field: 'name', message: 'The key name must be between 1 and 100 characters.' },
  api_keys_scopes_valid: { field: 'scopes', message: 'Choose at least one scope: read or write.' },
  api_keys_key_prefix_check: { field: 'keyPrefix', message: 'The key prefix must be 8 lowercase hexadecimal characters.' },
  api_keys_key_prefix_key: { field: 'keyPrefix', message: 'A key with this prefix already exists; create the key again.' },
  // calls (written by the webhooks; named for the fields of a delivery)
  calls_e164: { field: 'phoneNumber', message: `The phone number ${E164}.` },
  calls_duration_non_negative: { field: 'durationSeconds', message: 'The call duration must be between 0 and 86,400 seconds (one day).' },
  calls_cost_cents_check: { field: 'costCents', message: 'The call cost cannot be negative.' },
  calls_lifecycle_order: { field: 'startedAt', message: 'The call cannot ring, be answered or end before it started.' },
  calls_direction_check: { field: 'direction', message: 'The call direction must be inbound or outbound.' },
  calls_call_source_check: { field: 'callSource', message: 'The call source must be phone, internet or unknown.' },
  calls_provider_check: { field: 'provider', message: 'The provider must be bolna, twilio, vapi, retell or other.' },
  calls_provider_call_id_check: { field: 'providerCallId', message: "The provider's call id must be between 1 and 200 characters." },
  calls_status_check: { field: 'status', message: 'The call status is not one Switchboard knows.' },
  calls_metadata_check: { field: 'metadata', message: 'The call metadata must be a JSON object.' },
  calls_user_id_provider_provider_call_id_key: { field: 'providerCallId', message: 'You already have a call with this provider call id.' },
  calls_id_user_id_key: { field: 'rowId', message: 'This call already exists.' },
  // contacts and customers
  contacts_e164: { field: 'phoneNumber', message: `The phone number ${E164}.` },
  contacts_name_check: { field: 'name', message: 'The contact name is too long (at most 200 characters).' },
  contacts_not_connected_check: { field: 'notConnected', message: 'The not-connected count cannot be negative.' },
  contacts_auto_creation_source_check: { field: 'autoCreationSource', message: 'The contact source must be manual, call or import.' },
  contacts_user_id_phone_number_key: { field: 'phoneNumber', message: 'You already have a contact with this phone number.' },
  contacts_id_user_id_key: { field: 'rowId', message: 'This contact already exists.' },
  customers_e164: { field: 'phone', message: `The phone number ${E164}.` },
  customers_name_check: { field: 'name', message: 'The customer name must be between 1 and 200 characters.' },
  customers_status_check: { field: 'status', message: 'The customer status must be active, inactive, churned or on hold.' },
  customers_user_id_reference_key: { field: 'reference', message: 'You already have a customer with this reference.' },
  // credit ledger
  credit_transactions_amount_check: { field: 'amount', message: 'A credit amount cannot be zero.' },
  credit_transactions_type_check: { field: 'type', message: 'The transaction type must be purchase, usage, bonus, admin adjustment or refund.' },
  credit_transactions_posted_together: { field: 'balanceAfter', message: 'A transaction gets its balance when it is posted, not before.' },
  // follow-ups
  follow_ups_e164: { field: 'leadPhone', message: `The lead's phone number ${E164}.` },
  follow_ups_status_check: { field: 'status', message: 'The follow-up status must be pending, completed or cancelled.' },
  follow_ups_completion: { field: 'status', message: 'A follow-up has a completion time exactly when it is completed.' },
  // lead analyses
  lead_analytics_analysis_type_check: { field: 'analysisType', message: 'The analysis type must be individual or complete.' },
  lead_analytics_analyzer_check: { field: 'analyzer', message: 'The analyzer must be openai, builtin or import.' },
  lead_analytics_intent_score_check: { field: 'intentScore', message: 'The intent score must be between 0 and 100.' },
  lead_analytics_urgency_score_check: { field: 'urgencyScore', message: 'The urgency score must be between 0 and 100.' },
  lead_analytics_budget_score_check: { field: 'budgetScore', message: 'The budget score must be between 0 and 100.' },
  lead_analytics_fit_score_check: { field: 'fitScore', message: 'The fit score must be between 0 and 100.' },
  lead_analytics_engagement_score_check: { field: 'engagementScore', message: 'The engagement score must be between 0 and 100.' },
  lead_analytics_total_score_check: { field: 'totalScore', message: 'The total score must be between 0 and 100.' },
  lead_analytics_lead_status_tag_check: { field: 'leadStatusTag', message: 'The lead status must be hot, warm or cold.' },
  lead_analytics_calls_analyzed_check: { field: 'callsAnalyzed', message: 'An analysis covers at least one call.' },
  lead_analytics_e164: { field: 'phoneNumber', message: `The phone number ${E164}.` },
  lead_analytics_complete_has_phone: { field: 'phoneNumber', message: 'A contact analysis needs the phone number of the contact.' },
  lead_analytics_individual_has_call: { field: 'callId', message: 'A call analysis belongs to exactly one call (and a contact analysis to none).' },
  lead_analytics_complete_phone_key: { field: 'phoneNumber', message: 'This contact already has a complete analysis.' },
  lead_analytics_individual_call_key: { field: 'callId', message: 'This call already has an analysis.' },
  // --- conversation intelligence (issue 17, helper "analysis": analysis columns, topic taxonomy, success criteria) ---
  lead_analytics_sentiment_label_valid: { field: 'sentimentLabel', message: 'The sentiment must be positive, neutral, negative or mixed.' },
  lead_analytics_sentiment_score_range: { field: 'sentimentScore', message: 'The sentiment score must be between -100 and 100.' },
  lead_analytics_call_quality_score_range: { field: 'callQualityScore', message: 'The call quality score must be between 0 and 100.' },
  lead_analytics_csat_score_range: { field: 'csatScore', message: 'The satisfaction score must be between 0 and 100.' },
  lead_analytics_conversation_outcome_valid: {
    field: 'conversationOutcome',
    message: 'The conversation outcome must be converted, interested, callback requested, not interested, wrong person or no outcome.',
  },
  lead_analytics_objections_valid: { field: 'objections', message: 'Objections must be price, timing, authority, need, competitor, trust or other.' },
  analysis_topics_key_format: {
    field: 'key',
    message: 'A topic key is 1 to 40 lower-case letters, digits or underscores, starting with a letter (e.g. product_features).',
  },
  analysis_topics_label_length: { field: 'label', message: 'A topic needs a name of at most 80 characters.' },
  analysis_topics_description_length: { field: 'description', message: 'A topic description is at most 300 characters.' },
  analysis_topics_keywords_valid: { field: 'keywords', message: 'A topic has at most 40 keywords, none of them empty.' },
  analysis_topics_user_id_key_key: { field: 'key', message: 'A topic with this key already exists.' },
  success_criteria_name_length: { field: 'name', message: 'A success criterion needs a name of at most 80 characters.' },
  success_criteria_question_length: { field: 'question', message: 'A success criterion needs a yes/no question of at most 500 characters.' },
  success_criteria_keywords_valid: { field: 'keywords', message: 'A success criterion has at most 40 keywords, none of them empty.' },
  success_criteria_user_id_name_key: { field: 'name', message: 'A success criterion with this name already exists.' },
  success_criteria_id_user_id_key: { field: 'id', message: 'This success criterion already exists.' },
  // --- end of conversation intelligence ---
  // phone numbers
  phone_numbers_e164: { field: 'phoneNumber', message: `The phone number ${E164}.` },
  phone_numbers_name_check: { field: 'name', message: 'The number name is too long (at most 200 characters).' },
  phone_numbers_active_number_key: { field: 'phoneNumber', message: 'This phone number is already active on another of your numbers.' },
  phone_numbers_agent_key: { field: 'agentId', message: 'This agent already has a phone number.' },
  // privacy requests (written by our functions; the wording covers a direct write)
  // re-scoring runs and score history (helper "rescoring")
  rescoring_runs_id_user_id_key: { field: 'rowId', message: 'This re-scoring run already exists.' },
  rescoring_runs_status_check: { field: 'status', message: 'A re-scoring run is queued, running, completed, failed or cancelled.' },
  rescoring_runs_date_order: { field: 'fromDate', message: 'The start date must not be after the end date.' },
  rescoring_runs_progress: { field: 'callsDone', message: 'A run cannot have analysed more calls than it covers.' },
  rescoring_runs_one_active: { field: 'fromDate', message: 'A re-scoring run is already in progress; wait for it to finish or cancel it.' },
  analysis_versions_analysis_type_check: { field: 'analysisType', message: 'An analysis is individual (one call) or complete (one number).' },
  analysis_versions_individual_has_call: { field: 'callId', message: 'An individual analysis belongs to exactly one call; a complete one to none.' },
  analysis_versions_run_individual: { field: 'runId', message: 'Re-scoring runs analyse single calls only.' },
  analysis_versions_latest_call_key: { field: 'isLatest', message: 'A call has one current analysis.' },
  analysis_versions_latest_phone_key: { field: 'isLatest', message: 'A number has one current complete analysis.' },
  analysis_versions_run_call_key: { field: 'callId', message: 'A re-scoring run analyses each call once.' },
  privacy_requests_kind_check: { field: 'kind', message: 'The request kind must be export, erase_contact or erase_business.' },
  privacy_requests_status_check: { field: 'status', message: 'The request status is not one Switchboard knows.' },
  privacy_requests_progress_check: { field: 'progress', message: 'Progress must be between 0 and 1.' },
  privacy_requests_archive_bytes_check: { field: 'archiveBytes', message: 'The archive size cannot be negative.' },
  privacy_requests_details_check: { field: 'details', message: 'The request details must be a JSON object.' },
  privacy_requests_finished: { field: 'finishedAt', message: 'A request has a finish time exactly when it is completed, failed or expired.' },
  // transcripts, usage alerts, analytics
  transcripts_call_id_key: { field: 'callId', message: 'This call already has a transcript.' },
  transcripts_analysis_status_check: { field: 'analysisStatus', message: 'The analysis status is not one Switchboard knows.' },
  transcripts_speaker_segments_check: { field: 'speakerSegments', message: 'The speaker segments must be a JSON array.' },
  usage_alerts_threshold_percent_check: { field: 'thresholdPercent', message: 'The alert threshold must be between 1 and 99 percent.' },
  usage_alerts_sms_status_check: { field: 'smsStatus', message: 'The SMS status must be none, pending, sent or failed.' },
  usage_alerts_user_id_period_start_threshold_percent_key: { field: 'thresholdPercent', message: 'This alert was already raised for this period.' },
  user_hourly_analytics_hour_check: { field: 'hour', message: 'The hour must be between 0 and 23.' },
  agent_hourly_analytics_hour_check: { field: 'hour', message: 'The hour must be between 0 and 23.' },
  // members (logins of a business) and invitations (team access)
  members_email_key: { field: 'email', message: 'A login with this email already exists: each email can belong to one login.' },
  members_email_valid: { field: 'email', message: 'Enter a valid email address, like name@example.com (at most 320 characters).' },
  members_name_length: { field: 'name', message: 'The name must be between 1 and 200 characters.' },
  members_role_valid: { field: 'role', message: 'The role must be owner, manager or viewer.' },
  invitations_email_valid: { field: 'email', message: 'Enter a valid email address, like name@example.com (at most 320 characters).' },
  invitations_role_valid: { field: 'role', message: 'The role must be owner, manager or viewer.' },
  // usage alert thresholds (settings: account)
  usage_alert_thresholds_percent_range: { field: 'thresholdPercent', message: 'An alert threshold is a percentage between 1 and 99.' },
  usage_alert_thresholds_user_percent_key: { field: 'thresholdPercent', message: 'There is already an alert at this percentage.' },
};

/** Custom SQLSTATEs raised about one input field (our SQL's message is kept; the field lets forms place it). */
const CUSTOM_FIELDS: Readonly<Record<string, string>> = { SB101: 'password', SB102: 'email', SB404: 'phoneNumber' };

/** The plain name of a PostgreSQL type in "invalid input syntax for type X" and its expected form. */
const TYPE_WORDS: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /^uuid$/, what: 'an id (a UUID such as 0190d2c4-7c1e-7cc2-9a57-3f1c2d4e5f60)' },
  { pattern: /^date$/, what: 'a date (YYYY-MM-DD, e.g. 2026-03-01)' },
  { pattern: /^timestamp/, what: 'a date and time (ISO 8601, e.g. 2026-03-01T09:30:00Z)' },
  { pattern: /^time/, what: 'a time (HH:MM)' },
  { pattern: /^interval$/, what: 'a duration (e.g. 90 seconds)' },
  { pattern: /^(smallint|integer|bigint)$/, what: 'a whole number' },
  { pattern: /^(numeric|real|double precision)$/, what: 'a number' },
  { pattern: /^boolean$/, what: 'true or false' },
  { pattern: /^jsonb?$/, what: 'JSON' },
  { pattern: /^inet$/, what: 'an IP address' },
];

function expectedForm(type: string | undefined): string {
  return TYPE_WORDS.find(({ pattern }) => type !== undefined && pattern.test(type))?.what ?? 'a value of the right kind';
}

/**
 * Class 22 errors PostgreSQL raises itself (a value it cannot cast or store):
 * its wording names types and echoes values, so each becomes a sentence.
 * Our own RAISEs under these codes keep their message (see `fromPg`).
 */
function badValue(error: PgErrorFields): ApiError {
  const field = error.column ? camelCase(error.column) : undefined;
  const subject = field ? `'${field}'` : 'A value';
  const details = field ? { field } : undefined;
  const type = /(?:for type|type) ([a-z ]+?)(?:\(\d+\))?(?::|$)/.exec(error.message)?.[1]?.trim();
  switch (error.code) {
    case '22P02': // invalid_text_representation
    case '22007': // invalid_datetime_format
      return { code: 'INVALID_VALUE', httpStatus: 400, message: `${subject} is not valid: expected ${expectedForm(error.code === '22007' ? 'date' : type)}.`, details };
    case '22008': // datetime_field_overflow ("date/time field value out of range")
      return { code: 'INVALID_VALUE', httpStatus: 400, message: `${subject} is not a real date or time (check the month, day and hour).`, details };
    case '22003': // numeric_value_out_of_range
      return { code: 'VALUE_OUT_OF_RANGE', httpStatus: 400, message: `${subject} is too large or too small.`, details };
    case '22001': { // string_data_right_truncation ("value too long for type character varying(20)")
      const limit = /\((\d+)\)/.exec(error.message)?.[1];
      return { code: 'VALUE_TOO_LONG', httpStatus: 400, message: `${subject} is too long${limit ? ` (at most ${limit} characters)` : ''}.`, details };
    }
    case '22023': // invalid_parameter_value (e.g. an unknown time zone name)
      return /time zone/i.test(error.message)
        ? { code: 'INVALID_VALUE', httpStatus: 400, message: 'The time zone is not one PostgreSQL knows: choose an IANA name such as Europe/Berlin.', details: { field: 'timezone' } }
        : { code: 'INVALID_VALUE', httpStatus: 400, message: `${subject} is not valid here.`, details };
    case '22012':
      return { code: 'INVALID_VALUE', httpStatus: 400, message: 'A calculation divided by zero; check the values sent.', details };
    default: // 22004 null not allowed, 2201B invalid regular expression
      return { code: 'INVALID_VALUE', httpStatus: 400, message: `${subject} is not valid.`, details };
  }
}

/** Our SQL's messages as sentences: a capital first letter and a full stop ('password must be ...' -> 'Password must be ....'). */
export function sentence(message: string): string {
  const trimmed = message.trim();
  if (trimmed === '') return trimmed;
  // A message that starts with a field's name (fromDate, agentId) keeps it as the API spells it.
  const startsWithField = /^[a-z]+[A-Z]\w*\b/.test(trimmed);
  const capital = startsWithField ? trimmed : trimmed[0]?.toUpperCase() + trimmed.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}

/** The sentence for a constraint, or undefined for one without (a new constraint: the walk test catches it). */
function ruleMessage(error: PgErrorFields): RuleMessage | undefined {
  return error.constraint && Object.hasOwn(CONSTRAINT_MESSAGES, error.constraint) ? CONSTRAINT_MESSAGES[error.constraint] : undefined;
}
// ---- end of sign-up block ----

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
  if (custom) {
    const field = CUSTOM_FIELDS[error.code];
    return { ...custom, message: sentence(error.message), ...(field ? { details: { field } } : {}) };
  }
  if (BAD_VALUE.has(error.code)) return badValue(error);
  const rule = ruleMessage(error);
  switch (error.code) {
    case '23505': {
      if (rule) return { code: 'ALREADY_EXISTS', httpStatus: 409, message: rule.message, details: { field: rule.field, rule: error.constraint ?? '' } };
      const fields = errorFields(error, constraints);
      const name = error.constraint;
      return {
        code: 'ALREADY_EXISTS',
        httpStatus: 409,
        message: fields.length
          ? `A record with the same ${fieldList(fields)} already exists.`
          : `A record with the same values already exists${name ? ` (rule '${name}')` : ''}.`,
        details: { ...(fields.length ? { field: fields.join(',') } : {}), ...(name ? { rule: name } : {}) },
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
      if (rule) return { code: 'CHECK_VIOLATION', httpStatus: 400, message: rule.message, details: { field: rule.field, rule: error.constraint ?? '' } };
      const name = error.constraint ?? 'a check';
      const fields = errorFields(error, constraints);
      return {
        code: 'CHECK_VIOLATION',
        httpStatus: 400,
        message: fields.length ? `The value of ${fieldList(fields)} breaks the rule '${name}'.` : `The value breaks the rule '${name}'.`,
        details: { rule: name, ...(fields.length ? { field: fields.join(',') } : {}) },
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
  return mapped && error.routine === 'exec_stmt_raise' ? { ...mapped, message: sentence(error.message) } : mapped;
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
  // GET /api/events (server/events/route.ts, issue 18 item 3, branch "push"): live-update streams per login or key
  TOO_MANY_STREAMS: 429,
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
