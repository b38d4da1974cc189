/**
 * The GraphQL context of each request, built from the caller that
 * server/auth/request-auth.ts attached to the Express request.
 *
 * `pgSettings` become `set_config(key, value, true)` calls at the start of the
 * transaction PostGraphile opens for the request: the role to switch to, the
 * claims our RLS policies read (`jwt.claims.user_id`), a statement timeout,
 * and for API keys without the `write` scope `transaction_read_only = on`, so
 * PostgreSQL itself refuses every write (SQLSTATE 25006). (PostgreSQL allows
 * switching a transaction to read-only at any point; only going back to
 * read-write after the first query is refused.)
 *
 * Two more settings say where the request came from, for the audit trail
 * (app_private.tg__audit reads them): `switchboard.client_ip` (Express's
 * `req.ip`, so the app's `trust proxy` setting decides whether X-Forwarded-For
 * counts) and `switchboard.user_agent` (at most USER_AGENT_MAX_LENGTH
 * characters). They travel in the same `set_config` statement as the role, so
 * a request stays one round trip.
 *
 * Signed-in members also carry `jwt.claims.member_id` (the login; the business
 * stays `jwt.claims.user_id`, so no policy changes meaning), and a viewer's
 * transactions are read-only like a read-only key's.
 *
 * A query that sums a whole filtered set (the call log's totals) carries
 * `switchboard.lane = background`: the pg adaptor runs it on the background pool
 * (lanes.ts), so pages never wait behind such sums.
 *
 * With a read replica (GRAPHQL_READ_DATABASE_URL) the context's `withPgClient`
 * is the request's route (./read-replica.ts): queries on the replica, the rest
 * on the primary, with the same settings either way.
 */
import type { IncomingMessage } from 'node:http';
import type pg from 'pg';
import type { JwtSubject } from '../auth/jwt.ts';
import { ANONYMOUS, getRequestAuth, type RequestAuth } from '../auth/request-auth.ts';
import { operationType, type ReadRouter } from './read-replica.ts';
import { getTenantView, type TenantView } from './tenant-view.ts';
import { LANE_SETTING, laneOf } from './lanes.ts';

declare global {
  namespace Grafast {
    interface Context {
      /** Who is calling (anonymous when the request did not come through Express). */
      auth: RequestAuth;
      /** The client's address, for the login audit trail. */
      clientIp: string | null;
      /** Signs a JWT for a subject; absent when the server was built without a JWT secret (schema export). */
      issueJwt: ((subject: JwtSubject) => string) | null;
      /**
       * The app_authenticator pool, for a member's own password change: it must write even
       * when the member is a viewer (whose request transactions are read-only). Null in schema export.
       */
      authenticatorPool: pg.Pool | null;
    }
  }
}

export interface ContextOptions {
  statementTimeoutMs: number;
  issueJwt?: (subject: JwtSubject) => string;
  authenticatorPool?: pg.Pool;
  /** Routes queries to the read replica (GRAPHQL_READ_DATABASE_URL); absent: everything on the primary. */
  readRouter?: ReadRouter;
}

export type PgSettings = Record<string, string>;

/** Longest User-Agent kept (the database truncates to the same length). */
export const USER_AGENT_MAX_LENGTH = 512;

/** Where a request came from, as the audit trail records it. */
export interface RequestOrigin {
  clientIp: string | null;
  userAgent: string | null;
}

/** The audit settings of a request (absent values are left out, never sent as ''). */
export function originSettings({ clientIp, userAgent }: RequestOrigin): PgSettings {
  const settings: PgSettings = {};
  if (clientIp) settings['switchboard.client_ip'] = clientIp;
  if (userAgent) settings['switchboard.user_agent'] = userAgent.slice(0, USER_AGENT_MAX_LENGTH);
  return settings;
}

export function pgSettingsFor(auth: RequestAuth, { statementTimeoutMs }: Pick<ContextOptions, 'statementTimeoutMs'>): PgSettings {
  const settings: PgSettings = { statement_timeout: String(statementTimeoutMs) };
  switch (auth.kind) {
    case 'anonymous':
      return { ...settings, role: 'app_anonymous' };
    case 'jwt': {
      // The role is the member's current one (request-auth.ts read it for this request). Viewers'
      // transactions are read-only: PostgreSQL refuses every write, security definer functions included.
      const memberSettings: PgSettings = {
        ...settings,
        role: auth.role,
        'jwt.claims.user_id': auth.userId,
        'jwt.claims.member_id': auth.memberId,
      };
      if (auth.memberRole === 'viewer') memberSettings.transaction_read_only = 'on';
      return memberSettings;
    }
    case 'apiKey': {
      const keySettings: PgSettings = {
        ...settings,
        role: auth.role,
        'jwt.claims.user_id': auth.userId,
        'jwt.claims.api_key_id': auth.apiKeyId,
      };
      if (!auth.scopes.includes('write')) keySettings.transaction_read_only = 'on';
      return keySettings;
    }
  }
}

/**
 * An operator's read-only view of a business (./tenant-view.ts): the business's
 * tenant role and claim, in a read-only transaction; `switchboard.viewed_by` names the operator.
 */
export function tenantViewSettings(view: TenantView, { statementTimeoutMs }: Pick<ContextOptions, 'statementTimeoutMs'>): PgSettings {
  return {
    statement_timeout: String(statementTimeoutMs),
    role: 'app_user',
    'jwt.claims.user_id': view.tenantId,
    'switchboard.viewed_by': view.adminId,
    transaction_read_only: 'on',
  };
}

function originOf(requestContext: Partial<Grafast.RequestContext>, req: IncomingMessage | undefined): RequestOrigin {
  const userAgent = req?.headers['user-agent'];
  return {
    clientIp: requestContext.expressv4?.req.ip ?? req?.socket.remoteAddress ?? null,
    userAgent: typeof userAgent === 'string' && userAgent !== '' ? userAgent.slice(0, USER_AGENT_MAX_LENGTH) : null,
  };
}

function requestOf(requestContext: Partial<Grafast.RequestContext>): IncomingMessage | undefined {
  return requestContext.expressv4?.req ?? requestContext.node?.req;
}

/** `preset.grafast.context`: runs once per GraphQL request. */
export function makeContext(options: ContextOptions) {
  return (requestContext: Partial<Grafast.RequestContext>, args?: Pick<Grafast.ExecutionArgs, 'document' | 'operationName'>): Partial<Grafast.Context> => {
    const req = requestOf(requestContext);
    const auth = req ? getRequestAuth(req) : ANONYMOUS;
    const view = req ? getTenantView(req) : undefined;
    const origin = originOf(requestContext, req);
    const pgSettings: PgSettings = {
      ...(view ? tenantViewSettings(view, options) : pgSettingsFor(auth, options)),
      ...originSettings(origin),
      ...(laneOf(args?.document, args?.operationName) === 'background' ? { [LANE_SETTING]: 'background' } : {}),
    };
    const context: Partial<Grafast.Context> = {
      auth,
      clientIp: origin.clientIp,
      issueJwt: options.issueJwt ?? null,
      authenticatorPool: options.authenticatorPool ?? null,
      pgSettings,
    };
    if (options.readRouter) {
      const route = options.readRouter.forRequest(operationType(args?.document, args?.operationName), pgSettings['jwt.claims.user_id'] ?? null);
      context.withPgClient = route.withPgClient;
      if (options.issueJwt) context.issueJwt = route.wrapIssueJwt(options.issueJwt);
    }
    return context;
  };
}
