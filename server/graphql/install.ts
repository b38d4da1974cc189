/**
 * Mounts PostGraphile on the Express app:
 *
 *   /graphql: request-auth → rate-limit → body (size-capped) → grafserv
 *   /graphiql, /ruru-static/: Ruru, when enabled
 *
 * Waits for the schema, so a broken database fails start-up rather than the
 * first request. `release()` (after the HTTP server has closed) stops the
 * rate limiter's sweep and releases PostGraphile; the authenticator pool
 * belongs to the caller, which ends it afterwards.
 */
import type { Server } from 'node:http';
import type { Express } from 'express';
import type pg from 'pg';
import { postgraphile } from 'postgraphile';
import { grafserv } from 'postgraphile/grafserv/express/v4';
import type { Config } from '../../kernel/config.ts';
import { signJwt, type JwtOptions } from '../auth/jwt.ts';
import { createRateLimiter, rateLimit } from '../auth/rate-limit.ts';
import { requestAuth } from '../auth/request-auth.ts';
import { tenantView } from './tenant-view.ts';
import type { Logger } from '../../kernel/log.ts';
import { bodyLimit } from './body-limit.ts';
import { loadConstraintColumns } from './constraints.ts';
import { graphqlLimits } from './limits.ts';
import { GRAPHQL_PATH, makePreset } from './preset.ts';
import { createReadRouter, type ReadRouter } from './read-replica.ts';

export type GraphqlConfig = Pick<
  Config,
  | 'graphiql'
  | 'graphqlStatementTimeoutMs'
  | 'graphqlMaxDepth'
  | 'graphqlMaxAliases'
  | 'graphqlMaxPageSize'
  | 'graphqlMaxBodyBytes'
  | 'graphqlMaxDocumentChars'
  | 'graphqlMaxInputDepth'
  | 'graphqlMaxInputNodes'
  | 'graphqlMaxFilterRelations'
  | 'graphqlPlanningTimeoutMs'
  | 'graphqlIntrospection'
  | 'rateLimitPerMinute'
  | 'rateLimitBurst'
  | 'rateLimitTenantPerMinute'
  | 'rateLimitTenantBurst'
  | 'httpBodyTimeoutMs'
> & Partial<Pick<Config, 'graphqlReadMaxWaitMs'>>;

export interface GraphqlDeps {
  /** Connected as app_authenticator: GraphQL transactions and API-key checks. Ended by the caller. */
  authPool: pg.Pool;
  /** Also app_authenticator: queries in the background lane (server/graphql/lanes.ts). Ended by the caller. */
  backgroundPool?: pg.Pool;
  jwt: JwtOptions;
  config: GraphqlConfig;
  logger: Logger;
  /** Clock of the rate limiter (tests). */
  now?: () => number;
  /**
   * The same login on a streaming replica (GRAPHQL_READ_DATABASE_URL): queries run there
   * (./read-replica.ts). Ended by the caller.
   */
  readPool?: pg.Pool;
}

export interface InstalledGraphql {
  release(): Promise<void>;
  /** Where queries went (with `readPool`). */
  readRouter?: ReadRouter;
}

/**
 * `httpServer` is only needed for websockets, which are off (no subscriptions),
 * so the app can be created before the server listens; pass it if you have it.
 */
export async function installGraphql(app: Express, httpServer: Server | null, deps: GraphqlDeps): Promise<InstalledGraphql> {
  const { config, jwt } = deps;
  const constraints = await loadConstraintColumns(deps.authPool);
  const readRouter = deps.readPool
    ? createReadRouter({ primaryPool: deps.authPool, primaryBackgroundPool: deps.backgroundPool, replicaPool: deps.readPool, maxWaitMs: config.graphqlReadMaxWaitMs ?? 200, logger: deps.logger.child('read-replica') })
    : undefined;
  const pgl = postgraphile(
    makePreset({
      pool: deps.authPool,
      backgroundPool: deps.backgroundPool,
      graphiql: config.graphiql,
      statementTimeoutMs: config.graphqlStatementTimeoutMs,
      maxBodyBytes: config.graphqlMaxBodyBytes,
      planningTimeoutMs: config.graphqlPlanningTimeoutMs,
      limits: graphqlLimits(config),
      issueJwt: (subject) => signJwt(subject, jwt),
      constraints,
      logger: deps.logger,
      readRouter,
    }),
  );
  const limiter = createRateLimiter({ perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst, now: deps.now });
  const tenantLimiter = createRateLimiter({ perMinute: config.rateLimitTenantPerMinute, burst: config.rateLimitTenantBurst, now: deps.now });
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    limiter.stop();
    tenantLimiter.stop();
    await pgl.release();
  };
  try {
    await pgl.getSchema();
    app.use(
      GRAPHQL_PATH,
      requestAuth({ jwtSecret: jwt.secret, pool: deps.authPool }),
      tenantView({ pool: deps.authPool }),
      rateLimit({ caller: limiter, callerPerMinute: config.rateLimitPerMinute, tenant: tenantLimiter }),
      ...bodyLimit(config.graphqlMaxBodyBytes, config.httpBodyTimeoutMs),
    );
    const serv = pgl.createServ(grafserv);
    await serv.addTo(app, httpServer, false);
    await serv.ready();
  } catch (error) {
    await release();
    throw error;
  }
  return { release, readRouter };
}
