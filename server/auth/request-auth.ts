/**
 * Express middleware for /graphql: who is calling?
 *
 * - no Authorization header: anonymous (PostGraphile runs as `app_anonymous`);
 * - `Bearer sbk_...`: an API key, checked by the database;
 * - `Bearer <jwt>`: one of our JWTs, checked here; then the member it names
 *   is read from the database on EVERY request (`app_hidden.authenticate_member`):
 *   its current role decides the database role (owner → app_owner, or
 *   app_admin in a platform admin business; manager → app_user; viewer →
 *   app_viewer, read-only), so a role change applies to the next request and a
 *   removed or deactivated member's token is refused (MEMBERSHIP_REVOKED).
 *
 * A credential that is present but bad (malformed, forged, expired, revoked...)
 * is refused with 401 and a GraphQL-shaped body. It is never treated as
 * anonymous: a client whose token expired must find out, not see empty lists.
 *
 * The result is kept per request (a WeakMap, so nothing leaks) and read by the
 * GraphQL context (server/graphql/context.ts) and the rate limiter.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type pg from 'pg';
import { graphqlErrorBody } from '../errors.ts';
import { runAsCaller } from './current-caller.ts';
import { authenticateApiKey, looksLikeApiKey, type ApiKeyScope } from './api-keys.ts';
import { isTokenRole, verifyJwt, type TokenRole } from './jwt.ts';

export type RequestAuth =
  | { kind: 'anonymous' }
  | { kind: 'jwt'; userId: string; memberId: string; role: TokenRole; memberRole: MemberRole }
  | { kind: 'apiKey'; userId: string; role: TokenRole; apiKeyId: string; scopes: ApiKeyScope[] };

export const ANONYMOUS: RequestAuth = Object.freeze({ kind: 'anonymous' });

export type AuthErrorCode = 'INVALID_TOKEN' | 'TOKEN_EXPIRED' | 'INVALID_API_KEY' | 'MEMBERSHIP_REVOKED';

export const MEMBER_ROLES = ['owner', 'manager', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export function isMemberRole(value: unknown): value is MemberRole {
  return typeof value === 'string' && (MEMBER_ROLES as readonly string[]).includes(value);
}

const authByRequest = new WeakMap<IncomingMessage, RequestAuth>();

/** The caller of a request that went through `requestAuth` (anonymous otherwise). */
export function getRequestAuth(req: IncomingMessage): RequestAuth {
  return authByRequest.get(req) ?? ANONYMOUS;
}

/** The client's address as Express sees it (honours the app's `trust proxy` setting). */
export function clientIp(req: Request): string | undefined {
  return req.ip ?? req.socket.remoteAddress;
}

export interface RequestAuthOptions {
  jwtSecret: string;
  /** The GraphQL pool (connected as app_authenticator), for API-key lookups. */
  pool: pg.Pool;
}

function refuse(res: Response, code: AuthErrorCode, message: string): void {
  // RFC 6750: every one of these is an `invalid_token` for the client.
  res
    .status(401)
    .set('WWW-Authenticate', 'Bearer realm="switchboard", error="invalid_token"')
    .json(graphqlErrorBody(code, message));
}

const BEARER = /^Bearer +([^\s]+) *$/i;

/** Checks an Authorization header as `requestAuth` does (also used to re-check long-lived event streams). */
export async function authenticate(header: string, options: RequestAuthOptions): Promise<RequestAuth | { code: AuthErrorCode; message: string }> {
  const token = BEARER.exec(header)?.[1];
  if (!token) return { code: 'INVALID_TOKEN', message: "The Authorization header must be 'Bearer <token>'." };
  if (looksLikeApiKey(token)) {
    const key = await authenticateApiKey(options.pool, token);
    if (!key) return { code: 'INVALID_API_KEY', message: 'The API key is invalid, revoked or expired.' };
    return { kind: 'apiKey', ...key };
  }
  const verified = verifyJwt(token, options.jwtSecret);
  if (!verified.ok) return { code: verified.code, message: verified.message };
  const { userId } = verified.subject;
  const memberId = verified.subject.memberId ?? userId;
  // A named statement: each pooled connection parses and plans it once, not on every request.
  const { rows } = await options.pool.query<{ db_role: string; member_role: string }>({
    name: 'switchboard_authenticate_member',
    text: 'select db_role, member_role from app_hidden.authenticate_member($1, $2)',
    values: [userId, memberId],
  });
  const row = rows[0];
  if (!row || !isTokenRole(row.db_role) || !isMemberRole(row.member_role)) {
    return { code: 'MEMBERSHIP_REVOKED', message: 'This sign-in is no longer valid: the login was removed from the business or deactivated.' };
  }
  return { kind: 'jwt', userId, memberId, role: row.db_role, memberRole: row.member_role };
}

export function requestAuth(options: RequestAuthOptions): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      authByRequest.set(req, ANONYMOUS);
      next();
      return;
    }
    authenticate(header, options).then((result) => {
      if ('code' in result) {
        refuse(res, result.code, result.message);
        return;
      }
      authByRequest.set(req, result);
      runAsCaller(result.kind === 'jwt' ? 'member' : 'apiKey', next);
    }, next);
  };
}
