/**
 * Mounts the provider webhooks under /webhooks (before the app's 404 handler):
 *
 *   POST /webhooks/bolna/:token          JSON          bolnaGate → body → bolnaHandler
 *   POST /webhooks/twilio/status/:token  form-encoded  twilioTokenGate → body → twilioTokenHandler (per business)
 *   POST /webhooks/twilio/status         form-encoded  body → twilioHandler (routed by AccountSid + signature)
 *
 * They run on the OWNER pool (credentials live in app_private, and
 * app_hidden.ingest_webhook stores and applies in one statement); the GraphQL
 * roles never see them. `release()` stops the rate limiter's sweep timer.
 */
import { Router, type Express } from 'express';
import type pg from 'pg';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/log.ts';
import { bolnaGate, bolnaHandler } from './bolna-route.ts';
import { readRawBody, requireMediaType } from './body.ts';
import { createWebhookLimiter } from './rate-limit.ts';
import type { RouteDeps } from './route-deps.ts';
import { twilioHandler, twilioTokenGate, twilioTokenHandler } from './twilio-route.ts';

export const WEBHOOKS_PATH = '/webhooks';

export type WebhookConfig = Pick<
  Config,
  'publicBaseUrl' | 'webhookMaxBodyBytes' | 'webhookRateLimitPerMinute' | 'webhookRateLimitBurst' | 'httpBodyTimeoutMs'
>;

export interface WebhookDeps {
  /** The owner pool (ended by the caller). */
  pool: pg.Pool;
  /** SECRETS_KEY (see server/webhooks/secrets.ts resolveSecretsKey). */
  secretsKey: Buffer;
  config: WebhookConfig;
  logger: Logger;
  /** Clock of the rate limiter (tests). */
  now?: () => number;
}

export interface InstalledWebhooks {
  release(): void;
}

export function installWebhooks(app: Express, deps: WebhookDeps): InstalledWebhooks {
  const { config, logger } = deps;
  const limiter = createWebhookLimiter({
    perMinute: config.webhookRateLimitPerMinute,
    burst: config.webhookRateLimitBurst,
    now: deps.now,
  });
  const routeDeps: RouteDeps = { pool: deps.pool, secretsKey: deps.secretsKey, publicBaseUrl: config.publicBaseUrl, limiter };
  const body = readRawBody(config.webhookMaxBodyBytes, config.httpBodyTimeoutMs);

  const router = Router();
  router.post('/bolna/:token', requireMediaType(['application/json', '+json'], 'application/json'), bolnaGate(limiter), ...body, bolnaHandler(routeDeps, logger));
  const form = requireMediaType(['application/x-www-form-urlencoded'], 'application/x-www-form-urlencoded');
  router.post('/twilio/status/:token', form, twilioTokenGate(limiter), ...body, twilioTokenHandler(routeDeps, logger));
  router.post('/twilio/status', form, ...body, twilioHandler(routeDeps, logger));
  app.use(WEBHOOKS_PATH, router);
  return { release: () => limiter.stop() };
}
