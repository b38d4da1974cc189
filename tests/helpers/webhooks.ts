/**
 * The real app with the provider webhooks (and optionally GraphQL) on a test
 * database, over real HTTP on 127.0.0.1, plus tenants with webhook
 * credentials; re-exports the provider payloads (./provider-payloads.ts):
 *
 *   const app = await startWebhookApp();                       // beforeAll
 *   const tenant = await seedIngestTenant(app.pool);           // token, agents, Twilio account
 *   const [queued] = bolnaSequence({ agentId: tenant.bolnaAgentId });
 *   const { status, body } = await app.postBolna(tenant.bolnaToken, queued);
 *   await app.close();                                         // afterAll
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createApp } from '../../server/app.ts';
import { resolveAuthDatabaseUrl } from '../../server/auth/authenticator.ts';
import { signJwt } from '../../server/auth/jwt.ts';
import { readConfig, type Config } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { httpTimeouts, listen } from '../../kernel/http/listen.ts';
import { createLogger } from '../../kernel/log.ts';
import type { Metrics } from '../../kernel/metrics/metrics.ts';
import { encryptSecret } from '../../server/webhooks/secrets.ts';
import { TEST_AUTHENTICATOR_PASSWORD, TEST_JWT_SECRET, type GraphqlBody } from './api.ts';
import { createTestDatabase, inTransaction, withClient, type TestDatabase } from './db.ts';
import { createAgent, createTenant, uniqueName } from './fixtures.ts';
import { randomHex, twilioSignature } from './provider-payloads.ts';

export * from './provider-payloads.ts';

/** A fixed SECRETS_KEY for tests (32 bytes). */
export const TEST_SECRETS_KEY = createHash('sha256').update('switchboard-test-secrets-key').digest();

export const TWILIO_STATUS_PATH = '/webhooks/twilio/status';

/** The per-business status callback path (the tenant's webhook token, as Bolna's). */
export function twilioStatusPath(token: string): string {
  return `${TWILIO_STATUS_PATH}/${token}`;
}

export interface WebhookBody {
  /** The delivery's own key (never a platform-wide number). */
  eventKey?: string;
  duplicate?: boolean;
  status?: string;
  callId?: string | null;
  error?: { code: string; message: string; [detail: string]: string };
}

export interface WebhookResponse {
  status: number;
  headers: Headers;
  body: WebhookBody;
}

export interface WebhookDb {
  pool: pg.Pool;
  connectionString: string;
}

export interface StartWebhookOptions {
  /** Reuse a database (not dropped by close()); default: a new test database. */
  db?: WebhookDb;
  /** Settings as environment variables. */
  env?: Record<string, string>;
  /** Clock of the rate limiters. */
  now?: () => number;
  /** Also serve /graphql (the provider-secret mutations). */
  graphql?: boolean;
  /** Observe requests into these metrics (and serve GET /metrics to `metricsToken`). */
  metrics?: Metrics;
  metricsToken?: string;
  /** Serve the dashboard from this build directory (default dashboard/dist). */
  dashboardDistDir?: string;
  /**
   * Live updates (GET /api/events, with `graphql`): on by default with `graphql`; false turns them off,
   * an object sets the stream options.
   */
  events?: false | { minIntervalMs?: number; heartbeatMs?: number; recheckMs?: number; streamsPerPrincipal?: number };
  /**
   * Run `app_hidden.compact_rollups()` this often (ms), as the worker's tick does (without the worker's
   * other jobs, so no analysis changes figures behind a test's back). The compactor is what notifies
   * the dashboards' event streams. Default: never.
   */
  compactEveryMs?: number;
}

export interface TwilioPostOptions {
  /** Post to this path (default TWILIO_STATUS_PATH; see `twilioStatusPath`). */
  path?: string;
  /** Sign with this auth token (over `signUrl`, default the app's own URL). */
  authToken?: string;
  signUrl?: string;
  /** Send this signature instead. */
  signature?: string;
  /** Parameters sent (default: the signed ones), to tamper with a signed request. */
  sendParams?: Record<string, string>;
}

export interface WebhookApp {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The database (the owner pool and its connection string). */
  db: WebhookDb;
  pool: pg.Pool;
  config: Config;
  /** Any request to the app. */
  request(path: string, init: RequestInit): Promise<WebhookResponse>;
  /** POST a Bolna payload (object → JSON) to /webhooks/bolna/<token>. */
  postBolna(token: string, payload: unknown, headers?: Record<string, string>): Promise<WebhookResponse>;
  /** POST Twilio parameters, form-encoded, to /webhooks/twilio/status (or `options.path`). */
  postTwilio(params: Record<string, string>, options?: TwilioPostOptions): Promise<WebhookResponse>;
  /** POST /graphql (only with `graphql: true`). */
  graphql<TData = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphqlBody<TData>>;
  tokenFor(userId: string): string;
  close(): Promise<void>;
}

async function readBody(response: Response): Promise<WebhookBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as WebhookBody;
  } catch {
    return { error: { code: 'NON_JSON_RESPONSE', message: text.slice(0, 200) } };
  }
}

export async function startWebhookApp(options: StartWebhookOptions = {}): Promise<WebhookApp> {
  let testDb: TestDatabase | undefined;
  const db: WebhookDb = options.db ?? (testDb = await createTestDatabase());
  const config = readConfig({ JWT_SECRET: TEST_JWT_SECRET, AUTHENTICATOR_PASSWORD: TEST_AUTHENTICATOR_PASSWORD, GRAPHIQL: 'false', ...options.env });
  const logger = createLogger('test:webhooks');
  const jwt = { secret: TEST_JWT_SECRET, ttlSeconds: config.jwtTtlSeconds };
  const authPool = options.graphql
    ? createPool({
        connectionString: await resolveAuthDatabaseUrl({ config, ownerConnectionString: db.connectionString, ownerPool: db.pool, logger }),
        max: 3,
        applicationName: 'switchboard-test-graphql',
        logger,
      })
    : undefined;
  const app = await createApp({
    pool: db.pool,
    worker: () => undefined,
    logger,
    secretsKey: TEST_SECRETS_KEY,
    webhooks: { pool: db.pool, config, logger, now: options.now },
    graphql: authPool ? { authPool, jwt, config, logger, now: options.now } : undefined,
    metrics: options.metrics,
    metricsToken: options.metricsToken,
    dashboard: options.dashboardDistDir ? { distDir: options.dashboardDistDir } : undefined,
    trustProxy: config.trustProxy,
    events: authPool && options.events !== false ? { listenConnectionString: db.connectionString, ...options.events } : undefined,
  });
  const http = await listen(app.express, { host: '127.0.0.1', port: 0, timeouts: httpTimeouts(config) });
  const compactor = options.compactEveryMs ? startCompactor(db.pool, options.compactEveryMs) : undefined;

  const request = async (path: string, init: RequestInit): Promise<WebhookResponse> => {
    const response = await fetch(`${http.url}${path}`, init);
    return { status: response.status, headers: response.headers, body: await readBody(response) };
  };

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    db,
    pool: db.pool,
    config,
    request,
    postBolna(token, payload, headers = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      return request(`/webhooks/bolna/${token}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    },
    postTwilio(params, twilio = {}) {
      const path = twilio.path ?? TWILIO_STATUS_PATH;
      const signed = twilio.signature ?? (twilio.authToken ? twilioSignature(twilio.authToken, twilio.signUrl ?? `${http.url}${path}`, params) : undefined);
      return request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signed ? { 'x-twilio-signature': signed } : {}) },
        body: new URLSearchParams(twilio.sendParams ?? params).toString(),
      });
    },
    async graphql<TData>(query: string, variables: Record<string, unknown> = {}, token?: string) {
      const response = await fetch(`${http.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphqlBody<TData>;
    },
    tokenFor: (userId) => signJwt({ userId, role: 'app_user' }, jwt),
    close() {
      closing ??= (async () => {
        await compactor?.stop();
        app.closeStreams();
        await http.close();
        await app.release();
        if (authPool) await endPool(authPool);
        await testDb?.drop();
      })();
      return closing;
    },
  };
}

/** Compacts the rollups every `everyMs` (what the worker's tick enqueues), one run at a time. */
function startCompactor(pool: pg.Pool, everyMs: number): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : pool.query('select app_hidden.compact_rollups()').catch(() => undefined)));
  }, everyMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

// --- tenants -----------------------------------------------------------------

export interface IngestTenant {
  userId: string;
  /** The Bolna URL token (`sbw_...`). */
  bolnaToken: string;
  /** The Bolna agent's id at Bolna (`agent_id` in payloads) and ours. */
  bolnaAgentId: string;
  agentId: string;
  signingSecret: string | undefined;
  twilioAccountSid: string;
  twilioAuthToken: string;
  /** Our number, assigned to `twilioAgent` (From of outbound calls). */
  twilioNumber: string;
  twilioAgent: string;
}

export interface IngestTenantOptions {
  signingSecret?: string;
  requireSignature?: boolean;
}

let numberCounter = 0;
/** A phone number unique within this process (test databases are per file). */
export function testPhoneNumber(): string {
  numberCounter += 1;
  return `+1415${String(process.pid % 1000).padStart(3, '0')}${String(numberCounter).padStart(4, '0')}`;
}

/**
 * A tenant with a Bolna agent, a Twilio agent owning a number, a Bolna token
 * (from app_public.rotate_bolna_ingest_token) and encrypted provider secrets
 * (app_hidden.store_provider_secret), set as that tenant's password session would.
 */
export async function seedIngestTenant(pool: pg.Pool, options: IngestTenantOptions = {}): Promise<IngestTenant> {
  const tenant = await createTenant(pool, { credits: 100 });
  const bolnaAgentId = randomUUID();
  const agent = await createAgent(pool, tenant.id, { provider: 'bolna', providerAgentId: bolnaAgentId });
  const twilioAgent = await createAgent(pool, tenant.id, { provider: 'twilio', providerAgentId: uniqueName('twilio-agent') });
  const twilioNumber = testPhoneNumber();
  await pool.query('insert into app_public.phone_numbers (user_id, agent_id, phone_number, name) values ($1, $2, $3, $4)', [
    tenant.id,
    twilioAgent.id,
    twilioNumber,
    'Main line',
  ]);
  const twilioAccountSid = `AC${randomHex(16)}`;
  const twilioAuthToken = randomHex(16);
  const bolnaToken = await withClient(pool, (client) =>
    inTransaction(
      client,
      async () => {
        await client.query(`select set_config('jwt.claims.user_id', $1, true)`, [tenant.id]);
        const { rows } = await client.query<{ token: string }>('select app_public.rotate_bolna_ingest_token() as token');
        if (options.signingSecret !== undefined) {
          await client.query('select app_hidden.store_provider_secret($1, $2, null, $3)', [
            'bolna_signing_secret',
            encryptSecret(TEST_SECRETS_KEY, 'bolna_signing_secret', tenant.id, options.signingSecret),
            options.requireSignature ?? true,
          ]);
        }
        await client.query('select app_hidden.store_provider_secret($1, $2, $3, null)', [
          'twilio_auth_token',
          encryptSecret(TEST_SECRETS_KEY, 'twilio_auth_token', tenant.id, twilioAuthToken),
          twilioAccountSid,
        ]);
        const token = rows[0]?.token;
        if (!token) throw new Error('rotate_bolna_ingest_token returned nothing');
        return token;
      },
      { commit: true },
    ),
  );
  return {
    userId: tenant.id,
    bolnaToken,
    bolnaAgentId,
    agentId: agent.id,
    signingSecret: options.signingSecret,
    twilioAccountSid,
    twilioAuthToken,
    twilioNumber,
    twilioAgent: twilioAgent.id,
  };
}

// --- what is stored ------------------------------------------------------------------

export interface StoredCounts {
  events: number;
  calls: number;
  transcripts: number;
}

/** Rows in webhook_events, calls and transcripts (whole database). */
export async function storedCounts(pool: pg.Pool): Promise<StoredCounts> {
  const { rows } = await pool.query<StoredCounts>(
    `select (select count(*)::int from app_private.webhook_events) as events,
            (select count(*)::int from app_public.calls) as calls,
            (select count(*)::int from app_public.transcripts) as transcripts`,
  );
  const row = rows[0];
  if (!row) throw new Error('no counts');
  return row;
}

/**
 * The call of a provider call id, every column (for before/after comparisons), or undefined.
 * Provider ids are per tenant: give `userId` where several tenants may have used the id.
 */
export async function callRow(pool: pg.Pool, provider: string, providerCallId: string, userId?: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await pool.query<Record<string, unknown>>(
    'select * from app_public.calls where provider = $1 and provider_call_id = $2 and ($3::uuid is null or user_id = $3) order by created_at',
    [provider, providerCallId, userId ?? null],
  );
  return rows[0];
}

export interface StoredDelivery {
  id: string;
  status: string;
  error_code: string | null;
  attempts: number;
  call_id: string | null;
}

/** The stored delivery a response named (by tenant, provider and its key), or undefined. */
export async function deliveryRow(pool: pg.Pool, userId: string, provider: string, eventKey: string | undefined): Promise<StoredDelivery | undefined> {
  const { rows } = await pool.query<StoredDelivery>(
    `select id::text, status, error_code, attempts, call_id from app_private.webhook_events
      where user_id = $1 and provider = $2 and event_key = $3`,
    [userId, provider, eventKey ?? null],
  );
  return rows[0];
}
