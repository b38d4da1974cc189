/**
 * Rate limit for webhooks, with the token buckets of server/auth/rate-limit.ts.
 * Who is charged depends on whether the delivery proved who sent it:
 *
 * - a verified delivery (a known Bolna token, with a valid signature when one
 *   is checked; a Twilio signature that matches the tenant's auth token) is
 *   charged to its tenant's source (`bolna:<token prefix>`, `twilio:<AccountSid>`):
 *   Twilio sends from shared addresses, so limiting genuine callbacks by
 *   address would throttle Twilio itself;
 * - anything else (unknown token or account, missing or wrong signature,
 *   unreadable body) is charged to the sender's address (`ip:<address>`), so a
 *   stranger who names a tenant's AccountSid or token prefix only spends his
 *   own bucket, never the tenant's.
 *
 * An address whose bucket is empty is refused (429) before any database work
 * (`senderHasCredit`), so a flood of forged deliveries costs at most one
 * lookup per token in the sender's bucket. Deliveries refused with 429 are not
 * stored; providers retry.
 */
import type { Request, Response } from 'express';
import { createRateLimiter, type RateDecision, type RateLimiter } from '../auth/rate-limit.ts';
import { clientIp } from '../auth/request-auth.ts';
import { RequestError } from '../errors.ts';
import { refuse } from './respond.ts';

export interface WebhookLimiter {
  /** Takes a token from `source`'s bucket: true when the request may proceed; otherwise a 429 has been sent. */
  admit(source: string, res: Response): boolean;
  /**
   * True when the sender's address still has a token (nothing is taken); otherwise a 429
   * has been sent. Checked before database work on requests not yet verified.
   */
  senderHasCredit(req: Request, res: Response): boolean;
  stop(): void;
}

export function ipSource(req: Request): string {
  return `ip:${clientIp(req) ?? 'unknown'}`;
}

function tooMany(res: Response, decision: RateDecision): void {
  res.set('Retry-After', String(decision.retryAfterSeconds));
  refuse(res, 'RATE_LIMITED', `Too many deliveries from this source; retry in ${decision.retryAfterSeconds} s.`);
}

export function createWebhookLimiter(options: { perMinute: number; burst: number; now?: () => number }): WebhookLimiter {
  const limiter: RateLimiter = createRateLimiter(options);
  const report = (res: Response, decision: RateDecision): boolean => {
    res.set('RateLimit-Limit', String(options.perMinute));
    res.set('RateLimit-Remaining', String(decision.remaining));
    if (decision.allowed) return true;
    tooMany(res, decision);
    return false;
  };
  return {
    admit: (source, res) => report(res, limiter.take(source)),
    senderHasCredit: (req, res) => report(res, limiter.peek(ipSource(req))),
    stop: () => limiter.stop(),
  };
}

/** What `verify` proved: the bucket of the tenant that sent the delivery, and what the handler needs next. */
export interface Verified<T> {
  source: string;
  value: T;
}

/**
 * Runs `verify` (identify the tenant, check the signature) and charges the
 * request: to the tenant's source when `verify` returns, to the sender's
 * address when it refuses the request (a RequestError, rethrown unless that
 * bucket is empty: then 429). Other errors (database down) are rethrown
 * uncharged. Returns undefined when a 429 has been sent.
 */
export async function chargeAfterVerify<T>(
  limiter: WebhookLimiter,
  req: Request,
  res: Response,
  verify: () => Promise<Verified<T>>,
): Promise<T | undefined> {
  let verified: Verified<T>;
  try {
    verified = await verify();
  } catch (error) {
    if (error instanceof RequestError && !limiter.admit(ipSource(req), res)) return undefined;
    throw error;
  }
  return limiter.admit(verified.source, res) ? verified.value : undefined;
}
