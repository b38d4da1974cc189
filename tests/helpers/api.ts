/**
 * The real app (health checks + PostGraphile) on a test database, over real
 * HTTP on 127.0.0.1 with a free port, for the API test suites:
 *
 *   const api = await startApi();                  // beforeAll (own database)
 *   const { body } = await api.graphql(`{ currentUserId }`, {}, api.tokenFor(userId));
 *   await api.close();                             // afterAll
 *
 * The GraphQL pool logs in as app_authenticator with one fixed test password:
 * roles are cluster-wide, so every test file sets the same one (idempotently).
 */
import type pg from 'pg';
import { createApp } from '../../server/app.ts';
import { replicaConnectionString, type ReadRouter } from '../../server/graphql/read-replica.ts';
import { resolveAuthDatabaseUrl } from '../../server/auth/authenticator.ts';
import { signJwt, type TokenRole } from '../../server/auth/jwt.ts';
import { readConfig, type Config } from '../../kernel/config.ts';
import { createPool, endPool } from '../../kernel/db/pool.ts';
import { httpTimeouts, listen } from '../../kernel/http/listen.ts';
import { createLogger } from '../../kernel/log.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export const TEST_JWT_SECRET = 'switchboard-test-jwt-secret-at-least-32-chars';
export const TEST_AUTHENTICATOR_PASSWORD = 'switchboard-test-authenticator';

export interface GraphqlError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
  path?: Array<string | number>;
}

export interface GraphqlBody<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: GraphqlError[];
}

export interface HttpResult<TBody> {
  status: number;
  headers: Headers;
  body: TBody;
}

export interface StartApiOptions {
  /** Settings as environment variables (JWT_SECRET and AUTHENTICATOR_PASSWORD default to the test ones). */
  env?: Record<string, string>;
  /** Reuse a database (not dropped by close()); default: a new one. */
  db?: TestDatabase;
  /** Clock of the rate limiter. */
  now?: () => number;
  /** Where the built dashboard is served from (default dashboard/dist). */
  dashboardDistDir?: string;
  /** SECRETS_KEY for the provider-secret mutations (default: none, they fail). */
  secretsKey?: Buffer;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  db: TestDatabase;
  config: Config;
  /** The GraphQL pool (app_authenticator). */
  authPool: pg.Pool;
  /** The background lane's pool (app_authenticator; server/graphql/lanes.ts). */
  backgroundPool: pg.Pool;
  /** With GRAPHQL_READ_DATABASE_URL in `env`: the replica's pool and where queries went. */
  readPool?: pg.Pool;
  readRouter?: ReadRouter;
  /** POST /graphql with a JSON body; `token` becomes `Authorization: Bearer <token>`. */
  graphql<TData = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<HttpResult<GraphqlBody<TData>>>;
  /** POST /graphql with any body and headers (defaults: JSON content type and accept). */
  post(body: string | Uint8Array, headers?: Record<string, string>): Promise<HttpResult<GraphqlBody>>;
  /** A valid JWT for a business's login (default: its founding owner, member id = business id), signed with the server's secret. */
  tokenFor(userId: string, role?: TokenRole, memberId?: string): string;
  close(): Promise<void>;
}

async function readJson(response: Response): Promise<GraphqlBody> {
  const text = await response.text();
  try {
    return JSON.parse(text) as GraphqlBody;
  } catch {
    return { errors: [{ message: `non-JSON response (${response.status}): ${text.slice(0, 200)}` }] };
  }
}

export async function startApi(options: StartApiOptions = {}): Promise<ApiServer> {
  const db = options.db ?? (await createTestDatabase());
  const config = readConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    AUTHENTICATOR_PASSWORD: TEST_AUTHENTICATOR_PASSWORD,
    GRAPHIQL: 'false',
    ...options.env,
  });
  const logger = createLogger('test:api');
  const authPool = createPool({
    connectionString: await resolveAuthDatabaseUrl({ config, ownerConnectionString: db.connectionString, ownerPool: db.pool, logger }),
    max: config.graphqlPoolSize,
    applicationName: 'switchboard-test-graphql',
    logger,
  });
  const backgroundPool = createPool({
    connectionString: await resolveAuthDatabaseUrl({ config, ownerConnectionString: db.connectionString, ownerPool: db.pool, logger }),
    max: config.graphqlBackgroundPoolSize,
    applicationName: 'switchboard-test-graphql-background',
    logger,
  });
  const readPool = config.graphqlReadDatabaseUrl
    ? createPool({
        connectionString: replicaConnectionString(config.graphqlReadDatabaseUrl, authPool.options.connectionString ?? ''),
        max: config.graphqlPoolSize,
        applicationName: 'switchboard-test-graphql-read',
        logger,
      })
    : undefined;
  const jwt = { secret: config.jwtSecret ?? TEST_JWT_SECRET, ttlSeconds: config.jwtTtlSeconds };
  const app = await createApp({
    pool: db.pool,
    worker: () => undefined,
    logger,
    graphql: { authPool, backgroundPool, readPool, jwt, config, logger, now: options.now },
    dashboard: options.dashboardDistDir ? { distDir: options.dashboardDistDir } : undefined,
    trustProxy: config.trustProxy,
    secretsKey: options.secretsKey,
  });
  const http = await listen(app.express, { host: '127.0.0.1', port: 0, timeouts: httpTimeouts(config) });

  const post = async (body: string | Uint8Array, headers: Record<string, string> = {}): Promise<HttpResult<GraphqlBody>> => {
    const response = await fetch(`${http.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body,
    });
    return { status: response.status, headers: response.headers, body: await readJson(response) };
  };

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    db,
    config,
    authPool,
    backgroundPool,
    readPool,
    readRouter: app.readRouter,
    async graphql<TData>(query: string, variables: Record<string, unknown> = {}, token?: string) {
      const result = await post(JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
      return result as HttpResult<GraphqlBody<TData>>;
    },
    post,
    tokenFor: (userId, role = 'app_user', memberId?: string) => signJwt(memberId ? { userId, role, memberId } : { userId, role }, jwt),
    close() {
      closing ??= (async () => {
        await http.close();
        await app.release();
        await endPool(authPool);
        await endPool(backgroundPool);
        if (readPool) await endPool(readPool);
        if (!options.db) await db.drop();
      })();
      return closing;
    },
  };
}

/** The codes of a response's errors, for `expect(codes(body)).toEqual([...])`. */
export function errorCodes(body: GraphqlBody<unknown>): Array<string | undefined> {
  return (body.errors ?? []).map((error) => error.extensions?.code);
}
