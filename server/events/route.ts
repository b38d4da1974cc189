/**
 * GET /api/events: the signed-in business's "data changed" events as
 * server-sent events (text/event-stream), for the dashboard to refetch what is
 * on screen only when something changed (it runs no query while idle).
 *
 *   Authorization: Bearer <the dashboard's JWT, or an API key>
 *   (an operator's read-only view: also X-Switchboard-View-Tenant, as on /graphql)
 *
 *   retry: 3000
 *   event: ready     data: {"businessId": "...", "at": "..."}
 *   event: changed   data: {"businessId": "...", "at": "..."}   at most one a second
 *   : heartbeat                                                  every 20 s
 *
 * Authentication is /graphql's (server/auth/request-auth.ts and the tenant
 * view), and the business is taken from the credential alone: there is no
 * parameter to name another business, so a caller only ever receives its own
 * business's events. Each stream re-checks its credential every `recheckMs`
 * (a removed login, a revoked key, an expired token or an ended view closes it;
 * the client's reconnect then gets the 401). A principal (login or API key)
 * may hold `streamsPerPrincipal` streams (429 TOO_MANY_STREAMS beyond).
 */
import type { Express, Request, RequestHandler } from 'express';
import type pg from 'pg';
import { authenticate, getRequestAuth, requestAuth, type RequestAuth } from '../auth/request-auth.ts';
import { RequestError } from '../errors.ts';
import { getTenantView, tenantView, type TenantView } from '../graphql/tenant-view.ts';
import type { Logger } from '../../kernel/log.ts';
import { EventHub, sseEvent, type EventStream } from './hub.ts';
import { listenForChanges, type ChangeListener } from './listener.ts';

export const EVENTS_PATH = '/api/events';

export interface EventsDeps {
  /** Connected as app_authenticator (the GraphQL pool): credential checks. */
  authPool: pg.Pool;
  jwtSecret: string;
  /** The owner's connection string: the LISTEN connection. */
  listenConnectionString: string;
  logger: Logger;
  /** EVENT_STREAMS_PER_USER */
  streamsPerPrincipal: number;
  /** Coalescing window per business (default 1000 ms). */
  minIntervalMs?: number;
  /** Heartbeat comment interval (default 20 s). */
  heartbeatMs?: number;
  /** Credential re-check interval per stream (default 60 s). */
  recheckMs?: number;
}

export interface Events {
  hub: EventHub;
  /** Ends every stream (before the HTTP server closes, so it need not wait for them). */
  closeStreams(): void;
  /** Closes the streams and the LISTEN connection. */
  release(): Promise<void>;
}

function principalOf(auth: Exclude<RequestAuth, { kind: 'anonymous' }>): string {
  return auth.kind === 'jwt' ? `member:${auth.memberId}` : `key:${auth.apiKeyId}`;
}

/** Whether the credential still signs in as the same caller (role included) and a view is still allowed. */
async function stillValid(req: Request, auth: Exclude<RequestAuth, { kind: 'anonymous' }>, view: TenantView | undefined, deps: EventsDeps): Promise<boolean> {
  const header = req.headers.authorization;
  if (header === undefined) return false;
  const now = await authenticate(header, { jwtSecret: deps.jwtSecret, pool: deps.authPool });
  if ('code' in now || now.kind !== auth.kind || now.userId !== auth.userId || now.role !== auth.role) return false;
  if (now.kind === 'jwt' && auth.kind === 'jwt' && (now.memberId !== auth.memberId || now.memberRole !== auth.memberRole)) return false;
  if (!view) return true;
  const { rows } = await deps.authPool.query<{ ok: boolean }>('select app_hidden.tenant_view_allowed($1, $2) as ok', [view.adminId, view.tenantId]);
  return rows[0]?.ok === true;
}

function stream(hub: EventHub, deps: EventsDeps): RequestHandler {
  const recheckMs = deps.recheckMs ?? 60_000;
  return (req, res, next) => {
    const auth = getRequestAuth(req);
    if (auth.kind === 'anonymous') {
      next(new RequestError('UNAUTHENTICATED', "Sign in first: send 'Authorization: Bearer <token>'."));
      return;
    }
    const view = getTenantView(req);
    const businessId = view ? view.tenantId : auth.userId;
    let ended = false;
    const events: EventStream = {
      businessId,
      principal: principalOf(auth),
      write: (chunk) => !ended && res.write(chunk),
      end: () => {
        if (!ended) res.end();
        ended = true;
      },
    };
    const subscription = hub.subscribe(events);
    if (!subscription.ok) {
      next(new RequestError('TOO_MANY_STREAMS', `At most ${hub.streamsPerPrincipal} live-update streams per login or API key are open at once; close another dashboard tab.`));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies: pass events through at once
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n\n${sseEvent('ready', { businessId, at: new Date().toISOString() })}`);

    let checking = false;
    const recheck = setInterval(() => {
      if (checking) return;
      checking = true;
      stillValid(req, auth, view, deps).then(
        (ok) => {
          checking = false;
          if (!ok) events.end();
        },
        (error: unknown) => {
          checking = false;
          deps.logger.warn('event stream credential re-check failed (kept open)', { error });
        },
      );
    }, recheckMs);
    recheck.unref();
    res.on('close', () => {
      ended = true;
      clearInterval(recheck);
      subscription.unsubscribe();
    });
  };
}

/** Mounts GET /api/events and starts the LISTEN connection. */
export function installEvents(app: Express, deps: EventsDeps): Events {
  const hub = new EventHub({ minIntervalMs: deps.minIntervalMs, heartbeatMs: deps.heartbeatMs, streamsPerPrincipal: deps.streamsPerPrincipal });
  const listener: ChangeListener = listenForChanges({
    connectionString: deps.listenConnectionString,
    logger: deps.logger,
    onChange: (businessId) => hub.publish(businessId),
    onReconnect: () => hub.publishAll(),
  });
  listener.ready.catch((error: unknown) => deps.logger.warn('event listener could not connect at start (retrying)', { error }));
  app.get(EVENTS_PATH, requestAuth({ jwtSecret: deps.jwtSecret, pool: deps.authPool }), tenantView({ pool: deps.authPool }), stream(hub, deps));
  return {
    hub,
    closeStreams: () => hub.close(),
    async release() {
      hub.close();
      await listener.stop();
    },
  };
}
