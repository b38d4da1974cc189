/**
 * Our JWTs: HS256, `{ sub: <business id>, mid: <member id>, role, aud, iss }`,
 * signed after `app_hidden.login` succeeds and verified on every /graphql
 * request. `sub` is the business (the tenant every policy uses), `mid` the
 * login (member); a token without `mid` names the business's founding owner,
 * whose member id is the business id. The `role` claim is informational: the
 * database role of each request comes from the member's current row
 * (server/auth/request-auth.ts). Verification pins the algorithm (no `none`, no RS/HS confusion),
 * checks audience and issuer, and allows a few seconds of clock skew.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export const JWT_AUDIENCE = 'switchboard';
export const JWT_ISSUER = 'switchboard';
const ALGORITHM = 'HS256';
const CLOCK_TOLERANCE_SECONDS = 5;

/** Database roles a token may carry; anything else is refused even when correctly signed. */
export const TOKEN_ROLES = ['app_user', 'app_admin', 'app_owner', 'app_viewer'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];

export function isTokenRole(value: unknown): value is TokenRole {
  return typeof value === 'string' && (TOKEN_ROLES as readonly string[]).includes(value);
}

export interface JwtSubject {
  /** The business (tenant). */
  userId: string;
  /** The login (member); absent: the founding owner (member id = business id). */
  memberId?: string;
  role: TokenRole;
}

export interface JwtOptions {
  secret: string;
  ttlSeconds: number;
}

export interface JwtRefusal {
  ok: false;
  code: 'INVALID_TOKEN' | 'TOKEN_EXPIRED';
  message: string;
}

export type JwtVerification = { ok: true; subject: JwtSubject } | JwtRefusal;

/**
 * The secret as a KeyObject, made once: given a string, jsonwebtoken builds a
 * key object on every call (first trying to read it as a public key), which
 * cost about 0.2 ms of every GraphQL request under load. A process has one
 * secret; the cache holds the last one.
 */
let cachedKey: { secret: string; key: KeyObject } | null = null;
function secretKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function signJwt(subject: JwtSubject, { secret, ttlSeconds }: JwtOptions): string {
  const claims = subject.memberId ? { role: subject.role, mid: subject.memberId } : { role: subject.role };
  return jwt.sign(claims, secretKey(secret), {
    algorithm: ALGORITHM,
    subject: subject.userId,
    audience: JWT_AUDIENCE,
    issuer: JWT_ISSUER,
    expiresIn: ttlSeconds,
  });
}

const invalid = (message: string): JwtRefusal => ({ ok: false, code: 'INVALID_TOKEN', message });

/**
 * Tokens that verified, with their expiry: a dashboard sends the same token
 * with every request, and checking its signature again (HMAC, base64 and JSON
 * decoding in jsonwebtoken) cost about 3% of the API's CPU under load. A hit
 * still checks the expiry against the clock, so caching never extends a
 * token's life; the cache belongs to one secret (cleared when it changes),
 * and only successes are kept. Bounded: the oldest entry goes first.
 */
const VERIFIED_CAPACITY = 10_000;
let verified: { secret: string; tokens: Map<string, { subject: JwtSubject; exp: number }> } | null = null;

function verifiedTokens(secret: string): Map<string, { subject: JwtSubject; exp: number }> {
  if (verified?.secret !== secret) verified = { secret, tokens: new Map() };
  return verified.tokens;
}

const expired = (): JwtRefusal => ({ ok: false, code: 'TOKEN_EXPIRED', message: 'The token has expired; sign in again.' });

export function verifyJwt(token: string, secret: string, nowMs: number = Date.now()): JwtVerification {
  const cache = verifiedTokens(secret);
  const hit = cache.get(token);
  if (hit) {
    if (Math.floor(nowMs / 1000) >= hit.exp + CLOCK_TOLERANCE_SECONDS) {
      cache.delete(token);
      return expired();
    }
    return { ok: true, subject: hit.subject };
  }
  const result = verifySignedJwt(token, secret, nowMs);
  if (result.ok) {
    if (cache.size >= VERIFIED_CAPACITY) cache.delete(cache.keys().next().value as string);
    cache.set(token, { subject: result.subject, exp: result.exp });
    return { ok: true, subject: result.subject };
  }
  return result;
}

function verifySignedJwt(
  token: string,
  secret: string,
  nowMs: number,
): { ok: true; subject: JwtSubject; exp: number } | JwtRefusal {
  let payload: unknown;
  try {
    payload = jwt.verify(token, secretKey(secret), {
      algorithms: [ALGORITHM],
      audience: JWT_AUDIENCE,
      issuer: JWT_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      clockTimestamp: Math.floor(nowMs / 1000),
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) return expired();
    // Bad signature, wrong algorithm, audience or issuer, not yet valid, malformed: one answer for all.
    return invalid('The token is invalid.');
  }
  if (typeof payload !== 'object' || payload === null) return invalid('The token is invalid.');
  const { sub, role, exp, mid } = payload as Record<string, unknown>;
  // A token without `exp` would never expire: we never issue one, so refuse it.
  if (typeof exp !== 'number') return invalid('The token has no expiry.');
  if (typeof sub !== 'string' || !UUID.test(sub) || !isTokenRole(role)) return invalid('The token is invalid.');
  if (mid !== undefined && (typeof mid !== 'string' || !UUID.test(mid))) return invalid('The token is invalid.');
  return { ok: true, subject: mid === undefined ? { userId: sub, role } : { userId: sub, memberId: mid, role }, exp };
}
