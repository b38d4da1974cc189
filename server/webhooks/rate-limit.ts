/**
 * Per-source rate limit for webhooks, with the token buckets of
 * server/auth/rate-limit.ts. The source is what identifies the sender before
 * any database work: the Bolna token's prefix (the part the database shows,
 * unguessable), the Twilio AccountSid, else the client address. Checked before
 * the tenant lookup, so a flood costs no query; the price is that anyone who
 * knows a tenant's AccountSid can use up that account's bucket (Twilio sends
 * from shared addresses, so limiting by address instead would throttle Twilio
 * itself). Deliveries refused with 429 are not stored; providers retry.
 */
import type { Request, Response } from 'express';
import { createRateLimiter, type RateLimiter } from '../auth/rate-limit.ts';
import { clientIp } from '../auth/request-auth.ts';
import { refuse } from './respond.ts';

export interface WebhookLimiter {
  /** True when the request may proceed; otherwise a 429 has been sent. */
  admit(source: string, res: Response): boolean;
  stop(): void;
}

export function ipSource(req: Request): string {
  return `ip:${clientIp(req) ?? 'unknown'}`;
}

export function createWebhookLimiter(options: { perMinute: number; burst: number; now?: () => number }): WebhookLimiter {
  const limiter: RateLimiter = createRateLimiter(options);
  return {
    admit(source, res) {
      const decision = limiter.take(source);
      res.set('RateLimit-Limit', String(options.perMinute));
      res.set('RateLimit-Remaining', String(decision.remaining));
      if (decision.allowed) return true;
      res.set('Retry-After', String(decision.retryAfterSeconds));
      refuse(res, 'RATE_LIMITED', `Too many deliveries from this source; retry in ${decision.retryAfterSeconds} s.`);
      return false;
    },
    stop: () => limiter.stop(),
  };
}
