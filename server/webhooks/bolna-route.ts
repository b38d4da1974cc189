/**
 * POST /webhooks/bolna/:token — Bolna execution webhooks (JSON).
 *
 *   media type (415) → token format (401, charged to the sender's address)
 *   → sender's address has credit (429) → body (413, 408)
 *   → tenant by SHA-256 of the token (401; 503 database down)
 *   → signature: required when the tenant says so, checked whenever sent and a
 *     secret is set (401, 403)
 *   → rate limit: the token when verified, else the sender's address (429)
 *   → tenant active (403) → JSON and fields (400) → store + apply (200, 422; 503)
 *
 * Nothing is stored before the last step, so refused requests leave no trace.
 * Only a verified delivery is charged to the tenant's bucket (./rate-limit.ts):
 * knowing a token's visible prefix is not enough to spend it.
 */
import type { Request, RequestHandler, Response } from 'express';
import { RequestError } from '../errors.ts';
import type { Logger } from '../../kernel/log.ts';
import { noteRequest } from '../observability/request-notes.ts';
import { parseBolnaBody, bolnaEventKey } from './bolna-payload.ts';
import { rawBody } from './body.ts';
import { BOLNA_TOKEN_FORMAT, BOLNA_TOKEN_PREFIX_LENGTH, findBolnaTenant } from './credentials.ts';
import { ingestDelivery, keptHeaders } from './ingest.ts';
import { chargeAfterVerify, ipSource, type WebhookLimiter } from './rate-limit.ts';
import { refuse, sendIngestResult, webhookHandler } from './respond.ts';
import type { RouteDeps } from './route-deps.ts';
import { BOLNA_SIGNATURE_HEADER, verifyBolnaSignature } from './signatures.ts';

function tokenOf(req: Request): string {
  const token = req.params.token;
  return typeof token === 'string' ? token : '';
}

const UNKNOWN_TOKEN_MESSAGE =
  'Unknown webhook token: copy the webhook URL from Settings → Providers in the Switchboard dashboard (rotating the token there replaces the old URL).';

/** Before the body is read: a well-formed token (a malformed one is charged to the sender), from a sender with credit. */
export function bolnaGate(limiter: WebhookLimiter): RequestHandler {
  return (req, res, next) => {
    if (!BOLNA_TOKEN_FORMAT.test(tokenOf(req))) {
      if (limiter.admit(ipSource(req), res)) refuse(res, 'UNKNOWN_TOKEN', UNKNOWN_TOKEN_MESSAGE);
      return;
    }
    if (limiter.senderHasCredit(req, res)) next();
  };
}

export function bolnaHandler(deps: RouteDeps, log: Logger): RequestHandler {
  return webhookHandler(log, 'bolna webhook', async (req: Request, res: Response) => {
    const body = rawBody(req);
    const token = tokenOf(req);
    const tenant = await chargeAfterVerify(deps.limiter, req, res, async () => {
      const found = await findBolnaTenant(deps.pool, deps.secretsKey, token);
      if (!found) throw new RequestError('UNKNOWN_TOKEN', UNKNOWN_TOKEN_MESSAGE);
      // With a secret, a signature that is present must be valid; it must be present when required.
      const signature = req.get(BOLNA_SIGNATURE_HEADER);
      if (found.signingSecret !== undefined && (found.requireSignature || signature !== undefined)) {
        verifyBolnaSignature(found.signingSecret, signature, body);
      }
      return { source: `bolna:${token.slice(0, BOLNA_TOKEN_PREFIX_LENGTH)}`, value: found };
    });
    if (!tenant) return;
    noteRequest(req, { business: tenant.userId });
    if (!tenant.active) throw new RequestError('TENANT_INACTIVE', 'This account is deactivated; deliveries are not accepted.');
    const { json, execution } = parseBolnaBody(body);
    const result = await ingestDelivery(deps.pool, {
      provider: 'bolna',
      userId: tenant.userId,
      eventKey: bolnaEventKey(execution),
      payloadJson: json,
      headers: keptHeaders(req.headers, req.socket.remoteAddress),
    });
    sendIngestResult(res, result, log);
  });
}
