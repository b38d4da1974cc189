/** What the webhook handlers share (built once by server/webhooks/install.ts). */
import type pg from 'pg';
import type { WebhookLimiter } from './rate-limit.ts';

export interface RouteDeps {
  /** The owner pool: credentials lookups and app_hidden.ingest_webhook. */
  pool: pg.Pool;
  /** SECRETS_KEY, to decrypt the tenants' provider secrets. */
  secretsKey: Buffer;
  /** PUBLIC_BASE_URL (no trailing slash), or undefined: the request's own URL. */
  publicBaseUrl: string | undefined;
  limiter: WebhookLimiter;
}
