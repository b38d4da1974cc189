/**
 * The PostGraphile V5 preset: Amber (the V5 defaults) plus aggregates and
 * connection filters, over `app_public`, through the `app_authenticator` pool.
 *
 * The schema depends on the grants of the role that introspects (V5's
 * PgRBACPlugin hides what app_anonymous / app_user / app_admin cannot do), so
 * the pool must be the authenticator's, here and in the schema export.
 */
import { PgAggregatesPreset } from '@graphile/pg-aggregates';
import type pg from 'pg';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';
import type { JwtSubject } from '../auth/jwt.ts';
import type { ConstraintColumns } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { AuthPlugin } from './auth-plugin.ts';
import { TeamPlugin } from './team-plugin.ts';
import { IdErrorsPlugin } from './id-errors-plugin.ts';
import { makeContext } from './context.ts';
import { makeLimitsPlugin, type GraphqlLimits } from './limits.ts';
import { TrustedDocumentsPlugin } from './trusted-documents.ts';
import { makeMaskError } from './mask-error.ts';
import { makeFastPgService } from './pg-adaptor.ts';
import type { ReadRouter } from './read-replica.ts';
import { ProviderSecretsPlugin } from './provider-secrets-plugin.ts';
import { DeliveryErrorsPlugin } from './delivery-errors-plugin.ts';
import { TestCallPlugin } from './test-call-plugin.ts';
import { InflectionPlugin, SmartTagsPlugin } from './smart-tags.ts';

export const GRAPHQL_PATH = '/graphql';
export const GRAPHIQL_PATH = '/graphiql';

export interface PresetOptions {
  /** Pool connected as app_authenticator. */
  pool: pg.Pool;
  /** Also app_authenticator: the background lane's pool (lanes.ts); without it every request uses `pool`. */
  backgroundPool?: pg.Pool;
  /** Serve Ruru (GraphiQL) at /graphiql. */
  graphiql: boolean;
  statementTimeoutMs: number;
  /** grafserv's own cap on the request body (bytes). */
  maxBodyBytes: number;
  /** grafast's bound on planning one request (ms): planning is synchronous and blocks the event loop. */
  planningTimeoutMs: number;
  limits: GraphqlLimits;
  /** Signs JWTs for register/authenticate; omit when only building the schema. */
  issueJwt?: (subject: JwtSubject) => string;
  /** Constraint columns, so error messages can name fields (see constraints.ts). */
  constraints?: ConstraintColumns;
  logger: Logger;
  /** Queries on a read replica (./read-replica.ts); absent: every request on `pool`. */
  readRouter?: ReadRouter;
}

export function makePreset(options: PresetOptions): GraphileConfig.Preset {
  return {
    extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset, PgAggregatesPreset],
    plugins: [AuthPlugin, TeamPlugin, ProviderSecretsPlugin, DeliveryErrorsPlugin, TestCallPlugin, TrustedDocumentsPlugin, makeLimitsPlugin(options.limits), SmartTagsPlugin, InflectionPlugin, IdErrorsPlugin],
    pgServices: [
      // pubsub off: no subscriptions, so no LISTEN client held open. Begin and the request's
      // settings share one round trip (pg-adaptor.ts).
      makeFastPgService({ pool: options.pool, backgroundPool: options.backgroundPool, schemas: ['app_public'], pubsub: false }),
    ],
    gather: {
      // Function arguments without a SQL default are required (non-null) in GraphQL; our SQL gives
      // every optional argument a default (`agent_id uuid default null`).
      pgStrictFunctions: true,
    },
    schema: {
      // Filters only where Amber allows them (indexed columns, via PgIndexBehaviorsPlugin). Computed
      // columns and setof functions run a function per row when filtered: opt in per function with
      // `comment on function ... is E'@filterable'` rather than everywhere.
      connectionFilterComputedColumns: false,
      connectionFilterSetofFunctions: false,
      // NB: ignored by the V5 plugin, which always adds relation filters (`agent`, `calls: { some }`,
      // `contactExists`) where a relation has the `filterBy` behavior. They are limited per request
      // instead (input-limits.ts: GRAPHQL_MAX_FILTER_RELATIONS, none for anonymous callers).
      connectionFilterRelations: false,
      connectionFilterLogicalOperators: true,
    },
    grafast: {
      context: makeContext({
        statementTimeoutMs: options.statementTimeoutMs,
        issueJwt: options.issueJwt,
        authenticatorPool: options.issueJwt ? options.pool : undefined,
        readRouter: options.readRouter,
      }),
      timeouts: { planning: options.planningTimeoutMs },
    },
    grafserv: {
      graphqlPath: GRAPHQL_PATH,
      graphiql: options.graphiql,
      graphiqlPath: GRAPHIQL_PATH,
      graphiqlOnGraphQLGET: false,
      websockets: false,
      watch: false,
      maxRequestLength: options.maxBodyBytes,
      maskError: makeMaskError(options.logger, { constraints: options.constraints }),
    },
  };
}
