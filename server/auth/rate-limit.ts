/**
 * In-memory token buckets for /graphql, one per API key, else per user, else
 * per client IP; and for signed-in callers a second one per tenant, shared by
 * all its API keys and sessions, so creating more keys does not multiply a
 * tenant's budget. A request must find a token in both (nothing is taken
 * unless both have one). A bucket holds up to `burst` tokens and refills at
 * `perMinute / 60` tokens a second; each request takes one. An empty bucket
 * answers 429 with Retry-After (seconds until the next token).
 *
 * Per process: with several server processes each enforces its own limit
 * (good enough for one node; a shared store would be needed beyond that).
 * Buckets that have refilled completely are indistinguishable from new ones,
 * so a periodic sweep drops them and memory stays bounded by active callers.
 */
import type { Request, RequestHandler } from 'express';
import { graphqlErrorBody } from '../errors.ts';
import { clientIp, getRequestAuth } from './request-auth.ts';

export interface RateLimitOptions {
  perMinute: number;
  burst: number;
  /** Milliseconds clock (injected by tests). */
  now?: () => number;
  /** How often idle buckets are swept (default 60 s; 0: never, call sweep() yourself). */
  sweepIntervalMs?: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until a request would be allowed (0 when allowed). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  take(key: string): RateDecision;
  /** What `take` would decide now, without taking a token. */
  peek(key: string): RateDecision;
  /** Drops buckets that are full again; returns how many remain. */
  sweep(): number;
  readonly size: number;
  /** Stops the sweep timer. */
  stop(): void;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export function createRateLimiter({ perMinute, burst, now = Date.now, sweepIntervalMs = 60_000 }: RateLimitOptions): RateLimiter {
  const perMs = perMinute / 60_000;
  const buckets = new Map<string, Bucket>();

  const refilled = (bucket: Bucket, at: number): number => Math.min(burst, bucket.tokens + (at - bucket.updatedAt) * perMs);

  const sweep = (): number => {
    const at = now();
    for (const [key, bucket] of buckets) {
      if (refilled(bucket, at) >= burst) buckets.delete(key);
    }
    return buckets.size;
  };

  const timer = sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs) : undefined;
  timer?.unref();

  const decide = (tokens: number, taking: boolean): RateDecision =>
    tokens >= 1
      ? { allowed: true, remaining: Math.floor(taking ? tokens - 1 : tokens), retryAfterSeconds: 0 }
      : { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };

  return {
    take(key) {
      const at = now();
      const bucket = buckets.get(key) ?? { tokens: burst, updatedAt: at };
      bucket.tokens = refilled(bucket, at);
      bucket.updatedAt = at;
      buckets.set(key, bucket);
      const decision = decide(bucket.tokens, true);
      if (decision.allowed) bucket.tokens -= 1;
      return decision;
    },
    peek(key) {
      const bucket = buckets.get(key);
      return decide(bucket ? refilled(bucket, now()) : burst, false);
    },
    sweep,
    get size() {
      return buckets.size;
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

/** The bucket a request draws from: its API key, else its user, else its address. */
export function rateLimitKey(req: Request): string {
  const auth = getRequestAuth(req);
  if (auth.kind === 'apiKey') return `key:${auth.apiKeyId}`;
  if (auth.kind === 'jwt') return `user:${auth.userId}`;
  return `ip:${clientIp(req) ?? 'unknown'}`;
}

/** The tenant a signed-in request is charged to as well (undefined when anonymous). */
export function tenantRateLimitKey(req: Request): string | undefined {
  const auth = getRequestAuth(req);
  return auth.kind === 'anonymous' ? undefined : `tenant:${auth.userId}`;
}

export interface RateLimits {
  /** Per API key, user or address. */
  caller: RateLimiter;
  callerPerMinute: number;
  /** Per tenant, across all its keys and sessions. */
  tenant: RateLimiter;
}

/** Express middleware; mount after `requestAuth` so callers are known. */
export function rateLimit(limits: RateLimits): RequestHandler {
  return (req, res, next) => {
    const callerKey = rateLimitKey(req);
    const tenantKey = tenantRateLimitKey(req);
    const callerPeek = limits.caller.peek(callerKey);
    const tenantPeek = tenantKey === undefined ? undefined : limits.tenant.peek(tenantKey);
    res.set('RateLimit-Limit', String(limits.callerPerMinute));
    if (callerPeek.allowed && (tenantPeek?.allowed ?? true)) {
      const caller = limits.caller.take(callerKey);
      const tenant = tenantKey === undefined ? undefined : limits.tenant.take(tenantKey);
      res.set('RateLimit-Remaining', String(Math.min(caller.remaining, tenant?.remaining ?? Infinity)));
      next();
      return;
    }
    res.set('RateLimit-Remaining', '0');
    const byTenant = !(tenantPeek?.allowed ?? true);
    const retryAfter = Math.max(callerPeek.retryAfterSeconds, tenantPeek?.retryAfterSeconds ?? 0);
    res
      .status(429)
      .set('Retry-After', String(retryAfter))
      .json(
        graphqlErrorBody(
          'RATE_LIMITED',
          byTenant
            ? `Too many requests for this account (all its API keys and sessions together); retry in ${retryAfter} s.`
            : `Too many requests; retry in ${retryAfter} s.`,
        ),
      );
  };
}
