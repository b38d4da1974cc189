/**
 * POST /webhooks/twilio/status — Twilio voice status callbacks (form-encoded).
 *
 *   media type (415) → body (413) → form (400) → rate limit by AccountSid (429)
 *   → AccountSid present (400) → tenant by AccountSid (403; 503 database down)
 *   → X-Twilio-Signature over the public URL + parameters (401, 403) → tenant active (403)
 *   → required fields (400) → store + apply (200, 422; 503)
 *
 * The signature covers every parameter, so it is checked before the other
 * fields: an unsigned request learns nothing about what we expect. Nothing is
 * stored before the last step.
 */
import type { Request, RequestHandler, Response } from 'express';
import { RequestError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { noteRequest } from '../observability/request-notes.ts';
import { rawBody } from './body.ts';
import { findTwilioTenant, TWILIO_ACCOUNT_SID_FORMAT } from './credentials.ts';
import { ingestDelivery, keptHeaders } from './ingest.ts';
import { ipSource } from './rate-limit.ts';
import { sendIngestResult, webhookHandler } from './respond.ts';
import type { RouteDeps } from './route-deps.ts';
import { TWILIO_SIGNATURE_HEADER, twilioRequestUrl, verifyTwilioSignature } from './signatures.ts';
import { parseForm, parseTwilioCallback, twilioEventKey } from './twilio-payload.ts';

export function twilioHandler(deps: RouteDeps, log: Logger): RequestHandler {
  return webhookHandler(log, 'twilio webhook', async (req: Request, res: Response) => {
    const form = parseForm(rawBody(req));
    const accountSid = form.AccountSid;
    const wellFormed = accountSid !== undefined && TWILIO_ACCOUNT_SID_FORMAT.test(accountSid);
    if (!deps.limiter.admit(wellFormed ? `twilio:${accountSid}` : ipSource(req), res)) return;
    if (accountSid === undefined || accountSid === '') {
      throw new RequestError('MISSING_FIELD', "'AccountSid' is required.", { field: 'AccountSid' });
    }
    const tenant = wellFormed ? await findTwilioTenant(deps.pool, deps.secretsKey, accountSid) : undefined;
    if (!tenant?.authToken) {
      throw new RequestError('UNKNOWN_ACCOUNT', 'No tenant has connected this Twilio account (set its credentials in the ingest settings).');
    }
    verifyTwilioSignature(tenant.authToken, req.get(TWILIO_SIGNATURE_HEADER), twilioRequestUrl(req, deps.publicBaseUrl), form);
    noteRequest(req, { business: tenant.userId });
    if (!tenant.active) throw new RequestError('TENANT_INACTIVE', 'This account is deactivated; deliveries are not accepted.');
    const callback = parseTwilioCallback(form);
    const result = await ingestDelivery(deps.pool, {
      provider: 'twilio',
      userId: tenant.userId,
      eventKey: twilioEventKey(callback),
      payloadJson: JSON.stringify(form),
      headers: keptHeaders(req.headers, req.socket.remoteAddress),
    });
    sendIngestResult(res, result, log);
  });
}
