/**
 * Every setting comes from the environment (see .env.example). A `.env` file in
 * the project root is loaded first if present; variables already set in the
 * environment win over the file.
 */
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isLogFormat, isLogLevel, type LogFormat, type LogLevel } from './log.ts';

/** Absolute path of the repository root (where package.json lives). */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

export interface Config {
  /** DATABASE_URL: a PostgreSQL connection string. Unset: start the embedded cluster. */
  databaseUrl: string | undefined;
  /** PORT: HTTP port (default 3000; 0 picks a free one). */
  port: number;
  /** HOST: HTTP bind address (default 127.0.0.1). */
  host: string;
  /** HTTP_HEADERS_TIMEOUT_MS: a request's headers must arrive within this (default 15000; else 408 and closed). */
  httpHeadersTimeoutMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS: the whole request, headers and body, must arrive within this (default 30000). */
  httpRequestTimeoutMs: number;
  /**
   * HTTP_BODY_TIMEOUT_MS: /graphql and /webhooks bodies must be read within this once reading starts
   * (default 15000; else 408 REQUEST_TIMEOUT).
   */
  httpBodyTimeoutMs: number;
  /** PG_DATA_DIR: embedded cluster data directory, absolute (default .data/postgres). */
  pgDataDir: string;
  /** PG_PORT: embedded cluster port (default 54329). */
  pgPort: number;
  /** WORKER_CONCURRENCY: jobs run at once by the in-process worker (default 4). */
  workerConcurrency: number;
  /** COMPACT_INTERVAL_MS: how often the worker enqueues rollup compaction (default 1000; 0 turns the tick off). */
  compactIntervalMs: number;
  /** LOG_LEVEL: debug | info | warn | error | silent (default info). */
  logLevel: LogLevel;
  /** LOG_FORMAT: json (one JSON object per line) | pretty (readable lines); default json when NODE_ENV=production, else pretty. */
  logFormat: LogFormat;
  /** NODE_ENV=production: JWT_SECRET becomes mandatory, GraphiQL defaults to off and the demo data is refused. */
  production: boolean;
  /**
   * DEMO_DATA: seed the demo tenants and the demo logins (published password) into an empty
   * database at start-up. Default: on only for the embedded cluster (no DATABASE_URL) outside
   * production; DEMO_DATA=1 asks for it with DATABASE_URL too; refused with NODE_ENV=production.
   */
  demoData: boolean;
  /**
   * AUTH_DATABASE_URL: the GraphQL pool's connection (as `app_authenticator`). Unset: the
   * owner's URL with `app_authenticator` and AUTHENTICATOR_PASSWORD (see server/auth/authenticator.ts).
   */
  authDatabaseUrl: string | undefined;
  /** AUTHENTICATOR_PASSWORD: set on `app_authenticator` at start-up. Unset: a random one kept in .data/. */
  authenticatorPassword: string | undefined;
  /** JWT_SECRET: HS256 key, at least 32 characters. Required in production; unset in development: kept in .data/. */
  jwtSecret: string | undefined;
  /** JWT_TTL: token lifetime, `<n>[s|m|h|d]` (default 12h), in seconds. */
  jwtTtlSeconds: number;
  /** GRAPHIQL: serve Ruru at /graphiql (default on, off when NODE_ENV=production). */
  graphiql: boolean;
  /**
   * GRAPHQL_POOL_SIZE: connections of the GraphQL pool (default `defaultGraphqlPoolSize()`: two per
   * CPU core plus one). Requests beyond it wait for a connection, in order.
   */
  graphqlPoolSize: number;
  /**
   * GRAPHQL_BACKGROUND_POOL_SIZE: connections for queries that sum a whole filtered set (the call
   * log's totals; server/graphql/lanes.ts), apart from the GraphQL pool so pages never wait behind
   * them (default `defaultBackgroundPoolSize()`: one per two CPU cores, at least one).
   */
  graphqlBackgroundPoolSize: number;
  /**
   * GRAPHQL_READ_DATABASE_URL: a streaming replica of the database. Read-only GraphQL requests
   * (queries) run there; mutations, sign-in, webhooks and the worker stay on the primary. Without a
   * user name in it, the GraphQL pool's login (app_authenticator) is used. Unset: no replica.
   */
  graphqlReadDatabaseUrl: string | undefined;
  /**
   * GRAPHQL_READ_MAX_WAIT_MS: how long a read waits for the replica to replay the caller's own last
   * write before it runs on the primary instead (default 200; 0: never wait).
   */
  graphqlReadMaxWaitMs: number;
  /** GRAPHQL_STATEMENT_TIMEOUT_MS: statement_timeout of every GraphQL transaction (default 5000). */
  graphqlStatementTimeoutMs: number;
  /** GRAPHQL_MAX_DEPTH: deepest field nesting (default 10; introspection excluded). */
  graphqlMaxDepth: number;
  /** GRAPHQL_MAX_ALIASES: aliased fields per operation, fragments expanded (default 30). */
  graphqlMaxAliases: number;
  /** GRAPHQL_MAX_PAGE_SIZE: largest `first`/`last` (default 500). */
  graphqlMaxPageSize: number;
  /** GRAPHQL_MAX_BODY_BYTES: largest request body (default 100000). */
  graphqlMaxBodyBytes: number;
  /** GRAPHQL_MAX_DOCUMENT_CHARS: longest GraphQL document (default 20000). */
  graphqlMaxDocumentChars: number;
  /**
   * GRAPHQL_MAX_INPUT_DEPTH: deepest nesting of objects and lists in one argument value (filters, JSON
   * inputs), literals and variables alike (default 20).
   */
  graphqlMaxInputDepth: number;
  /** GRAPHQL_MAX_INPUT_NODES: values (object fields, list items, scalars) in all arguments of an operation (default 1000). */
  graphqlMaxInputNodes: number;
  /** GRAPHQL_MAX_FILTER_RELATIONS: relation filters per operation for signed-in callers (default 5; anonymous: none). */
  graphqlMaxFilterRelations: number;
  /** GRAPHQL_PLANNING_TIMEOUT_MS: the longest a request's query plan may take to build (default 2000; grafast remembers a timed-out plan for 60 s). */
  graphqlPlanningTimeoutMs: number;
  /** GRAPHQL_INTROSPECTION: anyone | signed-in | off (default signed-in when NODE_ENV=production, else anyone). */
  graphqlIntrospection: IntrospectionAccess;
  /** RATE_LIMIT_PER_MINUTE: sustained GraphQL requests per API key, user or IP (default 600). */
  rateLimitPerMinute: number;
  /** RATE_LIMIT_BURST: requests allowed at once on top of an idle bucket (default 100). */
  rateLimitBurst: number;
  /** EVENT_STREAMS_PER_USER: live-update streams (GET /api/events) one login or API key may hold open (default 8). */
  eventStreamsPerUser: number;
  /**
   * RATE_LIMIT_TENANT_PER_MINUTE: sustained GraphQL requests per tenant, all its API keys and
   * sessions together (default 3 x RATE_LIMIT_PER_MINUTE).
   */
  rateLimitTenantPerMinute: number;
  /** RATE_LIMIT_TENANT_BURST: the tenant bucket's size (default 3 x RATE_LIMIT_BURST). */
  rateLimitTenantBurst: number;
  /** OPENAI_API_KEY: call analysis through OpenAI. Unset: the deterministic built-in analyser. */
  openaiApiKey: string | undefined;
  /** OPENAI_BASE_URL: another OpenAI-compatible endpoint (default the official API). */
  openaiBaseUrl: string | undefined;
  /** OPENAI_MODEL: model for call analysis (default gpt-4o-mini). */
  openaiModel: string;
  /** OPENAI_TIMEOUT_MS: one analysis request's timeout (default 60000; the job retries). */
  openaiTimeoutMs: number;
  /** TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN: the platform's Twilio account for usage-alert SMS. */
  twilioAccountSid: string | undefined;
  twilioAuthToken: string | undefined;
  /** TWILIO_SMS_FROM: sender number (E.164) or Messaging Service SID (MG...). Unset: no SMS. */
  twilioSmsFrom: string | undefined;
  /** TWILIO_API_BASE_URL: send Twilio REST calls here instead of https://api.twilio.com (tests, mocks). */
  twilioApiBaseUrl: string | undefined;
  /**
   * SECRETS_KEY: 32 bytes (64 hex characters or base64/base64url) encrypting provider secrets
   * (AES-256-GCM). Required in production; unset in development: a random one kept in .data/.
   */
  secretsKey: string | undefined;
  /**
   * PUBLIC_BASE_URL: the URL the outside world reaches this server at (behind a proxy), e.g.
   * https://switchboard.example.com; Twilio signatures are checked against it. Unset: the request's own URL.
   */
  publicBaseUrl: string | undefined;
  /**
   * TRUST_PROXY: which proxies' X-Forwarded-For to believe for the client's address (audit trail,
   * sign-in lock-out, rate limits): unset or `false`: none (the socket's address); a number: that
   * many hops; or a comma-separated list of addresses, subnets (CIDR) or `loopback`, `linklocal`,
   * `uniquelocal`. Express's `trust proxy` setting.
   */
  trustProxy: TrustProxy;
  /** WEBHOOK_MAX_BODY_BYTES: largest provider webhook body (default 1048576). */
  webhookMaxBodyBytes: number;
  /**
   * WEBHOOK_RATE_LIMIT_PER_MINUTE: sustained deliveries per source (default 6000): the Bolna token or Twilio
   * account of a verified delivery, the sender's address for anything unverified (server/webhooks/rate-limit.ts).
   */
  webhookRateLimitPerMinute: number;
  /** WEBHOOK_RATE_LIMIT_BURST: deliveries allowed at once on top of an idle bucket (default 1000). */
  webhookRateLimitBurst: number;
  /**
   * METRICS_PORT: serve Prometheus metrics at /metrics on a separate listener (METRICS_HOST, default
   * 127.0.0.1). Unset: no separate listener.
   */
  metricsPort: number | undefined;
  /** METRICS_HOST: bind address of the metrics listener (default 127.0.0.1). */
  metricsHost: string;
  /**
   * METRICS_TOKEN: at least 16 characters. Set: GET /metrics on the main port answers to
   * `Authorization: Bearer <token>` (and the metrics listener asks for it too). Unset: /metrics is not on the main port.
   */
  metricsToken: string | undefined;
  /** SLOW_JOB_MS: a job running longer than this is logged as a warning (default 5000). */
  slowJobMs: number;
}

type Env = Record<string, string | undefined>;

let dotEnvLoaded = false;

/** Loads `<root>/.env` into process.env once, if the file exists. */
export function loadDotEnv(file = path.join(PROJECT_ROOT, '.env')): void {
  if (dotEnvLoaded) return;
  dotEnvLoaded = true;
  if (existsSync(file)) process.loadEnvFile(file);
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got '${raw}'`);
  }
  return value;
}

const TRUE = new Set(['1', 'true', 'on', 'yes']);
const FALSE = new Set(['0', 'false', 'off', 'no']);

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (TRUE.has(raw)) return true;
  if (FALSE.has(raw)) return false;
  throw new Error(`${name} must be true or false, got '${raw}'`);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `<n>[s|m|h|d]` in seconds (a bare number is seconds). */
function durationSeconds(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*([smhd]?)$/i.exec(raw);
  const seconds = match ? Number(match[1]) * (DURATION_UNITS[(match[2] || 's').toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds < 60 || seconds > 30 * 86_400) {
    throw new Error(`${name} must be a duration such as 12h, 30m or 3600 (between 1 minute and 30 days), got '${raw}'`);
  }
  return seconds;
}

function secret(env: Env, name: string, minLength: number): string | undefined {
  const value = text(env, name);
  if (value !== undefined && value.length < minLength) {
    throw new Error(`${name} must be at least ${minLength} characters long`);
  }
  return value;
}

export const INTROSPECTION_ACCESS = ['anyone', 'signed-in', 'off'] as const;
export type IntrospectionAccess = (typeof INTROSPECTION_ACCESS)[number];

function introspectionAccess(env: Env, fallback: IntrospectionAccess): IntrospectionAccess {
  const raw = text(env, 'GRAPHQL_INTROSPECTION')?.toLowerCase();
  if (raw === undefined) return fallback;
  const found = INTROSPECTION_ACCESS.find((access) => access === raw);
  if (!found) throw new Error(`GRAPHQL_INTROSPECTION must be one of ${INTROSPECTION_ACCESS.join(', ')}; got '${raw}'`);
  return found;
}

function logLevel(env: Env): LogLevel {
  const raw = text(env, 'LOG_LEVEL')?.toLowerCase() ?? 'info';
  if (!isLogLevel(raw)) throw new Error(`LOG_LEVEL must be one of debug, info, warn, error, silent; got '${raw}'`);
  return raw;
}

function logFormat(env: Env, production: boolean): LogFormat {
  const raw = text(env, 'LOG_FORMAT')?.toLowerCase() ?? (production ? 'json' : 'pretty');
  if (!isLogFormat(raw)) throw new Error(`LOG_FORMAT must be json or pretty; got '${raw}'`);
  return raw;
}

/** Why production never seeds the demo (DEMO_DATA=1 and `npm run seed:demo` say this and stop). */
export const DEMO_REFUSED_IN_PRODUCTION =
  'the demo data is refused with NODE_ENV=production: it creates a platform admin (admin@switchboard.dev) whose password is published';

function demoData(env: Env, production: boolean, databaseUrl: string | undefined): boolean {
  const asked = boolean(env, 'DEMO_DATA', !databaseUrl && !production);
  if (asked && production) throw new Error(`DEMO_DATA=${text(env, 'DEMO_DATA')}: ${DEMO_REFUSED_IN_PRODUCTION}`);
  return asked;
}

/** Express's `trust proxy`: false (none), a hop count, or addresses / subnets / named ranges. */
export type TrustProxy = false | number | string[];

const NAMED_PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(env: Env): TrustProxy {
  const raw = text(env, 'TRUST_PROXY');
  if (raw === undefined || raw.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(raw)) return Number(raw) === 0 ? false : Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const valid = NAMED_PROXY_RANGES.has(entry) || (extra === undefined && isIP(address ?? '') !== 0 && (prefix === undefined || /^\d{1,3}$/.test(prefix)));
    if (!valid) throw new Error(`TRUST_PROXY: '${entry}' is not a hop count, an address, a subnet or one of loopback, linklocal, uniquelocal`);
  }
  return entries.length ? entries : false;
}

/** An absolute http(s) URL without query or fragment, trailing slash removed. */
function publicBaseUrl(env: Env): string | undefined {
  const raw = text(env, 'PUBLIC_BASE_URL');
  if (raw === undefined) return undefined;
  const url = URL.parse(raw);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new Error(`PUBLIC_BASE_URL must be an absolute http(s) URL without query or fragment, got '${raw}'`);
  }
  return url.toString().replace(/\/+$/, '');
}

/**
 * The GraphQL pool's default size: two connections per CPU core plus one, the
 * PostgreSQL wiki's starting point for a pool (cores x 2 + spindles). Sized to
 * this machine's cores because the embedded server runs here; with a remote
 * DATABASE_URL set GRAPHQL_POOL_SIZE for that server. More connections than
 * the cores can serve do not read faster: they only make more backends compete
 * for the CPU with each other and with the API process (measured in
 * README > Benchmarks: 16 connections vs 5 on 2 cores).
 */
export function defaultGraphqlPoolSize(cores: number = os.availableParallelism()): number {
  return 2 * Math.max(1, cores) + 1;
}

/**
 * The background lane's default size: one connection per two cores. Those sums are CPU-bound in
 * PostgreSQL; at most half the cores on them leaves the rest to pages and the API process.
 */
export function defaultBackgroundPoolSize(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** Parses settings from `env` (no side effects; call `loadDotEnv()` first for the .env file). */
export function readConfig(env: Env = process.env): Config {
  const production = text(env, 'NODE_ENV') === 'production';
  const httpHeadersTimeoutMs = integer(env, 'HTTP_HEADERS_TIMEOUT_MS', 15_000, 100, 600_000);
  const httpRequestTimeoutMs = integer(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  if (httpHeadersTimeoutMs > httpRequestTimeoutMs) {
    throw new Error(`HTTP_HEADERS_TIMEOUT_MS (${httpHeadersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${httpRequestTimeoutMs})`);
  }
  const rateLimitPerMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000);
  const rateLimitBurst = integer(env, 'RATE_LIMIT_BURST', 100, 1, 1_000_000);
  const databaseUrl = text(env, 'DATABASE_URL');
  return {
    databaseUrl,
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: text(env, 'HOST') ?? '127.0.0.1',
    httpHeadersTimeoutMs,
    httpRequestTimeoutMs,
    httpBodyTimeoutMs: integer(env, 'HTTP_BODY_TIMEOUT_MS', 15_000, 100, 3_600_000),
    pgDataDir: path.resolve(PROJECT_ROOT, text(env, 'PG_DATA_DIR') ?? '.data/postgres'),
    pgPort: integer(env, 'PG_PORT', 54329, 1, 65535),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 4, 1, 64),
    compactIntervalMs: integer(env, 'COMPACT_INTERVAL_MS', 1000, 0, 86_400_000),
    logLevel: logLevel(env),
    logFormat: logFormat(env, production),
    production,
    demoData: demoData(env, production, databaseUrl),
    authDatabaseUrl: text(env, 'AUTH_DATABASE_URL'),
    authenticatorPassword: secret(env, 'AUTHENTICATOR_PASSWORD', 12),
    jwtSecret: secret(env, 'JWT_SECRET', 32),
    jwtTtlSeconds: durationSeconds(env, 'JWT_TTL', 12 * 3600),
    graphiql: boolean(env, 'GRAPHIQL', !production),
    graphqlPoolSize: integer(env, 'GRAPHQL_POOL_SIZE', defaultGraphqlPoolSize(), 1, 1000),
    graphqlBackgroundPoolSize: integer(env, 'GRAPHQL_BACKGROUND_POOL_SIZE', defaultBackgroundPoolSize(), 1, 1000),
    graphqlReadDatabaseUrl: text(env, 'GRAPHQL_READ_DATABASE_URL'),
    graphqlReadMaxWaitMs: integer(env, 'GRAPHQL_READ_MAX_WAIT_MS', 200, 0, 60_000),
    graphqlStatementTimeoutMs: integer(env, 'GRAPHQL_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
    graphqlMaxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 100),
    graphqlMaxAliases: integer(env, 'GRAPHQL_MAX_ALIASES', 30, 0, 10_000),
    graphqlMaxPageSize: integer(env, 'GRAPHQL_MAX_PAGE_SIZE', 500, 1, 100_000),
    graphqlMaxBodyBytes: integer(env, 'GRAPHQL_MAX_BODY_BYTES', 100_000, 1_000, 10_000_000),
    graphqlMaxDocumentChars: integer(env, 'GRAPHQL_MAX_DOCUMENT_CHARS', 20_000, 100, 10_000_000),
    graphqlMaxInputDepth: integer(env, 'GRAPHQL_MAX_INPUT_DEPTH', 20, 2, 1000),
    graphqlMaxInputNodes: integer(env, 'GRAPHQL_MAX_INPUT_NODES', 1000, 10, 1_000_000),
    graphqlMaxFilterRelations: integer(env, 'GRAPHQL_MAX_FILTER_RELATIONS', 5, 0, 1000),
    graphqlPlanningTimeoutMs: integer(env, 'GRAPHQL_PLANNING_TIMEOUT_MS', 2000, 10, 600_000),
    graphqlIntrospection: introspectionAccess(env, production ? 'signed-in' : 'anyone'),
    rateLimitPerMinute,
    rateLimitBurst,
    eventStreamsPerUser: integer(env, 'EVENT_STREAMS_PER_USER', 8, 1, 1000),
    rateLimitTenantPerMinute: integer(env, 'RATE_LIMIT_TENANT_PER_MINUTE', 3 * rateLimitPerMinute, 1, 3_000_000),
    rateLimitTenantBurst: integer(env, 'RATE_LIMIT_TENANT_BURST', 3 * rateLimitBurst, 1, 3_000_000),
    openaiApiKey: text(env, 'OPENAI_API_KEY'),
    openaiBaseUrl: text(env, 'OPENAI_BASE_URL'),
    openaiModel: text(env, 'OPENAI_MODEL') ?? 'gpt-4o-mini',
    openaiTimeoutMs: integer(env, 'OPENAI_TIMEOUT_MS', 60_000, 100, 600_000),
    twilioAccountSid: text(env, 'TWILIO_ACCOUNT_SID'),
    twilioAuthToken: text(env, 'TWILIO_AUTH_TOKEN'),
    twilioSmsFrom: text(env, 'TWILIO_SMS_FROM'),
    twilioApiBaseUrl: text(env, 'TWILIO_API_BASE_URL'),
    secretsKey: text(env, 'SECRETS_KEY'),
    publicBaseUrl: publicBaseUrl(env),
    trustProxy: trustProxy(env),
    webhookMaxBodyBytes: integer(env, 'WEBHOOK_MAX_BODY_BYTES', 1_048_576, 1_000, 100_000_000),
    webhookRateLimitPerMinute: integer(env, 'WEBHOOK_RATE_LIMIT_PER_MINUTE', 6000, 1, 10_000_000),
    webhookRateLimitBurst: integer(env, 'WEBHOOK_RATE_LIMIT_BURST', 1000, 1, 10_000_000),
    metricsPort: text(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535),
    metricsHost: text(env, 'METRICS_HOST') ?? '127.0.0.1',
    metricsToken: secret(env, 'METRICS_TOKEN', 16),
    slowJobMs: integer(env, 'SLOW_JOB_MS', 5000, 1, 86_400_000),
  };
}

/** `.env` (if any) + process.env → Config. */
export function loadConfig(): Config {
  loadDotEnv();
  return readConfig(process.env);
}
